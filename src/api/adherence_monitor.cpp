#include "api/adherence_monitor.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>
#include <string>

namespace sb::api {

AdherenceMonitor::AdherenceMonitor(service::CenterService& service, const Clock& clock,
                                   AdherenceOptions options, Deliver deliver)
    : service_(service), clock_(clock), options_(options), deliver_(std::move(deliver)) {}

AdherenceMonitor::~AdherenceMonitor() { stop(); }

Status AdherenceMonitor::start() {
  if (options_.grace < 0) return Status::invalid_argument("adherence grace must not be negative");
  subscription_ = service_.subscribe([this](std::span<const Event> events) { on_events(events); });
  // The catch-up from the log is the first tick: on the monitor's thread, so that a long log
  // does not delay the server's start (API calls meanwhile wait for it).
  if (options_.period > 0) {
    thread_ = std::thread([this] { run(); });
    return {};
  }
  return tick();
}

void AdherenceMonitor::stop() {
  {
    std::lock_guard lock(thread_mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (subscription_ != 0) {
    service_.unsubscribe(subscription_);
    subscription_ = 0;
  }
}

void AdherenceMonitor::run() {
  std::unique_lock lock(thread_mu_);
  std::string last_error;
  bool first = true;
  while (!stopping_) {
    if (!first)
      cv_.wait_for(lock, std::chrono::milliseconds(options_.period), [&] { return stopping_; });
    first = false;
    if (stopping_) break;
    lock.unlock();
    Status st;
    try {
      st = tick();
    } catch (const std::exception& e) {
      st = Status::internal(e.what());
    }
    // Each distinct error once: a schedule source that keeps failing must not flood the log.
    if (!st.ok() && st.message() != last_error)
      std::fprintf(stderr, "switchboard: adherence: %s\n", st.to_string().c_str());
    last_error = st.ok() ? std::string() : st.message();
    lock.lock();
  }
}

void AdherenceMonitor::on_events(std::span<const Event> events) {
  // The service thread: copy the events that matter and return.
  std::lock_guard lock(pending_mu_);
  for (const Event& e : events) {
    const bool relevant = std::holds_alternative<ev::AgentLoggedIn>(e.payload) ||
                          std::holds_alternative<ev::AgentLoggedOut>(e.payload) ||
                          std::holds_alternative<ev::AgentStateChanged>(e.payload) ||
                          std::holds_alternative<ev::ContactConnected>(e.payload) ||
                          std::holds_alternative<ev::ContactTransferred>(e.payload) ||
                          std::holds_alternative<ev::ContactEnded>(e.payload) ||
                          std::holds_alternative<ev::WrapUpEnded>(e.payload);
    if (relevant) pending_.push_back(e);
  }
}

void AdherenceMonitor::set_schedule_source(ScheduleSource source) {
  std::lock_guard lock(mu_);
  source_ = std::move(source);
  reload_ = true;
}

void AdherenceMonitor::schedule_changed() {
  std::lock_guard lock(mu_);
  reload_ = true;
}

Status AdherenceMonitor::rebuild_locked(adherence::Schedule schedule) {
  adherence::Options o;
  o.grace = options_.grace;
  o.day_start = options_.day_start;
  auto tracker = std::make_unique<adherence::Tracker>(std::move(schedule), o);
  std::uint64_t last = 0;
  Status read = service_.read_log(1, [&](std::span<const Event> batch) -> Status {
    tracker->on_events(batch);
    if (!batch.empty()) last = batch.back().seq;
    return Status{};
  });
  SB_RETURN_IF_ERROR(read);
  tracker->take_transitions();  // the past: nobody is alerted about it again
  tracker_ = std::move(tracker);
  last_seq_ = last;
  return {};
}

Status AdherenceMonitor::tick_locked(std::vector<adherence::Transition>& transitions,
                                     std::vector<adherence::AgentStatus>& live, Millis& now) {
  now = clock_.now();
  Status status = source_error_;
  const bool poll_due = source_ && now - last_poll_ >= options_.schedule_poll;
  if (!tracker_ || reload_ || poll_due) {
    reload_ = false;
    last_poll_ = now;
    adherence::Schedule next = tracker_ ? tracker_->schedule() : adherence::Schedule{};
    if (source_) {
      auto loaded = source_();
      std::lock_guard status_lock(status_mu_);
      if (loaded.ok()) {
        next = std::move(*loaded);
        source_error_ = Status{};
      } else {
        source_error_ = Status(loaded.status().code(),
                               "reading the published schedules: " + loaded.status().message());
      }
      status = source_error_;
    }
    if (!tracker_ || !(next == tracker_->schedule())) SB_RETURN_IF_ERROR(rebuild_locked(next));
  }
  std::vector<Event> batch;
  {
    std::lock_guard lock(pending_mu_);
    batch.swap(pending_);
  }
  for (const Event& e : batch) {
    if (e.seq <= last_seq_) continue;  // already read from the log by a rebuild
    tracker_->on_event(e);
    last_seq_ = e.seq;
  }
  std::vector<adherence::AgentStatus> all = tracker_->live(now);
  transitions = tracker_->take_transitions();
  const adherence::Schedule& schedule = tracker_->schedule();
  live.clear();
  for (auto& s : all)
    if (!schedule.of(s.agent).empty()) live.push_back(std::move(s));
  // Agents without any published activity are not measured.
  std::erase_if(transitions,
                [&](const adherence::Transition& t) { return schedule.of(t.agent).empty(); });
  return status;
}

Status AdherenceMonitor::tick_and_deliver(Snapshot& s) {
  std::vector<adherence::Transition> transitions;
  std::lock_guard lock(mu_);
  Status st = tick_locked(transitions, s.agents, s.now);
  last_status_ = st;
  if (!tracker_) return st.ok() ? Status::internal("no adherence tracker") : st;
  // Deliveries in tick order: still under the lock.
  if (deliver_) deliver_(transitions, s.agents, s.now);
  return st;
}

Status AdherenceMonitor::tick() {
  Snapshot s;
  return tick_and_deliver(s);
}

Status AdherenceMonitor::schedule_status() {
  std::lock_guard lock(status_mu_);
  return source_error_;
}

Result<AdherenceMonitor::Snapshot> AdherenceMonitor::live() {
  Snapshot s;
  Status st = tick_and_deliver(s);
  // A failing schedule source keeps the previous schedule in force: the figures still hold
  // (schedule_status() tells). Without a tracker (the log could not be read) there are none.
  {
    std::lock_guard lock(mu_);
    if (!tracker_) return st;
  }
  return s;
}

Result<std::map<std::pair<AgentId, Millis>, adherence::DayTotals>> AdherenceMonitor::totals() {
  auto snapshot = live();
  if (!snapshot.ok()) return snapshot.status();
  std::lock_guard lock(mu_);
  auto all = tracker_->totals();
  const adherence::Schedule& schedule = tracker_->schedule();
  std::erase_if(all, [&](const auto& kv) { return schedule.of(kv.first.first).empty(); });
  return all;
}

}  // namespace sb::api
