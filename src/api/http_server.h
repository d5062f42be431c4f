#pragma once
// The network edge: Boost.Beast HTTP/1.1 (keep-alive) and WebSocket on an io_context run by a
// small thread pool. It knows nothing about routes, roles or the engine: it turns bytes into
// HttpRequest, hands them to a Dispatcher, and writes back whatever the Dispatcher replies —
// possibly later, from another thread (replies are posted back onto the connection's strand).

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "api/http_types.h"
#include "base/status.h"

namespace sb::api {

// Close codes (RFC 6455 section 7.4.1) the server sends.
enum class WsCloseCode : std::uint16_t {
  kNormal = 1000,
  kPolicyViolation = 1008,  // the credentials that opened the socket were revoked
};

// One accepted WebSocket. send() and close() may be called from any thread; messages are written
// in order, and a close frame after the messages already sent.
class WsConnection {
 public:
  virtual ~WsConnection() = default;
  virtual void send(std::string text) = 0;
  // `reason` is cut to the 123 bytes a close frame holds.
  virtual void close(WsCloseCode code, std::string reason) = 0;
  void close() { close(WsCloseCode::kNormal, {}); }
  virtual std::uint64_t id() const = 0;
};

// What the application does with an accepted socket.
class WsHandler {
 public:
  virtual ~WsHandler() = default;
  virtual void on_open(std::shared_ptr<WsConnection> conn) = 0;
  virtual void on_message(const std::shared_ptr<WsConnection>& conn, const std::string& text) = 0;
  virtual void on_close(const std::shared_ptr<WsConnection>& conn) = 0;
};

class Dispatcher {
 public:
  virtual ~Dispatcher() = default;
  virtual void handle(HttpRequest req, Reply reply) = 0;
  // Authorises a WebSocket upgrade. On success returns the handler of the new socket; on failure
  // the response to send instead of upgrading (401/403).
  virtual std::shared_ptr<WsHandler> accept_websocket(const HttpRequest& req,
                                                      HttpResponse& refusal) = 0;
};

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;  // 0 = any free port (see HttpServer::port())
  int threads = 2;
  std::size_t max_body_bytes = 1 << 20;
  std::string server_name = "switchboard";
  // PEM files; when both are set the server speaks HTTPS and WSS only (TLS 1.2+).
  std::string tls_cert_file;
  std::string tls_key_file;
};

struct HttpServerStats {
  std::uint64_t requests = 0;
  std::uint64_t open_connections = 0;
  std::uint64_t open_websockets = 0;
  std::uint64_t ws_messages_sent = 0;
};

class HttpServer {
 public:
  HttpServer(HttpServerOptions options, Dispatcher& dispatcher);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts the threads. IoError when the address cannot be bound.
  Status start();
  // Stops accepting, closes connections, joins the threads. Idempotent.
  void stop();
  std::uint16_t port() const;
  HttpServerStats stats() const;

  struct Impl;  // public only so the connection classes in the .cpp can name it

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace sb::api
