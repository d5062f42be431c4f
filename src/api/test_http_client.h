#pragma once
// For tests over real sockets: one HTTP/1.1 exchange with the API server on 127.0.0.1.

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace sb::api::testing {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

// `verb target` with `body` (sent as JSON when not empty) and `headers`, on a fresh connection
// to 127.0.0.1:`port`; the answer as read.
inline boost::beast::http::response<boost::beast::http::string_body> http_exchange(
    std::uint16_t port, boost::beast::http::verb verb, const std::string& target,
    const std::string& body, const HttpHeaders& headers) {
  namespace beast = boost::beast;
  namespace http = beast::http;
  namespace net = boost::asio;
  net::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  http::request<http::string_body> req{verb, target, 11};
  req.set(http::field::host, "127.0.0.1");
  for (const auto& [name, value] : headers) req.set(name, value);
  if (!body.empty()) req.set(http::field::content_type, "application/json");
  req.body() = body;
  req.prepare_payload();
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(stream, buffer, res);
  return res;
}

}  // namespace sb::api::testing
