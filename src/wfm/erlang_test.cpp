#include "wfm/erlang.h"

#include <gtest/gtest.h>

#include <cmath>
#include <optional>

namespace sb::erlang {
namespace {

// Reference values were computed independently of this code: Erlang B/C with exact rational
// arithmetic, Erlang A by brute force (a 4000-state truncated chain normalised directly, and the
// service level by uniformisation of the tagged caller's position-in-queue chain).

CInput c_input(double load, int agents, double aht, double threshold) {
  return {.load_erlangs = load, .agents = agents, .aht_s = aht, .threshold_s = threshold};
}

AInput a_input(double load, int agents, double aht, double patience, double threshold) {
  return {.load_erlangs = load,
          .agents = agents,
          .aht_s = aht,
          .patience_s = patience,
          .threshold_s = threshold};
}

StaffingGoal goal(double service_level, std::optional<double> max_asa_s = {},
                  std::optional<double> max_occupancy = {},
                  std::optional<double> max_abandon = {}) {
  StaffingGoal g;
  g.service_level = service_level;
  g.max_asa_s = max_asa_s;
  g.max_occupancy = max_occupancy;
  g.max_abandon = max_abandon;
  return g;
}

TEST(ErlangBTest, KnownValues) {
  EXPECT_NEAR(*erlang_b(10, 12), 0.11973918844482515, 1e-14);
  EXPECT_NEAR(*erlang_b(480, 500), 0.014325780722426129, 1e-13);
  EXPECT_DOUBLE_EQ(*erlang_b(1, 1), 0.5);
  EXPECT_DOUBLE_EQ(*erlang_b(0, 3), 0.0);
}

TEST(ErlangBTest, HugeSizesStayFinite) {
  const double b = *erlang_b(9500, 10000);
  EXPECT_TRUE(std::isfinite(b));
  EXPECT_GT(b, 0);
  EXPECT_LT(b, 1e-3);
  // Far more agents than load: blocking vanishes but must not become NaN.
  const double tiny = *erlang_b(10, 10000);
  EXPECT_GE(tiny, 0);
  EXPECT_LT(tiny, 1e-300);
  // Far more load than agents: almost everything is lost (B -> 1 - N/A).
  EXPECT_NEAR(*erlang_b(5000, 100), 1 - 100.0 / 5000, 1e-3);
}

TEST(ErlangBTest, AgentsForBlocking) {
  EXPECT_EQ(*agents_for_erlang_b(10, 0.01), 18);
  EXPECT_GT(*erlang_b(10, 17), 0.01);
  EXPECT_LE(*erlang_b(10, 18), 0.01);
}

TEST(ErlangCTest, KnownValues) {
  const CMetrics m = *erlang_c(c_input(10, 12, 180, 20));
  EXPECT_TRUE(m.stable);
  EXPECT_NEAR(m.p_wait, 0.4493882242982709, 1e-12);
  EXPECT_NEAR(m.service_level, 0.6401580403740066, 1e-12);
  EXPECT_NEAR(m.asa_s, 40.444940186844384, 1e-9);
  EXPECT_NEAR(m.wait_if_queued_s, 90, 1e-12);
  EXPECT_NEAR(m.occupancy, 10.0 / 12, 1e-15);
}

TEST(ErlangCTest, LargeCenter) {
  const CMetrics m = *erlang_c(c_input(480, 500, 180, 20));
  EXPECT_NEAR(m.p_wait, 0.266512519962364, 1e-11);
  EXPECT_NEAR(m.service_level, 0.9711185650477926, 1e-11);
  EXPECT_NEAR(m.asa_s, 2.398612679661276, 1e-9);
}

TEST(ErlangCTest, UnstableIsReportedNotNaN) {
  for (int agents : {5, 10}) {
    const CMetrics m = *erlang_c(c_input(10, agents, 180, 20));
    EXPECT_FALSE(m.stable);
    EXPECT_EQ(m.p_wait, 1);
    EXPECT_EQ(m.service_level, 0);
    EXPECT_TRUE(std::isinf(m.asa_s));
    EXPECT_EQ(m.occupancy, 1);
  }
}

TEST(ErlangCTest, ZeroLoad) {
  const CMetrics m = *erlang_c(c_input(0, 1, 180, 20));
  EXPECT_EQ(m.p_wait, 0);
  EXPECT_EQ(m.service_level, 1);
  EXPECT_EQ(m.asa_s, 0);
}

TEST(ErlangCTest, MoreAgentsNeverHurt) {
  double prev_sl = 0, prev_asa = INFINITY;
  for (int n = 11; n <= 30; ++n) {
    const CMetrics m = *erlang_c(c_input(10, n, 180, 20));
    EXPECT_GT(m.service_level, prev_sl) << n;
    EXPECT_LT(m.asa_s, prev_asa) << n;
    prev_sl = m.service_level;
    prev_asa = m.asa_s;
  }
}

TEST(ErlangCTest, AgentsNeeded) {
  const CMetrics m = *agents_for_erlang_c(c_input(10, 0, 180, 20), goal(0.8));
  EXPECT_EQ(m.agents, 14);
  EXPECT_NEAR(m.service_level, 0.8883500191794669, 1e-12);
  EXPECT_LT(erlang_c(c_input(10, 13, 180, 20))->service_level, 0.8);

  EXPECT_EQ(agents_for_erlang_c(c_input(480, 0, 180, 20), goal(0.8))->agents, 490);

  // Secondary goals can only raise the count.
  const CMetrics occ = *agents_for_erlang_c(c_input(10, 0, 180, 20), goal(0.8, {}, 0.6));
  EXPECT_EQ(occ.agents, 17);  // ceil(10 / 0.6)
  const CMetrics asa = *agents_for_erlang_c(c_input(10, 0, 180, 20), goal(0.8, 2));
  EXPECT_LE(asa.asa_s, 2);
  EXPECT_GT(erlang_c(c_input(10, asa.agents - 1, 180, 20))->asa_s, 2);
}

TEST(ErlangCTest, HugeLoadStaffing) {
  const CMetrics m = *agents_for_erlang_c(c_input(5000, 0, 300, 20), goal(0.9));
  EXPECT_GT(m.agents, 5000);
  EXPECT_LT(m.agents, 5200);
  EXPECT_GE(m.service_level, 0.9);
  EXPECT_LT(erlang_c(c_input(5000, m.agents - 1, 300, 20))->service_level, 0.9);
}

struct AReference {
  AInput in;
  double p_wait, p_abandon, service_level, asa_s, mean_wait_all_s, occupancy;
};

TEST(ErlangATest, MatchesBruteForceChain) {
  const AReference refs[] = {
      {a_input(10, 12, 180, 120, 20), 0.27980701864544416, 0.0615973770036804, 0.8255826443617644,
       6.334774172819165, 7.391685240441648, 0.7820021858302665},
      {a_input(10, 12, 180, 600, 20), 0.36678404510907026, 0.030004508742634623, 0.7339831271994126,
       17.205621712389615, 18.002705245580774, 0.8083295760478043},
      // Overloaded (N < A): stable only thanks to abandonment.
      {a_input(10, 8, 180, 120, 20), 0.7226264633387829, 0.25798238128775813, 0.40321302738024734,
       29.267987164722324, 30.957885754530974, 0.9275220233903023},
      {a_input(2.5, 3, 300, 60, 30), 0.35200193679815, 0.23525907641482754, 0.7058463709403914,
       6.432909662241887, 14.115544584889655, 0.6372841029876438},
      {a_input(0.5, 1, 240, 30, 15), 0.34581148287104346, 0.30837703425791324, 0.6700160793655389,
       1.4659143861315675, 9.251311027737398, 0.34581148287104346},
      // Large and slightly overloaded, where impatient callers still get a good service level.
      {a_input(980, 900, 180, 120, 20), 0.9826583042912168, 0.08181006984016431, 0.8971869010714928,
       10.144923110226847, 9.817208380819716, 0.9998068128407088},
      {a_input(100, 95, 300, 90, 20), 0.5182722521531747, 0.08174671391754014, 0.7977985338337825,
       6.99807361595206, 7.357204252578612, 0.9665824064025882},
  };
  for (const AReference& r : refs) {
    SCOPED_TRACE(testing::Message() << "A=" << r.in.load_erlangs << " N=" << r.in.agents
                                    << " patience=" << r.in.patience_s);
    const AMetrics m = *erlang_a(r.in);
    EXPECT_NEAR(m.p_wait, r.p_wait, 1e-10);
    EXPECT_NEAR(m.p_abandon, r.p_abandon, 1e-10);
    EXPECT_NEAR(m.service_level, r.service_level, 1e-10);
    EXPECT_NEAR(m.asa_s, r.asa_s, 1e-8);
    EXPECT_NEAR(m.mean_wait_all_s, r.mean_wait_all_s, 1e-8);
    EXPECT_NEAR(m.occupancy, r.occupancy, 1e-10);
    EXPECT_NEAR(m.service_level_answered, m.service_level / (1 - m.p_abandon), 1e-12);
  }
}

TEST(ErlangATest, PatientCallersGiveErlangC) {
  for (double threshold : {0.0, 20.0, 60.0}) {
    for (int agents : {11, 12, 15}) {
      const CMetrics c = *erlang_c(c_input(10, agents, 180, threshold));
      const AMetrics a = *erlang_a(a_input(10, agents, 180, 1e13, threshold));
      EXPECT_NEAR(a.p_wait, c.p_wait, 1e-7);
      EXPECT_NEAR(a.service_level, c.service_level, 1e-7);
      EXPECT_NEAR(a.asa_s, c.asa_s, 1e-6);
      EXPECT_NEAR(a.occupancy, c.occupancy, 1e-7);
      EXPECT_LT(a.p_abandon, 1e-10);
    }
  }
}

TEST(ErlangATest, ImpatientCallersGiveErlangBLoss) {
  // Callers who will not wait at all make M/M/N+M the loss system M/M/N/N.
  for (int agents : {5, 12, 20}) {
    const double b = *erlang_b(10, agents);
    const AMetrics a = *erlang_a(a_input(10, agents, 180, 1e-6, 20));
    EXPECT_NEAR(a.p_wait, b, 1e-6);
    EXPECT_NEAR(a.p_abandon, b, 1e-6);
    EXPECT_NEAR(a.service_level, 1 - b, 1e-6);
    EXPECT_NEAR(a.service_level_answered, 1, 1e-6);
  }
}

TEST(ErlangATest, ZeroThresholdMeansAnsweredAtOnce) {
  const AMetrics a = *erlang_a(a_input(10, 12, 180, 120, 0));
  EXPECT_NEAR(a.service_level, 1 - a.p_wait, 1e-15);
}

TEST(ErlangATest, MoreAgentsNeverHurt) {
  double prev_sl = 0, prev_abandon = 1, prev_asa = INFINITY;
  for (int n = 1; n <= 25; ++n) {
    const AMetrics m = *erlang_a(a_input(10, n, 180, 120, 20));
    EXPECT_GT(m.service_level, prev_sl) << n;
    EXPECT_LT(m.p_abandon, prev_abandon) << n;
    EXPECT_LT(m.asa_s, prev_asa) << n;
    prev_sl = m.service_level;
    prev_abandon = m.p_abandon;
    prev_asa = m.asa_s;
  }
}

TEST(ErlangATest, AbandonmentHelpsTheServedVersusErlangC) {
  // Abandoners thin the queue, so those who stay wait less than Erlang C predicts.
  const CMetrics c = *erlang_c(c_input(10, 12, 180, 20));
  const AMetrics a = *erlang_a(a_input(10, 12, 180, 300, 20));
  EXPECT_LT(a.p_wait, c.p_wait);
  EXPECT_LT(a.asa_s, c.asa_s);
  EXPECT_GT(a.service_level_answered, c.service_level);
}

TEST(ErlangATest, AgentsNeeded) {
  const AMetrics m = *agents_for_erlang_a(a_input(10, 0, 180, 120, 20), goal(0.8));
  EXPECT_EQ(m.agents, 12);
  EXPECT_NEAR(m.service_level, 0.8255826443617644, 1e-10);
  EXPECT_NEAR(erlang_a(a_input(10, 11, 180, 120, 20))->service_level, 0.7422089843893893, 1e-10);

  const AMetrics ab = *agents_for_erlang_a(a_input(10, 0, 180, 120, 20), goal(0.5, {}, {}, 0.01));
  EXPECT_LE(ab.p_abandon, 0.01);
  EXPECT_GT(erlang_a(a_input(10, ab.agents - 1, 180, 120, 20))->p_abandon, 0.01);
}

TEST(ErlangATest, LargeCentersStayFinite) {
  const AMetrics m = *erlang_a(a_input(480, 500, 180, 120, 20));
  EXPECT_GT(m.service_level, 0.9);
  EXPECT_LT(m.service_level, 1);
  EXPECT_GT(m.p_abandon, 0);
  EXPECT_LT(m.p_abandon, 0.01);
  EXPECT_NEAR(m.occupancy, 480 * (1 - m.p_abandon) / 500, 1e-12);

  // Heavily overloaded with patient callers: the queue tail peaks far above pi_N.
  const AMetrics over = *erlang_a(a_input(5000, 4000, 300, 600, 20));
  EXPECT_TRUE(std::isfinite(over.asa_s));
  EXPECT_NEAR(over.p_wait, 1, 1e-9);
  // Fluid limit: the agents serve 4000 of the 5000 erlangs, the rest abandon.
  EXPECT_NEAR(over.p_abandon, 0.2, 1e-3);
  EXPECT_NEAR(over.occupancy, 1, 1e-9);

  // Many idle agents: pi_N underflows in linear space.
  const AMetrics idle = *erlang_a(a_input(10, 10000, 180, 120, 20));
  EXPECT_EQ(idle.p_wait, 0);
  EXPECT_EQ(idle.service_level, 1);

  const AMetrics staffed = *agents_for_erlang_a(a_input(9800, 0, 180, 120, 20), goal(0.9));
  // Patience (120 s) shorter than AHT lets a large center meet 90/20 below A agents: the queue
  // it runs is long but drains fast, and about 10% abandon (fluid limit: 1 - N/A).
  EXPECT_GT(staffed.agents, 8500);
  EXPECT_LT(staffed.agents, 9800);
  EXPECT_GE(staffed.service_level, 0.9);
  EXPECT_LT(erlang_a(a_input(9800, staffed.agents - 1, 180, 120, 20))->service_level, 0.9);
}

TEST(ErlangATest, ZeroLoad) {
  const AMetrics m = *erlang_a(a_input(0, 2, 180, 120, 20));
  EXPECT_EQ(m.p_wait, 0);
  EXPECT_EQ(m.p_abandon, 0);
  EXPECT_EQ(m.service_level, 1);
}

TEST(ErlangInputTest, CallsPerHour) {
  EXPECT_DOUBLE_EQ(*load_from_calls_per_hour(200, 180), 10);
  EXPECT_FALSE(load_from_calls_per_hour(-1, 180).ok());
  EXPECT_FALSE(load_from_calls_per_hour(200, 0).ok());
}

TEST(ErlangInputTest, BadInputIsInvalidArgument) {
  auto invalid = [](const Status& s) { return s.code() == StatusCode::kInvalidArgument; };
  EXPECT_TRUE(invalid(erlang_b(-1, 10).status()));
  EXPECT_TRUE(invalid(erlang_b(NAN, 10).status()));
  EXPECT_TRUE(invalid(erlang_b(10, 0).status()));
  EXPECT_TRUE(invalid(erlang_b(10, kMaxAgents + 1).status()));
  EXPECT_TRUE(invalid(erlang_c(c_input(-1, 12, 180, 20)).status()));
  EXPECT_TRUE(invalid(erlang_c(c_input(10, 0, 180, 20)).status()));
  EXPECT_TRUE(invalid(erlang_c(c_input(10, 12, 0, 20)).status()));
  EXPECT_TRUE(invalid(erlang_c(c_input(10, 12, 180, -1)).status()));
  EXPECT_TRUE(invalid(erlang_c(c_input(INFINITY, 12, 180, 20)).status()));
  EXPECT_TRUE(invalid(erlang_a(a_input(10, 12, 180, 0, 20)).status()));
  EXPECT_TRUE(invalid(erlang_a(a_input(10, 12, 180, INFINITY, 20)).status()));
  EXPECT_TRUE(invalid(erlang_a(a_input(10, -3, 180, 120, 20)).status()));
  EXPECT_TRUE(invalid(agents_for_erlang_c(c_input(10, 0, 180, 20), goal(1)).status()));
  EXPECT_TRUE(invalid(agents_for_erlang_c(c_input(10, 0, 180, 20), goal(0)).status()));
  EXPECT_TRUE(
      invalid(agents_for_erlang_c(c_input(10, 0, 180, 20), goal(0.8, {}, {}, 0.1)).status()));
  EXPECT_TRUE(invalid(agents_for_erlang_a(a_input(10, 0, 180, 120, 20), goal(0.8, -5)).status()));
  EXPECT_TRUE(invalid(agents_for_erlang_b(10, 0).status()));
}

TEST(ErlangATest, OverloadWithEndlessPatienceIsAnErrorNotAHang) {
  const auto r = erlang_a(a_input(1000, 500, 180, 1e12, 20));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace sb::erlang
