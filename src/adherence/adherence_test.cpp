#include "adherence/adherence.h"

#include <gtest/gtest.h>

#include <vector>

namespace sb::adherence {
namespace {

constexpr Millis kDay0 = 20'000 * kMillisPerDay;  // a UTC midnight (2024-10-04)
constexpr AgentId kAnna = 3;
constexpr AgentId kBen = 4;

Millis at(int h, int m = 0, int s = 0, int day = 0) {
  return kDay0 + day * kMillisPerDay + h * kMillisPerHour + m * kMillisPerMinute +
         s * kMillisPerSecond;
}
Millis secs(Millis s) { return s * kMillisPerSecond; }
Millis mins(Millis m) { return m * kMillisPerMinute; }

ScheduledActivity act(AgentId agent, Activity a, Millis start, Millis end) {
  return ScheduledActivity{agent, a, start, end};
}

Schedule schedule(std::vector<ScheduledActivity> acts) {
  auto s = Schedule::make(std::move(acts));
  EXPECT_TRUE(s.ok()) << s.status().to_string();
  return s.ok() ? *s : Schedule{};
}

// Builds the event stream of a test.
struct Events {
  std::vector<Event> list;
  std::uint64_t seq = 0;
  Events& add(Millis t, EventPayload p) {
    list.push_back(Event{++seq, t, std::move(p)});
    return *this;
  }
  Events& login(Millis t, AgentId a) { return add(t, ev::AgentLoggedIn{a}); }
  Events& logout(Millis t, AgentId a) { return add(t, ev::AgentLoggedOut{a}); }
  Events& not_ready(Millis t, AgentId a, ReasonId r) {
    return add(t, ev::AgentStateChanged{a, Presence::kNotReady, r});
  }
  Events& available(Millis t, AgentId a) {
    return add(t, ev::AgentStateChanged{a, Presence::kAvailable, reason::kNone});
  }
  Events& connect(Millis t, AgentId a, ContactId c) { return add(t, ev::ContactConnected{c, a}); }
  Events& end(Millis t, AgentId a, ContactId c) {
    return add(t, ev::ContactEnded{c, a, EndedBy::kCustomer});
  }
  Events& wrapped(Millis t, AgentId a, ContactId c) { return add(t, ev::WrapUpEnded{c, a, 0}); }
};

DayTotals day_of(const Tracker& t, AgentId a, int day = 0) {
  auto all = t.totals();
  auto it = all.find({a, kDay0 + day * kMillisPerDay});
  return it == all.end() ? DayTotals{} : it->second;
}

AgentStatus status_of(Tracker& t, AgentId a, Millis now) {
  for (const auto& s : t.live(now))
    if (s.agent == a) return s;
  ADD_FAILURE() << "no status for agent " << a;
  return {};
}

// Work 9:00-12:00, break 12:00-12:15, work 12:15-13:00 (scheduled 4 h, work 3 h 45).
Schedule morning(AgentId a = kAnna) {
  return schedule({act(a, Activity::kWork, at(9), at(12)),
                   act(a, Activity::kBreak, at(12), at(12, 15)),
                   act(a, Activity::kWork, at(12, 15), at(13))});
}

TEST(Matches, Table) {
  const ActualState out{State::kLoggedOut, 0};
  const ActualState avail{State::kAvailable, 0};
  const ActualState busy{State::kBusy, 0};
  const ActualState wrap{State::kWrapUp, 0};
  auto nr = [](ReasonId r) { return ActualState{State::kNotReady, r}; };
  EXPECT_TRUE(matches(Activity::kWork, avail));
  EXPECT_TRUE(matches(Activity::kWork, busy));
  EXPECT_TRUE(matches(Activity::kWork, wrap));
  EXPECT_FALSE(matches(Activity::kWork, out));
  EXPECT_FALSE(matches(Activity::kWork, nr(reason::kBreak)));
  EXPECT_TRUE(matches(Activity::kBreak, nr(reason::kBreak)));
  EXPECT_TRUE(matches(Activity::kBreak, out));
  EXPECT_FALSE(matches(Activity::kBreak, nr(reason::kLunch)));
  EXPECT_FALSE(matches(Activity::kBreak, avail));
  EXPECT_FALSE(matches(Activity::kBreak, busy));
  EXPECT_TRUE(matches(Activity::kLunch, nr(reason::kLunch)));
  EXPECT_FALSE(matches(Activity::kLunch, nr(reason::kBreak)));
  EXPECT_TRUE(matches(Activity::kTraining, nr(reason::kTraining)));
  EXPECT_FALSE(matches(Activity::kTraining, nr(reason::kMeeting)));
  EXPECT_TRUE(matches(Activity::kMeeting, nr(reason::kMeeting)));
  EXPECT_TRUE(matches(Activity::kMeeting, nr(reason::kCoaching)));
  EXPECT_TRUE(matches(Activity::kMeeting, out));
  EXPECT_FALSE(matches(Activity::kMeeting, nr(reason::kMissed)));
  EXPECT_TRUE(matches(Activity::kOff, out));
  EXPECT_FALSE(matches(Activity::kOff, avail));
  EXPECT_FALSE(matches(Activity::kOff, nr(reason::kBreak)));
  EXPECT_TRUE(matches(std::nullopt, out));
  EXPECT_FALSE(matches(std::nullopt, busy));
  EXPECT_FALSE(matches(Activity::kWork, nr(200)));  // a custom reason code
  EXPECT_TRUE(is_productive(wrap));
  EXPECT_FALSE(is_productive(nr(reason::kBreak)));
}

TEST(ScheduleTest, ValidatesAndSorts) {
  auto s = Schedule::make({act(kBen, Activity::kWork, at(10), at(11)),
                           act(kAnna, Activity::kLunch, at(12), at(13)),
                           act(kAnna, Activity::kWork, at(9), at(12))});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->agents(), (std::vector<AgentId>{kAnna, kBen}));
  ASSERT_EQ(s->of(kAnna).size(), 2u);
  EXPECT_EQ(s->of(kAnna)[0].activity, Activity::kWork);
  EXPECT_TRUE(s->of(99).empty());

  auto overlap = Schedule::make({act(kAnna, Activity::kWork, at(9), at(12)),
                                 act(kAnna, Activity::kBreak, at(11, 59), at(12, 15))});
  ASSERT_FALSE(overlap.ok());
  EXPECT_NE(overlap.status().message().find("overlap"), std::string::npos);
  auto empty = Schedule::make({act(kAnna, Activity::kWork, at(9), at(9))});
  EXPECT_FALSE(empty.ok());
  auto nobody = Schedule::make({act(kNoId, Activity::kWork, at(9), at(10))});
  EXPECT_FALSE(nobody.ok());
  // Touching activities of one agent, and overlapping ones of two agents, are fine.
  EXPECT_TRUE(Schedule::make({act(kAnna, Activity::kWork, at(9), at(10)),
                              act(kAnna, Activity::kBreak, at(10), at(11)),
                              act(kBen, Activity::kWork, at(9, 30), at(10, 30))})
                  .ok());
  EXPECT_EQ(parse_activity("lunch").value(), Activity::kLunch);
  EXPECT_FALSE(parse_activity("nap").ok());
}

TEST(TrackerTest, PerfectDay) {
  Tracker t(morning());
  Events e;
  e.login(at(9), kAnna).not_ready(at(12), kAnna, reason::kBreak).available(at(12, 15), kAnna);
  e.logout(at(13), kAnna);
  t.on_events(e.list);
  t.advance(at(14));
  const DayTotals d = day_of(t, kAnna);
  EXPECT_EQ(d.scheduled, mins(240));
  EXPECT_EQ(d.scheduled_work(), mins(225));
  EXPECT_EQ(d.by_activity[static_cast<int>(Activity::kBreak)], mins(15));
  EXPECT_EQ(d.in_adherence, mins(240));
  EXPECT_EQ(d.out_of_adherence, 0);
  EXPECT_EQ(d.worked, mins(225));
  EXPECT_DOUBLE_EQ(d.adherence().value(), 1.0);
  EXPECT_DOUBLE_EQ(d.conformance().value(), 1.0);
  EXPECT_TRUE(t.take_transitions().empty());
}

TEST(TrackerTest, GraceThreshold) {
  // 45 s late: forgiven. Exactly 60 s late: forgiven (out only when longer than the grace).
  for (int late : {45, 60}) {
    Tracker t(morning());
    Events e;
    e.login(at(9, 0, late), kAnna).not_ready(at(12), kAnna, reason::kBreak);
    e.available(at(12, 15), kAnna).logout(at(13), kAnna);
    t.on_events(e.list);
    t.advance(at(13));
    const DayTotals d = day_of(t, kAnna);
    EXPECT_EQ(d.in_adherence, mins(240)) << late;
    EXPECT_EQ(d.out_of_adherence, 0) << late;
    EXPECT_EQ(d.worked, mins(225) - secs(late)) << late;
    EXPECT_TRUE(t.take_transitions().empty()) << late;
  }
  // 90 s late: the whole 90 s are out of adherence.
  Tracker t(morning());
  Events e;
  e.login(at(9, 1, 30), kAnna).not_ready(at(12), kAnna, reason::kBreak);
  e.available(at(12, 15), kAnna).logout(at(13), kAnna);
  // Live, before the login: at 9:00:59 the agent is late but within the grace.
  AgentStatus s = status_of(t, kAnna, at(9, 0, 59));
  EXPECT_TRUE(s.mismatch);
  EXPECT_EQ(s.mismatch_since, at(9));
  EXPECT_FALSE(s.out_of_adherence);
  EXPECT_EQ(s.scheduled->activity, Activity::kWork);
  EXPECT_EQ(s.actual.state, State::kLoggedOut);
  EXPECT_EQ(s.today.out_of_adherence, 0);
  EXPECT_EQ(s.today.in_adherence, secs(59));  // provisional: still within the grace
  // At 9:01:01 the agent is out, since 9:00, for 61 s.
  s = status_of(t, kAnna, at(9, 1, 1));
  EXPECT_TRUE(s.out_of_adherence);
  EXPECT_EQ(s.out_since, at(9));
  EXPECT_EQ(s.out_for, secs(61));
  EXPECT_EQ(s.today.out_of_adherence, secs(61));
  EXPECT_EQ(s.today.in_adherence, 0);
  auto tr = t.take_transitions();
  ASSERT_EQ(tr.size(), 1u);
  EXPECT_EQ(tr[0], (Transition{kAnna, true, at(9, 1), at(9), Activity::kWork,
                               ActualState{State::kLoggedOut, 0}}));
  t.on_events(e.list);
  t.advance(at(13));
  tr = t.take_transitions();
  ASSERT_EQ(tr.size(), 1u);
  EXPECT_EQ(tr[0], (Transition{kAnna, false, at(9, 1, 30), at(9), Activity::kWork,
                               ActualState{State::kAvailable, 0}}));
  const DayTotals d = day_of(t, kAnna);
  EXPECT_EQ(d.out_of_adherence, secs(90));
  EXPECT_EQ(d.in_adherence, mins(240) - secs(90));
  EXPECT_NEAR(d.adherence().value(), (14400.0 - 90) / 14400.0, 1e-12);
  EXPECT_NEAR(d.conformance().value(), (13500.0 - 90) / 13500.0, 1e-12);
}

TEST(TrackerTest, ZeroGraceCountsEveryMismatch) {
  Options o;
  o.grace = 0;
  Tracker t(morning(), o);
  Events e;
  e.login(at(9, 0, 1), kAnna).logout(at(13), kAnna);  // no break taken
  t.on_events(e.list);
  t.advance(at(13));
  const DayTotals d = day_of(t, kAnna);
  EXPECT_EQ(d.out_of_adherence, secs(1) + mins(15));
  EXPECT_EQ(d.in_adherence, mins(240) - secs(1) - mins(15));
  EXPECT_EQ(d.worked, mins(240) - secs(1));  // worked through the break: conformance > 1
  EXPECT_GT(d.conformance().value(), 1.0);
  EXPECT_EQ(t.take_transitions().size(), 4u);  // out/in at 9:00, out/in at the break
}

TEST(TrackerTest, ActivityBoundaries) {
  // Going on break 30 s early is forgiven; 2 min early is not; coming back 90 s late is not.
  Tracker t(morning());
  Events e;
  e.login(at(9), kAnna).not_ready(at(11, 58), kAnna, reason::kBreak);
  e.available(at(12, 16, 30), kAnna).logout(at(13), kAnna);
  t.on_events(e.list);
  t.advance(at(13));
  DayTotals d = day_of(t, kAnna);
  EXPECT_EQ(d.out_of_adherence, mins(2) + secs(90));
  EXPECT_EQ(d.in_adherence, mins(240) - mins(2) - secs(90));

  Tracker t2(morning());
  Events e2;
  e2.login(at(9), kAnna).not_ready(at(11, 59, 30), kAnna, reason::kBreak);
  e2.available(at(12, 15, 20), kAnna).logout(at(13), kAnna);
  t2.on_events(e2.list);
  t2.advance(at(13));
  d = day_of(t2, kAnna);
  EXPECT_EQ(d.out_of_adherence, 0);
  EXPECT_EQ(d.in_adherence, mins(240));
  EXPECT_EQ(d.worked, mins(225) - secs(30) - secs(20) + 0);
}

TEST(TrackerTest, MismatchRunsAcrossActivityBoundaries) {
  // Work until 12:00, then lunch. On break from 11:59:30, switching to lunch at 12:00:45: one
  // mismatch of 75 s across the boundary (break during work, then break during lunch).
  Tracker t(schedule({act(kAnna, Activity::kWork, at(9), at(12)),
                      act(kAnna, Activity::kLunch, at(12), at(12, 30)),
                      act(kAnna, Activity::kWork, at(12, 30), at(13))}));
  Events e;
  e.login(at(9), kAnna).not_ready(at(11, 59, 30), kAnna, reason::kBreak);
  e.not_ready(at(12, 0, 45), kAnna, reason::kLunch).available(at(12, 30), kAnna);
  e.logout(at(13), kAnna);
  t.on_events(e.list);
  t.advance(at(13));
  const DayTotals d = day_of(t, kAnna);
  EXPECT_EQ(d.out_of_adherence, secs(75));
  EXPECT_EQ(d.in_adherence, mins(240) - secs(75));
  auto tr = t.take_transitions();
  ASSERT_EQ(tr.size(), 2u);
  EXPECT_EQ(tr[0].at, at(12, 0, 30));  // 11:59:30 + 60 s, during lunch
  EXPECT_EQ(tr[0].scheduled, Activity::kLunch);
  EXPECT_EQ(tr[1].at, at(12, 0, 45));
  EXPECT_FALSE(tr[1].out);
}

TEST(TrackerTest, LoggedOutDuringScheduledBreakAndLunch) {
  Tracker t(schedule(
      {act(kAnna, Activity::kWork, at(9), at(11)), act(kAnna, Activity::kBreak, at(11), at(11, 15)),
       act(kAnna, Activity::kWork, at(11, 15), at(12)),
       act(kAnna, Activity::kLunch, at(12), at(13)), act(kAnna, Activity::kWork, at(13), at(14))}));
  Events e;
  e.login(at(9), kAnna).logout(at(11), kAnna).login(at(11, 15), kAnna);
  e.logout(at(12), kAnna).login(at(13), kAnna).logout(at(14), kAnna);
  t.on_events(e.list);
  t.advance(at(14));
  const DayTotals d = day_of(t, kAnna);
  EXPECT_EQ(d.scheduled, mins(300));
  EXPECT_EQ(d.in_adherence, mins(300));
  EXPECT_EQ(d.worked, mins(225));
  // Logged out during work is out of adherence.
  Tracker t2(morning());
  Events e2;
  e2.login(at(9), kAnna).logout(at(10), kAnna).login(at(10, 20), kAnna).logout(at(13), kAnna);
  t2.on_events(e2.list);
  t2.advance(at(13));
  // 10:00-10:20 out; the break 12:00-12:15 was spent available: out too.
  EXPECT_EQ(day_of(t2, kAnna).out_of_adherence, mins(35));
}

TEST(TrackerTest, BusyAndWrapUpCountAsWorkAndDelayTheBreak) {
  Tracker t(morning());
  Events e;
  e.login(at(9), kAnna);
  // Not ready (meeting) but on a call: busy, so in adherence during work.
  e.not_ready(at(10), kAnna, reason::kMeeting).connect(at(10), kAnna, 7);
  e.end(at(10, 5), kAnna, 7).wrapped(at(10, 6), kAnna, 7).available(at(10, 6), kAnna);
  // A call that runs into the break: busy until 12:03, wrap-up until 12:03:30, then the break.
  e.connect(at(11, 50), kAnna, 8).end(at(12, 3), kAnna, 8).wrapped(at(12, 3, 30), kAnna, 8);
  e.not_ready(at(12, 3, 30), kAnna, reason::kBreak).available(at(12, 15), kAnna);
  e.logout(at(13), kAnna);
  for (const Event& x : e.list)
    if (x.at <= at(12, 3)) t.on_event(x);
  AgentStatus s = status_of(t, kAnna, at(12, 3, 10));
  EXPECT_EQ(s.actual.state, State::kWrapUp);
  EXPECT_EQ(s.actual_since, at(12, 3));
  EXPECT_EQ(s.scheduled->activity, Activity::kBreak);
  EXPECT_TRUE(s.out_of_adherence);
  EXPECT_EQ(s.out_since, at(12));
  for (const Event& x : e.list)
    if (x.at > at(12, 3)) t.on_event(x);
  t.advance(at(13));
  const DayTotals d = day_of(t, kAnna);
  EXPECT_EQ(d.out_of_adherence, secs(210));
  EXPECT_EQ(d.in_adherence, mins(240) - secs(210));
  EXPECT_EQ(d.worked, mins(225) + secs(210));
}

TEST(TrackerTest, Midnight) {
  // A night shift 22:00-02:00; a 75 s unplanned break across midnight counts 30 s out on the
  // first day and 45 s on the second.
  Tracker t(schedule({act(kAnna, Activity::kWork, at(22), at(2, 0, 0, 1))}));
  Events e;
  e.login(at(22), kAnna).not_ready(at(23, 59, 30), kAnna, reason::kBreak);
  e.available(at(0, 0, 45, 1), kAnna).logout(at(2, 0, 0, 1), kAnna);
  t.on_events(e.list);
  t.advance(at(3, 0, 0, 1));
  const DayTotals d1 = day_of(t, kAnna, 0);
  const DayTotals d2 = day_of(t, kAnna, 1);
  EXPECT_EQ(d1.scheduled, mins(120));
  EXPECT_EQ(d1.out_of_adherence, secs(30));
  EXPECT_EQ(d1.in_adherence, mins(120) - secs(30));
  EXPECT_EQ(d2.scheduled, mins(120));
  EXPECT_EQ(d2.out_of_adherence, secs(45));
  EXPECT_EQ(d2.in_adherence, mins(120) - secs(45));
  EXPECT_EQ(d1.worked + d2.worked, mins(240) - secs(75));
  // The same within the grace on both sides: nothing out on either day.
  Tracker t2(schedule({act(kAnna, Activity::kWork, at(22), at(2, 0, 0, 1))}));
  Events e2;
  e2.login(at(22), kAnna).not_ready(at(23, 59, 40), kAnna, reason::kBreak);
  e2.available(at(0, 0, 20, 1), kAnna).logout(at(2, 0, 0, 1), kAnna);
  t2.on_events(e2.list);
  t2.advance(at(3, 0, 0, 1));
  EXPECT_EQ(day_of(t2, kAnna, 0).in_adherence, mins(120));
  EXPECT_EQ(day_of(t2, kAnna, 1).in_adherence, mins(120));
}

TEST(TrackerTest, DaysInAnotherTimeZone) {
  // Days that start at 23:00 UTC (UTC+1): the shift 22:00-02:00 UTC splits at 23:00.
  Options o;
  o.day_start = [](Millis t) {
    const Millis local = t + kMillisPerHour;
    Millis d = local / kMillisPerDay * kMillisPerDay;
    return d - kMillisPerHour;
  };
  Tracker t(schedule({act(kAnna, Activity::kWork, at(22), at(2, 0, 0, 1))}), o);
  Events e;
  e.login(at(22), kAnna).logout(at(2, 0, 0, 1), kAnna);
  t.on_events(e.list);
  t.advance(at(3, 0, 0, 1));
  auto all = t.totals();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all.at({kAnna, at(23) - kMillisPerDay}).scheduled, mins(60));
  EXPECT_EQ(all.at({kAnna, at(23)}).scheduled, mins(180));
}

TEST(TrackerTest, UnscheduledAndOffTime) {
  // Ben has no schedule and works 10:00-10:02; Anna has a day off and logs in for 5 minutes.
  Tracker t(schedule({act(kAnna, Activity::kOff, at(0), at(0, 0, 0, 1))}));
  Events e;
  e.login(at(10), kBen).logout(at(10, 2), kBen);
  e.login(at(11), kAnna).logout(at(11, 5), kAnna);
  t.on_events(e.list);
  t.advance(at(12));
  const DayTotals ben = day_of(t, kBen);
  EXPECT_EQ(ben.scheduled, 0);
  EXPECT_EQ(ben.out_of_adherence, mins(2));
  EXPECT_EQ(ben.out_unscheduled, mins(2));
  EXPECT_EQ(ben.worked, mins(2));
  EXPECT_FALSE(ben.adherence().has_value());
  EXPECT_FALSE(ben.conformance().has_value());
  const DayTotals anna = day_of(t, kAnna);
  EXPECT_EQ(anna.scheduled, 0);
  EXPECT_EQ(anna.by_activity[static_cast<int>(Activity::kOff)], mins(12 * 60));
  EXPECT_EQ(anna.out_unscheduled, mins(5));
  AgentStatus s = status_of(t, kAnna, at(12));
  EXPECT_EQ(s.scheduled->activity, Activity::kOff);
  EXPECT_FALSE(s.mismatch);
}

TEST(TrackerTest, NeverLoggedInIsOutAllDayAndShownLive) {
  Tracker t(schedule({act(kAnna, Activity::kWork, at(9), at(17))}));
  AgentStatus s = status_of(t, kAnna, at(8));
  EXPECT_FALSE(s.mismatch);
  EXPECT_FALSE(s.scheduled.has_value());
  s = status_of(t, kAnna, at(12));
  EXPECT_TRUE(s.out_of_adherence);
  EXPECT_EQ(s.out_since, at(9));
  EXPECT_EQ(s.out_for, mins(180));
  EXPECT_EQ(s.today.out_of_adherence, mins(180));
  t.advance(at(18));
  const DayTotals d = day_of(t, kAnna);
  EXPECT_EQ(d.scheduled, mins(480));
  EXPECT_EQ(d.out_of_adherence, mins(480));
  EXPECT_DOUBLE_EQ(d.adherence().value(), 0.0);
  EXPECT_DOUBLE_EQ(d.conformance().value(), 0.0);
}

TEST(TrackerTest, TransfersAndLogoutReleaseTheAgent) {
  Tracker t(morning());
  Events e;
  e.login(at(9), kAnna).connect(at(9, 10), kAnna, 5);
  e.add(at(9, 20),
        ev::ContactTransferred{5, kAnna, kNoId, 1, kNoId, TransferReason::kAgentRequest});
  e.not_ready(at(12), kAnna, reason::kBreak).available(at(12, 15), kAnna);
  e.connect(at(12, 50), kAnna, 6).logout(at(12, 55), kAnna);
  t.on_events(e.list);
  AgentStatus s = status_of(t, kAnna, at(12, 55));
  EXPECT_EQ(s.actual.state, State::kLoggedOut);
  t.advance(at(13));
  EXPECT_EQ(day_of(t, kAnna).out_of_adherence, mins(5));
}

// The answers do not depend on when advance() is called between the events.
TEST(TrackerTest, AdvancingInBetweenChangesNothing) {
  Events e;
  e.login(at(9, 0, 10), kAnna).login(at(9, 3), kBen);
  e.not_ready(at(10), kAnna, reason::kTraining).connect(at(10, 0, 5), kBen, 1);
  e.available(at(10, 1, 30), kAnna).end(at(10, 4), kBen, 1).wrapped(at(10, 5), kBen, 1);
  e.not_ready(at(11, 58), kAnna, reason::kBreak).not_ready(at(12, 1), kBen, reason::kBreak);
  e.available(at(12, 14, 50), kAnna).available(at(12, 20), kBen);
  e.logout(at(12, 59), kAnna).logout(at(13, 10), kBen);
  auto build = [] {
    std::vector<ScheduledActivity> acts;
    for (AgentId a : {kAnna, kBen}) {
      acts.push_back(act(a, Activity::kWork, at(9), at(12)));
      acts.push_back(act(a, Activity::kBreak, at(12), at(12, 15)));
      acts.push_back(act(a, Activity::kWork, at(12, 15), at(13)));
    }
    return schedule(acts);
  };
  Tracker once(build());
  once.on_events(e.list);
  once.advance(at(14));
  Tracker stepped(build());
  Millis previous = at(8);
  for (std::size_t i = 0; i < e.list.size(); ++i) {
    // Anywhere between the previous event and this one, and at this one's time.
    stepped.advance(previous + (e.list[i].at - previous) * static_cast<Millis>(i % 4) / 3);
    stepped.advance(e.list[i].at);
    stepped.on_event(e.list[i]);
    previous = e.list[i].at;
  }
  stepped.advance(at(14));
  EXPECT_EQ(once.totals(), stepped.totals());
  // Anna: 10 s late (forgiven), 90 s training instead of work (out), 2 min early to break (out),
  // 10 s early back (forgiven: the break is 12:00-12:15), 1 min early out (forgiven: 60 s).
  const DayTotals anna = day_of(once, kAnna);
  EXPECT_EQ(anna.out_of_adherence, secs(90) + mins(2));
  EXPECT_EQ(anna.in_adherence, mins(240) - secs(90) - mins(2));
  // Ben: 3 min late, 1 min late to break (forgiven), 5 min late back, 10 min over (unscheduled).
  const DayTotals ben = day_of(once, kBen);
  EXPECT_EQ(ben.out_of_adherence, mins(3) + mins(5) + mins(10));
  EXPECT_EQ(ben.out_unscheduled, mins(10));
  EXPECT_EQ(ben.in_adherence, mins(240) - mins(3) - mins(5));
  EXPECT_EQ(ben.worked, mins(240) - mins(3) - mins(19) + mins(10));
}

}  // namespace
}  // namespace sb::adherence
