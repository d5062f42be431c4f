// Flows and the text bot through the real HTTP API: Beast client -> HttpServer -> ApiApp on a real
// CenterService, with the example IVR's CRM data dip answered by a real HTTP server on 127.0.0.1.
// The bot queues the contact with the flow's attributes, an agent takes and ends it, and the
// after-call survey's answers become SurveyAnswered events; a self-served chat emits SelfServed.

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <fstream>
#include <mutex>
#include <sstream>

#include "../../tests/store/temp_dir.h"
#include "api/api_app.h"
#include "api/test_center.h"
#include "api/test_http_client.h"
#include "flows/testing_http_server.h"
#include "flows/time_zone.h"

namespace sb::api {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using flows::testing::TestHttpServer;
using store_testing::TempDir;

std::optional<TestHttpServer::Response> crm(const TestHttpServer::Request& req) {
  const std::string target(req.target());
  if (target == "/customers/1234567")
    return TestHttpServer::json_response(
        200, R"({"name":"Ada Lovelace","tier":"gold","language":"german","balance":42.5})");
  if (target.rfind("/hang", 0) == 0) return std::nullopt;  // never answers
  return TestHttpServer::json_response(404, R"({"error":"no such customer"})");
}

struct Answer {
  int status = 0;
  json body;
  std::string raw;
};

class FlowsApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Monday 2026-11-30 10:00 in Berlin: the example's business hours are open.
    clock_.set(flows::days_from_civil(2026, 11, 30) * kMillisPerDay + 9 * kMillisPerHour);
    center_ = std::make_unique<testing::TestCenter>(dir_.path().string(), clock_);
    ASSERT_TRUE(center_->status.ok()) << center_->status.message();
    HttpServerOptions ho;
    ho.port = 0;
    server_ = std::make_unique<HttpServer>(ho, *center_->app);
    ASSERT_TRUE(server_->start().ok());
    accounts::NewUser u;
    u.username = "admin";
    u.password = "admin-password-1";
    u.role = accounts::Role::kAdmin;
    auto created = center_->accounts->create_user(u);
    ASSERT_TRUE(created.ok());
    key_ = center_->accounts->create_api_key(created->id, "t")->key;
    subscription_ = center_->service->subscribe([this](std::span<const Event> events) {
      std::lock_guard lock(mu_);
      for (const Event& e : events) events_.push_back(e);
    });
  }
  void TearDown() override {
    center_->service->unsubscribe(subscription_);
    server_->stop();
    center_->stop();
  }

  Answer call(http::verb verb, const std::string& target, const std::string& body = "") {
    const auto res = testing::http_exchange(server_->port(), verb, target, body,
                                            {{"Authorization", "Bearer " + key_}});
    Answer a;
    a.status = res.result_int();
    a.raw = res.body();
    a.body = json::parse(res.body(), nullptr, false);
    return a;
  }
  Answer post(const std::string& target, const json& body) {
    return call(http::verb::post, target, body.dump());
  }
  Answer get(const std::string& target) { return call(http::verb::get, target); }

  void seed_center() {
    for (const char* skill : {"billing", "support", "german"})
      ASSERT_EQ(post("/api/v1/skills", {{"name", skill}}).status, 201);
    ASSERT_EQ(post("/api/v1/profiles", {{"name", "chat"}, {"capacity", {{"chat", 2}}}}).status,
              201);
    auto q = post("/api/v1/queues", {{"name", "support"}, {"sl_threshold_s", 20}});
    ASSERT_EQ(q.status, 201) << q.raw;
    auto a = post("/api/v1/agents", {{"name", "Ada"},
                                     {"profile", 0},
                                     {"skills",
                                      {{{"skill", 0}, {"proficiency", 7}},
                                       {{"skill", 1}, {"proficiency", 5}},
                                       {{"skill", 2}, {"proficiency", 5}}}},
                                     {"queues", {{{"queue", 0}, {"tier", 1}}}}});
    ASSERT_EQ(a.status, 201) << a.raw;
  }

  std::string example_flow(const std::string& crm_base) {
    std::ifstream in(std::string(SB_EXAMPLES_DIR) + "/main-ivr.json");
    std::stringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    const std::string from = "http://127.0.0.1:8089";
    text.replace(text.find(from), from.size(), crm_base);
    return text;
  }

  std::vector<std::string> texts(const Answer& a) {
    std::vector<std::string> out;
    for (const auto& m : a.body["messages"]) out.push_back(m["text"].get<std::string>());
    return out;
  }

  template <typename T>
  std::vector<T> events_of() {
    std::lock_guard lock(mu_);
    std::vector<T> out;
    for (const Event& e : events_)
      if (const auto* x = std::get_if<T>(&e.payload)) out.push_back(*x);
    return out;
  }

  ManualClock clock_;
  TempDir dir_;
  std::unique_ptr<testing::TestCenter> center_;
  std::unique_ptr<HttpServer> server_;
  std::string key_;
  service::SubscriptionId subscription_ = 0;
  std::mutex mu_;
  std::vector<Event> events_;
};

TEST_F(FlowsApiTest, FlowCrudValidationAndVersions) {
  TestHttpServer crm_server(crm);
  auto created = call(http::verb::post, "/api/v1/flows", example_flow(crm_server.base_url()));
  ASSERT_EQ(created.status, 201) << created.raw;
  EXPECT_EQ(created.body["id"], "main-ivr");
  EXPECT_EQ(created.body["version"], 1);

  // An invalid new version: 400 naming the JSON path; version 1 stays active.
  json broken = json::parse(example_flow(crm_server.base_url()));
  broken["version"] = 2;
  broken["nodes"][4]["choices"][1]["next"] = "acount";
  auto refused = post("/api/v1/flows", broken);
  ASSERT_EQ(refused.status, 400) << refused.raw;
  EXPECT_NE(refused.raw.find("/nodes/4/choices/1/next"), std::string::npos) << refused.raw;
  EXPECT_NE(refused.raw.find("unknown node \\\"acount\\\""), std::string::npos) << refused.raw;
  EXPECT_EQ(get("/api/v1/flows/main-ivr").body["version"], 1);

  auto validated = post("/api/v1/flows/validate", broken);
  ASSERT_EQ(validated.status, 200);
  EXPECT_FALSE(validated.body["valid"].get<bool>());
  ASSERT_EQ(validated.body["errors"].size(), 1u) << validated.raw;
  EXPECT_EQ(validated.body["errors"][0]["path"], "/nodes/4/choices/1/next");

  // A valid version 2 through PUT (id from the path), then both versions are listed.
  broken["nodes"][4]["choices"][1]["next"] = "account";
  broken.erase("id");
  auto v2 = call(http::verb::put, "/api/v1/flows/main-ivr", broken.dump());
  ASSERT_EQ(v2.status, 201) << v2.raw;
  EXPECT_EQ(v2.body["version"], 2);
  auto stale = call(http::verb::put, "/api/v1/flows/main-ivr", broken.dump());
  EXPECT_EQ(stale.status, 409) << stale.raw;
  auto list = get("/api/v1/flows");
  ASSERT_EQ(list.body["items"].size(), 1u);
  EXPECT_EQ(list.body["items"][0]["versions"], json::array({1, 2}));
  auto v1 = get("/api/v1/flows/main-ivr?version=1");
  EXPECT_EQ(v1.body["active"], false);
  EXPECT_EQ(v1.body["definition"]["nodes"][4]["choices"][1]["next"], "account");
  EXPECT_EQ(get("/api/v1/flows/main-ivr/versions").body["version"], 2);
  EXPECT_EQ(get("/api/v1/flows/nope").status, 404);
  EXPECT_EQ(call(http::verb::delete_, "/api/v1/flows/main-ivr").status, 204);
  EXPECT_EQ(get("/api/v1/flows/main-ivr").status, 404);
}

TEST_F(FlowsApiTest, BotQueuesWithAttributesThenAfterChatSurvey) {
  seed_center();
  ASSERT_EQ(call(http::verb::put, "/api/v1/agents/0/state", json{{"presence", "available"}}.dump())
                .status,
            200);
  TestHttpServer crm_server(crm);
  ASSERT_EQ(call(http::verb::post, "/api/v1/flows", example_flow(crm_server.base_url())).status,
            201);

  auto start =
      post("/api/v1/bot-sessions",
           {{"flow", "main-ivr"}, {"channel", "chat"}, {"attributes", {{"caller", "+4930111"}}}});
  ASSERT_EQ(start.status, 201) << start.raw;
  const std::string id = start.body["id"];
  EXPECT_EQ(start.body["state"], "input");
  EXPECT_EQ(start.body["node"], "main_menu");
  auto first = texts(start);
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0], "Welcome to Switchboard Telecom.");
  EXPECT_NE(first[1].find("1. Billing\n2. Technical support\n3. Opening hours"), std::string::npos)
      << first[1];

  auto menu = post("/api/v1/bot-sessions/" + id + "/messages",
                   {{"text", "I have a question about my invoice"}});
  ASSERT_EQ(menu.status, 200) << menu.raw;
  EXPECT_EQ(menu.body["node"], "account");
  EXPECT_EQ(texts(menu).back(), "Please enter your account number, followed by the hash key.");

  auto queued = post("/api/v1/bot-sessions/" + id + "/messages", {{"text", "1234567"}});
  ASSERT_EQ(queued.status, 200) << queued.raw;
  EXPECT_EQ(queued.body["state"], "in_queue");
  EXPECT_EQ(texts(queued).back(), "Thank you, Ada Lovelace. An agent will be with you shortly.");
  ASSERT_TRUE(queued.body["contact"].is_number()) << queued.raw;
  const auto contact = queued.body["contact"].get<ContactId>();
  EXPECT_EQ(crm_server.seen().back(), "GET /customers/1234567");

  // The agent sees the contact with what the bot learnt; it is offered to Ada.
  auto c = get("/api/v1/contacts/" + std::to_string(contact));
  ASSERT_EQ(c.status, 200) << c.raw;
  EXPECT_EQ(c.body["channel"], "chat");
  EXPECT_EQ(c.body["attributes"]["account_number"], "1234567");
  EXPECT_EQ(c.body["attributes"]["customer_name"], "Ada Lovelace");
  EXPECT_EQ(c.body["attributes"]["customer_tier"], "gold");
  EXPECT_EQ(c.body["attributes"]["intent"], "billing");
  EXPECT_EQ(c.body["attributes"]["flow"], "main-ivr v1");
  auto arrived = events_of<ev::ContactArrived>();
  ASSERT_EQ(arrived.size(), 1u);
  EXPECT_EQ(arrived[0].priority, 10);  // gold
  EXPECT_EQ(arrived[0].requirements.count, 2);

  ASSERT_EQ(post("/api/v1/contacts/" + std::to_string(contact) + "/accept", json::object()).status,
            200);
  ASSERT_EQ(post("/api/v1/contacts/" + std::to_string(contact) + "/end", json::object()).status,
            200);
  // The end reaches the bot through the engine's events, on a worker: read until it asked.
  Answer after;
  for (int i = 0; i < 2000; ++i) {
    after = get("/api/v1/bot-sessions/" + id);
    if (after.body["node"] == "csat") break;
  }
  ASSERT_EQ(after.body["node"], "csat") << after.raw;
  EXPECT_EQ(after.body["messages"].back()["text"],
            "How satisfied were you with this call, from 1 to 5?");
  EXPECT_EQ(after.body["messages"].back()["from"], "bot");

  auto csat = post("/api/v1/bot-sessions/" + id + "/messages", {{"text", "5"}});
  EXPECT_EQ(texts(csat).back(), "How likely are you to recommend us, from 0 to 10?");
  auto nps = post("/api/v1/bot-sessions/" + id + "/messages", {{"text", "9"}});
  EXPECT_EQ(texts(nps).back(), "Thank you for your feedback. Goodbye.");
  EXPECT_EQ(nps.body["outcome"], "handed_off");
  EXPECT_EQ(post("/api/v1/bot-sessions/" + id + "/messages", {{"text", "hello?"}}).status, 409);

  // Survey answers are engine events, about the agent who handled the chat.
  std::vector<ev::SurveyAnswered> answers;
  for (int i = 0; i < 2000 && answers.size() < 2; ++i) {
    center_->service->poke();
    answers = events_of<ev::SurveyAnswered>();
  }
  ASSERT_EQ(answers.size(), 2u);
  EXPECT_EQ(answers[0].contact, contact);
  EXPECT_EQ(answers[0].kind, SurveyKind::kCsat);
  EXPECT_EQ(answers[0].score, 5);
  EXPECT_EQ(answers[0].agent, 0u);
  EXPECT_EQ(answers[0].queue, 0u);
  EXPECT_EQ(answers[1].kind, SurveyKind::kNps);
  EXPECT_EQ(answers[1].score, 9);
  EXPECT_TRUE(events_of<ev::SelfServed>().empty());
}

TEST_F(FlowsApiTest, SelfServedChatFeedsContainmentAndDipTimeoutFallsBack) {
  seed_center();
  TestHttpServer crm_server(crm);
  ASSERT_EQ(call(http::verb::post, "/api/v1/flows", example_flow(crm_server.base_url())).status,
            201);
  auto start = post("/api/v1/bot-sessions", {{"flow", "main-ivr"}, {"customer", 77}});
  ASSERT_EQ(start.status, 201) << start.raw;
  const std::string id = start.body["id"];
  auto done = post("/api/v1/bot-sessions/" + id + "/messages", {{"text", "when are you open?"}});
  ASSERT_EQ(done.status, 200);
  EXPECT_EQ(done.body["outcome"], "self_served");
  EXPECT_EQ(texts(done).back(),
            "We are open Monday to Friday 8 to 20 and Saturday 9 to 14. Goodbye.");
  std::vector<ev::SelfServed> served;
  for (int i = 0; i < 2000 && served.empty(); ++i) {
    center_->service->poke();
    served = events_of<ev::SelfServed>();
  }
  ASSERT_EQ(served.size(), 1u);
  EXPECT_EQ(served[0].channel, Channel::kChat);
  EXPECT_EQ(served[0].customer, 77u);

  // A CRM that never answers: the dip times out and the flow takes its fallback branch.
  json flow = {
      {"id", "dip"},
      {"start", "ask"},
      {"nodes", json::array({json{{"id", "ask"},
                                  {"type", "collect"},
                                  {"attribute", "acct"},
                                  {"prompt", "Account?"},
                                  {"next", "lookup"}},
                             json{{"id", "lookup"},
                                  {"type", "http"},
                                  {"url", crm_server.base_url() + "/hang/${acct}"},
                                  {"timeout_ms", 300},
                                  {"map", {{"name", "/name"}}},
                                  {"next", "found"},
                                  {"on_failure", "fallback"}},
                             json{{"id", "found"}, {"type", "end"}, {"prompt", "Hello ${name}"}},
                             json{{"id", "fallback"},
                                  {"type", "end"},
                                  {"outcome", "disconnected"},
                                  {"prompt", "Our systems are slow; please try later."}}})}};
  ASSERT_EQ(post("/api/v1/flows", flow).status, 201);
  auto s2 = post("/api/v1/bot-sessions", {{"flow", "dip"}});
  ASSERT_EQ(s2.status, 201) << s2.raw;
  auto r = post("/api/v1/bot-sessions/" + s2.body["id"].get<std::string>() + "/messages",
                {{"text", "42"}});
  ASSERT_EQ(r.status, 200) << r.raw;
  EXPECT_EQ(texts(r).back(), "Our systems are slow; please try later.");
  EXPECT_EQ(r.body["attributes"]["http_error"], "timeout");
  EXPECT_EQ(r.body["outcome"], "disconnected");
}

TEST_F(FlowsApiTest, BadRequestsAndCustomerLeaving) {
  seed_center();
  EXPECT_EQ(post("/api/v1/bot-sessions", {{"flow", "missing"}}).status, 404);
  EXPECT_EQ(post("/api/v1/bot-sessions", {{"flow", "x"}, {"channel", "voice"}}).status, 400);
  EXPECT_EQ(post("/api/v1/bot-sessions", json::object()).status, 400);
  EXPECT_EQ(post("/api/v1/bot-sessions/99/messages", {{"text", "hi"}}).status, 404);
  auto notjson = call(http::verb::post, "/api/v1/flows", "{\"id\": ");
  EXPECT_EQ(notjson.status, 400);

  TestHttpServer crm_server(crm);
  ASSERT_EQ(call(http::verb::post, "/api/v1/flows", example_flow(crm_server.base_url())).status,
            201);
  auto start = post("/api/v1/bot-sessions", json{{"flow", "main-ivr"}});
  const std::string id = start.body["id"];
  EXPECT_EQ(post("/api/v1/bot-sessions/" + id + "/messages", json::object()).status, 400);
  auto left = call(http::verb::delete_, "/api/v1/bot-sessions/" + id);
  ASSERT_EQ(left.status, 200) << left.raw;
  EXPECT_EQ(left.body["outcome"], "abandoned");
  EXPECT_EQ(left.body["state"], "finished");

  // A reply timeout fires lazily: the next read after the deadline re-prompts.
  auto s = post("/api/v1/bot-sessions", json{{"flow", "main-ivr"}});
  const std::string id2 = s.body["id"];
  clock_.advance(11 * kMillisPerMinute);  // the flow's text timeout is 10 minutes
  auto later = get("/api/v1/bot-sessions/" + id2);
  auto msgs = later.body["messages"];
  ASSERT_GE(msgs.size(), 4u) << later.raw;
  EXPECT_EQ(msgs[msgs.size() - 2]["text"], "Sorry, I did not get that.");
}

}  // namespace
}  // namespace sb::api
