// The API over real sockets: Beast HTTP/1.1 and WebSocket against HttpServer + ApiApp on
// 127.0.0.1 (any free port), backed by a real service, accounts and directory.

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "../../tests/store/temp_dir.h"
#include "api/api_app.h"
#include "api/test_center.h"
#include "api/test_http_client.h"
#include "runtime/real_waiter.h"
#include "runtime/system_clock.h"  // lint:allow (real time for a live service)

namespace sb::api {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using store_testing::TempDir;

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    center_ = std::make_unique<testing::TestCenter>(dir_.path().string(), clock_, ApiOptions{},
                                                    accounts_options_);
    ASSERT_TRUE(center_->status.ok()) << center_->status.message();
    accounts_ = center_->accounts.get();
    HttpServerOptions ho;
    ho.port = 0;
    server_ = std::make_unique<HttpServer>(ho, *center_->app);
    ASSERT_TRUE(server_->start().ok());
    admin_key_ = make_user("admin", accounts::Role::kAdmin, std::nullopt);
  }
  void TearDown() override {
    server_->stop();
    center_->stop();
  }

  // One voice profile, queue Sales (id 0) and agent Ada (id 0) serving it.
  void seed_sales_with_agent_ada() {
    auto post = [&](const std::string& target, const json& body) {
      return request(http::verb::post, target, body.dump(), admin_key_);
    };
    ASSERT_EQ(
        post("/api/v1/profiles", {{"name", "voice"}, {"capacity", {{"voice", 1}}}}).result_int(),
        201);
    ASSERT_EQ(post("/api/v1/queues", {{"name", "Sales"}}).result_int(), 201);
    ASSERT_EQ(post("/api/v1/agents",
                   {{"name", "Ada"}, {"profile", 0}, {"queues", {{{"queue", 0}, {"tier", 1}}}}})
                  .result_int(),
              201);
  }

  std::string make_user(const std::string& name, accounts::Role role,
                        std::optional<std::uint32_t> agent) {
    return accounts_->create_api_key(create_user(name, role, agent), "t")->key;
  }
  accounts::UserId create_user(const std::string& name, accounts::Role role,
                               std::optional<std::uint32_t> agent) {
    accounts::NewUser u;
    u.username = name;
    u.password = name + "-password-1";
    u.role = role;
    u.agent_id = agent;
    auto created = accounts_->create_user(u);
    EXPECT_TRUE(created.ok()) << created.status().message();
    return created.ok() ? created->id : 0;
  }

  // One HTTP exchange on a fresh connection, with the API key `key` unless it is empty.
  http::response<http::string_body> request(http::verb verb, const std::string& target,
                                            const std::string& body, const std::string& key) {
    testing::HttpHeaders headers;
    if (!key.empty()) headers.emplace_back("Authorization", "Bearer " + key);
    return request_with(verb, target, body, headers);
  }

  // One HTTP exchange with the given headers (cookie sessions).
  http::response<http::string_body> request_with(http::verb verb, const std::string& target,
                                                 const std::string& body,
                                                 const testing::HttpHeaders& headers) {
    return testing::http_exchange(server_->port(), verb, target, body, headers);
  }

  struct CookieSession {
    std::string cookie;  // "sb_session=..."
    std::string csrf;
  };
  CookieSession login(const std::string& name) {
    auto res =
        request_with(http::verb::post, "/api/v1/auth/login",
                     json{{"username", name}, {"password", name + "-password-1"}}.dump(), {});
    EXPECT_EQ(res.result_int(), 200) << res.body();
    const std::string set_cookie(res[http::field::set_cookie]);
    return {set_cookie.substr(0, set_cookie.find(';')),
            json::parse(res.body())["csrf_token"].get<std::string>()};
  }

  struct LiveSocket {
    net::io_context ioc;
    websocket::stream<beast::tcp_stream> ws{ioc};
  };
  // A socket on /api/v1/ws, authenticated by `header`: `value`.
  std::unique_ptr<LiveSocket> open_socket(http::field header, const std::string& value) {
    auto s = std::make_unique<LiveSocket>();
    beast::get_lowest_layer(s->ws).connect(
        tcp::endpoint(net::ip::make_address("127.0.0.1"), server_->port()));
    beast::get_lowest_layer(s->ws).expires_after(std::chrono::seconds(20));
    s->ws.set_option(websocket::stream_base::decorator(
        [header, value](websocket::request_type& req) { req.set(header, value); }));
    s->ws.handshake("127.0.0.1", "/api/v1/ws");
    return s;
  }
  // A socket on /api/v1/ws subscribed to `channel`, authenticated by `header`: `value`.
  std::unique_ptr<LiveSocket> subscribe(http::field header, const std::string& value,
                                        const std::string& channel) {
    auto s = open_socket(header, value);
    s->ws.write(net::buffer(json{{"type", "subscribe"}, {"channel", channel}}.dump()));
    beast::flat_buffer b;
    s->ws.read(b);
    EXPECT_EQ(json::parse(beast::buffers_to_string(b.data()))["type"], "subscribed");
    return s;
  }
  // Reads until the server closes the socket; returns the close frame's code and reason.
  static std::pair<int, std::string> read_until_closed(LiveSocket& s) {
    for (;;) {
      beast::flat_buffer b;
      beast::error_code ec;
      s.ws.read(b, ec);
      if (ec == websocket::error::closed)
        return {s.ws.reason().code, std::string(s.ws.reason().reason.c_str())};
      if (ec) return {-1, ec.message()};
    }
  }
  // Whether the socket still answers a ping (other pushes in between are skipped).
  static bool answers_ping(LiveSocket& s) {
    beast::error_code ec;
    s.ws.write(net::buffer(json{{"type", "ping"}}.dump()), ec);
    while (!ec) {
      beast::flat_buffer b;
      s.ws.read(b, ec);
      if (!ec && json::parse(beast::buffers_to_string(b.data()))["type"] == "pong") return true;
    }
    return false;
  }

  std::string raw_exchange(const std::string& bytes) {
    net::io_context ioc;
    tcp::socket socket(ioc);
    socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), server_->port()));
    net::write(socket, net::buffer(bytes));
    std::string out;
    beast::error_code ec;
    char buf[4096];
    for (;;) {
      std::size_t n = socket.read_some(net::buffer(buf), ec);
      if (ec) break;
      out.append(buf, n);
      if (out.find("\r\n\r\n") != std::string::npos && out.find("}") != std::string::npos) break;
    }
    return out;
  }

  accounts::AccountsOptions accounts_options_;  // before SetUp: a fixture may change it
  runtime::SystemClock clock_;                  // lint:allow (real time for a live service)
  TempDir dir_;
  std::unique_ptr<testing::TestCenter> center_;
  accounts::Accounts* accounts_ = nullptr;
  std::unique_ptr<HttpServer> server_;
  std::string admin_key_;
};

TEST_F(ServerTest, OversizeBodyIs413AndTheServerKeepsServing) {
  // The limit is enforced from Content-Length as soon as the headers arrive, so the client gets
  // its 413 without the server reading (or buffering) the body. Only the start of the body is
  // sent: a client still writing megabytes when the server closes would see a reset instead.
  const std::string answer = raw_exchange(
      "POST /api/v1/skills HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + admin_key_ +
      "\r\nContent-Type: application/json\r\nContent-Length: 2097152\r\n\r\n{\"name\":\"xxxx");
  EXPECT_EQ(answer.rfind("HTTP/1.1 413", 0), 0u) << answer;
  EXPECT_NE(answer.find("application/problem+json"), std::string::npos) << answer;
  EXPECT_EQ(request(http::verb::get, "/api/v1/skills", "", admin_key_).result_int(), 200);
}

TEST_F(ServerTest, MalformedHttpIs400) {
  const std::string answer = raw_exchange("GARBAGE\r\n\r\n");
  EXPECT_NE(answer.find("400"), std::string::npos) << answer;
  EXPECT_EQ(request(http::verb::get, "/api/v1/skills", "", admin_key_).result_int(), 200);
}

TEST_F(ServerTest, ProblemJsonForUnknownRoutesAndNoCredentials) {
  auto res = request(http::verb::get, "/api/v1/nope", "", admin_key_);
  EXPECT_EQ(res.result_int(), 404);
  EXPECT_EQ(res[http::field::content_type], "application/problem+json");
  EXPECT_EQ(request(http::verb::get, "/api/v1/skills", "", "").result_int(), 401);
  EXPECT_EQ(request(http::verb::get, "/api/v1/openapi.json", "", "").result_int(), 200);
}

// An agent's WebSocket receives the offer as soon as the contact is created, and the
// withdrawal when the customer hangs up.
TEST_F(ServerTest, AgentSocketReceivesOfferAndWithdrawal) {
  auto post = [&](const std::string& target, const json& body) {
    return request(http::verb::post, target, body.dump(), admin_key_);
  };
  ASSERT_NO_FATAL_FAILURE(seed_sales_with_agent_ada());
  const std::string agent_key = make_user("ada", accounts::Role::kAgent, 0u);
  ASSERT_EQ(request(http::verb::put, "/api/v1/agents/0/state",
                    json{{"presence", "available"}}.dump(), agent_key)
                .result_int(),
            200);

  auto socket = open_socket(http::field::authorization, "Bearer " + agent_key);
  auto& ws = socket->ws;
  ws.write(net::buffer(json{{"type", "subscribe"}, {"channel", "agent"}}.dump()));
  // Messages in order, batch frames opened; `frames` keeps each frame's message types.
  std::deque<json> pending;
  std::vector<std::vector<std::string>> frames;
  auto next = [&]() {
    if (pending.empty()) {
      beast::flat_buffer b;
      ws.read(b);
      json frame = json::parse(beast::buffers_to_string(b.data()));
      if (frame["type"] == "batch") {
        for (auto& m : frame["messages"]) pending.push_back(m);
      } else {
        pending.push_back(frame);
      }
      frames.emplace_back();
      for (auto& m : pending) frames.back().push_back(m["type"].get<std::string>());
    }
    json m = pending.front();
    pending.pop_front();
    return m;
  };
  EXPECT_EQ(next()["type"], "subscribed");
  EXPECT_EQ(next()["type"], "state");

  auto created = post("/api/v1/contacts",
                      {{"channel", "voice"}, {"queue", 0}, {"attributes", {{"account", "42"}}}});
  ASSERT_EQ(created.result_int(), 201) << created.body();
  const auto id = json::parse(created.body())["id"].get<std::uint64_t>();
  json msg;
  do {
    msg = next();
  } while (msg["type"] == "state");
  ASSERT_EQ(msg["type"], "offer") << msg.dump();
  EXPECT_EQ(msg["contact"]["id"], id);
  EXPECT_EQ(msg["contact"]["state"], "offered");
  EXPECT_EQ(msg["contact"]["attributes"], (json{{"account", "42"}}));
  EXPECT_GT(msg["expires_at"].get<std::int64_t>(), 0);
  // The offer and the agent's new state travel in one frame.
  EXPECT_EQ(frames.back(), (std::vector<std::string>{"offer", "state"}));
  const json state = next();
  EXPECT_EQ(state["agent"]["agent"], 0);
  EXPECT_EQ(state["agent"]["name"], "Ada");
  EXPECT_EQ(state["agent"]["activity"], "ringing") << state.dump();

  ASSERT_EQ(
      post("/api/v1/contacts/" + std::to_string(id) + "/abandon", json::object()).result_int(),
      200);
  do {
    msg = next();
  } while (msg["type"] == "state");
  EXPECT_EQ(msg["type"], "offer_withdrawn") << msg.dump();
  EXPECT_EQ(msg["reason"], "abandoned");
  ws.close(websocket::close_code::normal);
}

// The supervisor channel gets the active alerts on subscribe and every fired/cleared transition.
TEST_F(ServerTest, SupervisorSocketReceivesAlertTransitions) {
  auto post = [&](const std::string& target, const json& body) {
    return request(http::verb::post, target, body.dump(), admin_key_);
  };
  ASSERT_EQ(post("/api/v1/queues", {{"name", "Sales"}}).result_int(), 201);
  ASSERT_EQ(post("/api/v1/alert-rules", {{"name", "Backlog"},
                                         {"metric", "waiting"},
                                         {"comparison", "above"},
                                         {"threshold", 0},
                                         {"scope", "each_queue"}})
                .result_int(),
            201);
  const std::string supervisor_key = make_user("sue", accounts::Role::kSupervisor, std::nullopt);
  auto socket = open_socket(http::field::authorization, "Bearer " + supervisor_key);
  auto& ws = socket->ws;
  ws.write(net::buffer(json{{"type", "subscribe"}, {"channel", "supervisor"}}.dump()));
  auto next_of = [&](const std::string& type) {
    for (;;) {
      beast::flat_buffer b;
      ws.read(b);
      json m = json::parse(beast::buffers_to_string(b.data()));
      if (m["type"] == type) return m;
    }
  };
  EXPECT_TRUE(next_of("alerts")["items"].empty());

  auto created = post("/api/v1/contacts", {{"channel", "voice"}, {"queue", 0}});
  ASSERT_EQ(created.result_int(), 201) << created.body();
  const auto id = json::parse(created.body())["id"].get<std::uint64_t>();
  ASSERT_TRUE(center_->app->alert_monitor()->tick().ok());
  json fired = next_of("alert");
  EXPECT_EQ(fired["event"], "fired");
  EXPECT_EQ(fired["alert"]["queue"], 0);
  EXPECT_EQ(fired["alert"]["rule_name"], "Backlog");

  ASSERT_EQ(
      post("/api/v1/contacts/" + std::to_string(id) + "/abandon", json::object()).result_int(),
      200);
  ASSERT_TRUE(center_->app->alert_monitor()->tick().ok());
  json cleared = next_of("alert");
  EXPECT_EQ(cleared["event"], "cleared");
  EXPECT_EQ(cleared["alert"]["id"], fired["alert"]["id"]);
  ws.close(websocket::close_code::normal);
}

// A WebSocket does not outlive the credentials that opened it: revoking its API key closes it
// with 1008 (policy violation) and a reason; a socket of the user's other key stays open.
TEST_F(ServerTest, RevokingAnApiKeyClosesItsSockets) {
  const accounts::UserId sue = create_user("sue", accounts::Role::kSupervisor, std::nullopt);
  auto revoked = accounts_->create_api_key(sue, "wallboard");
  auto kept = accounts_->create_api_key(sue, "script");
  ASSERT_TRUE(revoked.ok() && kept.ok());
  auto doomed = subscribe(http::field::authorization, "Bearer " + revoked->key, "supervisor");
  auto other = subscribe(http::field::authorization, "Bearer " + kept->key, "supervisor");

  ASSERT_EQ(request(http::verb::delete_, "/api/v1/api-keys/" + std::to_string(revoked->info.id), "",
                    admin_key_)
                .result_int(),
            204);
  const auto [code, reason] = read_until_closed(*doomed);
  EXPECT_EQ(code, 1008);
  EXPECT_EQ(reason, "credentials revoked: API key revoked");
  EXPECT_TRUE(answers_ping(*other));
  other->ws.close(websocket::close_code::normal);
}

// Logging out closes the sockets that session opened, and only those.
TEST_F(ServerTest, LogoutClosesTheSessionsSockets) {
  create_user("sue", accounts::Role::kSupervisor, std::nullopt);
  const CookieSession leaving = login("sue");
  const CookieSession staying = login("sue");
  auto doomed = subscribe(http::field::cookie, leaving.cookie, "supervisor");
  auto other = subscribe(http::field::cookie, staying.cookie, "supervisor");

  auto out = request_with(http::verb::post, "/api/v1/auth/logout", "",
                          {{"Cookie", leaving.cookie}, {"X-CSRF-Token", leaving.csrf}});
  ASSERT_EQ(out.result_int(), 204) << out.body();
  const auto [code, reason] = read_until_closed(*doomed);
  EXPECT_EQ(code, 1008);
  EXPECT_EQ(reason, "credentials revoked: logged out");
  EXPECT_TRUE(answers_ping(*other));
  other->ws.close(websocket::close_code::normal);
}

// Changing a user's role closes its sockets (they act with the role they were opened with);
// disabling the user closes them and refuses new ones.
TEST_F(ServerTest, RoleChangeAndDisablingCloseTheUsersSockets) {
  ASSERT_NO_FATAL_FAILURE(seed_sales_with_agent_ada());
  const accounts::UserId ada = create_user("ada", accounts::Role::kAgent, 0u);
  const std::string key = accounts_->create_api_key(ada, "desk")->key;
  const std::string bystander_key = make_user("bob", accounts::Role::kSupervisor, std::nullopt);
  const CookieSession session = login("ada");
  auto by_key = subscribe(http::field::authorization, "Bearer " + key, "agent");
  auto by_session = subscribe(http::field::cookie, session.cookie, "agent");
  auto bystander = subscribe(http::field::authorization, "Bearer " + bystander_key, "supervisor");

  const std::string user = "/api/v1/users/" + std::to_string(ada);
  ASSERT_EQ(request(http::verb::patch, user, json{{"role", "supervisor"}}.dump(), admin_key_)
                .result_int(),
            200);
  for (auto* s : {by_key.get(), by_session.get()}) {
    const auto [code, reason] = read_until_closed(*s);
    EXPECT_EQ(code, 1008);
    EXPECT_EQ(reason, "credentials revoked: role changed");
  }
  // The credentials still hold: a new socket opens, with the new role.
  by_key = subscribe(http::field::authorization, "Bearer " + key, "supervisor");

  ASSERT_EQ(request(http::verb::delete_, user, "", admin_key_).result_int(), 204);
  const auto [code, reason] = read_until_closed(*by_key);
  EXPECT_EQ(code, 1008);
  EXPECT_EQ(reason, "credentials revoked: user disabled");
  EXPECT_TRUE(answers_ping(*bystander));

  LiveSocket refused;
  beast::get_lowest_layer(refused.ws)
      .connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), server_->port()));
  refused.ws.set_option(websocket::stream_base::decorator(
      [&](websocket::request_type& req) { req.set(http::field::authorization, "Bearer " + key); }));
  beast::error_code ec;
  refused.ws.handshake("127.0.0.1", "/api/v1/ws", ec);
  EXPECT_TRUE(ec) << "a disabled user's key opens no socket";
  bystander->ws.close(websocket::close_code::normal);
}

// Sessions that expire after two seconds without use (a TTL this short slides every half second).
class ShortSessionServerTest : public ServerTest {
 protected:
  static constexpr Millis kTtl = 2000;
  ShortSessionServerTest() { accounts_options_.session_ttl = kTtl; }
};

// An expiry writes nothing, so no revocation listener hears of it: the hub closes a socket whose
// session expired unused (1008, "session expired"), and keeps one whose session the web app's
// requests slide open past the first TTL, until those requests stop.
TEST_F(ShortSessionServerTest, ASocketClosesWhenItsSessionExpires) {
  create_user("sue", accounts::Role::kSupervisor, std::nullopt);
  const Millis start = clock_.now();  // before either session began
  const CookieSession idle = login("sue");
  const CookieSession busy = login("sue");
  auto doomed = subscribe(http::field::cookie, idle.cookie, "supervisor");
  auto kept = subscribe(http::field::cookie, busy.cookie, "supervisor");

  // The web app's requests on `busy`, every 100 ms until told to stop.
  std::mutex mu;
  std::condition_variable cv;
  bool keep_alive = true;
  std::vector<int> statuses;  // of the keep-alive requests, checked once the thread is done
  std::thread requests([&] {
    std::unique_lock lock(mu);
    while (keep_alive) {
      lock.unlock();
      const int status =
          request_with(http::verb::get, "/api/v1/auth/me", "", {{"Cookie", busy.cookie}})
              .result_int();
      lock.lock();
      statuses.push_back(status);
      runtime::wait_with_timeout(cv, lock, 100);
    }
  });

  const auto [code, reason] = read_until_closed(*doomed);
  EXPECT_EQ(code, 1008);
  EXPECT_EQ(reason, "session expired");
  EXPECT_GE(clock_.now() - start, kTtl) << "closed before the session expired";
  {
    std::unique_lock lock(mu);  // past twice the TTL: `busy` lives on its slides only
    while (clock_.now() - start < 2 * kTtl) runtime::wait_with_timeout(cv, lock, 50);
  }
  EXPECT_TRUE(answers_ping(*kept)) << "a session in use keeps its socket open";
  {
    std::lock_guard lock(mu);
    keep_alive = false;
  }
  cv.notify_all();
  requests.join();
  EXPECT_FALSE(statuses.empty());
  for (int status : statuses) EXPECT_EQ(status, 200);

  const auto [kept_code, kept_reason] = read_until_closed(*kept);
  EXPECT_EQ(kept_code, 1008);
  EXPECT_EQ(kept_reason, "session expired");
}

TEST_F(ServerTest, WebSocketWithoutCredentialsIsRefused) {
  net::io_context ioc;
  websocket::stream<beast::tcp_stream> ws(ioc);
  beast::get_lowest_layer(ws).connect(
      tcp::endpoint(net::ip::make_address("127.0.0.1"), server_->port()));
  beast::error_code ec;
  ws.handshake("127.0.0.1", "/api/v1/ws", ec);
  EXPECT_TRUE(ec);
}

// With a certificate configured the server speaks HTTPS only: a TLS client gets answers, and a
// plain-HTTP client gets no HTTP answer at all.
TEST(TlsServerTest, ServesHttpsWithAConfiguredCertificate) {
  TempDir dir;
  const std::string cert = dir.file("cert.pem");
  const std::string key = dir.file("key.pem");
  const std::string cmd =
      "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 "
      "-keyout " +
      key + " -out " + cert + " >/dev/null 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << "openssl is needed to make a test certificate";

  runtime::SystemClock clock;  // lint:allow (real time for a live service)
  testing::TestCenter center(dir.path().string(), clock);
  ASSERT_TRUE(center.status.ok()) << center.status.message();
  HttpServerOptions ho;
  ho.port = 0;
  ho.tls_cert_file = cert;
  ho.tls_key_file = key;
  HttpServer server(ho, *center.app);
  ASSERT_TRUE(server.start().ok());

  {
    net::io_context ioc;
    net::ssl::context ctx(net::ssl::context::tls_client);
    ctx.set_verify_mode(net::ssl::verify_none);
    beast::ssl_stream<beast::tcp_stream> stream(ioc, ctx);
    beast::get_lowest_layer(stream).connect(
        tcp::endpoint(net::ip::make_address("127.0.0.1"), server.port()));
    stream.handshake(net::ssl::stream_base::client);
    http::request<http::string_body> req{http::verb::get, "/api/v1/openapi.json", 11};
    req.set(http::field::host, "127.0.0.1");
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(stream, buffer, res);
    EXPECT_EQ(res.result_int(), 200);
    EXPECT_NE(res.body().find("openapi"), std::string::npos);
  }
  {
    net::io_context ioc;
    beast::tcp_stream stream(ioc);
    stream.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), server.port()));
    stream.expires_after(std::chrono::seconds(10));
    http::request<http::string_body> req{http::verb::get, "/api/v1/openapi.json", 11};
    req.set(http::field::host, "127.0.0.1");
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    beast::error_code ec;
    http::read(stream, buffer, res, ec);
    EXPECT_TRUE(ec) << "a plain HTTP request must not get an HTTP answer from the TLS port";
  }
  server.stop();
  center.stop();
}

TEST(TlsServerTest, MissingKeyIsAClearError) {
  HttpServerOptions ho;
  ho.port = 0;
  ho.tls_cert_file = "/nonexistent/cert.pem";
  ho.tls_key_file = "/nonexistent/key.pem";
  struct NullDispatcher : Dispatcher {
    void handle(HttpRequest, Reply reply) override { reply(HttpResponse{}); }
    std::shared_ptr<WsHandler> accept_websocket(const HttpRequest&, HttpResponse&) override {
      return nullptr;
    }
  } dispatcher;
  HttpServer server(ho, dispatcher);
  Status s = server.start();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("cert.pem"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace sb::api
