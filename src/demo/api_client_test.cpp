// The API and WebSocket clients against a small in-process fake server (Beast, one thread per
// connection) that checks what the real one checks: the session cookie, the CSRF header on
// writes, Bearer keys, the Idempotency-Key header, pagination, and the WebSocket subscription.

#include "demo/api_client.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "demo/ws_client.h"

namespace sb::demo {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

class FakeServer {
 public:
  FakeServer() : acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this] { accept_loop(); });
  }
  ~FakeServer() {
    stopping_ = true;
    boost::system::error_code ec;
    // Wake the blocking accept with one last connection.
    tcp::socket s(io_);
    s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_), ec);
    thread_.join();
    for (auto& t : connections_) t.join();
  }
  std::uint16_t port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  std::atomic<int> accepted{0};
  std::mutex mu;
  std::vector<std::string> idempotency_keys;
  std::vector<std::string> ws_received;

 private:
  using Request = http::request<http::string_body>;
  using Response = http::response<http::string_body>;

  void accept_loop() {
    for (;;) {
      tcp::socket socket(io_);
      boost::system::error_code ec;
      acceptor_.accept(socket, ec);
      if (stopping_ || ec) return;
      ++accepted;
      connections_.emplace_back([this, s = std::move(socket)]() mutable { serve(std::move(s)); });
    }
  }

  static Response problem(const Request& req, http::status status, const std::string& kind,
                          const std::string& detail) {
    Response res{status, req.version()};
    res.set(http::field::content_type, "application/problem+json");
    res.body() = Json{
        {"type", "https://switchboard.dev/problems/" + kind},
        {"title", kind},
        {"status", static_cast<int>(status)},
        {"detail",
         detail}}.dump();
    return res;
  }

  static Response json(const Request& req, http::status status, const Json& body) {
    Response res{status, req.version()};
    res.set(http::field::content_type, "application/json");
    res.body() = body.dump();
    return res;
  }

  Response handle(const Request& req, bool& close_after) {
    const std::string target(req.target());
    const std::string cookie(req[http::field::cookie]);
    const std::string auth(req[http::field::authorization]);
    const bool session = cookie == "sb_session=s3cr3t";
    const bool key = auth == "Bearer sbk_test";
    if (target == "/api/v1/auth/login" && req.method() == http::verb::post) {
      Json body = Json::parse(req.body(), nullptr, false);
      if (body.value("password", "") != "right-password-1") {
        return problem(req, http::status::unauthorized, "unauthenticated",
                       "invalid username or password");
      }
      Response res = json(req, http::status::ok,
                          {{"user", {{"id", 1}, {"username", body.value("username", "")}}},
                           {"csrf_token", "csrf-1"}});
      res.set(http::field::set_cookie, "sb_session=s3cr3t; HttpOnly; SameSite=Strict; Path=/");
      return res;
    }
    if (!session && !key) {
      return problem(req, http::status::unauthorized, "unauthenticated", "log in first");
    }
    if (session && req.method() != http::verb::get && req[http::field::cookie] != "" &&
        req["X-CSRF-Token"] != "csrf-1") {
      return problem(req, http::status::forbidden, "forbidden", "missing CSRF token");
    }
    if (target == "/api/v1/skills?limit=500") {
      return json(req, http::status::ok,
                  {{"items", {{{"id", 1}, {"name", "a"}}}}, {"next_cursor", "p/2=?"}});
    }
    if (target == "/api/v1/skills?limit=500&cursor=p%2F2%3D%3F") {
      return json(req, http::status::ok,
                  {{"items", {{{"id", 2}, {"name", "b"}}}}, {"next_cursor", nullptr}});
    }
    if (target == "/api/v1/skills" && req.method() == http::verb::post) {
      return json(req, http::status::created, {{"id", 7}, {"name", "sales"}});
    }
    if (target == "/api/v1/contacts" && req.method() == http::verb::post) {
      std::lock_guard lock(mu);
      idempotency_keys.emplace_back(req["Idempotency-Key"]);
      return json(req, http::status::created, {{"id", 42}, {"state", "queued"}});
    }
    if (target == "/api/v1/contacts/42/accept") {
      return problem(req, http::status::conflict, "conflict", "contact 42 is not ringing");
    }
    if (target == "/api/v1/stats/queues") {
      close_after = true;  // drop the kept-alive connection behind the client's back
      return json(req, http::status::ok, {{"items", Json::array()}});
    }
    if (target == "/api/v1/auth/logout") {
      Response res{http::status::no_content, req.version()};
      return res;
    }
    return problem(req, http::status::not_found, "not-found", "no route " + target);
  }

  void serve(tcp::socket socket) {
    beast::flat_buffer buffer;
    boost::system::error_code ec;
    for (;;) {
      Request req;
      http::read(socket, buffer, req, ec);
      if (ec || stopping_) return;
      if (websocket::is_upgrade(req)) return serve_ws(std::move(socket), req);
      bool close_after = false;
      Response res = handle(req, close_after);
      res.keep_alive(req.keep_alive());
      res.prepare_payload();
      http::write(socket, res, ec);
      if (ec || close_after || !req.keep_alive()) {
        socket.shutdown(tcp::socket::shutdown_both, ec);
        return;
      }
    }
  }

  void serve_ws(tcp::socket socket, const Request& req) {
    const bool authed = req[http::field::cookie] == "sb_session=s3cr3t" ||
                        req[http::field::authorization] == "Bearer sbk_test";
    if (!authed) {
      Response res = problem(req, http::status::unauthorized, "unauthenticated", "no session");
      res.prepare_payload();
      boost::system::error_code ec;
      http::write(socket, res, ec);
      return;
    }
    websocket::stream<tcp::socket> ws(std::move(socket));
    boost::system::error_code ec;
    ws.accept(req, ec);
    if (ec) return;
    beast::flat_buffer buffer;
    for (;;) {
      ws.read(buffer, ec);
      if (ec) return;
      const std::string text = beast::buffers_to_string(buffer.data());
      buffer.consume(buffer.size());
      {
        std::lock_guard lock(mu);
        ws_received.push_back(text);
      }
      Json msg = Json::parse(text, nullptr, false);
      if (msg.value("type", "") == "subscribe") {
        ws.text(true);
        ws.write(asio::buffer(Json{{"type", "subscribed"}, {"channel", msg["channel"]}}.dump()),
                 ec);
        ws.write(asio::buffer(Json{{"type", "state"}, {"agent", {{"agent", 3}}}}.dump()), ec);
        ws.write(asio::buffer(std::string("not json")), ec);
        ws.write(asio::buffer(Json{{"type", "batch"},
                                   {"messages",
                                    {{{"type", "contact"}, {"contact", {{"id", 8}}}},
                                     {{"type", "state"}, {"agent", {{"agent", 3}}}}}}}
                                  .dump()),
                 ec);
        ws.write(asio::buffer(Json{{"type", "offer"}, {"contact", {{"id", 9}}}}.dump()), ec);
      }
    }
  }

  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
  std::vector<std::thread> connections_;
};

TEST(ApiClient, SessionCsrfAndErrors) {
  FakeServer server;
  auto url = parse_url(server.url());
  ASSERT_TRUE(url.ok());
  ApiClient c(*url);

  auto wrong = c.login("admin", "nope-nope-nope");
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(wrong.status().message().find("HTTP 401 unauthenticated"), std::string::npos)
      << wrong.status().message();

  auto user = c.login("admin", "right-password-1");
  ASSERT_TRUE(user.ok()) << user.status().to_string();
  EXPECT_EQ((*user)["username"], "admin");
  EXPECT_EQ(c.session_token(), "s3cr3t");
  EXPECT_EQ(c.csrf_token(), "csrf-1");

  auto skill = c.create_skill("sales");  // a write: needs the CSRF header
  ASSERT_TRUE(skill.ok()) << skill.status().to_string();
  EXPECT_EQ((*skill)["id"], 7);

  auto all = c.list_all("/api/v1/skills");  // two pages, the cursor percent-encoded
  ASSERT_TRUE(all.ok()) << all.status().to_string();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[1]["name"], "b");

  auto accept = c.contact_action(42, "accept");
  ASSERT_FALSE(accept.ok());
  EXPECT_EQ(accept.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(accept.status().message(),
            "HTTP 409 conflict: contact 42 is not ringing (POST /api/v1/contacts/42/accept)");

  auto missing = c.get("/api/v1/nothing");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);

  // All of that on one kept-alive connection.
  EXPECT_EQ(server.accepted.load(), 1);
  EXPECT_TRUE(c.logout().ok());
}

TEST(ApiClient, ReconnectsWhenTheServerDroppedTheConnection) {
  FakeServer server;
  ApiClient c(*parse_url(server.url()));
  c.use_api_key("sbk_test");
  for (int i = 0; i < 3; ++i) {
    auto r = c.queue_stats();  // the fake closes the connection after each of these
    ASSERT_TRUE(r.ok()) << i << ": " << r.status().to_string();
  }
  EXPECT_EQ(server.accepted.load(), 3);
  auto created = c.create_contact(Json{{"channel", "voice"}, {"queue", 1}}, "key-1");
  ASSERT_TRUE(created.ok()) << created.status().to_string();
  EXPECT_EQ((*created)["id"], 42);
  std::lock_guard lock(server.mu);
  EXPECT_EQ(server.idempotency_keys, std::vector<std::string>{"key-1"});
}

TEST(ApiClient, TransportFailureIsIoError) {
  std::uint16_t port = 0;
  {
    FakeServer server;  // bind a port, then free it
    port = server.port();
  }
  ApiClient c(*parse_url("http://127.0.0.1:" + std::to_string(port)));
  auto r = c.get("/api/v1/queues");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kIoError);
}

TEST(WsClient, SubscribesAndDeliversMessages) {
  FakeServer server;
  asio::io_context io;
  std::promise<Status> ready;
  std::promise<Status> closed;
  std::vector<Json> messages;
  auto strand = asio::make_strand(io);
  WsCallbacks cb;
  std::shared_ptr<WsClient> ws;
  cb.on_ready = [&](Status s) { ready.set_value(s); };
  cb.on_message = [&](const Json& m) {
    messages.push_back(m);
    if (m.value("type", "") == "offer") ws->close();
  };
  cb.on_closed = [&](Status s) { closed.set_value(s); };
  ws = WsClient::create(strand, *parse_url(server.url()), WsAuth{"s3cr3t", ""}, "agent", cb);
  io.run();  // returns once the socket is closed
  ASSERT_TRUE(ready.get_future().get().ok());
  EXPECT_TRUE(closed.get_future().get().ok());
  // The state, the batch's contact and state, and the offer; the non-JSON frame is skipped.
  ASSERT_EQ(messages.size(), 4u);
  EXPECT_EQ(messages[0]["type"], "state");
  EXPECT_EQ(messages[1]["contact"]["id"], 8);
  EXPECT_EQ(messages[2]["type"], "state");
  EXPECT_EQ(messages[3]["contact"]["id"], 9);
  EXPECT_EQ(ws->messages_received(), 5u);  // frames
  std::lock_guard lock(server.mu);
  ASSERT_FALSE(server.ws_received.empty());
  EXPECT_EQ(Json::parse(server.ws_received[0]),
            (Json{{"type", "subscribe"}, {"channel", "agent"}}));
}

TEST(WsClient, UnbatchOpensBatchFramesAndKeepsOtherMessages) {
  const Json state{{"type", "state"}, {"agent", {{"agent", 3}}}};
  const Json offer{{"type", "offer"}, {"contact", {{"id", 9}}}};
  EXPECT_EQ(unbatch(state), std::vector<Json>{state});
  EXPECT_EQ(unbatch(Json{{"type", "batch"}, {"messages", {offer, 5, nullptr, state}}}),
            (std::vector<Json>{offer, state}));
  EXPECT_TRUE(unbatch(Json{{"type", "batch"}}).empty());
  EXPECT_TRUE(unbatch(Json::parse("not json", nullptr, false)).empty());
  EXPECT_TRUE(unbatch(Json::array({state})).empty());
}

TEST(WsClient, RefusedHandshakeIsReported) {
  FakeServer server;
  asio::io_context io;
  Status ready_status;
  bool closed = false;
  WsCallbacks cb;
  cb.on_ready = [&](Status s) { ready_status = s; };
  cb.on_closed = [&](Status) {
    closed = true;
    io.stop();  // Beast's handshake timer would otherwise keep run() busy for its 30 s
  };
  auto ws = WsClient::create(io.get_executor(), *parse_url(server.url()), WsAuth{"wrong", ""},
                             "agent", cb);
  io.run();
  EXPECT_FALSE(ready_status.ok());
  EXPECT_TRUE(closed);
  EXPECT_FALSE(ws->ready());
}

}  // namespace
}  // namespace sb::demo
