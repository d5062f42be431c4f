#pragma once
// For tests: a real HTTP/1.1 server on 127.0.0.1 (any free port), run by Boost.Beast on its own
// thread. The handler answers each request; returning nullopt keeps the connection open without
// answering, which is how tests make a client time out (no sleeping anywhere).

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace sb::flows::testing {

class TestHttpServer {
 public:
  using Request = boost::beast::http::request<boost::beast::http::string_body>;
  using Response = boost::beast::http::response<boost::beast::http::string_body>;
  using Handler = std::function<std::optional<Response>(const Request&)>;

  explicit TestHttpServer(Handler handler)
      : handler_(std::move(handler)),
        acceptor_(ioc_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    accept();
    thread_ = std::thread([this] { ioc_.run(); });
  }
  ~TestHttpServer() {
    ioc_.stop();
    thread_.join();
  }
  TestHttpServer(const TestHttpServer&) = delete;
  TestHttpServer& operator=(const TestHttpServer&) = delete;

  unsigned short port() const { return acceptor_.local_endpoint().port(); }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port()); }
  // The requests seen so far (method + target), in arrival order.
  std::vector<std::string> seen() const {
    std::lock_guard lock(mu_);
    return seen_;
  }

  static Response json_response(unsigned status, const std::string& body) {
    Response r{static_cast<boost::beast::http::status>(status), 11};
    r.set(boost::beast::http::field::content_type, "application/json");
    r.body() = body;
    r.prepare_payload();
    return r;
  }

 private:
  struct Conn {
    explicit Conn(boost::asio::ip::tcp::socket s) : socket(std::move(s)) {}
    boost::asio::ip::tcp::socket socket;
    boost::beast::flat_buffer buffer;
    Request request;
    Response response;
  };

  void accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, boost::asio::ip::tcp::socket s) {
      if (ec) return;
      read(std::make_shared<Conn>(std::move(s)));
      accept();
    });
  }

  void read(std::shared_ptr<Conn> c) {
    boost::beast::http::async_read(
        c->socket, c->buffer, c->request, [this, c](boost::system::error_code ec, std::size_t) {
          if (ec) return;
          {
            std::lock_guard lock(mu_);
            seen_.push_back(std::string(c->request.method_string()) + " " +
                            std::string(c->request.target()));
          }
          auto answer = handler_(c->request);
          if (!answer) {
            held_.push_back(c);  // never answered; closed when the server stops
            return;
          }
          c->response = std::move(*answer);
          c->response.keep_alive(false);
          boost::beast::http::async_write(
              c->socket, c->response, [c](boost::system::error_code, std::size_t) {
                boost::system::error_code ignored;
                c->socket.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
              });
        });
  }

  Handler handler_;
  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::vector<std::shared_ptr<Conn>> held_;  // io thread only
  mutable std::mutex mu_;
  std::vector<std::string> seen_;
  std::thread thread_;
};

}  // namespace sb::flows::testing
