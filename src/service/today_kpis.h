#pragma once
// The live "today" KPI projection: a KpiCollector fed with the durable events of the current UTC
// day, replaced by a fresh one at UTC midnight.
//
// A fresh day's collector would otherwise know nothing of what happened before midnight, so it is
// seeded: the latest QueueConfigured and AgentConfigured of every queue and agent (service-level
// thresholds, memberships) and, for every agent logged in at midnight, an AgentLoggedIn (plus an
// AgentStateChanged when not available) stamped at midnight, so that staffed and available time
// count from 00:00. Contacts that arrived before midnight belong to the day they arrived in; the
// new day's collector ignores events about them (see KpiCollector::on_event), so agent time spent
// on them after midnight counts as available, not occupied.
//
// Thread safety: none (the service's engine thread owns it).

#include <cstdint>
#include <map>

#include "base/time.h"
#include "domain/events.h"
#include "metrics/kpi.h"

namespace sb::service {

class TodayKpis {
 public:
  // `now`: the current time; events of earlier days only update the seed state. No day is started
  // until the first event of the current day or roll_to().
  TodayKpis(metrics::KpiSettings settings, Millis now);

  // Durable events in seq order.
  void on_event(const Event& e);
  // Moves to the day of `now` if it is later than the current one (a fresh, seeded collector).
  void roll_to(Millis now);

  const metrics::KpiCollector& collector() const { return collector_; }
  metrics::KpiCollector& collector() { return collector_; }
  Millis day_start() const { return day_ == INT64_MIN ? 0 : day_ * kMillisPerDay; }

  static std::int64_t day_of(Millis t);

 private:
  struct AgentPresence {
    bool logged_in = false;
    Presence presence = Presence::kOffline;
    ReasonId reason = reason::kNone;
  };
  void start_day(std::int64_t day);
  void track(const Event& e);

  metrics::KpiSettings settings_;
  metrics::KpiCollector collector_;
  std::int64_t floor_day_;
  std::int64_t day_ = INT64_MIN;  // no day started yet
  std::map<QueueId, Event> queue_config_;
  std::map<AgentId, Event> agent_config_;
  std::map<AgentId, AgentPresence> presence_;
};

}  // namespace sb::service
