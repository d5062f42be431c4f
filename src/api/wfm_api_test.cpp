// The workforce-management routes (/api/v1/wfm/...) on a real CenterService, Accounts and
// Directory, with a fixed clock and a reports read model fed with imported history.

#include <gtest/gtest.h>

#include <future>
#include <map>
#include <set>

#include "../../tests/store/temp_dir.h"
#include "api/api_app.h"
#include "api/api_test_client.h"
#include "api/test_center.h"
#include "reports/report_query.h"
#include "wfm/series.h"

namespace sb::api {
namespace {

using store_testing::TempDir;

constexpr Millis kMin = kMillisPerMinute;
const wfm::Date kMarch2 = *wfm::parse_date("2026-03-02");  // a Monday

Millis at(wfm::Date day, int minute) {
  return static_cast<Millis>(day) * kMillisPerDay + minute * kMin;
}

class WfmApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    clock_.set(at(kMarch2, 6 * 60));
    center_ = std::make_unique<testing::TestCenter>(dir_.path().string(), clock_);
    ASSERT_TRUE(center_->status.ok()) << center_->status.message();
    app_ = center_->app.get();
    ASSERT_NE(app_->schedule_store(), nullptr) << app_->wfm_status().message();
    auto reports = reports::ReportStore::open(":memory:");
    ASSERT_TRUE(reports.ok());
    reports_ = std::move(*reports);
    app_->set_report_store(reports_.get());
    for (auto [name, role] :
         {std::pair{"admin", accounts::Role::kAdmin}, std::pair{"sup", accounts::Role::kSupervisor},
          std::pair{"ana", accounts::Role::kAnalyst}}) {
      accounts::NewUser u;
      u.username = name;
      u.password = std::string(name) + "-password-1";
      u.role = role;
      ASSERT_TRUE(center_->accounts->create_user(u).ok());
      keys_[name] = key_for(name);
    }
  }
  void TearDown() override { center_->stop(); }

  std::string key_for(const std::string& username) {
    std::string key = testing::api_key_for(*center_->accounts, username);
    EXPECT_FALSE(key.empty()) << username;
    return key;
  }

  using Answer = testing::Answer;
  Answer call(const std::string& method, const std::string& target, const std::string& who,
              const std::string& body = "") {
    return testing::call_api(*app_, method, target, keys_.at(who), body);
  }
  Answer post(const std::string& target, const json& body, const std::string& who = "admin") {
    return call("POST", target, who, body.dump());
  }
  Answer get(const std::string& target, const std::string& who = "admin") {
    return call("GET", target, who);
  }

  // `count` answered calls (100 s talk) starting at `start`, into the reports read model.
  void feed(const std::string& queue, Millis start, int count, bool abandoned = false,
            Millis wait = 0) {
    std::vector<Event> batch;
    for (int i = 0; i < count; ++i) {
      auto c = std::make_shared<ImportedContact>();
      c->source = "test";
      c->external_id = std::to_string(seq_);
      c->arrived_at = start + i * 10 * kMillisPerSecond;
      c->queue = queue;
      c->agent = abandoned ? "" : "Ada";
      c->outcome = abandoned ? ImportOutcome::kAbandoned : ImportOutcome::kAnswered;
      c->wait = wait;
      c->talk = abandoned ? 0 : 100 * kMillisPerSecond;
      batch.push_back(
          Event{.seq = ++seq_, .at = c->arrived_at, .payload = ev::ContactImported{.record = c}});
    }
    ASSERT_TRUE(reports_->ingest(batch).ok());
  }

  // An agent "Ada" with a user "ada" linked to her.
  void seed_agent() {
    ASSERT_EQ(post("/api/v1/skills", {{"name", "billing"}}).status, 201);
    ASSERT_EQ(post("/api/v1/profiles", {{"name", "voice"}, {"capacity", {{"voice", 1}}}}).status,
              201);
    ASSERT_EQ(post("/api/v1/queues", {{"name", "Billing"}, {"sl_threshold_s", 20}}).status, 201);
    auto a = post("/api/v1/agents", {{"name", "Ada"},
                                     {"profile", 0},
                                     {"skills", {{{"skill", 0}, {"proficiency", 7}}}},
                                     {"queues", {{{"queue", 0}, {"tier", 1}}}}});
    ASSERT_EQ(a.status, 201) << a.raw;
    auto u = post(
        "/api/v1/users",
        {{"username", "ada"}, {"password", "ada-password-1"}, {"role", "agent"}, {"agent_id", 0}});
    ASSERT_EQ(u.status, 201) << u.raw;
    keys_["ada"] = key_for("ada");
  }

  // A three-agent day: 2 needed 09:00-17:00 on 2026-03-02 and 03-03, one 8-hour template with
  // a 30-minute lunch.
  json schedule_request() {
    json required = json::array();
    for (int d = 0; d < 2; ++d)
      for (int i = 0; i < 48; ++i) required.push_back(i >= 18 && i < 34 ? 2 : 0);
    return {{"name", "early March"},
            {"team", "blue"},
            {"start_date", "2026-03-02"},
            {"days", 2},
            {"interval_minutes", 30},
            {"requirement", {{"required", required}}},
            {"templates",
             {{{"name", "day"},
               {"length", "8:00"},
               {"earliest_start", "08:00"},
               {"latest_start", "10:00"},
               {"breaks",
                {{{"name", "lunch"},
                  {"length_min", 30},
                  {"earliest_after_min", 180},
                  {"latest_after_min", 300},
                  {"paid", false}}}}}}},
            {"agents",
             {{{"id", "Ada"}, {"max_hours", 16}},
              {{"id", "Bo"}, {"max_hours", 16}},
              {{"id", "Cy"}, {"max_hours", 16}}}},
            {"greedy", true}};
  }

  ManualClock clock_;
  TempDir dir_;
  std::unique_ptr<testing::TestCenter> center_;
  std::unique_ptr<reports::ReportStore> reports_;
  ApiApp* app_ = nullptr;
  std::map<std::string, std::string> keys_;
  std::uint64_t seq_ = 0;
};

TEST_F(WfmApiTest, ForecastFromReportsHistoryIsPublishedAndScored) {
  // Three weeks before 2026-03-02, every day 09:00-10:00 in 30-minute intervals: 10 + week in
  // the first half hour, 20 + week in the second.
  for (int k = 0; k < 21; ++k)
    for (int s = 0; s < 2; ++s)
      feed("sales", at(kMarch2 - 21 + k, 9 * 60 + 30 * s), 10 * (s + 1) + k / 7);
  auto f = post("/api/v1/wfm/forecasts",
                {{"queue", "sales"},
                 {"horizon_days", 7},
                 {"history_days", 21},
                 {"method", "seasonal_naive"},
                 {"outlier_z", 0}},
                "ana");
  ASSERT_EQ(f.status, 201) << f.raw;
  EXPECT_EQ(f.body["method"], "seasonal_naive");
  EXPECT_EQ(f.body["source"], "reports");
  EXPECT_EQ(f.body["interval_minutes"], 30);
  ASSERT_EQ(f.body["intervals"].size(), 14u);  // 7 days x 2 intervals
  EXPECT_EQ(f.body["intervals"][0]["start"], at(kMarch2, 9 * 60));
  EXPECT_EQ(f.body["intervals"][0]["volume"], 12);
  EXPECT_EQ(f.body["intervals"][1]["volume"], 22);
  EXPECT_EQ(f.body["intervals"][0]["aht_s"], 100);
  EXPECT_EQ(f.body["intervals"][0]["horizon_days"], 0);
  EXPECT_EQ(f.body["intervals"][2]["horizon_days"], 1);
  EXPECT_EQ(f.body["total_volume"], 7 * 34);
  EXPECT_EQ(f.body["mase_scale"], 1);
  const std::string id = std::to_string(f.body["id"].get<std::int64_t>());

  auto list = get("/api/v1/wfm/forecasts?queue=sales", "sup");
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.body["forecasts"].size(), 1u);
  EXPECT_FALSE(list.body["forecasts"][0].contains("intervals"));
  EXPECT_EQ(get("/api/v1/wfm/forecasts?queue=other").body["forecasts"].size(), 0u);

  // Monday happens: 15 and 22 against 12 and 22.
  feed("sales", at(kMarch2, 9 * 60), 15);
  feed("sales", at(kMarch2, 9 * 60 + 30), 22);
  auto pending = get("/api/v1/wfm/forecasts/" + id + "/accuracy");
  ASSERT_EQ(pending.status, 200) << pending.raw;
  EXPECT_EQ(pending.body["overall"]["intervals"], 0);  // 06:00: nothing is over yet
  EXPECT_EQ(pending.body["intervals_pending"], 14);
  clock_.set(at(kMarch2 + 1, 0));
  auto acc = get("/api/v1/wfm/forecasts/" + id + "/accuracy", "ana");
  ASSERT_EQ(acc.status, 200) << acc.raw;
  const json& o = acc.body["overall"];
  EXPECT_EQ(o["intervals"], 2);
  EXPECT_NEAR(o["mape"].get<double>(), 100.0 * (3.0 / 15) / 2, 1e-9);
  EXPECT_NEAR(o["wmape"].get<double>(), 100.0 * 3 / 37, 1e-9);
  EXPECT_NEAR(o["bias"].get<double>(), 100.0 * (34.0 - 37) / 37, 1e-9);
  EXPECT_NEAR(o["mase"].get<double>(), 1.5, 1e-9);  // MAE 1.5 / in-sample naive MAE 1
  ASSERT_EQ(acc.body["by_horizon"].size(), 1u);
  EXPECT_EQ(acc.body["by_horizon"][0]["horizon_days"], 0);
  EXPECT_EQ(acc.body["intervals_pending"], 12);
  auto pooled = get("/api/v1/wfm/accuracy?queue=sales");
  ASSERT_EQ(pooled.status, 200) << pooled.raw;
  EXPECT_EQ(pooled.body["overall"]["wmape"], o["wmape"]);
  EXPECT_EQ(get("/api/v1/wfm/accuracy").status, 400);

  auto one = get("/api/v1/wfm/forecasts/" + id);
  ASSERT_EQ(one.status, 200);
  EXPECT_EQ(one.body["intervals"].size(), 14u);
  // The week before and Monday's actuals, for the chart.
  EXPECT_EQ(one.body["actuals"].size(), 7u * 2 + 2);
  EXPECT_EQ(get("/api/v1/wfm/forecasts/999").status, 404);
}

TEST_F(WfmApiTest, StaffingAndWhatIfAgreeWithTheWorkedExample) {
  // Call Centre Helper's example: 100 calls in 30 minutes, AHT 180 s, 80 % in 20 s -> 14 agents
  // (SL 88.8 %), 30 % shrinkage -> 20 scheduled. History uploaded as CSV: two weeks of it.
  std::string csv = "start,volume,aht_s\n";
  for (int d = 1; d <= 14; ++d)
    for (int m : {9 * 60, 9 * 60 + 30}) csv += wfm::format_local(kMarch2 - d, m) + ",100,180\n";
  auto f = post("/api/v1/wfm/forecasts", {{"queue", "billing"},
                                          {"horizon_days", 1},
                                          {"history_csv", csv},
                                          {"method", "seasonal_naive"}});
  ASSERT_EQ(f.status, 201) << f.raw;
  EXPECT_EQ(f.body["source"], "csv");
  ASSERT_EQ(f.body["intervals"].size(), 2u);
  EXPECT_EQ(f.body["interval_minutes"], 30);
  const std::string id = std::to_string(f.body["id"].get<std::int64_t>());

  auto s = post("/api/v1/wfm/forecasts/" + id + "/staffing",
                {{"threshold_s", 20}, {"target_sl", 0.8}, {"shrinkage", 0.3}}, "sup");
  ASSERT_EQ(s.status, 200) << s.raw;
  ASSERT_EQ(s.body["rows"].size(), 2u);
  const json& row = s.body["rows"][0];
  EXPECT_EQ(row["required"], 14);
  EXPECT_EQ(row["scheduled"], 20);
  EXPECT_NEAR(row["service_level"].get<double>(), 0.888, 0.001);
  EXPECT_NEAR(row["load_erlangs"].get<double>(), 10, 1e-9);
  EXPECT_EQ(s.body["peak_scheduled"], 20);
  EXPECT_EQ(row["p_abandon"], nullptr);

  auto w = post("/api/v1/wfm/forecasts/" + id + "/staffing",
                {{"shrinkage", 0.3}, {"what_if", {{"headcount", 20}}}});
  ASSERT_EQ(w.status, 200) << w.raw;
  EXPECT_EQ(w.body["what_if"], true);
  EXPECT_EQ(w.body["rows"][0]["agents"], 14);  // 20 less 30 % shrinkage, rounded down
  EXPECT_NEAR(w.body["rows"][0]["service_level"].get<double>(), 0.888, 0.001);
  auto busier =
      post("/api/v1/wfm/forecasts/" + id + "/staffing",
           {{"shrinkage", 0.3}, {"what_if", {{"headcount", 20}, {"volume_factor", 1.2}}}});
  ASSERT_EQ(busier.status, 200);
  EXPECT_LT(busier.body["rows"][0]["service_level"].get<double>(),
            w.body["rows"][0]["service_level"].get<double>());

  auto a = post("/api/v1/wfm/forecasts/" + id + "/staffing",
                {{"model", "erlang_a"}, {"patience_s", 120}});
  ASSERT_EQ(a.status, 200) << a.raw;
  EXPECT_LE(a.body["rows"][0]["required"].get<int>(), 14);  // abandons relieve the queue
  EXPECT_TRUE(a.body["rows"][0]["p_abandon"].is_number());

  // Bad input.
  // Without a patience, Erlang A estimates it from the abandons of the read model over the
  // forecast's history: an uploaded CSV has none there, so that is a clear 400.
  auto no_patience = post("/api/v1/wfm/forecasts/" + id + "/staffing", {{"model", "erlang_a"}});
  EXPECT_EQ(no_patience.status, 400);
  EXPECT_NE(no_patience.body["detail"].get<std::string>().find("patience_s"), std::string::npos)
      << no_patience.raw;
  EXPECT_EQ(post("/api/v1/wfm/forecasts/" + id + "/staffing", {{"target_sl", 2}}).status, 400);
  EXPECT_EQ(post("/api/v1/wfm/forecasts/" + id + "/staffing", {{"shrinkage", -0.1}}).status, 400);
}

// Staffing by simulation on the live configuration: two queues with specialists and
// cross-skilled agents, one forecast each (one 30-minute interval, Call Centre Helper's 100
// calls at 180 s: Erlang C says 14 agents each).
class WfmSimulationTest : public WfmApiTest {
 protected:
  // Queues billing (0) and tech (1); groups "bill" (billing only), "tech" (tech only) and, with
  // `cross_skilled`, "both".
  void seed_center(bool cross_skilled) {
    ASSERT_EQ(post("/api/v1/profiles", {{"name", "voice"}, {"capacity", {{"voice", 1}}}}).status,
              201);
    for (const char* q : {"billing", "tech"})
      ASSERT_EQ(
          post("/api/v1/queues", {{"name", q}, {"sl_threshold_s", 20}, {"sl_target", 0.8}}).status,
          201);
    auto agent = [&](const std::string& name, std::vector<int> queues) {
      json ms = json::array();
      for (int q : queues) ms.push_back({{"queue", q}, {"tier", 1}});
      auto a = post("/api/v1/agents", {{"name", name}, {"profile", 0}, {"queues", ms}});
      ASSERT_EQ(a.status, 201) << a.raw;
    };
    agent("bill-1", {0});
    agent("tech-1", {1});
    if (cross_skilled) agent("both-1", {0, 1});
  }
  // A published forecast of `queue`: 100 calls at 180 s in the 09:00 interval of 2026-03-02.
  std::int64_t forecast(const std::string& queue, int interval_minutes = 30) {
    std::string csv = "start,volume,aht_s\n";
    for (int d = 1; d <= 14; ++d) csv += wfm::format_local(kMarch2 - d, 9 * 60) + ",100,180\n";
    // A second interval in the history fixes the interval length.
    for (int d = 1; d <= 14; ++d)
      csv += wfm::format_local(kMarch2 - d, 9 * 60 + interval_minutes) + ",0,180\n";
    auto f = post("/api/v1/wfm/forecasts", {{"queue", queue},
                                            {"horizon_days", 1},
                                            {"history_csv", csv},
                                            {"method", "seasonal_naive"}});
    EXPECT_EQ(f.status, 201) << f.raw;
    return f.body.value("id", std::int64_t{0});
  }
  // A user "agent" with the agent role, linked to agent 0.
  void seed_agent_user() {
    auto u = post("/api/v1/users", {{"username", "agent"},
                                    {"password", "agent-password-1"},
                                    {"role", "agent"},
                                    {"agent_id", 0}});
    ASSERT_EQ(u.status, 201) << u.raw;
    keys_["agent"] = key_for("agent");
  }
};

TEST_F(WfmSimulationTest, SingleSkillQueueAgreesWithErlangC) {
  seed_center(false);
  const auto id = forecast("billing");
  auto erlang = post("/api/v1/wfm/forecasts/" + std::to_string(id) + "/staffing",
                     {{"threshold_s", 20}, {"target_sl", 0.8}});
  ASSERT_EQ(erlang.status, 200) << erlang.raw;
  const int erlang_c = erlang.body["rows"][0]["required"];
  ASSERT_EQ(erlang_c, 14);

  auto s = post("/api/v1/wfm/staffing/simulation",
                {{"queues", {"billing"}},
                 {"replications", 8},
                 {"calls_per_replication", 4000},
                 {"seed", 3},
                 {"shrinkage", 0.3}},
                "ana");
  ASSERT_EQ(s.status, 200) << s.raw;
  EXPECT_EQ(s.body["method"], "simulation");
  EXPECT_EQ(s.body["interval_minutes"], 30);
  EXPECT_EQ(s.body["start_date"], "2026-03-02");
  ASSERT_EQ(s.body["forecasts"].size(), 1u);
  EXPECT_EQ(s.body["forecasts"][0]["forecast_id"], id);
  ASSERT_EQ(s.body["groups"].size(), 2u);  // bill, tech (tech has no volume)
  EXPECT_EQ(s.body["groups"][0]["name"], "bill");
  EXPECT_EQ(s.body["groups"][0]["queues"], json({"billing"}));
  // The 09:00 interval with volume, and the idle 09:30 one.
  ASSERT_EQ(s.body["rows"].size(), 2u);
  const json& row = s.body["rows"][0];
  EXPECT_EQ(row["start"], at(kMarch2, 9 * 60));
  const int agents = row["agents"][0];
  // The simulation's answer is Erlang C's, or one off where Erlang C's SL at the boundary lies
  // inside the simulation's confidence interval (sim_staffing_test checks the same case).
  EXPECT_LE(std::abs(agents - erlang_c), 1) << row.dump();
  EXPECT_EQ(row["agents"][1], 0);
  EXPECT_EQ(row["total_agents"], agents);
  EXPECT_EQ(row["scheduled"][0], static_cast<int>(std::ceil(agents / 0.7 - 1e-9)));
  EXPECT_EQ(row["erlang_c_separate"], erlang_c);
  const json& billing = row["queues"][0];
  EXPECT_EQ(billing["queue"], "billing");
  EXPECT_EQ(billing["erlang_c_alone"], erlang_c);
  EXPECT_NEAR(billing["load_erlangs"].get<double>(), 10, 1e-9);
  EXPECT_TRUE(billing["met"].get<bool>());
  EXPECT_GE(billing["service_level"].get<double>(), 0.8);
  EXPECT_GT(billing["asa_s"].get<double>(), 0);
  EXPECT_EQ(billing["abandon_rate"], 0);  // no patience given: nobody hangs up
  EXPECT_GT(row["occupancy"].get<double>(), 0.6);
  EXPECT_LE(row["occupancy"].get<double>(), 1.0);
  EXPECT_EQ(row["queues"][1]["service_level"], nullptr);  // tech: no forecast, no volume
  EXPECT_EQ(s.body["rows"][1]["total_agents"], 0);
  EXPECT_EQ(s.body["rows"][1]["evaluations"], 0);
  // Same request, same answer (seeded).
  auto again = post("/api/v1/wfm/staffing/simulation", {{"queues", {"billing"}},
                                                        {"replications", 8},
                                                        {"calls_per_replication", 4000},
                                                        {"seed", 3},
                                                        {"shrinkage", 0.3}});
  ASSERT_EQ(again.status, 200);
  EXPECT_EQ(again.body["rows"], s.body["rows"]);

  // Customers with a patience abandon, which the simulation reports.
  auto impatient = post("/api/v1/wfm/staffing/simulation",
                        {{"queues", {"billing"}}, {"patience_s", 30}, {"seed", 3}});
  ASSERT_EQ(impatient.status, 200) << impatient.raw;
  EXPECT_GT(impatient.body["rows"][0]["queues"][0]["abandon_rate"].get<double>(), 0);
}

TEST_F(WfmSimulationTest, CrossSkilledAgentsNeedFewerThanSeparateErlangCPools) {
  seed_center(true);
  forecast("billing");
  forecast("tech");
  // Every queue with a forecast by default.
  auto s = post("/api/v1/wfm/staffing/simulation",
                {{"replications", 8},
                 {"calls_per_replication", 4000},
                 {"seed", 11},
                 {"require_confidence", true}},
                "sup");
  ASSERT_EQ(s.status, 200) << s.raw;
  ASSERT_EQ(s.body["forecasts"].size(), 2u);
  ASSERT_EQ(s.body["groups"].size(), 3u);
  EXPECT_EQ(s.body["groups"][2]["name"], "both");
  EXPECT_EQ(s.body["groups"][2]["queues"], json({"billing", "tech"}));
  const json& row = s.body["rows"][0];
  EXPECT_EQ(row["erlang_c_separate"], 28);  // 14 + 14
  // Pooling: the cross-skilled agents take either queue, so fewer agents meet both goals
  // than two pools of their own would need.
  EXPECT_LT(row["total_agents"].get<int>(), 28) << row.dump();
  EXPECT_GT(row["agents"][2].get<int>(), 0) << row.dump();
  EXPECT_TRUE(row["meets_goals"].get<bool>());
  for (const json& q : row["queues"]) {
    EXPECT_TRUE(q["met"].get<bool>()) << q.dump();
    EXPECT_GE(q["service_level"].get<double>() - q["sl_ci95"].get<double>(), 0.8) << q.dump();
  }
  EXPECT_EQ(s.body["peak_agents"], row["total_agents"]);
  EXPECT_GT(s.body["evaluations"].get<int>(), 0);
}

TEST_F(WfmSimulationTest, BadRequestsAreClearProblems) {
  seed_center(false);
  const auto billing = forecast("billing");
  const std::string route = "/api/v1/wfm/staffing/simulation";
  auto detail_has = [](const Answer& a, const std::string& text) {
    return a.raw.find(text) != std::string::npos;
  };
  // A queue without a forecast, an unknown queue.
  auto none = post(route, {{"queues", {"tech"}}});
  ASSERT_EQ(none.status, 400) << none.raw;
  EXPECT_TRUE(detail_has(none, "'tech' has no published forecast")) << none.raw;
  auto unknown = post(route, {{"queues", {"billing", "nope"}}});
  ASSERT_EQ(unknown.status, 400);
  EXPECT_EQ(unknown.body["errors"][0]["field"], "queues[1]");
  EXPECT_TRUE(detail_has(unknown, "unknown queue 'nope'")) << unknown.raw;
  // A forecast of a queue the center does not have; an id that does not exist.
  const auto stranger = forecast("elsewhere");
  auto foreign = post(route, {{"forecasts", {billing, stranger}}});
  ASSERT_EQ(foreign.status, 400);
  EXPECT_TRUE(detail_has(foreign, "not a queue of the center")) << foreign.raw;
  EXPECT_EQ(post(route, {{"forecasts", {999}}}).status, 400);
  // Horizon too long: 3 days of 30-minute intervals are 144 > 96.
  auto long_run = post(route, {{"queues", {"billing"}}, {"days", 3}});
  ASSERT_EQ(long_run.status, 400);
  EXPECT_TRUE(detail_has(long_run, "horizon too long")) << long_run.raw;
  EXPECT_EQ(long_run.body["errors"][0]["field"], "days");
  // Out of range settings, a period outside the forecast.
  auto ranges = post(route, {{"replications", 1000},
                             {"calls_per_replication", 10},
                             {"target_sl", 1.5},
                             {"channel", "pigeon"}});
  ASSERT_EQ(ranges.status, 400);
  std::set<std::string> fields;
  for (const auto& e : ranges.body["errors"]) fields.insert(e["field"]);
  EXPECT_EQ(fields, (std::set<std::string>{"replications", "calls_per_replication", "target_sl",
                                           "channel"}));
  auto outside = post(route, {{"start_date", "2026-04-01"}});
  ASSERT_EQ(outside.status, 400);
  EXPECT_EQ(outside.body["errors"][0]["field"], "start_date");
  // Mixed interval lengths.
  const auto hourly = forecast("tech", 60);
  auto mixed = post(route, {{"forecasts", {billing, hourly}}});
  ASSERT_EQ(mixed.status, 400);
  EXPECT_TRUE(detail_has(mixed, "different interval lengths")) << mixed.raw;
  // Agents may not plan.
  seed_agent_user();
  EXPECT_EQ(post(route, json::object(), "agent").status, 403);
}

TEST_F(WfmSimulationTest, ACenterWithoutAgentsOrWithAnUnservedQueueIsAClearProblem) {
  ASSERT_EQ(post("/api/v1/queues", {{"name", "billing"}}).status, 201);
  forecast("billing");
  auto empty = post("/api/v1/wfm/staffing/simulation", json::object());
  ASSERT_EQ(empty.status, 400) << empty.raw;
  EXPECT_NE(empty.raw.find("no agents"), std::string::npos) << empty.raw;
  // An agent who is not a member of the queue with the volume.
  ASSERT_EQ(post("/api/v1/queues", {{"name", "tech"}}).status, 201);
  ASSERT_EQ(post("/api/v1/profiles", {{"name", "voice"}, {"capacity", {{"voice", 1}}}}).status,
            201);
  auto t = post("/api/v1/agents",
                {{"name", "t-1"}, {"profile", 0}, {"queues", {{{"queue", 1}, {"tier", 1}}}}});
  ASSERT_EQ(t.status, 201) << t.raw;
  auto unserved = post("/api/v1/wfm/staffing/simulation", json::object());
  ASSERT_EQ(unserved.status, 400) << unserved.raw;
  EXPECT_NE(unserved.raw.find("'billing' has volume but no agent group can take it"),
            std::string::npos)
      << unserved.raw;
}

TEST_F(WfmApiTest, ErlangAEstimatesPatienceFromTheAbandonsInTheHistory) {
  // Two weeks: each day at 09:00, 10 answered after 20 s and 2 abandoned after 60 s: 320 s in
  // queue per 2 abandons, a mean patience of 160 s.
  for (int k = 1; k <= 14; ++k) {
    feed("care", at(kMarch2 - k, 9 * 60), 10, false, 20 * kMillisPerSecond);
    feed("care", at(kMarch2 - k, 9 * 60 + 5), 2, true, 60 * kMillisPerSecond);
  }
  auto f =
      post("/api/v1/wfm/forecasts", {{"queue", "care"}, {"horizon_days", 1}, {"history_days", 14}});
  ASSERT_EQ(f.status, 201) << f.raw;
  const std::string id = std::to_string(f.body["id"].get<std::int64_t>());
  auto a = post("/api/v1/wfm/forecasts/" + id + "/staffing", {{"model", "erlang_a"}});
  ASSERT_EQ(a.status, 200) << a.raw;
  EXPECT_NEAR(a.body["patience_s"].get<double>(), 160, 1e-6);
  EXPECT_EQ(a.body["patience_estimate"]["abandons"], 28);
  EXPECT_EQ(a.body["patience_estimate"]["calls"], 168);
  // A given patience is used as is.
  auto given = post("/api/v1/wfm/forecasts/" + id + "/staffing",
                    {{"model", "erlang_a"}, {"patience_s", 30}});
  ASSERT_EQ(given.status, 200);
  EXPECT_EQ(given.body["patience_s"], 30);
  EXPECT_EQ(given.body["patience_estimate"], nullptr);
}

TEST_F(WfmApiTest, PredictionIntervalsOnRequestAreStoredAndServed) {
  // Five weeks of 09:00-11:00 in 30-minute intervals with a deterministic wobble around 50.
  std::string csv = "start,volume\n";
  for (int d = 35; d >= 1; --d)
    for (int k = 0; k < 4; ++k)
      csv += wfm::format_local(kMarch2 - d, 9 * 60 + 30 * k) + "," +
             std::to_string(50 + (d * 7 + k * 13) % 11 - 5) + "\n";
  auto f = post("/api/v1/wfm/forecasts", {{"queue", "sales"},
                                          {"horizon_days", 7},
                                          {"history_csv", csv},
                                          {"method", "weekday_mean"},
                                          {"intervals", true}});
  ASSERT_EQ(f.status, 201) << f.raw;
  EXPECT_EQ(f.body["details"]["interval_basis"], "backtest");
  EXPECT_GT(f.body["details"]["interval_errors"].get<int>(), 0);
  const json& rows = f.body["intervals"];
  ASSERT_EQ(rows.size(), 7u * 4);
  bool some_width = false;
  for (const json& i : rows) {
    ASSERT_TRUE(i["lo80"].is_number() && i["hi80"].is_number() && i["lo95"].is_number() &&
                i["hi95"].is_number())
        << i.dump();
    const double lo95 = i["lo95"], lo80 = i["lo80"], hi80 = i["hi80"], hi95 = i["hi95"];
    EXPECT_GE(lo95, 0) << i.dump();
    EXPECT_LE(lo95, lo80) << i.dump();
    EXPECT_LE(lo80, hi80) << i.dump();
    EXPECT_LE(hi80, hi95) << i.dump();
    // The wobble is +-5 around 50: the bands bracket the forecast and stay within reason.
    EXPECT_LE(lo80, i["volume"].get<double>() + 1e-9) << i.dump();
    EXPECT_GE(hi80, i["volume"].get<double>() - 1e-9) << i.dump();
    EXPECT_LT(hi95 - lo95, 50) << i.dump();
    some_width = some_width || hi95 - lo95 > 1;
  }
  EXPECT_TRUE(some_width);
  // Stored with the forecast: the GET serves the same bounds.
  auto again = get("/api/v1/wfm/forecasts/" + std::to_string(f.body["id"].get<std::int64_t>()));
  ASSERT_EQ(again.status, 200);
  for (std::size_t k = 0; k < rows.size(); ++k)
    for (const char* b : {"lo80", "hi80", "lo95", "hi95"})
      EXPECT_NEAR(again.body["intervals"][k][b].get<double>(), rows[k][b].get<double>(), 1e-9);
  // Without the request there are none (and no extra back-test).
  auto plain = post(
      "/api/v1/wfm/forecasts",
      {{"queue", "sales"}, {"horizon_days", 1}, {"history_csv", csv}, {"method", "weekday_mean"}});
  ASSERT_EQ(plain.status, 201);
  EXPECT_EQ(plain.body["intervals"][0]["lo80"], nullptr);
  EXPECT_FALSE(plain.body["details"].contains("interval_basis"));
  EXPECT_EQ(post("/api/v1/wfm/forecasts",
                 {{"queue", "sales"}, {"horizon_days", 1}, {"history_csv", csv}, {"intervals", 1}})
                .status,
            400);
}

TEST_F(WfmApiTest, BadForecastInputIsAClearProblem) {
  auto negative =
      post("/api/v1/wfm/forecasts",
           {{"queue", "q"},
            {"horizon_days", 1},
            {"history_csv", "start,volume\n2026-02-02T09:00,5\n2026-02-02T09:30,-3\n"}});
  ASSERT_EQ(negative.status, 400) << negative.raw;
  EXPECT_NE(negative.body["detail"].get<std::string>().find("history_csv:3"), std::string::npos)
      << negative.raw;
  auto empty = post("/api/v1/wfm/forecasts", {{"queue", "nobody"}, {"horizon_days", 7}});
  ASSERT_EQ(empty.status, 400) << empty.raw;
  EXPECT_NE(empty.body["detail"].get<std::string>().find("empty history"), std::string::npos);
  auto fields = post("/api/v1/wfm/forecasts", {{"horizon_days", 0},
                                               {"interval_minutes", 20},
                                               {"method", "crystal_ball"},
                                               {"time_zone", "Mars/Base"}});
  ASSERT_EQ(fields.status, 400);
  std::set<std::string> names;
  for (const auto& e : fields.body["errors"]) names.insert(e["field"]);
  EXPECT_EQ(names, (std::set<std::string>{"queue", "horizon_days", "interval_minutes", "method",
                                          "time_zone"}));
  EXPECT_EQ(call("POST", "/api/v1/wfm/forecasts", "admin", "not json").status, 400);
}

TEST_F(WfmApiTest, ScheduleGenerateEditPublishAndTheAgentSeesIt) {
  seed_agent();
  // Agents may not plan or read the team schedule.
  EXPECT_EQ(post("/api/v1/wfm/schedules", schedule_request(), "ada").status, 403);
  EXPECT_EQ(get("/api/v1/wfm/schedules", "ada").status, 403);

  auto s = post("/api/v1/wfm/schedules", schedule_request(), "ana");
  ASSERT_EQ(s.status, 201) << s.raw;
  EXPECT_EQ(s.body["state"], "draft");
  EXPECT_EQ(s.body["solver"]["solver"], "greedy");
  const std::string id = std::to_string(s.body["id"].get<std::int64_t>());
  const json& cov = s.body["coverage"]["intervals"];
  ASSERT_EQ(cov.size(), 96u);
  // Coverage recomputed here from the activities: work minutes per 30-minute interval.
  auto recount = [](const json& schedule) {
    std::vector<double> c(96, 0.0);
    const Millis start = schedule["start"];
    for (const auto& a : schedule["activities"]) {
      if (a["kind"] != "work") continue;
      for (Millis t = a["start"].get<Millis>(); t < a["end"].get<Millis>(); t += kMin)
        c[static_cast<std::size_t>((t - start) / (30 * kMin))] += 1.0 / 30;
    }
    return c;
  };
  auto check_coverage = [&](const json& schedule) {
    auto c = recount(schedule);
    double under = 0;
    for (std::size_t i = 0; i < 96; ++i) {
      const json& row = schedule["coverage"]["intervals"][i];
      EXPECT_NEAR(row["scheduled"].get<double>(), c[i], 1e-9) << i;
      EXPECT_NEAR(row["difference"].get<double>(), c[i] - row["required"].get<double>(), 1e-9);
      under += std::max(0.0, row["required"].get<double>() - c[i]);
    }
    EXPECT_NEAR(schedule["coverage"]["under"].get<double>(), under, 1e-9);
  };
  check_coverage(s.body);
  EXPECT_EQ(cov[18]["required"], 2);
  std::set<std::string> kinds;
  for (const auto& a : s.body["activities"]) kinds.insert(a["kind"]);
  EXPECT_TRUE(kinds.count("work") && kinds.count("lunch"));

  // A meeting for Ada on Monday 13:00-14:00 (local = UTC here): painted over her work.
  auto added = post("/api/v1/wfm/schedules/" + id + "/activities",
                    {{"agent", "Ada"},
                     {"kind", "meeting"},
                     {"start", "2026-03-02T13:00"},
                     {"end", "2026-03-02T14:00Z"},
                     {"label", "team"}},
                    "sup");
  ASSERT_EQ(added.status, 201) << added.raw;
  EXPECT_EQ(added.body["revision"], 2);
  check_coverage(added.body);
  std::int64_t meeting = -1;
  for (const auto& a : added.body["activities"])
    if (a["kind"] == "meeting") meeting = a["id"];
  ASSERT_GE(meeting, 0);
  // Analysts plan but do not edit or publish.
  EXPECT_EQ(post("/api/v1/wfm/schedules/" + id + "/publish", json::object(), "ana").status, 403);
  // Move it to 15:00-15:30 as training.
  auto moved = call(
      "PUT", "/api/v1/wfm/schedules/" + id + "/activities/" + std::to_string(meeting), "sup",
      json{
          {"kind", "training"}, {"start", at(kMarch2, 15 * 60)}, {"end", at(kMarch2, 15 * 60 + 30)}}
          .dump());
  ASSERT_EQ(moved.status, 200) << moved.raw;
  check_coverage(moved.body);
  // Bad edits: outside the period, end before start, unknown kind, unknown activity.
  auto outside =
      post("/api/v1/wfm/schedules/" + id + "/activities", {{"agent", "Ada"},
                                                           {"kind", "work"},
                                                           {"start", "2026-03-05T09:00Z"},
                                                           {"end", "2026-03-05T10:00Z"}});
  EXPECT_EQ(outside.status, 400) << outside.raw;
  auto backwards =
      post("/api/v1/wfm/schedules/" + id + "/activities", {{"agent", "Ada"},
                                                           {"kind", "nap"},
                                                           {"start", "2026-03-02T10:00Z"},
                                                           {"end", "2026-03-02T09:00Z"}});
  ASSERT_EQ(backwards.status, 400);
  EXPECT_EQ(backwards.body["errors"].size(), 2u);
  EXPECT_EQ(call("DELETE", "/api/v1/wfm/schedules/" + id + "/activities/99999", "sup").status, 404);

  // Not visible to Ada before publishing.
  auto mine_before = get("/api/v1/wfm/my-schedule", "ada");
  ASSERT_EQ(mine_before.status, 200) << mine_before.raw;
  EXPECT_EQ(mine_before.body["agent"], "Ada");
  EXPECT_EQ(mine_before.body["activities"].size(), 0u);

  auto pub = post("/api/v1/wfm/schedules/" + id + "/publish", json::object(), "sup");
  ASSERT_EQ(pub.status, 200) << pub.raw;
  EXPECT_EQ(pub.body["state"], "published");
  auto mine = get("/api/v1/wfm/my-schedule", "ada");
  ASSERT_EQ(mine.status, 200);
  std::size_t ada_count = 0;
  for (const auto& a : pub.body["activities"]) ada_count += a["agent"] == "Ada";
  ASSERT_GT(ada_count, 0u);
  EXPECT_EQ(mine.body["activities"].size(), ada_count);
  for (const auto& a : mine.body["activities"]) EXPECT_EQ(a["agent"], "Ada");
  // The same through the store's reader API (what adherence uses).
  auto training = app_->schedule_store()->activity_at("Ada", at(kMarch2, 15 * 60 + 10));
  ASSERT_TRUE(training.ok() && training->has_value());
  EXPECT_EQ((*training)->kind, wfmstore::ActivityKind::kTraining);
  // A user without an agent has no schedule of their own.
  EXPECT_EQ(get("/api/v1/wfm/my-schedule", "sup").status, 404);
  EXPECT_EQ(
      get("/api/v1/wfm/my-schedule?from=2026-03-03T00:00Z&to=2026-03-02T00:00Z", "ada").status,
      400);
  // Published schedules stay; drafts can be deleted.
  EXPECT_EQ(call("DELETE", "/api/v1/wfm/schedules/" + id, "sup").status, 409);
  auto list = get("/api/v1/wfm/schedules", "ana");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.body["schedules"][0]["state"], "published");
}

TEST_F(WfmApiTest, ScheduleFromAForecastsStaffing) {
  std::string csv = "start,volume,aht_s\n";
  for (int d = 1; d <= 14; ++d)
    for (int m = 9 * 60; m < 12 * 60; m += 30)
      csv += wfm::format_local(kMarch2 - d, m) + ",100,180\n";
  auto f = post("/api/v1/wfm/forecasts",
                {{"queue", "billing"}, {"horizon_days", 1}, {"history_csv", csv}});
  ASSERT_EQ(f.status, 201) << f.raw;
  json req = schedule_request();
  req["days"] = 1;
  req["requirement"] = {{"forecast_id", f.body["id"]}, {"shrinkage", 0.3}};
  req["agents"] = json::array();
  for (int i = 0; i < 25; ++i) req["agents"].push_back({{"id", "a" + std::to_string(i)}});
  req["templates"][0]["length"] = "3:00";
  req["templates"][0]["earliest_start"] = "09:00";
  req["templates"][0]["latest_start"] = "09:00";
  req["templates"][0]["breaks"] = json::array();
  auto s = post("/api/v1/wfm/schedules", req);
  ASSERT_EQ(s.status, 201) << s.raw;
  EXPECT_EQ(s.body["forecast_id"], f.body["id"]);
  // 100 calls / 30 min at 180 s with 30 % shrinkage: 20 scheduled 09:00-12:00.
  EXPECT_EQ(s.body["coverage"]["intervals"][18]["required"], 20);
  EXPECT_EQ(s.body["coverage"]["intervals"][23]["required"], 20);
  EXPECT_EQ(s.body["coverage"]["intervals"][24]["required"], 0);
  EXPECT_EQ(s.body["coverage"]["intervals"][18]["scheduled"], 20);
}

TEST_F(WfmApiTest, ImpossibleScheduleRulesAreClearProblems) {
  // A lunch that cannot fit in the shift.
  json bad = schedule_request();
  bad["templates"][0]["breaks"][0]["earliest_after_min"] = 470;
  bad["templates"][0]["breaks"][0]["latest_after_min"] = 470;
  auto r = post("/api/v1/wfm/schedules", bad);
  ASSERT_EQ(r.status, 400) << r.raw;
  EXPECT_EQ(r.body["type"].get<std::string>().find("validation") != std::string::npos, true)
      << r.raw;
  EXPECT_FALSE(r.body["detail"].get<std::string>().empty());
  // A contract no availability can reach.
  json contract = schedule_request();
  contract["agents"][0]["min_hours"] = 40;
  auto c = post("/api/v1/wfm/schedules", contract);
  ASSERT_EQ(c.status, 400) << c.raw;
  EXPECT_NE(c.body["detail"].get<std::string>().find("Ada"), std::string::npos) << c.raw;
  // Negative headcount, wrong length, no templates, bad times.
  json negative = schedule_request();
  negative["requirement"]["required"][20] = -1;
  EXPECT_EQ(post("/api/v1/wfm/schedules", negative).status, 400);
  json short_req = schedule_request();
  short_req["requirement"]["required"].erase(0);
  auto sr = post("/api/v1/wfm/schedules", short_req);
  ASSERT_EQ(sr.status, 400);
  EXPECT_EQ(sr.body["errors"][0]["field"], "requirement.required");
  json none = schedule_request();
  none["templates"] = json::array();
  none["templates"][0]["length"] = "8h";
  auto n = post("/api/v1/wfm/schedules", none);
  EXPECT_EQ(n.status, 400);
  EXPECT_EQ(post("/api/v1/wfm/schedules", json::object()).status, 400);
  auto missing = post("/api/v1/wfm/schedules/12345/publish", json::object());
  EXPECT_EQ(missing.status, 404);
}

// Stored scheduling rules: CRUD with clear 400s for impossible rules and overlapping time off,
// and generation that uses them when the request brings no templates and no agents.
TEST_F(WfmApiTest, StoredRulesAreCheckedAndUsedByGeneration) {
  seed_agent();  // Ada
  const json day = schedule_request()["templates"][0];
  auto created = post("/api/v1/wfm/shift-templates", day, "sup");
  ASSERT_EQ(created.status, 201) << created.raw;
  EXPECT_EQ(created.body["length"], "08:00");
  EXPECT_EQ(created.body["breaks"][0]["name"], "lunch");
  EXPECT_EQ(post("/api/v1/wfm/shift-templates", day, "sup").status, 409);  // the name is taken
  // Impossible rules are 400 problems that say what is wrong.
  json late_lunch = day;
  late_lunch["name"] = "bad";
  late_lunch["breaks"][0]["latest_after_min"] = 470;
  auto bad = call("PUT", "/api/v1/wfm/shift-templates/bad", "sup", late_lunch.dump());
  ASSERT_EQ(bad.status, 400) << bad.raw;
  EXPECT_NE(bad.body["detail"].get<std::string>().find("past the 480-minute shift"),
            std::string::npos)
      << bad.raw;
  json no_days = day;
  no_days["days"] = json::array();
  EXPECT_EQ(call("PUT", "/api/v1/wfm/shift-templates/day", "sup", no_days.dump()).status, 400);
  EXPECT_EQ(call("PUT", "/api/v1/wfm/shift-templates/other", "sup", day.dump()).status, 400);
  // Analysts read the rules, they do not change them.
  auto templates = get("/api/v1/wfm/shift-templates", "ana");
  ASSERT_EQ(templates.status, 200);
  ASSERT_EQ(templates.body["templates"].size(), 1u);
  EXPECT_EQ(post("/api/v1/wfm/shift-templates", day, "ana").status, 403);

  // Ada: one day of at most 8 hours, and time off on the 3rd.
  auto contract = call("PUT", "/api/v1/wfm/contracts/Ada", "sup",
                       json{{"templates", {"day"}}, {"max_hours", 8}, {"max_days", 1}}.dump());
  ASSERT_EQ(contract.status, 201) << contract.raw;
  EXPECT_EQ(contract.body["max_hours"], 8.0);
  EXPECT_EQ(call("PUT", "/api/v1/wfm/contracts/Ada", "sup",
                 json{{"min_hours", 9}, {"max_hours", 8}}.dump())
                .status,
            400);
  EXPECT_EQ(
      call("PUT", "/api/v1/wfm/contracts/Ada", "sup", json{{"templates", {"night"}}}.dump()).status,
      400);
  EXPECT_EQ(call("PUT", "/api/v1/wfm/contracts/Nobody", "sup", json::object().dump()).status, 400);
  EXPECT_EQ(call("DELETE", "/api/v1/wfm/shift-templates/day", "sup").status, 409);  // Ada's
  auto off = post("/api/v1/wfm/time-off",
                  {{"agent", "Ada"}, {"first_day", "2026-03-03"}, {"reason", "dentist"}}, "sup");
  ASSERT_EQ(off.status, 201) << off.raw;
  EXPECT_EQ(off.body["last_day"], "2026-03-03");
  auto overlap =
      post("/api/v1/wfm/time-off",
           {{"agent", "Ada"}, {"first_day", "2026-03-01"}, {"last_day", "2026-03-04"}}, "sup");
  ASSERT_EQ(overlap.status, 400) << overlap.raw;
  EXPECT_NE(overlap.body["detail"].get<std::string>().find("overlaps"), std::string::npos);
  EXPECT_EQ(post("/api/v1/wfm/time-off",
                 {{"agent", "Ada"}, {"first_day", "2026-03-09"}, {"last_day", "2026-03-08"}}, "sup")
                .status,
            400);
  EXPECT_EQ(get("/api/v1/wfm/time-off?agent=Ada", "ana").body["time_off"].size(), 1u);

  // Generation without templates or agents: the stored template, Ada's contract and time off.
  json req = schedule_request();
  req.erase("templates");
  req.erase("agents");
  auto s = post("/api/v1/wfm/schedules", req, "sup");
  ASSERT_EQ(s.status, 201) << s.raw;
  ASSERT_EQ(s.body["agents"], json({"Ada"}));
  Millis worked = 0;
  for (const auto& a : s.body["activities"]) {
    EXPECT_EQ(a["start_local"].get<std::string>().substr(0, 10), "2026-03-02") << a.dump();
    if (a["kind"] == "work") worked += a["end"].get<Millis>() - a["start"].get<Millis>();
  }
  EXPECT_EQ(worked, 7 * kMillisPerHour + 30 * kMin);  // 8 hours less the unpaid lunch
  // Without stored templates a request must bring its own.
  ASSERT_EQ(call("DELETE", "/api/v1/wfm/contracts/Ada", "sup").status, 204);
  ASSERT_EQ(call("DELETE", "/api/v1/wfm/shift-templates/day", "sup").status, 204);
  auto none = post("/api/v1/wfm/schedules", req, "sup");
  ASSERT_EQ(none.status, 400) << none.raw;
  EXPECT_NE(none.raw.find("none stored"), std::string::npos) << none.raw;
  const auto id = off.body["id"].get<std::int64_t>();
  EXPECT_EQ(call("DELETE", "/api/v1/wfm/time-off/" + std::to_string(id), "sup").status, 204);
  EXPECT_EQ(call("DELETE", "/api/v1/wfm/time-off/" + std::to_string(id), "sup").status, 404);
}

// A week with the October change in Berlin: the grid has 6 x 24 + 25 hourly intervals, the
// second 02:00 is its own interval, and shifts stay at 08:00 local after the change.
TEST_F(WfmApiTest, ScheduleGridFollowsTheCentersLocalDaysAcrossDaylightSaving) {
  json req = schedule_request();
  req["time_zone"] = "Europe/Berlin";
  req["start_date"] = "2026-10-19";
  req["days"] = 7;
  req["interval_minutes"] = 60;
  json wall = json::array();
  for (int d = 0; d < 7; ++d)
    for (int h = 0; h < 24; ++h) wall.push_back(h >= 8 && h < 16 ? 1 : 0);
  req["requirement"] = {{"required", wall}};
  req["templates"][0]["earliest_start"] = "08:00";
  req["templates"][0]["latest_start"] = "08:00";
  req["templates"][0]["breaks"] = json::array();
  req["agents"] = {{{"id", "Ada"}, {"max_hours", 56}, {"max_days", 7}}};
  auto s = post("/api/v1/wfm/schedules", req);
  ASSERT_EQ(s.status, 201) << s.raw;
  const json& rows = s.body["coverage"]["intervals"];
  ASSERT_EQ(rows.size(), 6u * 24 + 25);
  EXPECT_EQ(rows[6 * 24 + 2]["local"], "2026-10-25T02:00:00+02:00");
  EXPECT_EQ(rows[6 * 24 + 3]["local"], "2026-10-25T02:00:00+01:00");
  EXPECT_EQ(rows[6 * 24 + 9]["local"], "2026-10-25T08:00:00+01:00");
  EXPECT_EQ(rows[6 * 24 + 9]["required"], 1);
  EXPECT_EQ(rows[6 * 24 + 8]["required"], 0);
  EXPECT_EQ(s.body["end"].get<Millis>() - s.body["start"].get<Millis>(),
            7 * kMillisPerDay + kMillisPerHour);
  EXPECT_DOUBLE_EQ(s.body["coverage"]["under"].get<double>(), 0);
  int shifts = 0;
  for (const auto& a : s.body["activities"]) {
    EXPECT_EQ(a["start_local"].get<std::string>().substr(11, 5), "08:00") << a.dump();
    shifts += a["kind"] == "work";
  }
  EXPECT_EQ(shifts, 7);
  // One value per real interval is accepted too; a count that is neither is a clear 400.
  json real = json::array();
  for (const auto& r : rows) real.push_back(r["required"]);
  req["requirement"] = {{"required", real}};
  EXPECT_EQ(post("/api/v1/wfm/schedules", req).status, 201);
  real.erase(real.size() - 1);
  real.erase(real.size() - 1);  // 167: neither 168 (wall clock) nor 169 (real intervals)
  req["requirement"] = {{"required", real}};
  auto bad = post("/api/v1/wfm/schedules", req);
  ASSERT_EQ(bad.status, 400);
  EXPECT_NE(bad.raw.find("or 169 for the period"), std::string::npos) << bad.raw;

  // Published (through the shared fixture) and read back by the agent in the center's zone.
  seed_agent();
  wfmstore::Schedule stored;
  stored.header.name = "published";
  stored.header.start = s.body["start"];
  stored.header.interval_minutes = 60;
  stored.header.required.assign(rows.size(), 0.0);
  stored.agents = {"Ada"};
  for (const auto& a : s.body["activities"])
    stored.activities.push_back({.id = 0,
                                 .schedule_id = 0,
                                 .agent = "Ada",
                                 .kind = wfmstore::ActivityKind::kWork,
                                 .start = a["start"],
                                 .end = a["end"],
                                 .label = ""});
  auto published = testing::publish_schedule(*app_, stored, keys_.at("sup"), clock_.now());
  ASSERT_EQ(published.status, 200) << published.raw;
  auto mine =
      get("/api/v1/wfm/my-schedule?from=2026-10-25T00:00%2B02:00&to=2026-10-26T00:00Z&"
          "tz=Europe/Berlin",
          "ada");
  ASSERT_EQ(mine.status, 200) << mine.raw;
  ASSERT_EQ(mine.body["activities"].size(), 1u);
  EXPECT_EQ(mine.body["activities"][0]["start_local"], "2026-10-25T08:00:00+01:00");
}

}  // namespace
}  // namespace sb::api
