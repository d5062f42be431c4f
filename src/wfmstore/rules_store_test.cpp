#include "wfmstore/rules_store.h"

#include <gtest/gtest.h>

#include "../../tests/store/temp_dir.h"
#include "sqlite/sqlite.h"
#include "wfmstore/forecast_store.h"
#include "wfmstore/schedule_store.h"
#include "wfmstore/wfm_db.h"

namespace sb::wfmstore {
namespace {

wfm::ShiftTemplate day_template() {
  wfm::ShiftTemplate t;
  t.name = "day";
  t.length_min = 8 * 60 + 30;
  t.earliest_start_min = 7 * 60;
  t.latest_start_min = 10 * 60;
  t.start_step_min = 30;
  t.weekdays = {true, true, true, true, true, false, false};
  t.breaks = {wfm::BreakRule{.name = "lunch",
                             .length_min = 30,
                             .earliest_after_min = 210,
                             .latest_after_min = 300,
                             .paid = false},
              wfm::BreakRule{.name = "break",
                             .length_min = 15,
                             .earliest_after_min = 60,
                             .latest_after_min = 150,
                             .paid = true}};
  return t;
}

AgentContract contract(const std::string& agent) {
  AgentContract c;
  c.id = agent;
  c.templates = {"day"};
  c.min_paid_min = 32 * 60;
  c.max_paid_min = 40 * 60;
  c.max_days = 5;
  c.availability[0] = {{12 * 60, 21 * 60}};
  c.unavailable[5] = true;
  return c;
}

TEST(RulesStoreTest, TemplatesContractsAndTimeOffAreStoredAndReadBack) {
  store_testing::TempDir dir;
  {
    auto rules = RulesStore::open(wfm_db_path(dir.path()));
    ASSERT_TRUE(rules.ok()) << rules.status().to_string();
    EXPECT_EQ(*(*rules)->put_template(day_template(), 1), true);
    wfm::ShiftTemplate late = day_template();
    late.name = "late";
    late.earliest_start_min = 12 * 60;
    late.latest_start_min = 14 * 60;
    EXPECT_EQ(*(*rules)->put_template(late, 2), true);
    // Replacing keeps one template of the name.
    late.latest_start_min = 13 * 60;
    EXPECT_EQ(*(*rules)->put_template(late, 3), false);
    EXPECT_EQ(*(*rules)->put_contract(contract("Ada"), 4), true);
    auto off = (*rules)->add_time_off({.id = 0,
                                       .agent = "Ada",
                                       .first_day = *wfm::parse_date("2026-10-26"),
                                       .last_day = *wfm::parse_date("2026-10-27"),
                                       .reason = "dentist"});
    ASSERT_TRUE(off.ok()) << off.status().to_string();
    EXPECT_GT(off->id, 0);
  }
  // Reopened from disk: everything as written.
  auto rules = RulesStore::open(wfm_db_path(dir.path()));
  ASSERT_TRUE(rules.ok());
  auto templates = (*rules)->templates();
  ASSERT_TRUE(templates.ok());
  ASSERT_EQ(templates->size(), 2u);
  EXPECT_EQ((*templates)[0].name, "day");
  EXPECT_EQ((*templates)[0].breaks.size(), 2u);
  EXPECT_EQ((*templates)[0].breaks[0].name, "lunch");
  EXPECT_FALSE((*templates)[0].breaks[0].paid);
  EXPECT_EQ((*templates)[0].weekdays, day_template().weekdays);
  EXPECT_EQ((*templates)[1].latest_start_min, 13 * 60);
  auto ada = (*rules)->get_contract("Ada");
  ASSERT_TRUE(ada.ok());
  EXPECT_EQ(ada->min_paid_min, 32 * 60);
  EXPECT_EQ(ada->availability[0].size(), 1u);
  EXPECT_EQ(ada->availability[0][0].from_min, 12 * 60);
  EXPECT_TRUE(ada->unavailable[5]);
  EXPECT_EQ((*rules)->get_contract("Bob").status().code(), StatusCode::kNotFound);
  auto off = (*rules)->time_off("Ada");
  ASSERT_TRUE(off.ok());
  ASSERT_EQ(off->size(), 1u);
  EXPECT_EQ((*off)[0].reason, "dentist");
  EXPECT_TRUE((*rules)->time_off("Bob")->empty());
  EXPECT_EQ((*rules)->time_off()->size(), 1u);
  // Removing.
  EXPECT_EQ((*rules)->remove_template("day").code(), StatusCode::kFailedPrecondition);  // Ada's
  ASSERT_TRUE((*rules)->remove_contract("Ada").ok());
  ASSERT_TRUE((*rules)->remove_template("day").ok());
  EXPECT_EQ((*rules)->remove_template("day").code(), StatusCode::kNotFound);
  ASSERT_TRUE((*rules)->remove_time_off((*off)[0].id).ok());
  EXPECT_EQ((*rules)->remove_time_off((*off)[0].id).code(), StatusCode::kNotFound);
}

TEST(RulesStoreTest, ImpossibleRulesAndOverlappingTimeOffAreRefused) {
  auto rules = RulesStore::open(":memory:");
  ASSERT_TRUE(rules.ok());
  auto refused = [&](const wfm::ShiftTemplate& t, const std::string& says) {
    auto r = (*rules)->put_template(t, 1);
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << says;
    EXPECT_NE(r.status().message().find(says), std::string::npos) << r.status().message();
  };
  wfm::ShiftTemplate t = day_template();
  t.breaks[0].latest_after_min = 8 * 60 + 15;  // a lunch that would end after the shift
  refused(t, "past the 510-minute shift");
  t = day_template();
  t.earliest_start_min = 11 * 60;  // after the latest start
  refused(t, "start window");
  t = day_template();
  t.weekdays.fill(false);
  refused(t, "no weekday");
  t = day_template();
  t.length_min = 7;  // off the 5-minute grid
  refused(t, "length 7 min");
  t = day_template();
  t.name = "";
  refused(t, "needs a name");
  EXPECT_TRUE((*rules)->templates()->empty());

  ASSERT_TRUE((*rules)->put_template(day_template(), 1).ok());
  AgentContract c = contract("Ada");
  c.min_paid_min = 41 * 60;
  EXPECT_EQ((*rules)->put_contract(c, 2).status().code(), StatusCode::kInvalidArgument);
  c = contract("Ada");
  c.templates = {"night"};
  auto unknown = (*rules)->put_contract(c, 2);
  EXPECT_NE(unknown.status().message().find("unknown shift template 'night'"), std::string::npos);
  c = contract("Ada");
  c.availability[1] = {{10 * 60, 9 * 60}};
  EXPECT_EQ((*rules)->put_contract(c, 2).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE((*rules)->contracts()->empty());

  const wfm::Date d = *wfm::parse_date("2026-10-26");
  ASSERT_TRUE(
      (*rules)
          ->add_time_off(
              {.id = 0, .agent = "Ada", .first_day = d, .last_day = d + 4, .reason = "holiday"})
          .ok());
  auto overlapping = (*rules)->add_time_off(
      {.id = 0, .agent = "Ada", .first_day = d + 4, .last_day = d + 6, .reason = ""});
  EXPECT_EQ(overlapping.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(overlapping.status().message().find("overlaps the time off 2026-10-26..2026-10-30"),
            std::string::npos)
      << overlapping.status().message();
  auto backwards = (*rules)->add_time_off(
      {.id = 0, .agent = "Ada", .first_day = d + 9, .last_day = d + 8, .reason = ""});
  EXPECT_EQ(backwards.status().code(), StatusCode::kInvalidArgument);
  // Another agent, and the day after, are fine.
  EXPECT_TRUE(
      (*rules)
          ->add_time_off({.id = 0, .agent = "Bob", .first_day = d, .last_day = d, .reason = ""})
          .ok());
  EXPECT_TRUE(
      (*rules)
          ->add_time_off(
              {.id = 0, .agent = "Ada", .first_day = d + 5, .last_day = d + 5, .reason = ""})
          .ok());
}

// A wfm.db written before the scheduling rules existed (schema version 1: forecasts and
// schedules only) opens, keeps its schedules and gains the rules tables; a file of a newer
// server is refused untouched.
TEST(RulesStoreTest, AVersionOneFileIsMigrated) {
  store_testing::TempDir dir;
  const std::string path = wfm_db_path(dir.path());
  std::int64_t id = 0;
  {
    auto schedules = ScheduleStore::open(path);
    ASSERT_TRUE(schedules.ok());
    Schedule s;
    s.header.name = "old";
    s.header.start = 0;
    s.header.interval_minutes = 60;
    s.header.required.assign(24, 1.0);
    s.agents = {"Ada"};
    auto created = (*schedules)->create(s, 1);
    ASSERT_TRUE(created.ok()) << created.status().to_string();
    id = created->header.id;
  }
  {
    // Back to what a version-1 server left: no rules tables, user_version 1.
    sqlite::OpenOptions o;
    o.label = "wfm";
    auto db = sqlite::Database::open(path, o);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)
                    ->exec("DROP TABLE IF EXISTS shift_template; DROP TABLE IF EXISTS "
                           "agent_contract; DROP TABLE IF EXISTS time_off;")
                    .ok());
    ASSERT_TRUE((*db)->set_user_version(1).ok());
  }
  auto schedules = ScheduleStore::open(path);
  ASSERT_TRUE(schedules.ok()) << schedules.status().to_string();
  auto rules = RulesStore::open(path);
  ASSERT_TRUE(rules.ok()) << rules.status().to_string();
  EXPECT_EQ((*schedules)->get(id)->header.name, "old");
  EXPECT_TRUE((*rules)->templates()->empty());
  ASSERT_TRUE((*rules)->put_template(day_template(), 2).ok());
  {
    sqlite::OpenOptions o;
    o.label = "wfm";
    auto db = sqlite::Database::open(path, o);
    ASSERT_TRUE(db.ok());
    EXPECT_EQ(*(*db)->user_version(), kWfmSchemaVersion);
    ASSERT_TRUE((*db)->set_user_version(kWfmSchemaVersion + 1).ok());
  }
  for (auto st : {RulesStore::open(path).status(), ScheduleStore::open(path).status(),
                  ForecastStore::open(path).status()}) {
    EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
    EXPECT_NE(st.message().find("newer than this server"), std::string::npos) << st.message();
  }
}

}  // namespace
}  // namespace sb::wfmstore
