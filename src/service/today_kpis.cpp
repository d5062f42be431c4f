#include "service/today_kpis.h"

#include <algorithm>
#include <vector>

#include "base/overloaded.h"

namespace sb::service {

std::int64_t TodayKpis::day_of(Millis t) {
  return t >= 0 ? t / kMillisPerDay : -((-t + kMillisPerDay - 1) / kMillisPerDay);
}

TodayKpis::TodayKpis(metrics::KpiSettings settings, Millis now)
    : settings_(settings), collector_(settings), floor_day_(day_of(now)) {}

void TodayKpis::on_event(const Event& e) {
  const std::int64_t day = day_of(e.at);
  if (day > day_ && day >= floor_day_) start_day(day);  // seeded from the state before `e`
  if (day == day_) collector_.on_event(e);
  track(e);
}

void TodayKpis::roll_to(Millis now) {
  const std::int64_t day = day_of(now);
  if (day > day_) start_day(day);
}

void TodayKpis::start_day(std::int64_t day) {
  collector_ = metrics::KpiCollector(settings_);
  day_ = day;
  std::vector<const Event*> config;
  for (const auto& [id, e] : queue_config_) config.push_back(&e);
  for (const auto& [id, e] : agent_config_) config.push_back(&e);
  std::sort(config.begin(), config.end(),
            [](const Event* a, const Event* b) { return a->seq < b->seq; });
  for (const Event* e : config) collector_.on_event(*e);
  const Millis midnight = day_start();
  for (const auto& [id, p] : presence_) {
    if (!p.logged_in) continue;
    collector_.on_event(Event{0, midnight, ev::AgentLoggedIn{id}});
    if (p.presence != Presence::kAvailable)
      collector_.on_event(Event{0, midnight, ev::AgentStateChanged{id, p.presence, p.reason}});
  }
}

void TodayKpis::track(const Event& e) {
  std::visit(Overloaded{
                 [&](const ev::QueueConfigured& x) { queue_config_[x.queue->id] = e; },
                 [&](const ev::AgentConfigured& x) { agent_config_[x.agent->id] = e; },
                 [&](const ev::AgentLoggedIn& x) {
                   presence_[x.agent] = {true, Presence::kAvailable, reason::kNone};
                 },
                 [&](const ev::AgentLoggedOut& x) { presence_[x.agent] = {}; },
                 [&](const ev::AgentStateChanged& x) {
                   AgentPresence& p = presence_[x.agent];
                   p.presence = x.presence;
                   p.reason = x.reason;
                   p.logged_in = x.presence != Presence::kOffline;
                 },
                 [](const auto&) {},
             },
             e.payload);
}

}  // namespace sb::service
