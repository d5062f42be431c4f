#include "demo/api_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <charconv>
#include <chrono>

namespace sb::demo {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

// ---------------------------------------------------------------------------------------------
// URL

std::string Url::origin() const { return scheme + "://" + host_header(); }

std::string Url::target(std::string_view path) const { return base_path + std::string(path); }

std::string Url::host_header() const {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

Result<Url> parse_url(std::string_view text) {
  Url url;
  const auto sep = text.find("://");
  if (sep == std::string_view::npos) {
    return Status::invalid_argument("url '" + std::string(text) + "': expected http://host:port");
  }
  url.scheme = std::string(text.substr(0, sep));
  for (char& c : url.scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (url.scheme == "https") {
    return Status::invalid_argument("url '" + std::string(text) +
                                    "': https is not supported by the demo client yet");
  }
  if (url.scheme != "http") {
    return Status::invalid_argument("url '" + std::string(text) + "': unsupported scheme '" +
                                    url.scheme + "'");
  }
  std::string_view rest = text.substr(sep + 3);
  const auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? "" : rest.substr(slash);
  if (authority.find('@') != std::string_view::npos) {
    return Status::invalid_argument("url '" + std::string(text) + "': user-info is not supported");
  }
  if (path.find_first_of("?#") != std::string_view::npos) {
    return Status::invalid_argument("url '" + std::string(text) +
                                    "': a query or fragment is not supported");
  }
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) {
      return Status::invalid_argument("url '" + std::string(text) + "': unterminated IPv6 host");
    }
    url.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        return Status::invalid_argument("url '" + std::string(text) + "': bad host");
      }
      port_text = after.substr(1);
    }
  } else {
    const auto colon = authority.rfind(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (url.host.empty()) {
    return Status::invalid_argument("url '" + std::string(text) + "': missing host");
  }
  if (port_text.empty()) {
    url.port = 80;
  } else {
    unsigned port = 0;
    const auto [p, ec] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || p != port_text.data() + port_text.size() || port == 0 ||
        port > 65535) {
      return Status::invalid_argument("url '" + std::string(text) + "': bad port '" +
                                      std::string(port_text) + "'");
    }
    url.port = static_cast<std::uint16_t>(port);
  }
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  url.base_path = std::string(path);
  return url;
}

// ---------------------------------------------------------------------------------------------
// Responses and errors

Json HttpResponse::json() const {
  if (body.empty()) return nullptr;
  Json j = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  return j.is_discarded() ? Json(nullptr) : j;
}

Status status_from_http(int http_status, std::string_view body, std::string_view what) {
  std::string kind;
  std::string detail;
  Json j = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_discarded() && j.is_object()) {
    if (j.contains("type") && j["type"].is_string()) {
      kind = j["type"].get<std::string>();
      const auto slash = kind.rfind('/');
      if (slash != std::string::npos) kind = kind.substr(slash + 1);
    }
    if (j.contains("detail") && j["detail"].is_string()) detail = j["detail"].get<std::string>();
    if (detail.empty() && j.contains("title") && j["title"].is_string()) {
      detail = j["title"].get<std::string>();
    }
  } else {
    detail = std::string(body.substr(0, 200));
  }
  std::string message = "HTTP " + std::to_string(http_status);
  if (!kind.empty()) message += " " + kind;
  if (!detail.empty()) message += ": " + detail;
  if (!what.empty()) message += " (" + std::string(what) + ")";
  switch (http_status) {
    case 400:
    case 401:
    case 403:
    case 405:
    case 413:
    case 415:
      return Status::invalid_argument(std::move(message));
    case 404:
      return Status::not_found(std::move(message));
    case 409:
      return Status::failed_precondition(std::move(message));
    case 423:
    case 429:
      return Status::resource_exhausted(std::move(message));
    case 503:
      return Status::unavailable(std::move(message));
    default:
      if (http_status >= 500) return Status::internal(std::move(message));
      return Status::invalid_argument(std::move(message));
  }
}

std::string cookie_from_set_cookie(std::string_view set_cookie, std::string_view name) {
  std::size_t pos = 0;
  while (pos < set_cookie.size()) {
    auto end = set_cookie.find('\n', pos);
    if (end == std::string_view::npos) end = set_cookie.size();
    std::string_view line = set_cookie.substr(pos, end - pos);
    while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
    const auto semi = line.find(';');
    std::string_view pair = line.substr(0, semi);
    const auto eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) {
      return std::string(pair.substr(eq + 1));
    }
    pos = end + 1;
  }
  return "";
}

namespace {

std::string percent_encode(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Connection: every operation is asynchronous on a private io_context run to completion, so the
// tcp_stream's timeouts apply.

struct ApiClient::Conn {
  asio::io_context io;
  beast::tcp_stream stream{io};
  beast::flat_buffer buffer;
  bool open = false;
  std::vector<tcp::endpoint> endpoints;

  void close() {
    error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream.close();
    buffer.consume(buffer.size());
    open = false;
  }

  void run() {
    io.restart();
    io.run();
  }
};

ApiClient::ApiClient(Url url, ApiClientOptions options)
    : url_(std::move(url)), options_(std::move(options)), conn_(std::make_unique<Conn>()) {}

ApiClient::~ApiClient() {
  if (conn_ && conn_->open) conn_->close();
}

void ApiClient::use_api_key(std::string key) {
  api_key_ = std::move(key);
  session_.clear();
  csrf_.clear();
}

Result<HttpResponse> ApiClient::send(
    std::string_view method, std::string_view path, const std::optional<Json>& body,
    const std::vector<std::pair<std::string, std::string>>& headers) {
  http::request<http::string_body> req;
  const http::verb verb = http::string_to_verb(beast::string_view(method.data(), method.size()));
  if (verb == http::verb::unknown) {
    return Status::invalid_argument("unknown HTTP method " + std::string(method));
  }
  req.method(verb);
  req.target(url_.target(path));
  req.version(11);
  req.keep_alive(true);
  req.set(http::field::host, url_.host_header());
  req.set(http::field::user_agent, options_.user_agent);
  req.set(http::field::accept, "application/json");
  if (!api_key_.empty()) {
    req.set(http::field::authorization, "Bearer " + api_key_);
  } else if (!session_.empty()) {
    req.set(http::field::cookie, "sb_session=" + session_);
    if (verb != http::verb::get && verb != http::verb::head) req.set("X-CSRF-Token", csrf_);
  }
  for (const auto& [name, value] : headers) req.set(name, value);
  if (body) {
    req.set(http::field::content_type, "application/json");
    req.body() = body->dump();
  }
  req.prepare_payload();

  const auto timeout = std::chrono::milliseconds(options_.timeout_ms);
  Conn& c = *conn_;
  for (int attempt = 0; attempt < 2; ++attempt) {
    const bool reused = c.open;
    error_code ec;
    if (!c.open) {
      if (c.endpoints.empty()) {
        tcp::resolver resolver(c.io);
        auto results = resolver.resolve(url_.host, std::to_string(url_.port), ec);
        if (ec) {
          return Status::io_error("resolve " + url_.host + ": " + ec.message());
        }
        for (const auto& r : results) c.endpoints.push_back(r.endpoint());
      }
      c.stream.expires_after(timeout);
      c.stream.async_connect(c.endpoints, [&](error_code e, const tcp::endpoint&) { ec = e; });
      c.run();
      if (ec) {
        c.close();
        return Status::io_error("connect " + url_.origin() + ": " + ec.message());
      }
      c.stream.socket().set_option(tcp::no_delay(true), ec);
      c.open = true;
      if (requests_ > 0) ++reconnects_;
    }
    ++requests_;
    c.stream.expires_after(timeout);
    http::async_write(c.stream, req, [&](error_code e, std::size_t) { ec = e; });
    c.run();
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    if (!ec) {
      c.stream.expires_after(timeout);
      http::async_read(c.stream, c.buffer, parser, [&](error_code e, std::size_t) { ec = e; });
      c.run();
    }
    if (ec) {
      c.close();
      // A kept-alive connection the server closed meanwhile: try once more on a fresh one.
      if (reused && ec != beast::error::timeout) continue;
      return Status::io_error(std::string(method) + " " + std::string(path) + ": " + ec.message());
    }
    auto& res = parser.get();
    HttpResponse out;
    out.status = static_cast<int>(res.result_int());
    out.body = std::move(res.body());
    out.content_type = std::string(res[http::field::content_type]);
    for (auto it = res.find(http::field::set_cookie);
         it != res.end() && it->name() == http::field::set_cookie; ++it) {
      if (!out.set_cookie.empty()) out.set_cookie += '\n';
      out.set_cookie += std::string(it->value());
    }
    if (!res.keep_alive()) c.close();
    return out;
  }
  return Status::io_error(std::string(method) + " " + std::string(path) + ": connection lost");
}

Result<Json> ApiClient::call(std::string_view method, std::string_view path,
                             const std::optional<Json>& body,
                             const std::vector<std::pair<std::string, std::string>>& headers) {
  auto res = send(method, path, body, headers);
  if (!res.ok()) return res.status();
  if (res->status < 200 || res->status >= 300) {
    return status_from_http(res->status, res->body, std::string(method) + " " + url_.target(path));
  }
  if (res->status == 204 || res->body.empty()) return Json(nullptr);
  Json j = Json::parse(res->body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    return Status::internal(std::string(method) + " " + std::string(path) +
                            ": the answer is not JSON");
  }
  return j;
}

Result<std::vector<Json>> ApiClient::list_all(std::string_view path) {
  std::vector<Json> items;
  std::string cursor;
  const char* join = path.find('?') == std::string_view::npos ? "?" : "&";
  for (int page = 0; page < 10'000; ++page) {
    std::string p = std::string(path) + join + "limit=500";
    if (!cursor.empty()) p += "&cursor=" + percent_encode(cursor);
    auto res = get(p);
    if (!res.ok()) return res.status();
    const Json& j = *res;
    if (!j.is_object() || !j.contains("items") || !j["items"].is_array()) {
      return Status::internal("GET " + std::string(path) + ": no items array in the answer");
    }
    for (const auto& item : j["items"]) items.push_back(item);
    if (!j.contains("next_cursor") || !j["next_cursor"].is_string()) break;
    const std::string next = j["next_cursor"].get<std::string>();
    if (next.empty() || next == cursor) break;
    cursor = next;
  }
  return items;
}

Result<Json> ApiClient::login(std::string_view username, std::string_view password) {
  api_key_.clear();
  session_.clear();
  csrf_.clear();
  auto res = send("POST", "/api/v1/auth/login",
                  Json{{"username", std::string(username)}, {"password", std::string(password)}});
  if (!res.ok()) return res.status();
  if (res->status != 200) {
    return status_from_http(res->status, res->body, "login as " + std::string(username));
  }
  Json j = res->json();
  session_ = cookie_from_set_cookie(res->set_cookie, "sb_session");
  if (session_.empty()) return Status::internal("login: no sb_session cookie in the answer");
  if (j.is_object() && j.contains("csrf_token") && j["csrf_token"].is_string()) {
    csrf_ = j["csrf_token"].get<std::string>();
  }
  if (!j.is_object() || !j.contains("user")) return Status::internal("login: no user in answer");
  return j["user"];
}

Status ApiClient::logout() {
  if (session_.empty()) return Status::ok_status();
  auto res = call("POST", "/api/v1/auth/logout");
  session_.clear();
  csrf_.clear();
  return res.status();
}

Result<Json> ApiClient::create_skill(std::string_view name) {
  return post("/api/v1/skills", Json{{"name", std::string(name)}});
}
Result<Json> ApiClient::create_profile(const Json& profile) {
  return post("/api/v1/profiles", profile);
}
Result<Json> ApiClient::create_queue(const Json& queue) { return post("/api/v1/queues", queue); }
Result<Json> ApiClient::create_agent(const Json& agent) { return post("/api/v1/agents", agent); }
Result<Json> ApiClient::create_reason_code(std::string_view name) {
  return post("/api/v1/reason-codes", Json{{"name", std::string(name)}});
}
Result<Json> ApiClient::create_disposition(std::string_view name, bool conversion) {
  return post("/api/v1/dispositions",
              Json{{"name", std::string(name)}, {"conversion", conversion}});
}
Result<Json> ApiClient::create_user(const Json& user) { return post("/api/v1/users", user); }
Result<Json> ApiClient::create_api_key(std::int64_t user_id, std::string_view name) {
  return post("/api/v1/users/" + std::to_string(user_id) + "/api-keys",
              Json{{"name", std::string(name)}});
}

Result<Json> ApiClient::create_contact(const Json& contact, std::string_view idempotency_key) {
  std::vector<std::pair<std::string, std::string>> headers;
  if (!idempotency_key.empty()) headers.emplace_back("Idempotency-Key", idempotency_key);
  auto res = call("POST", "/api/v1/contacts", contact, headers);
  if (!res.ok() && res.status().code() == StatusCode::kIoError && !idempotency_key.empty()) {
    res = call("POST", "/api/v1/contacts", contact, headers);  // same key: never a duplicate
  }
  return res;
}

Result<Json> ApiClient::contact_action(std::int64_t contact, std::string_view action) {
  // No body: none of these actions needs a field (abandon and callback take none at all).
  return call("POST", "/api/v1/contacts/" + std::to_string(contact) + "/" + std::string(action));
}

Result<Json> ApiClient::wrap_up(std::int64_t contact, std::int64_t disposition,
                                std::string_view notes) {
  return post("/api/v1/contacts/" + std::to_string(contact) + "/wrap-up",
              Json{{"disposition", disposition}, {"notes", std::string(notes)}});
}

Result<Json> ApiClient::set_agent_state(std::int64_t agent, std::string_view presence,
                                        std::optional<std::int64_t> reason) {
  Json body{{"presence", std::string(presence)}};
  if (reason) body["reason"] = *reason;
  return put("/api/v1/agents/" + std::to_string(agent) + "/state", body);
}

Result<Json> ApiClient::queue_stats() { return get("/api/v1/stats/queues"); }
Result<Json> ApiClient::agent_stats() { return get("/api/v1/stats/agents"); }

}  // namespace sb::demo
