#include "api/http_server.h"

#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <cctype>
#include <chrono>
#include <deque>
#include <optional>
#include <thread>
#include <vector>

#include "api/problem.h"

namespace sb::api {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;
using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;
template <class Stream>
constexpr bool kIsTls = std::is_same_v<Stream, TlsStream>;

namespace {
// An idle keep-alive connection is closed after this long.
constexpr auto kIdleTimeout = std::chrono::seconds(60);
// A WebSocket client that falls this many messages behind is disconnected rather than letting
// its queue grow without bound; it reconnects and receives a full state message.
constexpr std::size_t kMaxQueuedWsMessages = 4096;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}
}  // namespace

struct HttpServer::Impl {
  Impl(HttpServerOptions o, Dispatcher& d) : opt(std::move(o)), dispatcher(d) {}

  HttpServerOptions opt;
  Dispatcher& dispatcher;
  net::io_context ioc;
  tcp::acceptor acceptor{ioc};
  std::vector<std::thread> threads;
  std::atomic<bool> stopped{false};
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> open_connections{0};
  std::atomic<std::uint64_t> open_websockets{0};
  std::atomic<std::uint64_t> ws_sent{0};
  std::atomic<std::uint64_t> next_ws_id{1};
  std::uint16_t bound_port = 0;
  std::unique_ptr<ssl::context> tls;  // set when a certificate is configured

  void do_accept();
};

namespace {

template <class Stream>
class WsSession final : public WsConnection,
                        public std::enable_shared_from_this<WsSession<Stream>> {
 public:
  WsSession(Stream stream, HttpServer::Impl& srv, std::shared_ptr<WsHandler> handler,
            std::uint64_t id)
      : ws_(std::move(stream)), srv_(srv), handler_(std::move(handler)), id_(id) {
    ++srv_.open_websockets;
  }
  ~WsSession() override { --srv_.open_websockets; }

  void run(http::request<http::string_body> req) {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    const std::string name = srv_.opt.server_name;
    ws_.set_option(websocket::stream_base::decorator(
        [name](websocket::response_type& res) { res.set(http::field::server, name); }));
    ws_.read_message_max(64 * 1024);
    auto self = shared_from_this();
    ws_.async_accept(req, [self](beast::error_code ec) {
      if (ec) return;
      self->open_ = true;
      self->handler_->on_open(self);
      self->do_read();
    });
  }

  void send(std::string text) override {
    auto self = shared_from_this();
    net::post(ws_.get_executor(), [self, text = std::move(text)]() mutable {
      if (self->closed_) return;
      if (self->outq_.size() >= kMaxQueuedWsMessages) {
        self->do_close();
        return;
      }
      self->outq_.push_back(std::move(text));
      if (self->outq_.size() == 1) self->do_write();
    });
  }

  using WsConnection::close;
  void close(WsCloseCode code, std::string reason) override {
    auto self = shared_from_this();
    net::post(ws_.get_executor(), [self, code, reason = std::move(reason)]() mutable {
      self->do_close(code, std::move(reason));
    });
  }

  std::uint64_t id() const override { return id_; }

 private:
  void do_read() {
    auto self = shared_from_this();
    ws_.async_read(buffer_, [self](beast::error_code ec, std::size_t) {
      if (ec) {
        self->closed();
        return;
      }
      std::string text = beast::buffers_to_string(self->buffer_.data());
      self->buffer_.consume(self->buffer_.size());
      self->handler_->on_message(self, text);
      self->do_read();
    });
  }

  void do_write() {
    auto self = shared_from_this();
    ws_.text(true);
    ws_.async_write(net::buffer(outq_.front()), [self](beast::error_code ec, std::size_t) {
      if (ec) {
        self->closed();
        return;
      }
      ++self->srv_.ws_sent;
      self->outq_.pop_front();
      if (!self->outq_.empty() && !self->closed_) self->do_write();
    });
  }

  void do_close(WsCloseCode code = WsCloseCode::kNormal, std::string reason = {}) {
    if (closed_ || !open_ || closing_) return;
    closing_ = true;
    constexpr std::size_t kMaxCloseReason = 123;  // 125-byte control frame less the code
    if (reason.size() > kMaxCloseReason) reason.resize(kMaxCloseReason);
    const websocket::close_reason why(static_cast<websocket::close_code>(code), reason);
    auto self = shared_from_this();
    ws_.async_close(why, [self](beast::error_code) { self->closed(); });
  }

  void closed() {
    if (closed_) return;
    closed_ = true;
    outq_.clear();
    if (open_) handler_->on_close(shared_from_this());
  }

  using std::enable_shared_from_this<WsSession<Stream>>::shared_from_this;
  websocket::stream<Stream> ws_;
  HttpServer::Impl& srv_;
  std::shared_ptr<WsHandler> handler_;
  std::uint64_t id_;
  beast::flat_buffer buffer_;
  std::deque<std::string> outq_;
  bool open_ = false;
  bool closed_ = false;
  bool closing_ = false;  // a close frame is on its way: a second async_close is not allowed
};

template <class Stream>
class HttpSession final : public std::enable_shared_from_this<HttpSession<Stream>> {
 public:
  HttpSession(Stream stream, HttpServer::Impl& srv) : stream_(std::move(stream)), srv_(srv) {
    ++srv_.open_connections;
    beast::error_code ec;
    auto ep = beast::get_lowest_layer(stream_).socket().remote_endpoint(ec);
    if (!ec) remote_ = ep.address().to_string();
  }
  ~HttpSession() { --srv_.open_connections; }

  void run() {
    auto self = shared_from_this();
    net::dispatch(stream_.get_executor(), [self] {
      if constexpr (kIsTls<Stream>) {
        beast::get_lowest_layer(self->stream_).expires_after(kIdleTimeout);
        self->stream_.async_handshake(ssl::stream_base::server, [self](beast::error_code ec) {
          if (!ec) self->do_read();
        });
      } else {
        self->do_read();
      }
    });
  }

 private:
  void do_read() {
    parser_.emplace();
    parser_->body_limit(srv_.opt.max_body_bytes);
    parser_->header_limit(16 * 1024);
    beast::get_lowest_layer(stream_).expires_after(kIdleTimeout);
    auto self = shared_from_this();
    http::async_read(stream_, buffer_, *parser_,
                     [self](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == net::error::eof) return shutdown();
    if constexpr (kIsTls<Stream>) {
      if (ec == ssl::error::stream_truncated) return;
    }
    if (ec == http::error::body_limit) {
      return write(
          problem(413, "payload-too-large", "Payload too large",
                  "the request body exceeds " + std::to_string(srv_.opt.max_body_bytes) + " bytes"),
          false, 11);
    }
    if (ec && ec.category() == http::make_error_code(http::error::end_of_stream).category()) {
      return write(bad_request("malformed HTTP request: " + ec.message()), false, 11);
    }
    if (ec) return;  // reset, timeout: nothing to answer
    ++srv_.requests;
    http::request<http::string_body> req = parser_->release();

    HttpRequest hreq;
    hreq.method = std::string(req.method_string());
    hreq.target = std::string(req.target());
    for (const auto& field : req) {
      std::string name = lower(std::string(field.name_string()));
      auto [it, inserted] = hreq.headers.emplace(name, std::string(field.value()));
      if (!inserted) it->second += (name == "cookie" ? "; " : ", ") + std::string(field.value());
    }
    hreq.body = std::move(req.body());
    hreq.remote = remote_;
    split_target(hreq);

    if (websocket::is_upgrade(req)) {
      HttpResponse refusal;
      std::shared_ptr<WsHandler> handler = srv_.dispatcher.accept_websocket(hreq, refusal);
      if (!handler) return write(std::move(refusal), false, req.version());
      beast::get_lowest_layer(stream_).expires_never();
      std::shared_ptr<WsSession<Stream>> ws;
      if constexpr (kIsTls<Stream>) {
        ws = std::make_shared<WsSession<Stream>>(std::move(stream_), srv_, std::move(handler),
                                                 srv_.next_ws_id++);
      } else {
        ws = std::make_shared<WsSession<Stream>>(PlainStream(stream_.release_socket()), srv_,
                                                 std::move(handler), srv_.next_ws_id++);
      }
      ws->run(std::move(req));
      return;
    }

    const bool keep_alive = req.keep_alive();
    const unsigned version = req.version();
    auto self = shared_from_this();
    Reply reply = [self, keep_alive, version](HttpResponse r) {
      net::post(self->stream_.get_executor(),
                [self, keep_alive, version, r = std::move(r)]() mutable {
                  self->write(std::move(r), keep_alive, version);
                });
    };
    srv_.dispatcher.handle(std::move(hreq), std::move(reply));
  }

  void write(HttpResponse r, bool keep_alive, unsigned version) {
    auto res = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(r.status), version);
    res->set(http::field::server, srv_.opt.server_name);
    res->set(http::field::content_type, r.content_type);
    res->set("X-Content-Type-Options", "nosniff");
    for (auto& [name, value] : r.headers) res->insert(name, value);
    res->keep_alive(keep_alive);
    res->body() = std::move(r.body);
    res->prepare_payload();
    auto self = shared_from_this();
    http::async_write(stream_, *res, [self, res, keep_alive](beast::error_code ec, std::size_t) {
      if (ec) return;
      if (!keep_alive) return self->shutdown();
      self->do_read();
    });
  }

  void shutdown() {
    if constexpr (kIsTls<Stream>) {
      auto self = shared_from_this();
      beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(5));
      stream_.async_shutdown([self](beast::error_code) {});
    } else {
      beast::error_code ec;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    }
  }

  using std::enable_shared_from_this<HttpSession<Stream>>::shared_from_this;
  Stream stream_;
  HttpServer::Impl& srv_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::string remote_;
};

}  // namespace

void HttpServer::Impl::do_accept() {
  acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (stopped) return;
    if (!ec) {
      if (tls) {
        std::make_shared<HttpSession<TlsStream>>(TlsStream(std::move(socket), *tls), *this)->run();
      } else {
        std::make_shared<HttpSession<PlainStream>>(PlainStream(std::move(socket)), *this)->run();
      }
    }
    do_accept();
  });
}

HttpServer::HttpServer(HttpServerOptions options, Dispatcher& dispatcher)
    : impl_(std::make_unique<Impl>(std::move(options), dispatcher)) {}

HttpServer::~HttpServer() { stop(); }

Status HttpServer::start() {
  beast::error_code ec;
  if (!impl_->opt.tls_cert_file.empty() || !impl_->opt.tls_key_file.empty()) {
    if (impl_->opt.tls_cert_file.empty() || impl_->opt.tls_key_file.empty())
      return Status::invalid_argument("TLS needs both a certificate and a private key file");
    auto ctx = std::make_unique<ssl::context>(ssl::context::tls_server);
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                     ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                     ssl::context::single_dh_use);
    ctx->use_certificate_chain_file(impl_->opt.tls_cert_file, ec);
    if (ec)
      return Status::invalid_argument("TLS certificate " + impl_->opt.tls_cert_file + ": " +
                                      ec.message());
    ctx->use_private_key_file(impl_->opt.tls_key_file, ssl::context::pem, ec);
    if (ec)
      return Status::invalid_argument("TLS private key " + impl_->opt.tls_key_file + ": " +
                                      ec.message());
    impl_->tls = std::move(ctx);
  }
  auto address = net::ip::make_address(impl_->opt.host, ec);
  if (ec)
    return Status::invalid_argument("listen address '" + impl_->opt.host + "': " + ec.message());
  tcp::endpoint endpoint(address, impl_->opt.port);
  auto& acc = impl_->acceptor;
  acc.open(endpoint.protocol(), ec);
  if (!ec) acc.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acc.bind(endpoint, ec);
  if (!ec) acc.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status::io_error("cannot listen on " + impl_->opt.host + ":" +
                            std::to_string(impl_->opt.port) + ": " + ec.message());
  }
  impl_->bound_port = acc.local_endpoint().port();
  impl_->do_accept();
  const int n = std::max(1, impl_->opt.threads);
  for (int i = 0; i < n; ++i) impl_->threads.emplace_back([this] { impl_->ioc.run(); });
  return Status::ok_status();
}

void HttpServer::stop() {
  if (impl_->stopped.exchange(true)) return;
  net::post(impl_->ioc, [this] {
    beast::error_code ec;
    impl_->acceptor.close(ec);
  });
  impl_->ioc.stop();
  for (auto& t : impl_->threads)
    if (t.joinable()) t.join();
}

std::uint16_t HttpServer::port() const { return impl_->bound_port; }

HttpServerStats HttpServer::stats() const {
  HttpServerStats s;
  s.requests = impl_->requests;
  s.open_connections = impl_->open_connections;
  s.open_websockets = impl_->open_websockets;
  s.ws_messages_sent = impl_->ws_sent;
  return s;
}

}  // namespace sb::api
