// Adherence through the API: a published schedule, agent state changes at injected times, the
// RTA answer, the historical figures, a republished schedule, the role checks, and the
// adherence monitor's transitions.

#include <gtest/gtest.h>

#include <future>
#include <map>
#include <mutex>
#include <tuple>

#include "../../tests/store/temp_dir.h"
#include "api/api_app.h"
#include "api/api_test_client.h"
#include "api/test_center.h"
#include "reports/time_zone.h"
#include "wfmstore/schedule_store.h"

namespace sb::api {
namespace {

using store_testing::TempDir;

const Millis kDay = reports::days_from_civil(2026, 12, 1) * kMillisPerDay;
Millis at(int h, int m = 0, int s = 0) {
  return kDay + h * kMillisPerHour + m * kMillisPerMinute + s * kMillisPerSecond;
}

using Acts = std::vector<std::tuple<std::string, wfmstore::ActivityKind, Millis, Millis>>;

class AdherenceApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    clock_.set(at(8));
    center_ = std::make_unique<testing::TestCenter>(dir_.path().string(), clock_);
    ASSERT_TRUE(center_->status.ok()) << center_->status.message();
    app_ = center_->app.get();
    make_user("admin", accounts::Role::kAdmin, std::nullopt);
    admin_ = key_for("admin");
    ASSERT_EQ(post("/api/v1/skills", {{"name", "billing"}}).status, 201);
    ASSERT_EQ(post("/api/v1/profiles", {{"name", "voice"}, {"capacity", {{"voice", 1}}}}).status,
              201);
    ASSERT_EQ(post("/api/v1/queues", {{"name", "Billing"}}).status, 201);
    for (const char* name : {"Ada", "Bob"}) {
      auto a = post("/api/v1/agents", {{"name", name},
                                       {"profile", 0},
                                       {"skills", {{{"skill", 0}, {"proficiency", 5}}}},
                                       {"queues", {{{"queue", 0}, {"tier", 1}}}}});
      ASSERT_EQ(a.status, 201) << a.raw;
    }
    auto team = post("/api/v1/teams", {{"name", "Blue"}, {"agents", {0, 1}}});
    ASSERT_EQ(team.status, 201) << team.raw;
    make_user("ada", accounts::Role::kAgent, 0);
    make_user("sup", accounts::Role::kSupervisor, std::nullopt);
    make_user("ana", accounts::Role::kAnalyst, std::nullopt);
    ada_ = key_for("ada");
    sup_ = key_for("sup");
    ana_ = key_for("ana");
    // Ada: work 9-12, break 12:00-12:15, work 12:15-13. Bob: work 9-13.
    publish({{"Ada", wfmstore::ActivityKind::kWork, at(9), at(12)},
             {"Ada", wfmstore::ActivityKind::kBreak, at(12), at(12, 15)},
             {"Ada", wfmstore::ActivityKind::kWork, at(12, 15), at(13)},
             {"Bob", wfmstore::ActivityKind::kWork, at(9), at(13)}});
  }
  // A schedule of the day, published through the API.
  void publish(const Acts& acts) {
    wfmstore::Schedule s;
    s.header.name = "day " + std::to_string(++published_);
    s.header.start = at(0);
    s.header.interval_minutes = 15;
    s.header.required.assign(96, 0.0);
    s.agents = {"Ada", "Bob"};
    for (const auto& [agent, kind, start, end] : acts) {
      wfmstore::Activity a;
      a.agent = agent;
      a.kind = kind;
      a.start = start;
      a.end = end;
      s.activities.push_back(a);
    }
    auto r = testing::publish_schedule(*app_, s, sup_.empty() ? admin_ : sup_, clock_.now());
    ASSERT_EQ(r.status, 200) << r.raw;
  }
  void TearDown() override { center_->stop(); }

  // The schedule store's published schedules, as the API application reads them.
  ScheduleSource source() {
    return schedule_source_from(*app_->schedule_store(), [this] {
      auto c = std::make_shared<CenterConfig>();
      center_->service->read([&](const service::LiveView& v) { *c = v.engine.configuration(); });
      return std::shared_ptr<const CenterConfig>(c);
    });
  }

  void make_user(const std::string& name, accounts::Role role, std::optional<AgentId> agent) {
    accounts::NewUser u;
    u.username = name;
    u.password = name + "-password-1";
    u.role = role;
    u.agent_id = agent;
    ASSERT_TRUE(center_->accounts->create_user(u).ok());
  }
  std::string key_for(const std::string& username) {
    std::string key = testing::api_key_for(*center_->accounts, username);
    EXPECT_FALSE(key.empty()) << username;
    return key;
  }

  using Answer = testing::Answer;
  Answer call(const std::string& method, const std::string& target, const std::string& key,
              const std::string& body = "") {
    return testing::call_api(*app_, method, target, key, body);
  }
  Answer post(const std::string& target, const json& body) {
    return call("POST", target, admin_, body.dump());
  }
  Answer get(const std::string& target, const std::string& key) { return call("GET", target, key); }
  // An agent state change at `t` (the event's time is the service clock's).
  void state(Millis t, AgentId agent, const json& body) {
    clock_.set(t);
    auto r = call("PUT", "/api/v1/agents/" + std::to_string(agent) + "/state", admin_, body.dump());
    ASSERT_EQ(r.status, 200) << r.raw;
  }
  static const json* row_of(const json& rows, const std::string& name) {
    for (const auto& r : rows)
      if (r.value("name", "") == name) return &r;
    return nullptr;
  }

  ManualClock clock_;
  TempDir dir_;
  std::unique_ptr<testing::TestCenter> center_;
  ApiApp* app_ = nullptr;
  int published_ = 0;
  std::string admin_, ada_, sup_, ana_;
};

TEST_F(AdherenceApiTest, RtaBoardAndHistoryFollowTheScheduleAndTheEvents) {
  state(at(9), 0, {{"presence", "available"}});  // Ada logs in on time
  clock_.set(at(9, 2));
  // Bob is two minutes late: out of adherence since 9:00, shown first.
  auto live = get("/api/v1/adherence/live", sup_);
  ASSERT_EQ(live.status, 200) << live.raw;
  EXPECT_EQ(live.body["now"], at(9, 2));
  EXPECT_EQ(live.body["grace_s"], 60.0);
  EXPECT_EQ(live.body["out_of_adherence"], 1);
  ASSERT_EQ(live.body["agents"].size(), 2u);
  const json& bob = live.body["agents"][0];
  EXPECT_EQ(bob["name"], "Bob");
  EXPECT_EQ(bob["team"], "Blue");
  EXPECT_EQ(bob["scheduled"]["activity"], "work");
  EXPECT_EQ(bob["actual"]["state"], "logged_out");
  EXPECT_EQ(bob["out_of_adherence"], true);
  EXPECT_EQ(bob["out_since"], at(9));
  EXPECT_EQ(bob["out_for_s"], 120.0);
  EXPECT_EQ(bob["out_today_s"], 120.0);
  const json& ada = live.body["agents"][1];
  EXPECT_EQ(ada["name"], "Ada");
  EXPECT_EQ(ada["actual"]["state"], "available");
  EXPECT_EQ(ada["actual"]["since"], at(9));
  EXPECT_EQ(ada["out_of_adherence"], false);
  EXPECT_EQ(ada["adherence_today"], 1.0);

  state(at(9, 2), 1, {{"presence", "available"}});
  // Ada goes on her break 30 s late (forgiven) and comes back 90 s late (out).
  state(at(12, 0, 30), 0, {{"presence", "not_ready"}, {"reason", 1}});
  clock_.set(at(12, 16, 10));
  live = get("/api/v1/adherence/live", sup_);
  ASSERT_EQ(live.status, 200);
  EXPECT_EQ(live.body["agents"][0]["name"], "Ada");
  EXPECT_EQ(live.body["agents"][0]["scheduled"]["activity"], "work");
  EXPECT_EQ(live.body["agents"][0]["actual"]["state"], "not_ready");
  EXPECT_EQ(live.body["agents"][0]["actual"]["reason_name"], "break");
  EXPECT_EQ(live.body["agents"][0]["out_since"], at(12, 15));
  EXPECT_EQ(live.body["agents"][0]["out_for_s"], 70.0);
  // ... and the team filter keeps both, the agent filter one.
  EXPECT_EQ(get("/api/v1/adherence/live?team=Blue", sup_).body["agents"].size(), 2u);
  EXPECT_EQ(get("/api/v1/adherence/live?agent=Bob", sup_).body["agents"].size(), 1u);
  EXPECT_EQ(get("/api/v1/adherence/live?team=Red", sup_).status, 400);

  state(at(12, 16, 30), 0, {{"presence", "available"}});
  state(at(13), 0, {{"presence", "offline"}});
  state(at(13), 1, {{"presence", "offline"}});
  clock_.set(at(14));

  auto history = get("/api/v1/adherence/history?from=2026-12-01&to=2026-12-01", sup_);
  ASSERT_EQ(history.status, 200) << history.raw;
  ASSERT_EQ(history.body["days"].size(), 2u);
  const json* a = row_of(history.body["agents"], "Ada");
  const json* b = row_of(history.body["agents"], "Bob");
  ASSERT_TRUE(a && b);
  EXPECT_EQ((*a)["scheduled_s"], 14400.0);
  EXPECT_EQ((*a)["scheduled_work_s"], 13500.0);
  EXPECT_EQ((*a)["in_adherence_s"], 14400.0 - 90);
  EXPECT_EQ((*a)["out_of_adherence_s"], 90.0);
  EXPECT_EQ((*a)["worked_s"], 10830.0 + 2610.0);  // 9:00-12:00:30 and 12:16:30-13:00
  EXPECT_DOUBLE_EQ((*a)["adherence"].get<double>(), (14400.0 - 90) / 14400.0);
  EXPECT_DOUBLE_EQ((*a)["conformance"].get<double>(), 13440.0 / 13500.0);
  EXPECT_EQ((*a)["activities_s"]["break"], 900.0);
  EXPECT_EQ((*b)["out_of_adherence_s"], 120.0);
  EXPECT_DOUBLE_EQ((*b)["adherence"].get<double>(), 14280.0 / 14400.0);
  EXPECT_DOUBLE_EQ((*b)["conformance"].get<double>(), 14280.0 / 14400.0);
  EXPECT_EQ(history.body["days"][0]["day"], "2026-12-01");
  ASSERT_EQ(history.body["teams"].size(), 1u);
  EXPECT_EQ(history.body["teams"][0]["team"], "Blue");
  EXPECT_EQ(history.body["teams"][0]["scheduled_s"], 28800.0);
  EXPECT_EQ(history.body["teams"][0]["out_of_adherence_s"], 210.0);
  EXPECT_EQ(history.body["total"]["in_adherence_s"], 28800.0 - 210);
  // Other days have nothing.
  auto before = get("/api/v1/adherence/history?from=2026-11-01&to=2026-11-30", sup_);
  EXPECT_EQ(before.body["days"].size(), 0u);
  EXPECT_TRUE(before.body["total"]["adherence"].is_null());

  // A republished schedule (Bob gets a 12:00-12:15 break he worked through) recomputes the day.
  publish({{"Ada", wfmstore::ActivityKind::kWork, at(9), at(12)},
           {"Ada", wfmstore::ActivityKind::kBreak, at(12), at(12, 15)},
           {"Ada", wfmstore::ActivityKind::kWork, at(12, 15), at(13)},
           {"Bob", wfmstore::ActivityKind::kWork, at(9), at(12)},
           {"Bob", wfmstore::ActivityKind::kBreak, at(12), at(12, 15)},
           {"Bob", wfmstore::ActivityKind::kWork, at(12, 15), at(13)}});
  app_->adherence_monitor()->schedule_changed();
  history = get("/api/v1/adherence/history?from=2026-12-01&to=2026-12-01&agent=Bob", sup_);
  ASSERT_EQ(history.status, 200);
  ASSERT_EQ(history.body["agents"].size(), 1u);
  EXPECT_EQ(history.body["agents"][0]["out_of_adherence_s"], 120.0 + 900.0);
  EXPECT_EQ(history.body["agents"][0]["worked_s"], 14280.0);
  EXPECT_DOUBLE_EQ(history.body["agents"][0]["conformance"].get<double>(), 14280.0 / 13500.0);
}

TEST_F(AdherenceApiTest, AgentsSeeOnlyTheirOwnAdherence) {
  state(at(9), 0, {{"presence", "available"}});
  clock_.set(at(10));
  auto mine = get("/api/v1/adherence/live", ada_);
  ASSERT_EQ(mine.status, 200) << mine.raw;
  ASSERT_EQ(mine.body["agents"].size(), 1u);
  EXPECT_EQ(mine.body["agents"][0]["name"], "Ada");
  EXPECT_EQ(get("/api/v1/adherence/live?agent=Ada", ada_).status, 200);
  EXPECT_EQ(get("/api/v1/adherence/live?agent=0", ada_).status, 200);
  EXPECT_EQ(get("/api/v1/adherence/live?agent=Bob", ada_).status, 403);
  EXPECT_EQ(get("/api/v1/adherence/live?team=Blue", ada_).status, 403);
  auto own = get("/api/v1/adherence/history?from=2026-12-01&to=2026-12-01", ada_);
  ASSERT_EQ(own.status, 200);
  ASSERT_EQ(own.body["agents"].size(), 1u);
  EXPECT_EQ(own.body["agents"][0]["name"], "Ada");
  EXPECT_EQ(get("/api/v1/adherence/history?from=2026-12-01&to=2026-12-01&agent=1", ada_).status,
            403);
  // Analysts read history, not the live board.
  EXPECT_EQ(get("/api/v1/adherence/live", ana_).status, 403);
  EXPECT_EQ(get("/api/v1/adherence/history?from=2026-12-01&to=2026-12-01", ana_).status, 200);
  // Bad ranges name the field.
  auto bad = get("/api/v1/adherence/history?from=2026-12-01&to=2026-11-01", sup_);
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.raw.find("\"to\""), std::string::npos);
  EXPECT_EQ(get("/api/v1/adherence/history?from=2026-02-30&to=2026-03-01", sup_).status, 400);
  EXPECT_EQ(get("/api/v1/adherence/history?to=2026-03-01", sup_).status, 400);
}

TEST_F(AdherenceApiTest, MonitorDeliversTransitionsOnceAndTheAlertFigureCountsThem) {
  // A second monitor on the same service, recording what it delivers.
  std::vector<adherence::Transition> seen;
  AdherenceOptions o;
  o.period = 0;
  AdherenceMonitor monitor(
      *center_->service, clock_, o,
      [&](const std::vector<adherence::Transition>& t, const std::vector<adherence::AgentStatus>&,
          Millis) { seen.insert(seen.end(), t.begin(), t.end()); });
  monitor.set_schedule_source(source());
  ASSERT_TRUE(monitor.start().ok());
  state(at(9, 0, 20), 0, {{"presence", "available"}});
  clock_.set(at(9, 5));
  ASSERT_TRUE(monitor.tick().ok());
  ASSERT_EQ(seen.size(), 1u);  // Bob out at 9:01; Ada's 20 s were forgiven
  EXPECT_EQ(seen[0].agent, 1u);
  EXPECT_TRUE(seen[0].out);
  EXPECT_EQ(seen[0].at, at(9, 1));
  ASSERT_TRUE(monitor.tick().ok());
  EXPECT_EQ(seen.size(), 1u);
  state(at(9, 6), 1, {{"presence", "available"}});
  ASSERT_TRUE(monitor.tick().ok());
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_FALSE(seen[1].out);
  EXPECT_EQ(seen[1].at, at(9, 6));
  // A restart of the monitor (a rebuild from the log) does not alert about the past again.
  AdherenceMonitor again(
      *center_->service, clock_, o,
      [&](const std::vector<adherence::Transition>& t, const std::vector<adherence::AgentStatus>&,
          Millis) { seen.insert(seen.end(), t.begin(), t.end()); });
  again.set_schedule_source(source());
  ASSERT_TRUE(again.start().ok());
  EXPECT_EQ(seen.size(), 2u);
  auto totals = again.totals();
  ASSERT_TRUE(totals.ok());
  EXPECT_EQ(totals->at({1, kDay}).out_of_adherence, 6 * kMillisPerMinute);
  monitor.stop();
  again.stop();

  // The live alert figure: a rule on agents_out_of_adherence fires while Ada is on a break
  // during work.
  auto rule = post("/api/v1/alert-rules", {{"name", "RTA"},
                                           {"metric", "agents_out_of_adherence"},
                                           {"comparison", "above"},
                                           {"threshold", 0}});
  ASSERT_EQ(rule.status, 201) << rule.raw;
  state(at(10), 0, {{"presence", "not_ready"}, {"reason", 1}});
  clock_.set(at(10, 3));
  ASSERT_TRUE(app_->alert_monitor()->tick().ok());
  auto active = get("/api/v1/alerts", sup_);
  ASSERT_EQ(active.status, 200) << active.raw;
  EXPECT_NE(active.raw.find("agents_out_of_adherence"), std::string::npos) << active.raw;
}

// In a center in Europe/Berlin, adherence history counts local days: Sunday 2026-10-25 has 25
// hours, and a shift across local midnight is split there (not at UTC midnight).
TEST(AdherenceApiZoneTest, HistoryDaysAreTheCentersLocalDaysAcrossTheDaylightSavingChange) {
  const Millis oct24 = reports::days_from_civil(2026, 10, 24) * kMillisPerDay;  // UTC midnight
  ManualClock clock;
  clock.set(oct24);
  TempDir dir;
  ApiOptions options;
  auto berlin = reports::TimeZone::parse("Europe/Berlin");
  ASSERT_TRUE(berlin.ok()) << berlin.status().message();
  options.time_zone = *berlin;
  options.adherence.period = 0;  // ticks only before answers
  testing::TestCenter center(dir.path().string(), clock, options);
  ASSERT_TRUE(center.status.ok()) << center.status.message();
  ApiApp& app = *center.app;
  accounts::NewUser u;
  u.username = "admin";
  u.password = "admin-password-1";
  u.role = accounts::Role::kAdmin;
  ASSERT_TRUE(center.accounts->create_user(u).ok());
  const std::string admin = testing::api_key_for(*center.accounts, "admin");
  auto post = [&](const std::string& target, const json& body) {
    return testing::call_api(app, "POST", target, admin, body.dump());
  };
  ASSERT_EQ(post("/api/v1/skills", {{"name", "billing"}}).status, 201);
  ASSERT_EQ(post("/api/v1/profiles", {{"name", "voice"}, {"capacity", {{"voice", 1}}}}).status,
            201);
  ASSERT_EQ(post("/api/v1/queues", {{"name", "Billing"}}).status, 201);
  for (const char* name : {"Ada", "Bob"})
    ASSERT_EQ(post("/api/v1/agents", {{"name", name},
                                      {"profile", 0},
                                      {"skills", {{{"skill", 0}, {"proficiency", 5}}}},
                                      {"queues", {{{"queue", 0}, {"tier", 1}}}}})
                  .status,
              201);
  // Bob: 00:00-04:00 local on the 25th (22:00 UTC on the 24th to 03:00 UTC: five hours, the
  // clocks go back at 03:00). Ada: 22:00 on the 25th to 02:00 on the 26th (21:00-01:00 UTC).
  const Millis h = kMillisPerHour;
  wfmstore::Schedule s;
  s.header.name = "October change";
  s.header.time_zone = "Europe/Berlin";
  s.header.start = oct24 + 22 * h;  // local midnight of the 25th
  s.header.interval_minutes = 60;
  s.header.required.assign(25 + 24, 0.0);
  s.agents = {"Ada", "Bob"};
  s.activities.push_back({.id = 0,
                          .schedule_id = 0,
                          .agent = "Bob",
                          .kind = wfmstore::ActivityKind::kWork,
                          .start = oct24 + 22 * h,
                          .end = oct24 + 27 * h,
                          .label = ""});
  s.activities.push_back({.id = 0,
                          .schedule_id = 0,
                          .agent = "Ada",
                          .kind = wfmstore::ActivityKind::kWork,
                          .start = oct24 + 45 * h,
                          .end = oct24 + 49 * h,
                          .label = ""});
  auto published = testing::publish_schedule(app, s, admin, clock.now());
  ASSERT_EQ(published.status, 200) << published.raw;
  app.adherence_monitor()->schedule_changed();
  clock.set(oct24 + 4 * kMillisPerDay);

  auto day25 = testing::call_api(app, "GET",
                                 "/api/v1/adherence/history?from=2026-10-25&to=2026-10-25", admin);
  ASSERT_EQ(day25.status, 200) << day25.raw;
  EXPECT_EQ(day25.body["time_zone"], "Europe/Berlin");
  EXPECT_EQ(day25.body["from"], "2026-10-25");
  EXPECT_EQ(day25.body["to"], "2026-10-25");
  ASSERT_EQ(day25.body["days"].size(), 2u) << day25.raw;
  for (const json& row : day25.body["days"]) {
    EXPECT_EQ(row["day"], "2026-10-25");
    // Bob's whole five hours; Ada's two hours before local midnight.
    EXPECT_EQ(row["scheduled_s"], row["name"] == "Bob" ? 5 * 3600.0 : 2 * 3600.0) << row.dump();
    EXPECT_EQ(row["out_of_adherence_s"], row["scheduled_s"]);  // nobody logged in
  }
  auto day26 = testing::call_api(app, "GET",
                                 "/api/v1/adherence/history?from=2026-10-26&to=2026-10-26", admin);
  ASSERT_EQ(day26.status, 200) << day26.raw;
  // Ada's two hours after local midnight; Bob has nothing scheduled that day.
  for (const json& row : day26.body["days"]) {
    EXPECT_EQ(row["day"], "2026-10-26");
    EXPECT_EQ(row["scheduled_s"], row["name"] == "Ada" ? 2 * 3600.0 : 0.0) << row.dump();
  }
  EXPECT_EQ(day26.body["total"]["scheduled_s"], 2 * 3600.0);
  // The 24th has nothing local (Bob's shift starts at local midnight of the 25th).
  auto day24 = testing::call_api(app, "GET",
                                 "/api/v1/adherence/history?from=2026-10-24&to=2026-10-24", admin);
  EXPECT_EQ(day24.body["days"].size(), 0u) << day24.raw;
  center.stop();
}

}  // namespace
}  // namespace sb::api
