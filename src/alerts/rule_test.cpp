#include "alerts/rule.h"

#include <gtest/gtest.h>

namespace sb::alerts {
namespace {

json sl_rule() {
  return {{"name", "SL low"},      {"metric", "service_level"}, {"comparison", "below"},
          {"threshold", 0.7},      {"clear_threshold", 0.75},   {"fire_after", 2},
          {"scope", "each_queue"}, {"min_offered", 5}};
}

TEST(RuleJson, ReadsAndRoundTrips) {
  auto r = rule_from_json(sl_rule());
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->metric, "service_level");
  EXPECT_EQ(r->source(), Source::kInterval);
  EXPECT_EQ(r->comparison, Comparison::kBelow);
  EXPECT_EQ(r->fire_after, 2);
  EXPECT_DOUBLE_EQ(r->effective_clear_threshold(), 0.75);
  EXPECT_EQ(r->scope, Scope::kEachQueue);
  json out = rule_to_json(*r);
  EXPECT_EQ(out["source"], "interval");
  auto again = rule_from_json(out);
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(rule_to_json(*again), out);
}

TEST(RuleJson, ErrorsNameTheField) {
  struct Case {
    json patch;
    std::string expect;
  };
  const std::vector<Case> cases = {
      {{{"metric", "nope"}}, "$.metric"},
      {{{"comparison", "sideways"}}, "$.comparison"},
      {{{"threshold", "high"}}, "$.threshold"},
      {{{"clear_threshold", 0.6}}, "$.clear_threshold"},  // on the breaching side of 0.7
      {{{"fire_after", 0}}, "$.fire_after"},
      {{{"scope", "queue"}}, "$.queue"},
      {{{"colour", "red"}}, "$.colour"},
      {{{"metric", "waiting"}, {"kind", "baseline_change"}, {"min_offered", 0}}, "$.kind"},
      {{{"metric", "waiting"}}, "$.min_offered"},
      {{{"severity", "meh"}}, "$.severity"},
      {{{"name", ""}}, "$.name"},
  };
  for (const auto& c : cases) {
    json j = sl_rule();
    for (auto& [k, v] : c.patch.items()) j[k] = v;
    auto r = rule_from_json(j);
    ASSERT_FALSE(r.ok()) << c.patch.dump();
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find(c.expect), std::string::npos)
        << c.patch.dump() << " -> " << r.status().message();
  }
  EXPECT_FALSE(rule_from_json(json::array()).ok());
  json no_threshold = sl_rule();
  no_threshold.erase("threshold");
  EXPECT_NE(rule_from_json(no_threshold).status().message().find("$.threshold"), std::string::npos);
}

TEST(RuleJson, QueueScopeNeedsAQueue) {
  json j = sl_rule();
  j["scope"] = "queue";
  j["queue"] = 3;
  auto r = rule_from_json(j);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->queue, 3u);
  j["scope"] = "center";
  EXPECT_FALSE(rule_from_json(j).ok());  // a queue with a center scope is a mistake
}

}  // namespace
}  // namespace sb::alerts
