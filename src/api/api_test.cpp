// The API application without sockets: requests go straight into ApiApp::handle, backed by a
// real CenterService (SQLite event store in a temp dir), real Accounts and a real Directory.

#include <gtest/gtest.h>

#include <future>
#include <map>
#include <set>
#include <sstream>

#include "../../tests/store/temp_dir.h"
#include "api/api_app.h"
#include "api/openapi.h"
#include "api/test_center.h"
#include "reports/report_query.h"
#include "runtime/system_clock.h"  // lint:allow (composition root)
#include "sqlite/sqlite.h"

namespace sb::api {
namespace {

using store_testing::TempDir;

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    center_ = std::make_unique<testing::TestCenter>(dir_.path().string(), clock_);
    ASSERT_TRUE(center_->status.ok()) << center_->status.message();
    accounts_ = center_->accounts.get();
    app_ = center_->app.get();
    accounts::NewUser admin;
    admin.username = "admin";
    admin.password = "admin-password-1";
    admin.role = accounts::Role::kAdmin;
    ASSERT_TRUE(accounts_->create_user(admin).ok());
    admin_key_ = key_for("admin");
  }
  void TearDown() override { center_->stop(); }

  std::string key_for(const std::string& username) {
    auto u = accounts_->find_user(username);
    EXPECT_TRUE(u.ok());
    auto k = accounts_->create_api_key(u->id, "test");
    EXPECT_TRUE(k.ok());
    return k->key;
  }

  // A second agent (id 1, in no queue) with user "bob"; returns bob's API key ("" on failure).
  std::string add_agent_bob() {
    auto agent =
        post("/api/v1/agents", {{"name", "Bob"}, {"profile", 0}, {"queues", json::array()}});
    EXPECT_EQ(agent.status, 201) << agent.raw.body;
    auto user = post(
        "/api/v1/users",
        {{"username", "bob"}, {"password", "bob-password-1"}, {"role", "agent"}, {"agent_id", 1}});
    EXPECT_EQ(user.status, 201) << user.raw.body;
    if (agent.status != 201 || user.status != 201) return "";
    return key_for("bob");
  }

  struct Answer {
    int status = 0;
    json body;
    HttpResponse raw;
  };

  Answer call(const std::string& method, const std::string& target, const std::string& key,
              const std::string& body = "", std::map<std::string, std::string> headers = {}) {
    HttpRequest req;
    req.method = method;
    req.target = target;
    req.body = body;
    req.remote = "127.0.0.1";
    req.headers = std::move(headers);
    if (!key.empty()) req.headers["authorization"] = "Bearer " + key;
    if (!body.empty() && !req.headers.count("content-type"))
      req.headers["content-type"] = "application/json";
    split_target(req);
    std::promise<HttpResponse> p;
    auto f = p.get_future();
    app_->handle(req, [&p](HttpResponse r) { p.set_value(std::move(r)); });
    Answer a;
    a.raw = f.get();
    a.status = a.raw.status;
    if (!a.raw.body.empty() && a.raw.content_type.find("json") != std::string::npos)
      a.body = json::parse(a.raw.body, nullptr, false);
    return a;
  }
  Answer post(const std::string& target, const json& body, const std::string& key = "") {
    return call("POST", target, key.empty() ? admin_key_ : key, body.dump());
  }
  Answer get(const std::string& target, const std::string& key = "") {
    return call("GET", target, key.empty() ? admin_key_ : key);
  }

  // A small center: one skill, one voice profile, one queue, one agent with a user.
  void seed_center() {
    ASSERT_EQ(post("/api/v1/skills", {{"name", "billing"}}).status, 201);
    ASSERT_EQ(post("/api/v1/profiles", {{"name", "voice"}, {"capacity", {{"voice", 1}}}}).status,
              201);
    auto q =
        post("/api/v1/queues", {{"name", "Billing"}, {"sl_threshold_s", 20}, {"wrap_up_s", 60}});
    ASSERT_EQ(q.status, 201) << q.raw.body;
    auto a = post("/api/v1/agents", {{"name", "Ada"},
                                     {"profile", 0},
                                     {"skills", {{{"skill", 0}, {"proficiency", 7}}}},
                                     {"queues", {{{"queue", 0}, {"tier", 1}}}}});
    ASSERT_EQ(a.status, 201) << a.raw.body;
    auto u = post(
        "/api/v1/users",
        {{"username", "ada"}, {"password", "ada-password-1"}, {"role", "agent"}, {"agent_id", 0}});
    ASSERT_EQ(u.status, 201) << u.raw.body;
    agent_key_ = key_for("ada");
  }

  runtime::SystemClock clock_;  // lint:allow (real time for a live service)
  TempDir dir_;
  std::unique_ptr<testing::TestCenter> center_;
  accounts::Accounts* accounts_ = nullptr;
  ApiApp* app_ = nullptr;
  std::string admin_key_;
  std::string agent_key_;
};

TEST_F(ApiTest, LoginSetsHttpOnlyCookieAndCsrfIsEnforced) {
  auto login = call("POST", "/api/v1/auth/login", "",
                    json{{"username", "admin"}, {"password", "admin-password-1"}}.dump());
  ASSERT_EQ(login.status, 200) << login.raw.body;
  std::string cookie;
  for (auto& [k, v] : login.raw.headers)
    if (k == "Set-Cookie") cookie = v;
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos);
  const std::string token = cookie.substr(11, cookie.find(';') - 11);
  const std::string csrf = login.body["csrf_token"];

  auto me = call("GET", "/api/v1/auth/me", "", "", {{"cookie", "sb_session=" + token}});
  EXPECT_EQ(me.status, 200);
  EXPECT_EQ(me.body["user"]["role"], "admin");

  // Unsafe method with the cookie but without the CSRF token: refused.
  auto no_csrf = call("POST", "/api/v1/skills", "", json{{"name", "x"}}.dump(),
                      {{"cookie", "sb_session=" + token}});
  EXPECT_EQ(no_csrf.status, 403);
  auto with_csrf = call("POST", "/api/v1/skills", "", json{{"name", "x"}}.dump(),
                        {{"cookie", "sb_session=" + token}, {"x-csrf-token", csrf}});
  EXPECT_EQ(with_csrf.status, 201) << with_csrf.raw.body;

  auto logout = call("POST", "/api/v1/auth/logout", "", "",
                     {{"cookie", "sb_session=" + token}, {"x-csrf-token", csrf}});
  EXPECT_EQ(logout.status, 204);
  EXPECT_EQ(call("GET", "/api/v1/auth/me", "", "", {{"cookie", "sb_session=" + token}}).status,
            401);
}

TEST_F(ApiTest, WrongPasswordIs401AndLockoutIs423) {
  for (int i = 0; i < 5; ++i) {
    auto r = call("POST", "/api/v1/auth/login", "",
                  json{{"username", "admin"}, {"password", "wrong-password"}}.dump());
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(r.raw.content_type, "application/problem+json");
  }
  auto locked = call("POST", "/api/v1/auth/login", "",
                     json{{"username", "admin"}, {"password", "admin-password-1"}}.dump());
  EXPECT_EQ(locked.status, 423) << locked.raw.body;
}

TEST_F(ApiTest, ValidationErrorsNameEveryField) {
  auto r = post("/api/v1/queues", {{"name", 5},
                                   {"strategy", "fastest"},
                                   {"sl_target", 2},
                                   {"relaxation", {{{"after_s", -1}, {"action", "x"}}}}});
  ASSERT_EQ(r.status, 400);
  EXPECT_EQ(r.raw.content_type, "application/problem+json");
  std::set<std::string> fields;
  for (const auto& e : r.body["errors"]) fields.insert(e["field"]);
  EXPECT_TRUE(fields.count("name"));
  EXPECT_TRUE(fields.count("strategy"));
  EXPECT_TRUE(fields.count("sl_target"));
  EXPECT_TRUE(fields.count("relaxation[0].after_s"));
  EXPECT_TRUE(fields.count("relaxation[0].action"));

  EXPECT_EQ(call("POST", "/api/v1/skills", admin_key_, "{not json").status, 400);
  EXPECT_EQ(call("POST", "/api/v1/skills", admin_key_, "[1,2]").status, 400);
  EXPECT_EQ(call("POST", "/api/v1/skills", admin_key_, "{\"name\":\"a\"}",
                 {{"content-type", "text/plain"}})
                .status,
            415);
  EXPECT_EQ(get("/api/v1/queues/999").status, 404);
  EXPECT_EQ(get("/api/v1/queues/abc").status, 404);
  EXPECT_EQ(get("/api/v1/nothing-here").status, 404);
  EXPECT_EQ(call("DELETE", "/api/v1/queues", admin_key_).status, 405);
}

TEST_F(ApiTest, ContactLifecycleThroughTheApi) {
  seed_center();
  auto state =
      call("PUT", "/api/v1/agents/0/state", agent_key_, json{{"presence", "available"}}.dump());
  ASSERT_EQ(state.status, 200) << state.raw.body;
  EXPECT_EQ(state.body["activity"], "idle");

  auto c = post("/api/v1/contacts",
                {{"channel", "voice"}, {"queue", 0}, {"attributes", {{"name", "Grace"}}}});
  ASSERT_EQ(c.status, 201) << c.raw.body;
  const std::string id = std::to_string(c.body["id"].get<std::uint64_t>());
  EXPECT_EQ(c.body["state"], "offered");
  EXPECT_GT(c.body.value("offer_expires_at", std::int64_t{0}),
            c.body["arrived_at"].get<std::int64_t>());
  EXPECT_EQ(c.body["attributes"]["name"], "Grace");

  auto accepted = call("POST", "/api/v1/contacts/" + id + "/accept", agent_key_);
  ASSERT_EQ(accepted.status, 200) << accepted.raw.body;
  EXPECT_EQ(accepted.body["state"], "connected");
  EXPECT_EQ(accepted.body["agent"], 0);

  // Accepting twice is a state conflict, not a server error.
  EXPECT_EQ(call("POST", "/api/v1/contacts/" + id + "/accept", agent_key_).status, 409);

  EXPECT_EQ(call("POST", "/api/v1/contacts/" + id + "/hold", agent_key_).body["on_hold"], true);
  EXPECT_EQ(call("POST", "/api/v1/contacts/" + id + "/unhold", agent_key_).body["on_hold"], false);
  auto ended = call("POST", "/api/v1/contacts/" + id + "/end", agent_key_);
  ASSERT_EQ(ended.status, 200) << ended.raw.body;
  EXPECT_EQ(ended.body["state"], "wrap_up");

  auto disp = post("/api/v1/dispositions", {{"name", "Resolved"}, {"conversion", false}});
  ASSERT_EQ(disp.status, 201);
  auto wrapped = call("POST", "/api/v1/contacts/" + id + "/wrap-up", agent_key_,
                      json{{"disposition", disp.body["id"]}, {"notes", "paid"}}.dump());
  ASSERT_EQ(wrapped.status, 200) << wrapped.raw.body;
  EXPECT_EQ(wrapped.body["state"], "ended");

  auto stats = get("/api/v1/stats/queues");
  ASSERT_EQ(stats.status, 200);
  EXPECT_EQ(stats.body["items"][0]["today"]["handled"], 1);
  EXPECT_EQ(stats.body["items"][0]["waiting"], 0);
}

TEST_F(ApiTest, AgentsActOnlyOnTheirOwnContactsAndState) {
  seed_center();
  const std::string bob = add_agent_bob();
  ASSERT_FALSE(bob.empty());
  EXPECT_EQ(
      call("PUT", "/api/v1/agents/0/state", bob, json{{"presence", "available"}}.dump()).status,
      403);
  ASSERT_EQ(
      call("PUT", "/api/v1/agents/0/state", agent_key_, json{{"presence", "available"}}.dump())
          .status,
      200);
  auto c = post("/api/v1/contacts", {{"channel", "voice"}, {"queue", 0}});
  const std::string id = std::to_string(c.body["id"].get<std::uint64_t>());
  EXPECT_EQ(call("POST", "/api/v1/contacts/" + id + "/accept", bob).status, 403);
  EXPECT_EQ(call("GET", "/api/v1/contacts/" + id, bob).status, 403);
  EXPECT_EQ(call("GET", "/api/v1/contacts/" + id, agent_key_).status, 200);
}

// Contact actions are decided on the engine thread against the contact as it is; the answers keep
// their order: an unknown contact (404), then someone else's (403), then the body's errors (400),
// then a refused command (409). A supervisor acting on an agent's contact is audited.
TEST_F(ApiTest, ContactActionRefusalsKeepTheirOrderAndSupervisorActionsAreAudited) {
  seed_center();
  const std::string bob = add_agent_bob();
  ASSERT_FALSE(bob.empty());
  const std::string bad_transfer = json{{"queue", 0}, {"agent", 0}}.dump();

  auto unknown = call("POST", "/api/v1/contacts/987654/transfer", agent_key_, bad_transfer);
  EXPECT_EQ(unknown.status, 404) << unknown.raw.body;

  // Nobody available: the contact waits and rings at no agent.
  auto c = post("/api/v1/contacts", {{"channel", "voice"}, {"queue", 0}});
  ASSERT_EQ(c.status, 201) << c.raw.body;
  const std::string id = std::to_string(c.body["id"].get<std::uint64_t>());
  EXPECT_EQ(call("POST", "/api/v1/contacts/" + id + "/transfer", bob, bad_transfer).status, 403);
  auto both = call("POST", "/api/v1/contacts/" + id + "/transfer", admin_key_, bad_transfer);
  ASSERT_EQ(both.status, 400) << both.raw.body;
  EXPECT_EQ(both.body["errors"][0]["field"], "queue");
  // A supervisor's accept names the agent when the contact rings at none.
  auto nameless = call("POST", "/api/v1/contacts/" + id + "/accept", admin_key_);
  ASSERT_EQ(nameless.status, 400) << nameless.raw.body;
  EXPECT_EQ(nameless.body["errors"][0]["field"], "agent");
  // Agent 0 is not offered this contact: the engine refuses the command.
  auto not_offered =
      call("POST", "/api/v1/contacts/" + id + "/accept", admin_key_, json{{"agent", 0}}.dump());
  EXPECT_EQ(not_offered.status, 409) << not_offered.raw.body;

  // Offered to agent 0 once available; the supervisor accepts for the only agent it rings at.
  ASSERT_EQ(
      call("PUT", "/api/v1/agents/0/state", agent_key_, json{{"presence", "available"}}.dump())
          .status,
      200);
  auto accepted = call("POST", "/api/v1/contacts/" + id + "/accept", admin_key_);
  ASSERT_EQ(accepted.status, 200) << accepted.raw.body;
  EXPECT_EQ(accepted.body["state"], "connected");
  EXPECT_EQ(accepted.body["agent"], 0);
  ASSERT_EQ(call("POST", "/api/v1/contacts/" + id + "/end", agent_key_).status, 200);
  auto unknown_disposition = call("POST", "/api/v1/contacts/" + id + "/wrap-up", agent_key_,
                                  json{{"disposition", 4242}}.dump());
  ASSERT_EQ(unknown_disposition.status, 400) << unknown_disposition.raw.body;
  EXPECT_EQ(unknown_disposition.body["errors"][0]["field"], "disposition");

  auto audit = get("/api/v1/audit");
  ASSERT_EQ(audit.status, 200);
  int supervisor_actions = 0;
  for (const auto& e : audit.body["items"])
    if (e["action"] == "contact.supervisor_action" && e["target"] == "contact:" + id)
      ++supervisor_actions;
  // The accept that ran (refused by the engine or not) is audited; refusals before it are not.
  EXPECT_EQ(supervisor_actions, 2);
}

TEST_F(ApiTest, IdempotencyKeyNeverCreatesADuplicate) {
  seed_center();
  const json body = {{"channel", "chat"}, {"queue", 0}};
  auto first =
      call("POST", "/api/v1/contacts", admin_key_, body.dump(), {{"idempotency-key", "order-42"}});
  ASSERT_EQ(first.status, 201) << first.raw.body;
  auto again =
      call("POST", "/api/v1/contacts", admin_key_, body.dump(), {{"idempotency-key", "order-42"}});
  ASSERT_EQ(again.status, 200) << again.raw.body;
  EXPECT_EQ(again.body["id"], first.body["id"]);
  auto list = get("/api/v1/contacts");
  EXPECT_EQ(list.body["items"].size(), 1u);
}

TEST_F(ApiTest, ARetryRestoresAttributesWhoseWriteFailed) {
  seed_center();
  // directory.db refuses contact attributes for now: the arrival is made durable beside the
  // attribute write, so the contact exists although the create answers with the failure.
  auto other = sqlite::Database::open(dir_.path().string() + "/directory.db", {.label = "other"});
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE((*other)
                  ->exec("CREATE TRIGGER refuse BEFORE INSERT ON contact_attributes "
                         "BEGIN SELECT RAISE(ABORT, 'disk trouble'); END;")
                  .ok());
  const json body = {{"channel", "voice"}, {"queue", 0}, {"attributes", {{"account", "77"}}}};
  auto failed =
      call("POST", "/api/v1/contacts", admin_key_, body.dump(), {{"idempotency-key", "crm-77"}});
  EXPECT_GE(failed.status, 400) << failed.raw.body;  // the database's error, as a problem
  EXPECT_NE(failed.raw.body.find("disk trouble"), std::string::npos) << failed.raw.body;

  ASSERT_TRUE((*other)->exec("DROP TRIGGER refuse;").ok());
  auto again =
      call("POST", "/api/v1/contacts", admin_key_, body.dump(), {{"idempotency-key", "crm-77"}});
  ASSERT_EQ(again.status, 200) << again.raw.body;
  EXPECT_EQ(again.body["attributes"]["account"], "77");
  auto list = get("/api/v1/contacts");
  ASSERT_EQ(list.body["items"].size(), 1u);
  EXPECT_EQ(list.body["items"][0]["id"], again.body["id"]);
  // Durable, not only remembered: a fresh directory on the same file reads them.
  auto fresh = Directory::open(dir_.path().string() + "/directory.db");
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ((*fresh)->contact_attributes(again.body["id"].get<std::uint64_t>())["account"], "77");
}

TEST_F(ApiTest, SupervisorForcesStateAndItIsAudited) {
  seed_center();
  ASSERT_EQ(post("/api/v1/users",
                 {{"username", "sue"}, {"password", "sue-password-1"}, {"role", "supervisor"}})
                .status,
            201);
  const std::string sue = key_for("sue");
  ASSERT_EQ(
      call("PUT", "/api/v1/agents/0/state", agent_key_, json{{"presence", "available"}}.dump())
          .status,
      200);
  auto forced = call("PUT", "/api/v1/agents/0/state", sue,
                     json{{"presence", "not_ready"}, {"reason", 1}}.dump());
  ASSERT_EQ(forced.status, 200) << forced.raw.body;
  EXPECT_EQ(forced.body["presence"], "not_ready");
  EXPECT_EQ(forced.body["reason_name"], "break");
  auto audit = get("/api/v1/audit");
  ASSERT_EQ(audit.status, 200);
  bool found = false;
  for (const auto& e : audit.body["items"])
    found = found || (e["action"] == "agent.force_state" && e["username"] == "sue");
  EXPECT_TRUE(found);
}

// Alert rules through the API: validation with field names, a live rule that fires when contacts
// wait and clears when they leave, the history with pagination, and rule changes closing alerts.
TEST_F(ApiTest, AlertRulesFireAndClearOnLiveFigures) {
  seed_center();
  ASSERT_NE(app_->alert_monitor(), nullptr) << app_->alerts_status().message();
  auto bad = post("/api/v1/alert-rules", {{"name", "x"}, {"metric", "mood"}});
  ASSERT_EQ(bad.status, 400);
  EXPECT_EQ(bad.body["errors"][0]["field"], "metric");
  auto unknown_queue = post("/api/v1/alert-rules", {{"name", "x"},
                                                    {"metric", "waiting"},
                                                    {"comparison", "above"},
                                                    {"threshold", 1},
                                                    {"scope", "queue"},
                                                    {"queue", 42}});
  ASSERT_EQ(unknown_queue.status, 400);
  EXPECT_EQ(unknown_queue.body["errors"][0]["field"], "queue");

  const json rule = {{"name", "Backlog"},     {"metric", "waiting"},    {"comparison", "above"},
                     {"threshold", 1.5},      {"clear_threshold", 0.5}, {"scope", "each_queue"},
                     {"severity", "critical"}};
  auto created = post("/api/v1/alert-rules", rule);
  ASSERT_EQ(created.status, 201) << created.raw.body;
  const std::string rule_id = std::to_string(created.body["id"].get<std::int64_t>());
  EXPECT_EQ(created.body["source"], "live");
  auto listed = get("/api/v1/alert-rules");
  ASSERT_EQ(listed.status, 200);
  EXPECT_EQ(listed.body["items"].size(), 1u);
  EXPECT_GT(listed.body["metrics"].size(), 10u);

  // Nobody is logged in: both contacts wait.
  std::vector<std::string> contacts;
  for (int i = 0; i < 2; ++i) {
    auto c = post("/api/v1/contacts", {{"channel", "voice"}, {"queue", 0}});
    ASSERT_EQ(c.status, 201) << c.raw.body;
    contacts.push_back(std::to_string(c.body["id"].get<std::uint64_t>()));
  }
  ASSERT_TRUE(app_->alert_monitor()->tick().ok());
  auto active = get("/api/v1/alerts?state=active");
  ASSERT_EQ(active.status, 200) << active.raw.body;
  ASSERT_EQ(active.body["items"].size(), 1u);
  const json alert = active.body["items"][0];
  EXPECT_EQ(alert["queue"], 0);
  EXPECT_EQ(alert["severity"], "critical");
  EXPECT_EQ(alert["state"], "active");
  EXPECT_EQ(alert["value"], 2.0);

  // One leaves: 1 is inside the hysteresis band, the alert stays; the other leaves: it clears.
  ASSERT_EQ(post("/api/v1/contacts/" + contacts[0] + "/abandon", json::object()).status, 200);
  ASSERT_TRUE(app_->alert_monitor()->tick().ok());
  EXPECT_EQ(get("/api/v1/alerts?state=active").body["items"].size(), 1u);
  ASSERT_EQ(post("/api/v1/contacts/" + contacts[1] + "/abandon", json::object()).status, 200);
  ASSERT_TRUE(app_->alert_monitor()->tick().ok());
  EXPECT_EQ(get("/api/v1/alerts?state=active").body["items"].size(), 0u);
  auto history = get("/api/v1/alerts");
  ASSERT_EQ(history.body["items"].size(), 1u);
  EXPECT_EQ(history.body["items"][0]["state"], "cleared");
  EXPECT_EQ(history.body["items"][0]["cleared_reason"], "recovered");

  // Fire again, then change the rule: the open alert closes as rule_changed.
  for (int i = 0; i < 2; ++i)
    ASSERT_EQ(post("/api/v1/contacts", {{"channel", "voice"}, {"queue", 0}}).status, 201);
  ASSERT_TRUE(app_->alert_monitor()->tick().ok());
  json changed = rule;
  changed["threshold"] = 5;
  changed["clear_threshold"] = 3;
  auto put = call("PUT", "/api/v1/alert-rules/" + rule_id, admin_key_, changed.dump());
  ASSERT_EQ(put.status, 200) << put.raw.body;
  EXPECT_EQ(put.body["threshold"], 5.0);
  auto page1 = get("/api/v1/alerts?limit=1");
  ASSERT_EQ(page1.body["items"].size(), 1u);
  EXPECT_EQ(page1.body["items"][0]["cleared_reason"], "rule_changed");
  ASSERT_TRUE(page1.body["next_cursor"].is_string());
  auto page2 = get("/api/v1/alerts?limit=1&cursor=" + page1.body["next_cursor"].get<std::string>());
  ASSERT_EQ(page2.body["items"].size(), 1u);
  EXPECT_TRUE(page2.body["next_cursor"].is_null());
  EXPECT_EQ(get("/api/v1/alerts?state=maybe").status, 400);

  EXPECT_EQ(call("DELETE", "/api/v1/alert-rules/" + rule_id, admin_key_).status, 204);
  EXPECT_EQ(get("/api/v1/alert-rules/" + rule_id).status, 404);
  EXPECT_EQ(call("DELETE", "/api/v1/alert-rules/" + rule_id, admin_key_).status, 404);
  // An agent may not touch rules.
  EXPECT_EQ(post("/api/v1/alert-rules", rule, agent_key_).status, 403);
}

// The reports API over the read model the service maintains from its durable events: JSON
// and CSV (format=csv or Accept: text/csv), grouping, filters, distributions, field errors.
TEST_F(ApiTest, ReportsAnswerFromTheReadModel) {
  reports::ReportStore* live = center_->service->reports();
  ASSERT_NE(live, nullptr);
  app_->set_report_store(nullptr);
  auto unset = get("/api/v1/reports/intervals?from=2026-01-01&to=2026-01-02");
  EXPECT_EQ(unset.status, 503) << unset.raw.body;
  app_->set_report_store(live);

  seed_center();
  ASSERT_EQ(
      call("PUT", "/api/v1/agents/0/state", agent_key_, json{{"presence", "available"}}.dump())
          .status,
      200);
  auto c = post("/api/v1/contacts", {{"channel", "voice"}, {"queue", 0}});
  ASSERT_EQ(c.status, 201) << c.raw.body;
  const std::string id = std::to_string(c.body["id"].get<std::uint64_t>());
  ASSERT_EQ(call("POST", "/api/v1/contacts/" + id + "/accept", agent_key_).status, 200);
  ASSERT_EQ(call("POST", "/api/v1/contacts/" + id + "/end", agent_key_).status, 200);
  ASSERT_EQ(call("POST", "/api/v1/contacts/" + id + "/wrap-up", agent_key_, "{}").status, 200);
  Status flushed = center_->service->flush_reports();
  ASSERT_TRUE(flushed.ok()) << flushed.message();

  const Millis now = clock_.now();
  const std::string range = "from=" + std::to_string(now - kMillisPerHour) +
                            "&to=" + std::to_string(now + kMillisPerHour);
  auto by_queue = get("/api/v1/reports/intervals?" + range + "&group_by=queue&interval=60");
  ASSERT_EQ(by_queue.status, 200) << by_queue.raw.body;
  EXPECT_EQ(by_queue.body["columns"], json::array({"queue"}));
  // The row of the queue (agent time outside any queue has a row with an empty queue).
  auto row_of = [](const json& report, const std::string& column, const std::string& key) {
    for (const auto& row : report["rows"])
      if (row[column] == key) return row["kpis"];
    return json();
  };
  const json billing = row_of(by_queue.body, "queue", "Billing");
  ASSERT_TRUE(billing.is_object()) << by_queue.raw.body;
  EXPECT_EQ(billing["offered"], 1);
  EXPECT_EQ(billing["handled"], 1);
  EXPECT_EQ(billing["service_level"], 1);
  EXPECT_EQ(by_queue.body["total"]["handled"], 1);

  // Filters: another queue or channel has nothing.
  auto other = get("/api/v1/reports/intervals?" + range + "&group_by=none&channel=chat");
  ASSERT_EQ(other.status, 200) << other.raw.body;
  EXPECT_EQ(other.body["total"]["offered"], 0);
  auto by_agent = get("/api/v1/reports/intervals?" + range + "&group_by=agent&queue=Billing");
  ASSERT_EQ(by_agent.status, 200) << by_agent.raw.body;
  const json ada = row_of(by_agent.body, "agent", "Ada");
  ASSERT_TRUE(ada.is_object()) << by_agent.raw.body;
  EXPECT_EQ(ada["handled"], 1);

  auto csv = get("/api/v1/reports/intervals?" + range + "&group_by=queue&format=csv");
  ASSERT_EQ(csv.status, 200);
  EXPECT_EQ(csv.raw.content_type, "text/csv; charset=utf-8");
  EXPECT_EQ(csv.raw.body.rfind("queue,offered,handled,", 0), 0u) << csv.raw.body.substr(0, 80);
  EXPECT_NE(csv.raw.body.find("\nBilling,1,1,"), std::string::npos);
  auto accept_csv = call("GET", "/api/v1/reports/intervals?" + range + "&group_by=queue",
                         admin_key_, "", {{"accept", "text/csv"}});
  EXPECT_EQ(accept_csv.raw.body, csv.raw.body);

  auto dist = get("/api/v1/reports/distributions?" + range);
  ASSERT_EQ(dist.status, 200) << dist.raw.body;
  EXPECT_EQ(dist.body["total"]["wait"]["count"], 1);
  std::uint64_t in_buckets = 0;
  for (const auto& b : dist.body["total"]["wait"]["histogram"])
    in_buckets += b["count"].get<std::uint64_t>();
  EXPECT_EQ(in_buckets, 1u);
  EXPECT_EQ(dist.body["total"]["handle"]["count"], 1);
  auto dist_csv = get("/api/v1/reports/distributions?" + range + "&format=csv");
  EXPECT_EQ(dist_csv.raw.body.rfind("measure,lower_s,upper_s,count\n", 0), 0u);

  auto bad =
      get("/api/v1/reports/intervals?from=yesterday&to=2026-01-01&interval=20&group_by=mood");
  ASSERT_EQ(bad.status, 400);
  std::set<std::string> fields;
  for (const auto& e : bad.body["errors"]) fields.insert(e["field"]);
  EXPECT_TRUE(fields.count("from"));
  EXPECT_TRUE(fields.count("interval"));
  EXPECT_TRUE(fields.count("group_by"));
  EXPECT_EQ(get("/api/v1/reports/intervals?from=2026-01-02&to=2026-01-01").status, 400);
  EXPECT_EQ(get("/api/v1/reports/intervals?from=2024-01-01&to=2026-01-01").status, 400);
  EXPECT_EQ(get("/api/v1/reports/intervals?from=2026-01-01&to=2026-01-02&tz=Mars/Base").status,
            400);
  // Dates are local days of the time zone; `to` is inclusive.
  auto dated =
      get("/api/v1/reports/intervals?from=2026-01-01&to=2026-01-01&tz=%2B02:00&group_by=none");
  ASSERT_EQ(dated.status, 200) << dated.raw.body;
  EXPECT_EQ(dated.body["from"], "2026-01-01T00:00:00+02:00");
  EXPECT_EQ(dated.body["to"], "2026-01-02T00:00:00+02:00");
  EXPECT_EQ(get("/api/v1/reports/intervals?" + range, agent_key_).status, 403);
}

// Every route × every role (and no credentials): a role outside the route's list gets 403, a
// role inside it never does, nobody gets a 5xx, and no credentials is 401.
TEST_F(ApiTest, RoleMatrix) {
  seed_center();
  std::map<std::string, std::string> keys = {{"admin", admin_key_}, {"agent", agent_key_}};
  for (const char* role : {"supervisor", "analyst"}) {
    ASSERT_EQ(post("/api/v1/users", {{"username", std::string("u-") + role},
                                     {"password", "a-long-password"},
                                     {"role", role}})
                  .status,
              201);
    keys[role] = key_for(std::string("u-") + role);
  }
  const std::map<std::string, unsigned> bits = {
      {"admin", kAdmin}, {"supervisor", kSupervisor}, {"agent", kAgent}, {"analyst", kAnalyst}};
  int checked = 0;
  for (const Route& route : app_->router().routes()) {
    std::string path = route.pattern;
    for (std::size_t pos; (pos = path.find('{')) != std::string::npos;)
      path.replace(pos, path.find('}', pos) - pos + 1, "0");
    const std::string body = route.method == "GET" || route.method == "DELETE" ? "" : "{}";
    if (route.roles & kPublic) continue;
    auto anon = call(route.method, path, "", body);
    EXPECT_EQ(anon.status, 401) << route.method << " " << route.pattern;
    for (const auto& [role, key] : keys) {
      // Never lock ourselves out of the matrix: the destructive user routes run on user 0.
      auto r = call(route.method, path, key, body);
      const bool allowed = route.roles & bits.at(role);
      EXPECT_LT(r.status, 500) << role << " " << route.method << " " << route.pattern << " "
                               << r.raw.body;
      if (allowed) {
        const bool role_refusal =
            r.status == 403 && r.raw.body.find("role may not") != std::string::npos;
        EXPECT_FALSE(role_refusal) << role << " " << route.method << " " << route.pattern;
      } else {
        EXPECT_EQ(r.status, 403) << role << " " << route.method << " " << route.pattern;
      }
      ++checked;
    }
  }
  EXPECT_GT(checked, 150);
}

TEST_F(ApiTest, AttritionCountsAgentUsersCreatedAndDisabled) {
  const Millis before = clock_.now() - kMillisPerHour;
  // Agent users (the API wants a routing agent for each; any will do here).
  for (const char* name : {"bo", "cy"}) {
    accounts::NewUser u;
    u.username = name;
    u.password = "a-password-1";
    u.role = accounts::Role::kAgent;
    u.agent_id = 0;
    ASSERT_TRUE(accounts_->create_user(u).ok());
  }
  ASSERT_EQ(post("/api/v1/users",
                 {{"username", "sue"}, {"password", "a-password-1"}, {"role", "supervisor"}})
                .status,
            201);
  auto bo = accounts_->find_user("bo");
  ASSERT_TRUE(bo.ok());
  ASSERT_EQ(call("DELETE", "/api/v1/users/" + std::to_string(bo->id), admin_key_).status, 204);
  const std::string range =
      "from=" + std::to_string(before) + "&to=" + std::to_string(clock_.now() + kMillisPerHour);
  auto r = get("/api/v1/reports/attrition?" + range);
  ASSERT_EQ(r.status, 200) << r.raw.body;
  EXPECT_EQ(r.body["agents"], 2) << r.raw.body;  // bo and cy (sue is a supervisor)
  EXPECT_EQ(r.body["headcount_start"], 0);
  EXPECT_EQ(r.body["headcount_end"], 1);
  EXPECT_EQ(r.body["hires"], 2);
  EXPECT_EQ(r.body["separations"], 1);
  const double average = r.body["average_headcount"].get<double>();
  EXPECT_GT(average, 0.0);
  EXPECT_LT(average, 2.0);
  EXPECT_DOUBLE_EQ(r.body["attrition_rate"].get<double>(), 1.0 / average);
  // CSV (format=csv or Accept: text/csv): the same figures, rates as round-trip text.
  auto csv = get("/api/v1/reports/attrition?" + range + "&format=csv");
  ASSERT_EQ(csv.status, 200) << csv.raw.body;
  EXPECT_EQ(csv.raw.content_type, "text/csv; charset=utf-8");
  const std::string header =
      "from,to,time_zone,agents,headcount_start,headcount_end,average_headcount,hires,"
      "separations,attrition_rate,annualized_rate\n";
  ASSERT_EQ(csv.raw.body.rfind(header, 0), 0u) << csv.raw.body;
  std::vector<std::string> values;
  {
    std::istringstream line(csv.raw.body.substr(header.size()));
    for (std::string v; std::getline(line, v, ',');) values.push_back(v);
  }
  ASSERT_EQ(values.size(), 11u) << csv.raw.body;
  EXPECT_EQ(values[2], "UTC");
  EXPECT_EQ(values[3], "2");
  EXPECT_EQ(values[4], "0");
  EXPECT_EQ(values[5], "1");
  EXPECT_EQ(std::stod(values[6]), average);
  EXPECT_EQ(values[7], "2");
  EXPECT_EQ(values[8], "1");
  EXPECT_EQ(std::stod(values[9]), r.body["attrition_rate"].get<double>());
  EXPECT_EQ(std::stod(values[10]), r.body["annualized_rate"].get<double>());
  auto accept_csv =
      call("GET", "/api/v1/reports/attrition?" + range, admin_key_, "", {{"accept", "text/csv"}});
  EXPECT_EQ(accept_csv.raw.body, csv.raw.body);
  EXPECT_EQ(get("/api/v1/reports/attrition?to=2026-01-01").status, 400);
  EXPECT_EQ(get("/api/v1/reports/attrition?" + range, key_for("cy")).status, 403);
}

TEST_F(ApiTest, OpenApiDocumentListsExactlyTheRegisteredRoutes) {
  json doc = json::parse(openapi_document(), nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << "openapi.json is not valid JSON";
  EXPECT_EQ(doc["openapi"].get<std::string>().substr(0, 2), "3.");
  std::set<std::string> documented;
  for (auto& [path, item] : doc["paths"].items())
    for (auto& [method, op] : item.items()) {
      std::string m = method;
      for (auto& ch : m) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      if (m == "PARAMETERS") continue;
      documented.insert(m + " " + path);
    }
  std::set<std::string> implemented;
  for (const Route& r : app_->router().routes())
    if (r.pattern.rfind("/api/v1", 0) == 0)
      implemented.insert(r.method + " " + r.pattern.substr(7));
  for (const auto& r : implemented) EXPECT_TRUE(documented.count(r)) << "undocumented: " << r;
  for (const auto& d : documented) EXPECT_TRUE(implemented.count(d)) << "not implemented: " << d;
}

}  // namespace
}  // namespace sb::api
