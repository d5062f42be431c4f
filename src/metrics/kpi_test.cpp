#include "metrics/kpi.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "base/random.h"

namespace sb::metrics {
namespace {

// A quarter-hour boundary (2023-11-14 22:00 UTC), so interval rows start at kT0 + k * 15 min.
constexpr Millis kT0 = 1'699'999'200'000;
constexpr Millis at_s(double s) { return kT0 + static_cast<Millis>(s * 1000.0 + 0.5); }
constexpr Millis kInterval = 15 * kMillisPerMinute;

// Collects timed payloads, then feeds them in time order (stable, so one contact's events keep
// their order) with increasing seq, as the engine would have emitted them.
class Script {
 public:
  template <typename P>
  Script& add(Millis t, P payload) {
    items_.push_back({t, EventPayload(std::move(payload))});
    return *this;
  }

  void configure_queue(QueueId q, Millis threshold) {
    auto cfg = std::make_shared<QueueConfig>();
    cfg->id = q;
    cfg->service_level_threshold = threshold;
    add(kT0 - kMillisPerHour, ev::QueueConfigured{cfg});
  }

  void configure_agent(AgentId a, std::vector<QueueId> queues) {
    auto cfg = std::make_shared<AgentConfig>();
    cfg->id = a;
    for (QueueId q : queues) cfg->queues.push_back({q, 1});
    add(kT0 - kMillisPerHour, ev::AgentConfigured{cfg});
  }

  // Queued at `in`, answered by `agent` at `answer`, talks to `end`, wraps up until `wrap_end`.
  void answered(ContactId c, QueueId q, AgentId agent, Millis in, Millis answer, Millis end,
                Millis wrap_end) {
    add(in, ev::ContactArrived{c, Channel::kVoice, q, 0, {}, 0});
    add(in, ev::ContactQueued{c, q});
    add(answer, ev::ContactOffered{c, agent, q, answer + 20'000});
    add(answer, ev::OfferAccepted{c, agent});
    add(answer, ev::ContactConnected{c, agent});
    add(end, ev::ContactEnded{c, agent, EndedBy::kCustomer});
    add(wrap_end, ev::WrapUpEnded{c, agent, 0});
  }

  void abandoned(ContactId c, QueueId q, Millis in, Millis out) {
    add(in, ev::ContactArrived{c, Channel::kVoice, q, 0, {}, 0});
    add(in, ev::ContactQueued{c, q});
    add(out, ev::ContactAbandoned{c, q});
  }

  void run(KpiCollector& k) {
    std::stable_sort(items_.begin(), items_.end(),
                     [](const Item& a, const Item& b) { return a.t < b.t; });
    std::uint64_t seq = 0;
    for (const Item& item : items_) {
      Event e;
      e.seq = ++seq;
      e.at = item.t;
      e.payload = item.payload;
      k.on_event(e);
    }
    items_.clear();
  }

 private:
  struct Item {
    Millis t;
    EventPayload payload;
  };
  std::vector<Item> items_;
};

// The service-level scenario: threshold 20 s, short abandons < 5 s.
//   answered after 10, 30, 15 and exactly 20 s (three within T);
//   abandoned after 3 (short), 12 (within T) and 40 s; one contact still waiting at the end.
void service_level_scenario(Script& s) {
  s.configure_queue(0, 20 * kMillisPerSecond);
  s.answered(1, 0, 0, at_s(0), at_s(10), at_s(70), at_s(80));
  s.answered(2, 0, 1, at_s(0), at_s(30), at_s(90), at_s(100));
  s.answered(3, 0, 2, at_s(5), at_s(20), at_s(80), at_s(90));
  s.answered(8, 0, 3, at_s(40), at_s(60), at_s(120), at_s(130));
  s.abandoned(4, 0, at_s(10), at_s(13));
  s.abandoned(5, 0, at_s(10), at_s(22));
  s.abandoned(6, 0, at_s(20), at_s(60));
  s.add(at_s(30), ev::ContactArrived{7, Channel::kVoice, 0, 0, {}, 0});
  s.add(at_s(30), ev::ContactQueued{7, 0});
}

KpiSummary run_service_level(SlFormula formula, Millis short_abandon) {
  KpiSettings settings;
  settings.formula = formula;
  settings.short_abandon = short_abandon;
  KpiCollector k(settings);
  Script s;
  service_level_scenario(s);
  s.run(k);
  return k.queue(0);
}

TEST(KpiCollector, ServiceLevelCountsAndEachFormula) {
  const KpiSummary q = run_service_level(SlFormula::kAnsweredWithinOverOffered, 5'000);
  EXPECT_EQ(q.offered, 8u);
  EXPECT_EQ(q.handled, 4u);
  EXPECT_EQ(q.answered_within_sl, 3u);  // 10, 15 and exactly 20 s (the threshold is inclusive)
  EXPECT_EQ(q.abandoned, 3u);
  EXPECT_EQ(q.short_abandoned, 1u);
  EXPECT_EQ(q.abandoned_within_sl, 1u);  // the 12 s one; the 3 s one is short
  // Default: 3 / (4 + 3 - 1).
  EXPECT_DOUBLE_EQ(q.service_level, 0.5);
  EXPECT_DOUBLE_EQ(service_level(q, SlFormula::kAnsweredWithinOverAnswered), 0.75);
  EXPECT_DOUBLE_EQ(service_level(q, SlFormula::kWithinOverAnsweredAndAbandoned), 4.0 / 6.0);
  EXPECT_DOUBLE_EQ(service_level(q, SlFormula::kAnsweredWithinOverOfferedCount), 3.0 / 8.0);
  EXPECT_DOUBLE_EQ(q.abandon_rate, 3.0 / 8.0);
  EXPECT_DOUBLE_EQ(q.asa_s, (10.0 + 30.0 + 15.0 + 20.0) / 4.0);
  EXPECT_DOUBLE_EQ(q.avg_abandon_wait_s, (3.0 + 12.0 + 40.0) / 3.0);
  EXPECT_DOUBLE_EQ(q.longest_wait_s, 40.0);
  // Waits 10, 15, 20, 30 s: p50 = 17.5 s. 15 and 20 s are lone values inside their 100 ms buckets,
  // estimated at the bucket middle, so the histogram is within its 100 ms bound but not exact.
  EXPECT_NEAR(q.wait_p50_s, 17.5, 0.1);
  EXPECT_DOUBLE_EQ(q.wait_p95_s, 30.0 - 0.15 * (30.0 - 20.0495));  // 30 s is the exact maximum

  // The configured formula drives KpiSummary::service_level.
  EXPECT_DOUBLE_EQ(run_service_level(SlFormula::kAsteriskSl, 5'000).service_level, 0.75);
  EXPECT_DOUBLE_EQ(run_service_level(SlFormula::kAsteriskSl2, 5'000).service_level, 4.0 / 6.0);
  EXPECT_DOUBLE_EQ(
      run_service_level(SlFormula::kAnsweredWithinOverOfferedCount, 5'000).service_level, 0.375);
}

TEST(KpiCollector, WithoutShortAbandonsEveryAbandonCounts) {
  const KpiSummary q = run_service_level(SlFormula::kAnsweredWithinOverOffered, 0);
  EXPECT_EQ(q.short_abandoned, 0u);
  EXPECT_EQ(q.abandoned_within_sl, 2u);
  EXPECT_DOUBLE_EQ(q.service_level, 3.0 / 7.0);
  EXPECT_DOUBLE_EQ(service_level(q, SlFormula::kAsteriskSl2), 5.0 / 7.0);
}

TEST(KpiCollector, FinishedContactsAreForgotten) {
  KpiCollector k;
  Script s;
  service_level_scenario(s);
  s.run(k);
  EXPECT_EQ(k.tracked_contacts(), 1u);  // contact 7 still waits
  EXPECT_EQ(k.total().offered, 8u);
}

TEST(KpiCollector, UnconfiguredQueueUsesTheDefaultThreshold) {
  KpiSettings settings;
  settings.default_sl_threshold = 12 * kMillisPerSecond;
  KpiCollector k(settings);
  Script s;
  s.answered(1, 3, 0, at_s(0), at_s(12), at_s(20), at_s(20));  // within 12 s
  s.answered(2, 3, 1, at_s(0), at_s(13), at_s(20), at_s(20));  // not
  s.run(k);
  EXPECT_EQ(k.queue(3).answered_within_sl, 1u);
  EXPECT_DOUBLE_EQ(k.queue(3).service_level, 0.5);
}

TEST(KpiCollector, TalkHoldAndWrapSplit) {
  KpiCollector k;
  Script s;
  // Talk 5-65, hold 65-95, talk 95-125, hold 125-135, talk 135-205, wrap 205-235:
  // talk 160, hold 40, wrap 30.
  s.answered(1, 0, 0, at_s(0), at_s(5), at_s(205), at_s(235));
  s.add(at_s(65), ev::HoldStarted{1, 0});
  s.add(at_s(95), ev::HoldEnded{1, 0});
  s.add(at_s(125), ev::HoldStarted{1, 0});
  s.add(at_s(135), ev::HoldEnded{1, 0});
  // Talk 100, wrap 20.
  s.answered(2, 0, 1, at_s(0), at_s(0), at_s(100), at_s(120));
  // Still on hold when the conversation ends: talk 50, hold 30, no wrap.
  s.answered(3, 0, 2, at_s(0), at_s(0), at_s(80), at_s(80));
  s.add(at_s(50), ev::HoldStarted{3, 2});
  // Conversation over but still wrapping up at the end: not an AHT sample yet.
  s.add(at_s(0), ev::ContactArrived{4, Channel::kVoice, 0, 0, {}, 0});
  s.add(at_s(0), ev::ContactQueued{4, 0});
  s.add(at_s(1), ev::ContactConnected{4, 3});
  s.add(at_s(50), ev::ContactEnded{4, 3, EndedBy::kAgent});
  s.run(k);

  const KpiSummary q = k.queue(0);
  EXPECT_EQ(q.handled, 4u);
  EXPECT_EQ(q.handle_samples, 3u);
  EXPECT_DOUBLE_EQ(q.avg_talk_s, (160.0 + 100.0 + 50.0) / 3.0);
  EXPECT_DOUBLE_EQ(q.avg_hold_s, (40.0 + 0.0 + 30.0) / 3.0);
  EXPECT_DOUBLE_EQ(q.avg_wrap_s, (30.0 + 20.0 + 0.0) / 3.0);
  EXPECT_DOUBLE_EQ(q.aht_s, (230.0 + 120.0 + 80.0) / 3.0);
  EXPECT_EQ(k.tracked_contacts(), 1u);

  Script more;
  more.add(at_s(70), ev::WrapUpEnded{4, 3, 0});  // talk 49, wrap 20
  more.run(k);
  EXPECT_EQ(k.queue(0).handle_samples, 4u);
  EXPECT_DOUBLE_EQ(k.queue(0).aht_s, (230.0 + 120.0 + 80.0 + 69.0) / 4.0);
  EXPECT_EQ(k.tracked_contacts(), 0u);
}

class TransferToQueue : public ::testing::TestWithParam<bool> {};

// The transfer re-queues the contact: a new offer on the target, `transferred` on the source. The
// result must not depend on whether the engine also emits ContactQueued for the target queue.
TEST_P(TransferToQueue, CountsANewOfferOnTheTarget) {
  const bool engine_sends_queued = GetParam();
  KpiCollector k;
  Script s;
  s.configure_queue(0, 20 * kMillisPerSecond);
  s.configure_queue(1, 30 * kMillisPerSecond);
  s.add(at_s(0), ev::AgentLoggedIn{0});
  s.add(at_s(0), ev::AgentLoggedIn{1});
  s.add(at_s(0), ev::ContactArrived{1, Channel::kVoice, 0, 0, {}, 0});
  s.add(at_s(0), ev::ContactQueued{1, 0});
  s.add(at_s(0), ev::ContactOffered{1, 0, 0, at_s(20)});
  s.add(at_s(8), ev::ContactConnected{1, 0});
  s.add(at_s(20), ev::HoldStarted{1, 0});
  s.add(at_s(30), ev::HoldEnded{1, 0});
  s.add(at_s(50), ev::ContactTransferred{1, 0, 0, 1, kNoId, TransferReason::kAgentRequest});
  if (engine_sends_queued) s.add(at_s(50), ev::ContactQueued{1, 1});
  s.add(at_s(80), ev::ContactOffered{1, 1, 1, at_s(100)});
  s.add(at_s(85), ev::ContactConnected{1, 1});
  s.add(at_s(145), ev::ContactEnded{1, 1, EndedBy::kCustomer});
  s.add(at_s(150), ev::WrapUpEnded{1, 1, 0});
  s.run(k);
  k.finish(at_s(200));

  const KpiSummary q0 = k.queue(0);
  EXPECT_EQ(q0.offered, 1u);
  EXPECT_EQ(q0.handled, 1u);
  EXPECT_EQ(q0.answered_within_sl, 1u);
  EXPECT_EQ(q0.transferred, 1u);
  EXPECT_EQ(q0.handle_samples, 1u);
  EXPECT_DOUBLE_EQ(q0.avg_talk_s, 32.0);  // 8-20 and 30-50
  EXPECT_DOUBLE_EQ(q0.avg_hold_s, 10.0);
  EXPECT_DOUBLE_EQ(q0.aht_s, 42.0);
  EXPECT_DOUBLE_EQ(q0.asa_s, 8.0);

  const KpiSummary q1 = k.queue(1);
  EXPECT_EQ(q1.offered, 1u);
  EXPECT_EQ(q1.handled, 1u);
  EXPECT_EQ(q1.transferred, 0u);
  EXPECT_EQ(q1.answered_within_sl, 0u);  // waited 35 s in queue 1 (threshold 30 s)
  EXPECT_DOUBLE_EQ(q1.asa_s, 35.0);
  EXPECT_DOUBLE_EQ(q1.aht_s, 65.0);

  const KpiSummary t = k.total();
  EXPECT_EQ(t.offered, 2u);
  EXPECT_EQ(t.handled, 2u);
  EXPECT_EQ(t.transferred, 1u);
  EXPECT_DOUBLE_EQ(t.aht_s, (42.0 + 65.0) / 2.0);
  // Agent 0 was occupied 8-50, agent 1 85-150, both available 0-200.
  EXPECT_DOUBLE_EQ(t.occupied_s, 42.0 + 65.0);
  EXPECT_DOUBLE_EQ(t.available_s, 400.0);
  EXPECT_EQ(k.tracked_contacts(), 0u);
}

INSTANTIATE_TEST_SUITE_P(WithAndWithoutContactQueued, TransferToQueue, ::testing::Bool());

TEST(KpiCollector, TransferToAgentKeepsTheOfferAndAddsALeg) {
  KpiCollector k;
  Script s;
  s.add(at_s(0), ev::ContactArrived{1, Channel::kVoice, 0, 0, {}, 0});
  s.add(at_s(0), ev::ContactQueued{1, 0});
  s.add(at_s(10), ev::ContactConnected{1, 0});
  s.add(at_s(40), ev::ContactTransferred{1, 0, 0, kNoId, 1, TransferReason::kAgentRequest});
  s.add(at_s(40), ev::ContactOffered{1, 1, 0, at_s(60)});
  s.add(at_s(45), ev::ContactConnected{1, 1});
  s.add(at_s(100), ev::ContactEnded{1, 1, EndedBy::kCustomer});
  s.add(at_s(110), ev::WrapUpEnded{1, 1, 0});
  s.run(k);
  const KpiSummary q = k.queue(0);
  EXPECT_EQ(q.offered, 1u);
  EXPECT_EQ(q.handled, 1u);  // answered once, by agent 0
  EXPECT_EQ(q.transferred, 1u);
  EXPECT_EQ(q.handle_samples, 2u);  // one leg per agent: 30 s, and 55 s + 10 s wrap
  EXPECT_DOUBLE_EQ(q.avg_talk_s, (30.0 + 55.0) / 2.0);
  EXPECT_DOUBLE_EQ(q.aht_s, (30.0 + 65.0) / 2.0);
  EXPECT_DOUBLE_EQ(q.asa_s, 10.0);
  EXPECT_EQ(k.tracked_contacts(), 0u);
}

TEST(KpiCollector, AgentThatEndedBeforeTransferringKeepsItsWrapUp) {
  KpiCollector k;
  Script s;
  s.add(at_s(0), ev::ContactArrived{1, Channel::kVoice, 0, 0, {}, 0});
  s.add(at_s(0), ev::ContactQueued{1, 0});
  s.add(at_s(0), ev::ContactConnected{1, 2});
  s.add(at_s(30), ev::ContactEnded{1, 2, EndedBy::kAgent});
  s.add(at_s(30), ev::ContactTransferred{1, 2, 0, 1, kNoId, TransferReason::kAgentRequest});
  s.add(at_s(30), ev::ContactQueued{1, 1});
  s.add(at_s(40), ev::WrapUpEnded{1, 2, 0});
  s.add(at_s(50), ev::ContactConnected{1, 3});
  s.add(at_s(70), ev::ContactEnded{1, 3, EndedBy::kAgent});
  s.add(at_s(70), ev::WrapUpEnded{1, 3, 0});
  s.run(k);
  EXPECT_EQ(k.queue(0).handle_samples, 1u);
  EXPECT_DOUBLE_EQ(k.queue(0).avg_talk_s, 30.0);
  EXPECT_DOUBLE_EQ(k.queue(0).avg_wrap_s, 10.0);
  EXPECT_EQ(k.queue(1).offered, 1u);
  EXPECT_DOUBLE_EQ(k.queue(1).asa_s, 20.0);
  EXPECT_DOUBLE_EQ(k.queue(1).aht_s, 20.0);
  EXPECT_EQ(k.tracked_contacts(), 0u);
}

TEST(KpiCollector, OverflowIsAttributedToTheTargetQueue) {
  KpiCollector k;
  Script s;
  s.configure_queue(0, 20 * kMillisPerSecond);
  s.configure_queue(1, 60 * kMillisPerSecond);
  // Overflows after 30 s and is answered in queue 1 after 45 s in all.
  s.add(at_s(0), ev::ContactArrived{1, Channel::kVoice, 0, 0, {}, 0});
  s.add(at_s(0), ev::ContactQueued{1, 0});
  s.add(at_s(30), ev::ContactTransferred{1, kNoId, 0, 1, kNoId, TransferReason::kOverflow});
  s.add(at_s(30), ev::ContactQueued{1, 1});
  s.add(at_s(45), ev::ContactConnected{1, 0});
  s.add(at_s(100), ev::ContactEnded{1, 0, EndedBy::kAgent});
  s.add(at_s(100), ev::WrapUpEnded{1, 0, 0});
  // Overflows and abandons in queue 1 after 90 s in all (no ContactQueued this time).
  s.add(at_s(10), ev::ContactArrived{2, Channel::kVoice, 0, 0, {}, 0});
  s.add(at_s(10), ev::ContactQueued{2, 0});
  s.add(at_s(40), ev::ContactTransferred{2, kNoId, 0, 1, kNoId, TransferReason::kOverflow});
  s.add(at_s(100), ev::ContactAbandoned{2, 1});
  s.run(k);

  const KpiSummary q0 = k.queue(0);
  EXPECT_EQ(q0.offered, 2u);
  EXPECT_EQ(q0.overflowed, 2u);
  EXPECT_EQ(q0.handled, 0u);
  EXPECT_EQ(q0.abandoned, 0u);
  const KpiSummary q1 = k.queue(1);
  EXPECT_EQ(q1.offered, 0u);  // overflow is not a new offer
  EXPECT_EQ(q1.handled, 1u);
  EXPECT_EQ(q1.abandoned, 1u);
  EXPECT_EQ(q1.answered_within_sl, 1u);  // 45 s <= queue 1's 60 s
  EXPECT_EQ(q1.abandoned_within_sl, 0u);
  EXPECT_DOUBLE_EQ(q1.asa_s, 45.0);
  EXPECT_DOUBLE_EQ(q1.avg_abandon_wait_s, 90.0);
  EXPECT_DOUBLE_EQ(q1.service_level, 0.5);
  const KpiSummary t = k.total();
  EXPECT_EQ(t.offered, 2u);
  EXPECT_EQ(t.overflowed, 2u);
  EXPECT_DOUBLE_EQ(t.abandon_rate, 0.5);
  EXPECT_EQ(k.tracked_contacts(), 0u);
}

TEST(KpiCollector, IntervalRowsFollowTheArrivalInterval) {
  KpiCollector k;
  Script s;
  s.configure_queue(0, 20 * kMillisPerSecond);
  s.configure_queue(1, 20 * kMillisPerSecond);
  // Interval 0 = [0, 900) s, interval 1 = [900, 1800) s, ...
  s.answered(1, 0, 0, at_s(890), at_s(920), at_s(950), at_s(950));      // row 0, wait 30
  s.answered(2, 0, 1, at_s(900), at_s(905), at_s(950), at_s(950));      // row 1 (boundary), wait 5
  s.answered(3, 0, 2, kT0 + 899'999, at_s(910), at_s(950), at_s(950));  // row 0, wait 10.001
  s.abandoned(4, 0, at_s(1000), at_s(1010));                            // row 1
  s.answered(5, 1, 3, at_s(100), at_s(103), at_s(200), at_s(210));      // row (0, q1)
  // Enters in interval 2, overflows in interval 3: both rows stay in interval 2.
  s.add(at_s(2000), ev::ContactArrived{6, Channel::kVoice, 0, 0, {}, 0});
  s.add(at_s(2000), ev::ContactQueued{6, 0});
  s.add(at_s(2750), ev::ContactTransferred{6, kNoId, 0, 1, kNoId, TransferReason::kOverflow});
  s.add(at_s(2760), ev::ContactConnected{6, 4});
  s.add(at_s(2800), ev::ContactEnded{6, 4, EndedBy::kAgent});
  s.add(at_s(2800), ev::WrapUpEnded{6, 4, 0});
  s.run(k);

  const std::vector<IntervalRow> rows = k.intervals();
  ASSERT_EQ(rows.size(), 5u);

  EXPECT_EQ(rows[0].start, kT0);
  EXPECT_EQ(rows[0].queue, 0u);
  EXPECT_EQ(rows[0].offered, 2u);
  EXPECT_EQ(rows[0].handled, 2u);
  EXPECT_EQ(rows[0].answered_within_sl, 1u);
  EXPECT_DOUBLE_EQ(rows[0].service_level, 0.5);
  EXPECT_DOUBLE_EQ(rows[0].asa_s, (30.0 + 10.001) / 2.0);
  // Waits 10.001 s and 30 s: p90 = 10.001 + 0.9 * 19.999, exact because both are the extremes,
  // which the histogram keeps.
  EXPECT_NEAR(rows[0].wait_p90_s, 28.0001, 1e-9);
  EXPECT_DOUBLE_EQ(rows[0].aht_s, (30.0 + 40.0) / 2.0);

  EXPECT_EQ(rows[1].start, kT0);
  EXPECT_EQ(rows[1].queue, 1u);
  EXPECT_EQ(rows[1].offered, 1u);
  EXPECT_EQ(rows[1].handled, 1u);
  EXPECT_DOUBLE_EQ(rows[1].asa_s, 3.0);
  EXPECT_DOUBLE_EQ(rows[1].aht_s, 107.0);

  EXPECT_EQ(rows[2].start, kT0 + kInterval);
  EXPECT_EQ(rows[2].queue, 0u);
  EXPECT_EQ(rows[2].offered, 2u);
  EXPECT_EQ(rows[2].handled, 1u);
  EXPECT_EQ(rows[2].abandoned, 1u);
  EXPECT_EQ(rows[2].answered_within_sl, 1u);
  EXPECT_DOUBLE_EQ(rows[2].service_level, 0.5);
  EXPECT_DOUBLE_EQ(rows[2].abandon_rate, 0.5);
  EXPECT_DOUBLE_EQ(rows[2].wait_p90_s, 5.0);

  EXPECT_EQ(rows[3].start, kT0 + 2 * kInterval);
  EXPECT_EQ(rows[3].queue, 0u);
  EXPECT_EQ(rows[3].offered, 1u);
  EXPECT_EQ(rows[3].overflowed, 1u);
  EXPECT_EQ(rows[3].handled, 0u);

  EXPECT_EQ(rows[4].start, kT0 + 2 * kInterval);
  EXPECT_EQ(rows[4].queue, 1u);
  EXPECT_EQ(rows[4].offered, 0u);
  EXPECT_EQ(rows[4].handled, 1u);
  EXPECT_DOUBLE_EQ(rows[4].asa_s, 760.0);
  EXPECT_EQ(rows[4].answered_within_sl, 0u);
}

TEST(KpiCollector, OccupancyWithLoginBreaksAndConcurrentContacts) {
  KpiCollector k;
  Script s;
  s.configure_agent(0, {0});
  s.configure_agent(1, {1});
  // Agent 0: available 0-600, break 600-900, available 900-1100, not ready 1100-1500 (but still
  // working contact 2 until 1250), available 1500-1800, logged out after 1800.
  s.add(at_s(0), ev::AgentLoggedIn{0});
  s.add(at_s(0), ev::AgentStateChanged{0, Presence::kAvailable, reason::kNone});
  s.add(at_s(80), ev::ContactArrived{1, Channel::kVoice, 0, 0, {}, 0});
  s.add(at_s(80), ev::ContactQueued{1, 0});
  s.add(at_s(90), ev::ContactOffered{1, 0, 0, at_s(110)});  // ringing 90-100: not occupied
  s.add(at_s(100), ev::ContactConnected{1, 0});
  s.add(at_s(400), ev::ContactEnded{1, 0, EndedBy::kCustomer});
  s.add(at_s(460), ev::WrapUpEnded{1, 0, 0});  // occupied 100-460
  s.add(at_s(600), ev::AgentStateChanged{0, Presence::kNotReady, reason::kBreak});
  s.add(at_s(900), ev::AgentStateChanged{0, Presence::kAvailable, reason::kNone});
  s.add(at_s(1000), ev::ContactArrived{2, Channel::kVoice, 0, 0, {}, 0});
  s.add(at_s(1000), ev::ContactQueued{2, 0});
  s.add(at_s(1000), ev::ContactConnected{2, 0});
  s.add(at_s(1100), ev::AgentStateChanged{0, Presence::kNotReady, reason::kBreak});
  s.add(at_s(1200), ev::ContactEnded{2, 0, EndedBy::kCustomer});
  s.add(at_s(1250), ev::WrapUpEnded{2, 0, 0});  // occupied 1000-1250
  s.add(at_s(1500), ev::AgentStateChanged{0, Presence::kAvailable, reason::kNone});
  s.add(at_s(1800), ev::AgentLoggedOut{0});
  // Agent 1: two overlapping chats, 0-100 and 50-150: occupied 150 s (the union) of 200 s.
  s.add(at_s(0), ev::AgentLoggedIn{1});
  s.answered(3, 1, 1, at_s(0), at_s(0), at_s(100), at_s(100));
  s.answered(4, 1, 1, at_s(50), at_s(50), at_s(120), at_s(150));
  s.add(at_s(200), ev::AgentLoggedOut{1});
  // Agent 2 (no queue membership): logged in at 1000 and still talking when the run ends.
  s.add(at_s(1000), ev::AgentLoggedIn{2});
  s.add(at_s(1900), ev::ContactArrived{5, Channel::kVoice, 2, 0, {}, 0});
  s.add(at_s(1900), ev::ContactQueued{5, 2});
  s.add(at_s(1900), ev::ContactConnected{5, 2});
  s.run(k);

  // Before finish() the open spans of agent 2 are not accounted.
  EXPECT_DOUBLE_EQ(k.total().available_s, 1250.0 + 200.0 + 900.0);
  k.finish(at_s(2000));
  k.finish(at_s(2000));  // idempotent at the same time

  const KpiSummary q0 = k.queue(0);
  EXPECT_DOUBLE_EQ(q0.staffed_s, 1800.0);
  EXPECT_DOUBLE_EQ(q0.available_s, 600.0 + 200.0 + 150.0 + 300.0);
  EXPECT_DOUBLE_EQ(q0.occupied_s, 360.0 + 250.0);
  EXPECT_DOUBLE_EQ(q0.occupancy, 610.0 / 1250.0);

  const KpiSummary q1 = k.queue(1);
  EXPECT_DOUBLE_EQ(q1.available_s, 200.0);
  EXPECT_DOUBLE_EQ(q1.occupied_s, 150.0);
  EXPECT_DOUBLE_EQ(q1.occupancy, 0.75);

  const KpiSummary t = k.total();
  EXPECT_DOUBLE_EQ(t.staffed_s, 1800.0 + 200.0 + 1000.0);
  EXPECT_DOUBLE_EQ(t.available_s, 1250.0 + 200.0 + 1000.0);
  EXPECT_DOUBLE_EQ(t.occupied_s, 610.0 + 150.0 + 100.0);
  EXPECT_DOUBLE_EQ(t.occupancy, 860.0 / 2450.0);

  // finish() may be called again later; the same agent keeps accumulating.
  k.finish(at_s(2100));
  EXPECT_DOUBLE_EQ(k.total().occupied_s, 960.0);
  EXPECT_DOUBLE_EQ(k.total().available_s, 2550.0);
}

TEST(KpiCollector, BlockedCallbacksSelfServiceAndArrivalsWithoutContactQueued) {
  KpiCollector k;
  Script s;
  s.configure_queue(0, 20 * kMillisPerSecond);
  s.add(at_s(0), ev::ContactArrived{1, Channel::kVoice, 0, 0, {}, 0});
  s.add(at_s(0), ev::ContactBlocked{1, 0, BlockReason::kFull});
  s.add(at_s(1), ev::ContactBlocked{2, 99'999'999, BlockReason::kNoSuchQueue});
  s.add(at_s(2), ev::SelfServed{3, Channel::kChat, 0});
  // Straight to an agent, no ContactQueued: offered at arrival, waited 2 s.
  s.add(at_s(10), ev::ContactArrived{4, Channel::kVoice, 0, 0, {}, 0});
  s.add(at_s(10), ev::ContactOffered{4, 0, 0, at_s(30)});
  s.add(at_s(12), ev::ContactConnected{4, 0});
  s.add(at_s(40), ev::ContactEnded{4, 0, EndedBy::kAgent});
  s.add(at_s(40), ev::WrapUpEnded{4, 0, 0});
  // Asks for a callback and is called back 280 s after queueing.
  s.add(at_s(20), ev::ContactArrived{5, Channel::kVoice, 0, 0, {}, 0});
  s.add(at_s(20), ev::ContactQueued{5, 0});
  s.add(at_s(50), ev::CallbackRequested{5, 0});
  s.add(at_s(300), ev::ContactConnected{5, 1});
  s.add(at_s(360), ev::ContactEnded{5, 1, EndedBy::kAgent});
  s.add(at_s(360), ev::WrapUpEnded{5, 1, 0});
  s.run(k);

  const KpiSummary q0 = k.queue(0);
  EXPECT_EQ(q0.blocked, 1u);
  EXPECT_EQ(q0.offered, 2u);
  EXPECT_EQ(q0.handled, 2u);
  EXPECT_EQ(q0.callbacks_requested, 1u);
  EXPECT_EQ(q0.answered_within_sl, 1u);
  EXPECT_DOUBLE_EQ(q0.asa_s, (2.0 + 280.0) / 2.0);
  EXPECT_EQ(q0.self_served, 0u);
  const KpiSummary t = k.total();
  EXPECT_EQ(t.blocked, 2u);
  EXPECT_EQ(t.self_served, 1u);
  EXPECT_EQ(t.offered, 2u);
  EXPECT_EQ(k.queue(kNoId).blocked, 1u);
  EXPECT_EQ(k.queues(), (std::vector<QueueId>{0, kNoId}));
  const std::vector<IntervalRow> rows = k.intervals();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].queue, 0u);
  EXPECT_EQ(rows[0].blocked, 1u);
  EXPECT_EQ(rows[0].offered, 2u);
  EXPECT_EQ(rows[1].queue, kNoId);
  EXPECT_EQ(rows[1].blocked, 1u);
  EXPECT_EQ(k.tracked_contacts(), 0u);
}

TEST(KpiSettings, ValidateAndFormulaNames) {
  EXPECT_TRUE(KpiSettings{}.validate().ok());
  KpiSettings bad;
  bad.interval = 0;
  EXPECT_EQ(bad.validate().code(), StatusCode::kInvalidArgument);
  for (SlFormula f : {SlFormula::kAnsweredWithinOverOffered, SlFormula::kAsteriskSl,
                      SlFormula::kAsteriskSl2, SlFormula::kAnsweredWithinOverOfferedCount}) {
    Result<SlFormula> parsed = parse_sl_formula(sl_formula_name(f));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, f);
  }
  EXPECT_EQ(sl_formula_name(SlFormula::kAsteriskSl2), "asterisk_sl2");
  EXPECT_EQ(parse_sl_formula("nope").status().code(), StatusCode::kInvalidArgument);
}

// Randomized model test: contacts with independently drawn lifecycles, and a direct per-contact
// computation of every count and sum as the oracle.
TEST(KpiCollector, MatchesADirectComputationOnRandomTraffic) {
  constexpr int kContacts = 30'000;
  constexpr int kQueues = 3;
  const Millis thresholds[kQueues] = {10'000, 20'000, 30'000};
  KpiSettings settings;
  settings.short_abandon = 3'000;
  KpiCollector k(settings);
  Script s;
  for (QueueId q = 0; q < kQueues; ++q) s.configure_queue(q, thresholds[q]);

  struct Expect {
    std::uint64_t offered = 0, handled = 0, within = 0, abandoned = 0, short_ab = 0, ab_within = 0,
                  samples = 0;
    std::int64_t wait_ms = 0, talk_ms = 0, hold_ms = 0, wrap_ms = 0;
  };
  Expect per_queue[kQueues];
  std::map<std::pair<Millis, QueueId>, Expect> per_row;
  std::vector<Millis> all_waits;

  Random rng(2024);
  for (ContactId c = 1; c <= kContacts; ++c) {
    const auto q = static_cast<QueueId>(rng.below(kQueues));
    const Millis in = kT0 + static_cast<Millis>(rng.below(8 * kMillisPerHour));
    const auto wait = static_cast<Millis>(rng.exponential(25'000));
    const auto patience = static_cast<Millis>(rng.exponential(90'000));
    const Millis row = kT0 + (in - kT0) / kInterval * kInterval;
    Expect& eq = per_queue[q];
    Expect& er = per_row[{row, q}];
    for (Expect* e : {&eq, &er}) ++e->offered;
    if (patience < wait) {
      s.abandoned(c, q, in, in + patience);
      const bool is_short = patience < settings.short_abandon;
      for (Expect* e : {&eq, &er}) {
        ++e->abandoned;
        if (is_short) ++e->short_ab;
        if (!is_short && patience <= thresholds[q]) ++e->ab_within;
      }
      continue;
    }
    const auto agent = static_cast<AgentId>(c % 500);
    const auto talk = static_cast<Millis>(rng.exponential(180'000)) + 1;
    const Millis hold = rng.uniform() < 0.3 ? static_cast<Millis>(rng.below(talk)) : 0;
    const auto wrap = static_cast<Millis>(rng.exponential(15'000));
    const Millis answer = in + wait;
    s.answered(c, q, agent, in, answer, answer + talk, answer + talk + wrap);
    if (hold > 0) {
      s.add(answer + 1, ev::HoldStarted{c, agent});
      s.add(answer + 1 + hold, ev::HoldEnded{c, agent});
    }
    all_waits.push_back(wait);
    for (Expect* e : {&eq, &er}) {
      ++e->handled;
      ++e->samples;
      if (wait <= thresholds[q]) ++e->within;
      e->wait_ms += wait;
      e->hold_ms += hold;
      e->talk_ms += talk - hold;
      e->wrap_ms += wrap;
    }
  }
  s.run(k);

  auto check = [](const Expect& e, std::uint64_t offered, std::uint64_t handled,
                  std::uint64_t within, std::uint64_t abandoned, std::uint64_t short_ab,
                  std::uint64_t ab_within, double asa, double aht) {
    EXPECT_EQ(offered, e.offered);
    EXPECT_EQ(handled, e.handled);
    EXPECT_EQ(within, e.within);
    EXPECT_EQ(abandoned, e.abandoned);
    EXPECT_EQ(short_ab, e.short_ab);
    EXPECT_EQ(ab_within, e.ab_within);
    EXPECT_NEAR(asa, e.handled ? e.wait_ms / 1000.0 / e.handled : 0.0, 1e-9);
    EXPECT_NEAR(aht, e.samples ? (e.talk_ms + e.hold_ms + e.wrap_ms) / 1000.0 / e.samples : 0.0,
                1e-9);
  };
  for (QueueId q = 0; q < kQueues; ++q) {
    const KpiSummary s_q = k.queue(q);
    check(per_queue[q], s_q.offered, s_q.handled, s_q.answered_within_sl, s_q.abandoned,
          s_q.short_abandoned, s_q.abandoned_within_sl, s_q.asa_s, s_q.aht_s);
    EXPECT_NEAR(s_q.avg_hold_s, per_queue[q].hold_ms / 1000.0 / per_queue[q].samples, 1e-9);
    EXPECT_NEAR(s_q.service_level,
                static_cast<double>(per_queue[q].within) /
                    static_cast<double>(per_queue[q].handled + per_queue[q].abandoned -
                                        per_queue[q].short_ab),
                1e-12);
  }
  const std::vector<IntervalRow> rows = k.intervals();
  ASSERT_EQ(rows.size(), per_row.size());
  auto it = per_row.begin();
  for (const IntervalRow& r : rows) {
    ASSERT_EQ(r.start, it->first.first);
    ASSERT_EQ(r.queue, it->first.second);
    check(it->second, r.offered, r.handled, r.answered_within_sl, r.abandoned, r.short_abandoned,
          r.abandoned_within_sl, r.asa_s, r.aht_s);
    ++it;
  }
  // Wait percentiles of all handled contacts against the exact sorted values.
  std::sort(all_waits.begin(), all_waits.end());
  const KpiSummary t = k.total();
  auto exact = [&](double q) {
    const double h = (all_waits.size() - 1) * q;
    const auto i = static_cast<std::size_t>(h);
    return (all_waits[i] + (h - i) * (all_waits[i + 1] - all_waits[i])) / 1000.0;
  };
  EXPECT_NEAR(t.wait_p50_s, exact(0.50), 0.1);
  EXPECT_NEAR(t.wait_p90_s, exact(0.90), 0.1);
  EXPECT_NEAR(t.wait_p95_s, exact(0.95), 0.1);
  EXPECT_EQ(k.wait_histogram().count(), all_waits.size());
  EXPECT_EQ(k.tracked_contacts(), 0u);
}

// Real traffic: the "Anonymous Bank" call log (February 1999, 33,344 calls; see
// ../shared/data/README.md). Every call that reached an agent or abandoned in queue becomes a
// contact: queue 0 if it queued, queue 1 if it went straight to an agent. The README's published
// facts are the expected values.
TEST(KpiCollector, AnonymousBankFebruary1999) {
  const char* dir = std::getenv("SWITCHBOARD_SHARED_DATA");
  const std::string path =
      std::string(dir ? dir : "../shared/data") + "/anonymous_bank_1999_february.txt";
  std::ifstream in(path);
  if (!in) GTEST_SKIP() << "data file not available: " << path;

  auto seconds_of = [](const std::string& hms) {
    int h = 0, m = 0, sec = 0;
    char c1, c2;
    std::istringstream is(hms);
    is >> h >> c1 >> m >> c2 >> sec;
    return static_cast<Millis>((h * 3600 + m * 60 + sec)) * 1000;
  };
  KpiCollector k;
  Script s;
  std::string line;
  std::getline(in, line);  // header
  ContactId id = 0;
  std::int64_t served_ms = 0;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::vector<std::string> f;
    std::istringstream ls(line);
    for (std::string field; std::getline(ls, field, '\t');) f.push_back(field);
    ASSERT_EQ(f.size(), 17u) << line;
    const std::string& outcome = f[12];
    if (outcome == "PHANTOM") continue;
    const bool queued = f[9] != "0:00:00";
    if (outcome == "HANG" && !queued) continue;  // hung up in the voice menu: never offered
    const int day = std::stoi(f[5]) % 100;
    const Millis midnight = kT0 + (day - 1) * kMillisPerDay;
    const ContactId c = ++id;
    const QueueId q = queued ? 0 : 1;
    const Millis start = midnight + (queued ? seconds_of(f[9]) : seconds_of(f[13]));
    const Millis wait = queued ? std::stoll(f[11]) * 1000 : 0;
    if (outcome == "HANG") {
      s.abandoned(c, q, start, start + wait);
    } else {
      const Millis talk = std::stoll(f[15]) * 1000;
      served_ms += talk;
      s.answered(c, q, 0, start, start + wait, start + wait + talk, start + wait + talk);
    }
  }
  s.run(k);

  const KpiSummary queued = k.queue(0);
  const KpiSummary total = k.total();
  EXPECT_EQ(queued.abandoned, 3963u);
  EXPECT_EQ(total.abandoned, 3963u);
  EXPECT_EQ(queued.offered, 18058u);
  EXPECT_EQ(total.handled, 27162u);
  // README: 21.9 % of the calls that entered the queue, 12.7 % of all answered or abandoned.
  EXPECT_NEAR(queued.abandon_rate, 0.219, 0.0005);
  EXPECT_NEAR(total.abandon_rate, 0.127, 0.0005);
  // README: mean service time of served calls about 177 s (176.35 s exactly).
  EXPECT_NEAR(total.avg_talk_s, 176.35, 0.01);
  EXPECT_DOUBLE_EQ(total.avg_talk_s, served_ms / 1000.0 / 27162.0);
  EXPECT_EQ(k.tracked_contacts(), 0u);
}

}  // namespace
}  // namespace sb::metrics
