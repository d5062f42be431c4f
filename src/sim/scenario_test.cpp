#include "sim/scenario.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace sb::sim {
namespace {

// The smallest valid scenario; tests append to it or replace parts of it.
const std::string kSimulation = R"([simulation]
duration = "1h"
)";
const std::string kQueue = R"([[queues]]
name = "sales"
skills = { sales = 3 }
arrivals = { rate = 60 }
)";
const std::string kAgent = R"([[agents]]
name = "a"
skills = { sales = 5 }
queues = ["sales"]
)";
const std::string kSkills = "skills = [\"sales\", \"support\"]\n";

Result<Scenario> parse(const std::string& text) { return parse_scenario(text, "test.toml", "."); }

// 1-based line of the first occurrence of `needle` in `text`.
int line_of(const std::string& text, const std::string& needle) {
  const auto pos = text.find(needle);
  EXPECT_NE(pos, std::string::npos) << needle;
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + pos, '\n'));
}

// Expects a failure whose message starts with "test.toml:<line>:" and names the field.
void expect_error(const std::string& text, const std::string& line_needle, const std::string& field,
                  const std::string& words) {
  auto s = parse(text);
  ASSERT_FALSE(s.ok()) << text;
  const std::string msg = s.status().message();
  const std::string where = "test.toml:" + std::to_string(line_of(text, line_needle)) + ":";
  EXPECT_EQ(msg.rfind(where, 0), 0u) << msg << "\nexpected to start with " << where;
  EXPECT_NE(msg.find(field + ":"), std::string::npos) << msg << "\nexpected field " << field;
  EXPECT_NE(msg.find(words), std::string::npos) << msg << "\nexpected " << words;
}

TEST(ScenarioTest, ParsesTheMinimalScenarioWithDefaults) {
  auto s = parse(kSkills + kSimulation + kQueue + kAgent);
  ASSERT_TRUE(s.ok()) << s.status().to_string();
  EXPECT_EQ(s->name, "test");
  EXPECT_EQ(s->duration, kMillisPerHour);
  EXPECT_EQ(s->replications, 1);
  EXPECT_EQ(s->seed, 1u);
  EXPECT_EQ(s->start, 1704067200000);  // 2024-01-01, a Monday
  ASSERT_EQ(s->center.queues.size(), 1u);
  EXPECT_EQ(s->center.queues[0].selection, AgentSelection::kLongestIdle);
  ASSERT_EQ(s->queues[0].requirements.count, 1);
  EXPECT_EQ(s->queues[0].requirements.items[0].min_proficiency, 3);
  EXPECT_EQ(s->queues[0].patience.kind(), DistKind::kNever);
  ASSERT_EQ(s->queues[0].arrivals.kind, ArrivalSpec::Kind::kPoisson);
  EXPECT_NEAR(s->queues[0].arrivals.expected_arrivals(kMillisPerHour), 60.0, 1e-9);
  ASSERT_EQ(s->center.profiles.size(), 1u);  // the default profile
  ASSERT_EQ(s->center.agents.size(), 1u);
  EXPECT_EQ(s->center.agents[0].name, "a");
  EXPECT_TRUE(s->agents[0].shifts.empty());
}

TEST(ScenarioTest, ParsesTheDemoCenter) {
  auto s = load_scenario(SB_SOURCE_DIR "/examples/demo-center.toml");
  ASSERT_TRUE(s.ok()) << s.status().to_string();
  EXPECT_EQ(s->center.queues.size(), 5u);
  EXPECT_EQ(s->center.agents.size(), 46u);
  EXPECT_EQ(s->center.agents[0].name, "sales-1");
  EXPECT_EQ(s->center.agents[11].name, "sales-12");
  EXPECT_EQ(s->replications, 5);
  // The 12 sales agents start staggered over an hour: 5 minutes apart.
  ASSERT_EQ(s->agents[1].shifts.size(), 1u);
  EXPECT_EQ(s->agents[1].shifts[0].start - s->agents[0].shifts[0].start, 5 * kMillisPerMinute);
  EXPECT_EQ(s->agents[0].shifts[0].days, 0x1f);
  EXPECT_EQ(s->agents[0].shifts[0].breaks.size(), 2u);
  EXPECT_EQ(s->agents[0].shifts[0].breaks[1].reason, reason::kLunch);
  // A constant wrap-up goes to the engine; a random one stays with the simulator.
  EXPECT_EQ(s->center.queues[0].wrap_up, 30 * kMillisPerSecond);
  EXPECT_FALSE(s->queues[0].random_wrap_up);
  EXPECT_TRUE(s->queues[1].random_wrap_up);
  EXPECT_EQ(s->center.queues[2].overflow_queue, 1u);
  EXPECT_FALSE(s->center.queues[0].hours.always_open);
  EXPECT_EQ(s->queues[4].patience.kind(), DistKind::kNever);
}

TEST(ScenarioTest, Durations) {
  EXPECT_EQ(*parse_duration("90s"), 90000);
  EXPECT_EQ(*parse_duration("1.5m"), 90000);
  EXPECT_EQ(*parse_duration("2h30m"), 9000000);
  EXPECT_EQ(*parse_duration("1d"), kMillisPerDay);
  EXPECT_EQ(*parse_duration("250ms"), 250);
  EXPECT_EQ(*parse_duration("45"), 45000);
  EXPECT_EQ(*parse_duration("08:30"), 8 * kMillisPerHour + 30 * kMillisPerMinute);
  EXPECT_EQ(*parse_duration("07:02:47"), 7 * kMillisPerHour + 2 * kMillisPerMinute + 47000);
  EXPECT_FALSE(parse_duration("-5s").ok());
  EXPECT_FALSE(parse_duration("5 parsecs").ok());
  EXPECT_FALSE(parse_duration("").ok());
  EXPECT_FALSE(parse_duration("8:75").ok());
}

TEST(ScenarioTest, AgentTemplatesExpandWithSpread) {
  const std::string text = kSkills + kSimulation + kQueue + R"([[agents]]
name = "team"
count = 4
skills = { sales = 5 }
queues = { sales = 1 }
shift = { start = "22:00", end = "06:00", spread = "2h", breaks = [
  { start = "02:00", duration = "30m", reason = "lunch", spread = "1h" },
] }
)";
  auto s = parse(text);
  ASSERT_TRUE(s.ok()) << s.status().to_string();
  ASSERT_EQ(s->center.agents.size(), 4u);
  EXPECT_EQ(s->center.agents[3].name, "team-4");
  // Member i starts i * 2h / 4 later; the night shift ends the next morning.
  EXPECT_EQ(s->agents[0].shifts[0].start, 22 * kMillisPerHour);
  EXPECT_EQ(s->agents[0].shifts[0].end, 30 * kMillisPerHour);
  EXPECT_EQ(s->agents[1].shifts[0].start, 22 * kMillisPerHour + 30 * kMillisPerMinute);
  EXPECT_EQ(s->agents[1].shifts[0].breaks[0].start,
            26 * kMillisPerHour + 30 * kMillisPerMinute + 15 * kMillisPerMinute);
  // Spread past midnight moves the shift to the next day (and its weekdays along with it).
  EXPECT_EQ(s->agents[2].shifts[0].start, 23 * kMillisPerHour);
  EXPECT_EQ(s->agents[3].shifts[0].start, 23 * kMillisPerHour + 30 * kMillisPerMinute);
}

TEST(ScenarioTest, ReportsSyntaxErrorsWithTheirPosition) {
  const std::string text = kSimulation + "name = \"unterminated\n";
  auto s = parse(text);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().message().rfind("test.toml:3:", 0), 0u) << s.status().message();
  EXPECT_NE(s.status().message().find("syntax error"), std::string::npos);
}

TEST(ScenarioTest, ReportsABadType) {
  const std::string text = kSkills + "[simulation]\nduration = true\n" + kQueue + kAgent;
  expect_error(text, "duration = true", "simulation.duration", "found a boolean");
}

TEST(ScenarioTest, ReportsAnUnknownStrategy) {
  const std::string text = kSkills + kSimulation + kQueue + "selection = \"fastest\"\n" + kAgent;
  expect_error(text, "selection = \"fastest\"", "queues[0].selection",
               "unknown agent selection 'fastest' (expected longest_idle");
}

TEST(ScenarioTest, ReportsAMissingField) {
  const std::string no_duration = kSkills + "[simulation]\nseed = 3\n" + kQueue + kAgent;
  expect_error(no_duration, "[simulation]", "simulation.duration", "missing required field");
  const std::string no_name =
      kSkills + kSimulation + "[[queues]]\narrivals = { rate = 1 }\n" + kAgent;
  expect_error(no_name, "[[queues]]", "queues[0].name", "missing required field");
}

TEST(ScenarioTest, ReportsAnUnknownSkillName) {
  const std::string text = kSkills + kSimulation + kQueue +
                           "[[agents]]\nname = \"a\"\nqueues = [\"sales\"]\n" +
                           "skills = { salse = 5 }\n";
  expect_error(text, "skills = { salse", "agents[0].skills.salse",
               "unknown skill 'salse' (known: sales, support)");
}

TEST(ScenarioTest, ReportsANegativeRate) {
  const std::string text =
      kSkills + kSimulation + "[[queues]]\nname = \"q\"\narrivals = { rate = -5 }\n" + kAgent;
  expect_error(text, "arrivals = { rate = -5 }", "queues[0].arrivals.rate",
               "must be at least 0, found -5");
}

TEST(ScenarioTest, ReportsOtherSemanticErrors) {
  // A typo in a field name is an error, not a silently ignored key.
  expect_error(kSkills + kSimulation + kQueue + "hadle_time = \"3m\"\n" + kAgent, "hadle_time",
               "queues[0].hadle_time", "unknown field");
  expect_error(kSkills + kSimulation + kQueue + kAgent + "profile = \"blended\"\n",
               "profile = \"blended\"", "agents[0].profile", "unknown routing profile 'blended'");
  expect_error(
      kSkills + kSimulation + kQueue + "overflow = { after = \"1m\", to = \"nowhere\" }\n" + kAgent,
      "overflow = {", "queues[0].overflow.to", "unknown queue 'nowhere'");
  expect_error(kSkills + kSimulation + kQueue +
                   "handle_time = { dist = \"gamma\", mean = \"3m\" }\n" + kAgent,
               "handle_time = {", "queues[0].handle_time.dist", "unknown distribution 'gamma'");
  expect_error(kSkills + kSimulation + kQueue + "wrap_up = \"none\"\n" + kAgent, "wrap_up",
               "queues[0].wrap_up", "only allowed for patience");
  expect_error(kSkills + kSimulation + kQueue + kAgent +
                   "shifts = [{ start = \"08:00\", end = \"12:00\" }, "
                   "{ start = \"11:00\", end = \"15:00\" }]\n",
               "shifts = [", "agents[0].shifts", "overlap");
  expect_error(kSkills + kSimulation + kQueue + kAgent +
                   "shift = { start = \"08:00\", end = \"12:00\", breaks = [{ start = \"11:50\", "
                   "duration = \"30m\" }] }\n",
               "shift = {", "agents[0].shift.breaks[0].start", "within the shift");
  expect_error(kSkills + "[simulation]\nduration = \"1h\"\nwarmup = \"2h\"\n" + kQueue + kAgent,
               "warmup = \"2h\"", "simulation.warmup", "shorter than the duration");
  expect_error(kSkills + kSimulation + kQueue + "[[queues]]\nname = \"sales\"  # again\n" + kAgent,
               "# again", "queues[1].name", "defined twice");
}

class ScenarioFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        std::filesystem::temp_directory_path() /
        ("sb_scenario_test_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
         "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& body) {
    const auto p = dir_ / name;
    std::ofstream(p) << body;
    return p.string();
  }
  std::filesystem::path dir_;
};

TEST_F(ScenarioFilesTest, ReadsCallByCallAndIntervalCsvFilesRelativeToTheScenario) {
  write("calls.csv", "arrival,handle,patience\n0,60,\n10.5,30,20\n00:01:00,45,none\n");
  write("counts.tsv",
        "date\tstart_time\tcalls\r\n2003-03-03\t07:00\t4\r\n2003-03-03\t07:05\t2\r\n"
        "2003-03-04\t07:00\t1\r\n");
  const std::string path = write(
      "s.toml", kSkills + "[simulation]\nduration = \"2d\"\n" +
                    "[[queues]]\nname = \"replay\"\narrivals = { calls_file = \"calls.csv\" }\n" +
                    "[[queues]]\nname = \"counts\"\narrivals = { counts_file = \"counts.tsv\", "
                    "interval = \"5m\", time_column = \"start_time\", date_column = \"date\" }\n" +
                    "[[queues]]\nname = \"sales\"\nhandle_time = { dist = \"empirical\", file = "
                    "\"calls.csv\", column = \"handle\" }\n" +
                    kAgent);
  auto s = load_scenario(path);
  ASSERT_TRUE(s.ok()) << s.status().to_string();
  const auto& calls = s->queues[0].arrivals.calls;
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[0].patience, kNever);
  EXPECT_EQ(calls[1].arrival, 10500);
  EXPECT_EQ(calls[1].handle, 30000);
  EXPECT_EQ(calls[1].patience, 20000);
  EXPECT_EQ(calls[2].arrival, 60000);
  const auto& counts = s->queues[1].arrivals.counts;
  ASSERT_EQ(counts.size(), 3u);
  EXPECT_EQ(counts[0].begin, 7 * kMillisPerHour);
  EXPECT_EQ(counts[1].begin, 7 * kMillisPerHour + 5 * kMillisPerMinute);
  EXPECT_EQ(counts[2].begin, kMillisPerDay + 7 * kMillisPerHour);
  EXPECT_EQ(counts[0].count, 4u);
  EXPECT_EQ(s->queues[2].handle_time.kind(), DistKind::kEmpirical);
  EXPECT_NEAR(s->queues[2].handle_time.mean(), 45000.0, 1e-9);
}

TEST_F(ScenarioFilesTest, CsvErrorsNameTheFileLineAndColumn) {
  write("calls.csv", "arrival,handle\n10,60\n5,60\n");
  const std::string path =
      write("s.toml", kSkills + kSimulation +
                          "[[queues]]\nname = \"q\"\narrivals = { calls_file = \"calls.csv\" }\n" +
                          kAgent);
  auto s = load_scenario(path);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("calls.csv:3: arrival: calls must be sorted"),
            std::string::npos)
      << s.status().message();

  write("bad.csv", "arrival,handle\n10,sixty\n");
  const std::string bad = write(
      "b.toml", kSkills + kSimulation +
                    "[[queues]]\nname = \"q\"\narrivals = { calls_file = \"bad.csv\" }\n" + kAgent);
  s = load_scenario(bad);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("bad.csv:2: handle: expected seconds, found 'sixty'"),
            std::string::npos)
      << s.status().message();

  const std::string missing =
      write("m.toml", kSkills + kSimulation +
                          "[[queues]]\nname = \"q\"\narrivals = { calls_file = \"nope.csv\" }\n" +
                          kAgent);
  s = load_scenario(missing);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("m.toml:6:"), std::string::npos) << s.status().message();
  EXPECT_NE(s.status().message().find("nope.csv: cannot open"), std::string::npos);
}

}  // namespace
}  // namespace sb::sim
