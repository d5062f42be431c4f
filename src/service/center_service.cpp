#include "service/center_service.h"

#include <algorithm>
#include <atomic>
#include <deque>
#include <filesystem>
#include <future>
#include <queue>
#include <system_error>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <variant>

#include "reports/projection.h"
#include "runtime/real_waiter.h"
#include "service/service_db.h"
#include "service/today_kpis.h"
#include "store/recovery.h"
#include "store/sqlite_event_store.h"

namespace sb::service {
namespace {

// The engine thread re-checks the clock at least this often, so that a wall clock stepping
// forward fires timers (and rolls the KPI day) with at most this delay.
constexpr Millis kMaxSleep = 1000;
// Contact ids are handed out from blocks whose end is stored durably first (one fsync per block).
// At 1,000 contacts/s a block of 1,024 cost an fsync a second on the create path, and the create
// that crossed it waited for it; 65,536 makes that once a minute. A restart skips what is left of
// the block, which costs nothing in a 64-bit id space.
constexpr ContactId kIdBlock = 65536;
// Durable events reach the reports read model in batches of at most this age (or this size): an
// ingest has a cost per batch (a transaction, and the cells it settles) besides its cost per
// event, and under live load the batches of single commands were dozens of events at most.
constexpr Millis kReportsDelay = 100;
constexpr std::size_t kReportsMaxBatch = 8192;

ContactId contact_of(const Event& e) {
  if (const auto* a = std::get_if<ev::ContactArrived>(&e.payload)) return a->contact;
  if (const auto* s = std::get_if<ev::SelfServed>(&e.payload)) return s->contact;
  return kNoContact;
}

ContactId created_by(const Command& c) {
  if (const auto* a = std::get_if<cmd::ArriveContact>(&c)) return a->contact;
  if (const auto* s = std::get_if<cmd::SelfServe>(&c)) return s->contact;
  return kNoContact;
}

struct TimerEntry {
  Millis at;
  std::uint64_t order;  // arming order: equal deadlines fire first armed, first fired
  TimerKey key;
  bool operator>(const TimerEntry& o) const { return at != o.at ? at > o.at : order > o.order; }
};

}  // namespace

struct CenterService::Impl {
  Impl(const ServiceOptions& o, const Clock& c)
      : options(o), clock(c), today(o.kpi, c.now()), schedule(o.snapshot_every) {
    wait = options.wait ? options.wait : WaitFn(&runtime::wait_with_timeout);
  }

  // ---- configuration and owned resources --------------------------------------------------
  ServiceOptions options;
  const Clock& clock;
  WaitFn wait;
  std::unique_ptr<EventStore> store;
  std::unique_ptr<reports::LiveProjection> reports;  // after `store`: destroyed before it
  // Engine thread: durable events not yet handed to `reports` (see kReportsDelay), and the clock
  // time the oldest of them was delivered.
  std::vector<Event> reports_buffer;
  Millis reports_buffer_since = 0;

  // ---- engine-thread state (also touched by start() before the thread exists, and by read()
  // after it has exited) ----------------------------------------------------------------------
  Engine engine;
  TodayKpis today;
  // read() settled `today` at this time and no event reached it since (see read()).
  Millis today_settled_at = kNever;
  Millis today_settled_day = 0;  // today.day_start() then (a new day is a fresh collector)
  bool today_dirty = true;
  SnapshotSchedule schedule;
  std::uint64_t last_snapshot_seq = 0;
  std::priority_queue<TimerEntry, std::vector<TimerEntry>, std::greater<>> timers;
  std::uint64_t timer_order = 0;
  struct InFlight {
    std::vector<Event> events;
    CommandCallback done;
  };
  std::deque<InFlight> in_flight;  // appends handed to the store, in seq order
  std::uint64_t appends_issued = 0;
  std::uint64_t appends_done = 0;
  std::uint64_t delivered_seq = 0;
  struct Barrier {
    std::uint64_t appends;  // released once appends_done reaches this
    std::promise<void>* done;
  };
  std::vector<Barrier> barriers;
  // Reserved contact ids whose ArriveContact/SelfServe the engine accepted since start-up; a
  // second one is refused even after the first contact ended (see reserve_contact_id).
  std::unordered_set<ContactId> reserved_submitted;
  Output out;

  // ---- the queue between callers, the store's writer thread and the engine thread --------------
  struct CommandItem {
    Command command;
    CommandCallback done;
  };
  using Task = std::function<void()>;
  using Item = std::variant<CommandItem, Task>;
  mutable std::mutex mu;
  std::condition_variable cv;
  std::deque<Item> queue;   // guarded by mu
  std::deque<Status> acks;  // guarded by mu: durability outcomes, in append order
  bool stopping = false;    // guarded by mu: no new commands
  bool exited = false;      // guarded by mu: the engine thread has finished
  Status failure;           // guarded by mu: sticky store failure
  std::atomic<bool> failed{false};
  std::thread thread;
  std::mutex stop_mu;  // serialises stop()

  // ---- subscribers --------------------------------------------------------------------------
  struct Subscriber {
    SubscriptionId id;
    EventListener listener;
    Delivery delivery = Delivery::kDurable;
    std::atomic<bool> active{true};
  };
  std::mutex subs_mu;
  std::vector<std::shared_ptr<Subscriber>> subs;  // guarded by subs_mu
  std::atomic<std::uint64_t> subs_version{0};
  SubscriptionId next_sub_id = 1;                       // guarded by subs_mu
  std::vector<std::shared_ptr<Subscriber>> local_subs;  // engine thread's copy
  std::uint64_t local_subs_version = ~std::uint64_t{0};
  std::mutex delivery_mu;  // held by the engine thread while listeners run

  // ---- contact ids and idempotency ----------------------------------------------------------
  std::mutex id_mu;  // guards db, next_id, id_limit; held across service.db writes
  std::unique_ptr<ServiceDb> db;
  ContactId next_id = 1;
  ContactId id_limit = 1;                  // ids below it are covered by the stored high-water mark
  std::mutex marks_mu;                     // never held across I/O
  std::unordered_set<ContactId> unmarked;  // reserved ids not yet seen durable in the log
  std::vector<ContactId> to_mark;          // seen durable, not yet marked in service.db

  // ---- stats --------------------------------------------------------------------------------
  std::atomic<std::uint64_t> st_commands{0}, st_rejected{0}, st_events{0}, st_timers{0},
      st_queue{0}, st_last_seq{0}, st_snapshots{0}, st_subscribers{0}, st_in_flight{0};

  std::atomic<std::thread::id> engine_thread_id{};
  bool on_engine_thread() const { return std::this_thread::get_id() == engine_thread_id.load(); }
  Millis effective_now() const { return std::max(clock.now(), engine.last_event_time()); }

  Status open_and_recover();
  void run();
  void run_item(Item& item);
  void deliver(const Status& ack);
  void fire_due_timers();
  void handle_command(CommandItem& item);
  // Queues `item` for the engine thread and returns true; false, leaving `item` as it was, once
  // the service is stopping or failed.
  bool enqueue(Item& item);
  // A command that can no longer run: counted as rejected, `done` gets Unavailable.
  void refuse_unavailable(const CommandCallback& done);
  // Calls fn with the live state; the day's KPIs are settled only if fn asks for them.
  void with_view(const std::function<void(const LiveView&)>& fn);
  struct Settle {
    Impl* impl;
    Millis at;
    static const metrics::KpiCollector& run(void* context);
  };
  void append(std::vector<Event> events, CommandCallback done);
  void arm(const std::vector<TimerRequest>& requests);
  void fail(const Status& s);
  void maybe_snapshot(bool final);
  void release_barriers();
  void publish(std::span<const Event> events, Delivery delivery);
  // Hands the buffered events to the read model when `force`, or when they are due.
  void push_reports(bool force);
  bool reports_due() const {
    return !reports_buffer.empty() && (clock.now() - reports_buffer_since >= kReportsDelay ||
                                       reports_buffer.size() >= kReportsMaxBatch);
  }
  Result<ContactId> allocate_id_locked();
  // Runs `fn` on the engine thread and waits for it; at once when called there, or when the
  // thread has exited.
  void run_on_engine_thread(const std::function<void()>& fn);
  Status flush_marks_locked();
};

// ---- start-up -------------------------------------------------------------------------------

Status CenterService::Impl::open_and_recover() {
  if (options.data_dir.empty()) return Status::invalid_argument("service data_dir is empty");
  std::error_code ec;
  std::filesystem::create_directories(options.data_dir, ec);
  if (ec)
    return Status::io_error("cannot create data directory '" + options.data_dir +
                            "': " + ec.message());
  const std::filesystem::path dir(options.data_dir);

  // The event store first: its lock makes this process the only user of the data directory.
  const std::string events_path = (dir / "events.db").string();
  if (options.open_store) {
    auto opened = options.open_store(events_path);
    if (!opened.ok()) return opened.status();
    store = std::move(opened).value();
  } else {
    auto opened = SqliteEventStore::open(events_path);
    if (!opened.ok()) return opened.status();
    store = std::move(opened).value();
  }
  if (store == nullptr) return Status::internal("open_store returned no store");
  auto opened_db = ServiceDb::open((dir / "service.db").string());
  if (!opened_db.ok()) return opened_db.status();
  db = std::move(opened_db).value();

  auto report = recover(*store, engine);
  if (!report.ok()) return report.status();
  last_snapshot_seq = report->snapshot_seq;
  schedule = SnapshotSchedule(options.snapshot_every, report->snapshot_seq);
  delivered_seq = report->final_seq;
  st_last_seq = delivered_seq;

  // Reservations not known to be created: a crash may have hit between the durable ContactArrived
  // and the mark. The scan below settles them against the log.
  auto pending = db->unmarked();
  if (!pending.ok()) return pending.status();
  for (const auto& r : *pending) unmarked.insert(r.id);
  std::vector<ContactId> found;
  ContactId max_logged = 0;

  // One pass over the log: the largest contact id, reservations that reached the log, and the
  // "today" KPI projection (events of earlier days only update its seed state).
  Status scan = store->read(1, [&](std::span<const Event> batch) -> Status {
    for (const Event& e : batch) {
      if (e.seq > report->final_seq) return Status{};  // (the log cannot grow meanwhile)
      if (const ContactId c = contact_of(e); c != kNoContact) {
        max_logged = std::max(max_logged, c);
        if (unmarked.erase(c) > 0) found.push_back(c);
      }
      today.on_event(e);
    }
    return Status{};
  });
  SB_RETURN_IF_ERROR(scan);
  SB_RETURN_IF_ERROR(db->mark_created(found));
  today.roll_to(effective_now());

  auto high_water = db->id_high_water();
  if (!high_water.ok()) return high_water.status();
  auto max_reserved = db->max_reserved_id();
  if (!max_reserved.ok()) return max_reserved.status();
  next_id = std::max({ContactId{1}, *high_water, max_logged + 1, *max_reserved + 1});
  id_limit = next_id;  // the first id handed out stores a new high-water mark first

  std::vector<TimerRequest> pending_timers;
  engine.pending_timers(pending_timers);
  arm(pending_timers);
  if (options.reports) {
    auto projection = reports::LiveProjection::start(options.data_dir, *store);
    if (!projection.ok()) return projection.status();
    reports = std::move(projection).value();
  }
  return {};
}

Result<std::unique_ptr<CenterService>> CenterService::start(const ServiceOptions& options,
                                                            const Clock& clock) {
  SB_RETURN_IF_ERROR(options.kpi.validate());
  auto impl = std::make_unique<Impl>(options, clock);
  SB_RETURN_IF_ERROR(impl->open_and_recover());
  Impl* p = impl.get();
  std::unique_ptr<CenterService> service(new CenterService(std::move(impl)));
  p->thread = std::thread([p] { p->run(); });
  return service;
}

CenterService::CenterService(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

CenterService::~CenterService() { stop(); }

// ---- the engine thread ------------------------------------------------------------------------

void CenterService::Impl::run() {
  engine_thread_id = std::this_thread::get_id();
  std::deque<Item> items;
  std::deque<Status> ready;
  for (;;) {
    bool finished = false;
    {
      std::unique_lock lock(mu);
      for (;;) {
        if (!queue.empty() || !acks.empty() || reports_due()) break;
        if (stopping && in_flight.empty()) {
          finished = true;
          break;
        }
        Millis timeout = kMaxSleep;
        if (!reports_buffer.empty())
          timeout = std::max<Millis>(
              1, std::min(timeout, reports_buffer_since + kReportsDelay - clock.now()));
        if (!stopping && !failed && !timers.empty()) {
          const Millis now = effective_now();
          if (timers.top().at <= now) break;
          timeout = std::min(timeout, timers.top().at - now);
        }
        wait(cv, lock, timeout);
      }
      if (finished) break;
      items.swap(queue);
      ready.swap(acks);
      st_queue = 0;
    }
    // Durable batches first: they are the oldest work, and their callbacks are waited for.
    for (const Status& ack : ready) deliver(ack);
    ready.clear();
    push_reports(false);
    maybe_snapshot(false);
    if (!failed) today.roll_to(effective_now());
    fire_due_timers();
    for (Item& item : items) run_item(item);
    items.clear();
  }
  // Stopping: everything queued ran and every append was acknowledged.
  push_reports(true);
  maybe_snapshot(true);
  release_barriers();
  // Reads and pokes that queued meanwhile still run here; after `exited` they run on the caller.
  for (;;) {
    {
      std::lock_guard lock(mu);
      if (queue.empty()) {
        exited = true;
        // Thread ids are reused: a later thread must not pass for the engine thread.
        engine_thread_id = std::thread::id();
        return;
      }
      items.swap(queue);
    }
    for (Item& item : items) run_item(item);
    items.clear();
  }
}

void CenterService::Impl::run_item(Item& item) {
  if (auto* c = std::get_if<CommandItem>(&item)) {
    handle_command(*c);
  } else {
    std::get<Task>(item)();
  }
}

void CenterService::Impl::arm(const std::vector<TimerRequest>& requests) {
  for (const TimerRequest& r : requests) timers.push(TimerEntry{r.at, timer_order++, r.key});
}

void CenterService::Impl::fire_due_timers() {
  if (failed || timers.empty()) return;
  {
    std::lock_guard lock(mu);
    if (stopping) return;  // re-armed from the log at the next start
  }
  const Millis now = effective_now();
  std::vector<Event> batch;
  while (!timers.empty() && timers.top().at <= now) {
    const TimerKey key = timers.top().key;
    timers.pop();
    out.clear();
    engine.on_timer(key, now, out);
    ++st_timers;
    batch.insert(batch.end(), std::make_move_iterator(out.events.begin()),
                 std::make_move_iterator(out.events.end()));
    arm(out.timers);  // a new timer may already be due; the loop takes it too
  }
  if (!batch.empty()) append(std::move(batch), nullptr);
}

void CenterService::Impl::handle_command(CommandItem& item) {
  ++st_commands;
  if (failed) {
    ++st_rejected;
    if (item.done) item.done(Status::unavailable("service failed: " + failure.message()));
    return;
  }
  const ContactId created = created_by(item.command);
  if (created != kNoContact && reserved_submitted.contains(created)) {
    ++st_rejected;
    if (item.done)
      item.done(Status::already_exists("contact " + std::to_string(created) +
                                       " (reserved for an idempotency key) was already submitted"));
    return;
  }
  out.clear();
  const Status s = engine.handle(item.command, effective_now(), out);
  if (!s.ok()) {
    ++st_rejected;
    if (item.done) item.done(s);
    return;
  }
  if (created != kNoContact) {
    std::lock_guard lock(marks_mu);
    if (unmarked.contains(created)) reserved_submitted.insert(created);
  }
  arm(out.timers);
  // Even a command that caused no events is acknowledged through the store (an empty append is a
  // barrier), because the state it was judged against may still be in flight.
  append(std::move(out.events), std::move(item.done));
  out.events.clear();
}

void CenterService::Impl::append(std::vector<Event> events, CommandCallback done) {
  if (failed) {
    if (done) done(Status::unavailable("service failed: " + failure.message()));
    return;
  }
  if (!events.empty()) publish(events, Delivery::kApplied);
  // The engine thread is the only producer, so the seqs it assigned are exactly the store's next
  // ones. A copy goes to the store; ours is delivered once the store acknowledges.
  Status s = store->append_async(events, [this](const Status& st) {
    std::lock_guard lock(mu);  // the store's writer thread: hand over, never run listeners here
    acks.push_back(st);
    cv.notify_one();
  });
  if (!s.ok()) {
    fail(s);
    if (done) done(Status::unavailable("service failed: " + s.message()));
    return;
  }
  st_events += events.size();
  ++appends_issued;
  ++st_in_flight;
  in_flight.push_back(InFlight{std::move(events), std::move(done)});
}

void CenterService::Impl::deliver(const Status& ack) {
  InFlight f = std::move(in_flight.front());
  in_flight.pop_front();
  ++appends_done;
  --st_in_flight;
  if (!ack.ok()) {
    fail(ack);
    if (f.done) f.done(Status::unavailable("events not durable: " + ack.message()));
    release_barriers();
    return;
  }
  if (!f.events.empty()) {
    today_dirty = true;
    for (const Event& e : f.events) {
      today.on_event(e);
      if (const ContactId c = contact_of(e); c != kNoContact) {
        std::lock_guard lock(marks_mu);
        if (unmarked.erase(c) > 0) to_mark.push_back(c);
      }
    }
    delivered_seq = f.events.back().seq;
    st_last_seq = delivered_seq;
    if (reports) {
      if (reports_buffer.empty()) reports_buffer_since = clock.now();
      reports_buffer.insert(reports_buffer.end(), f.events.begin(), f.events.end());
    }
    publish(f.events, Delivery::kDurable);
  }
  if (f.done) f.done(std::move(f.events));
  release_barriers();
}

void CenterService::Impl::publish(std::span<const Event> events, Delivery delivery) {
  const std::uint64_t version = subs_version.load();
  if (version != local_subs_version) {
    std::lock_guard lock(subs_mu);
    local_subs = subs;
    local_subs_version = subs_version.load();
  }
  if (local_subs.empty()) return;
  std::lock_guard lock(delivery_mu);
  for (const auto& sub : local_subs) {
    if (sub->delivery == delivery && sub->active.load()) sub->listener(events);
  }
}

void CenterService::Impl::push_reports(bool force) {
  if (!reports || reports_buffer.empty() || !(force || reports_due())) return;
  reports->push(reports_buffer);
  reports_buffer.clear();
}

void CenterService::Impl::release_barriers() {
  auto it = std::remove_if(barriers.begin(), barriers.end(), [&](const Barrier& b) {
    if (appends_done < b.appends && !failed && !in_flight.empty()) return false;
    b.done->set_value();
    return true;
  });
  barriers.erase(it, barriers.end());
}

void CenterService::Impl::fail(const Status& s) {
  {
    std::lock_guard lock(mu);
    if (!failure.ok()) return;
    failure = s.ok() ? Status::internal("unknown store failure") : s;
  }
  failed = true;
}

void CenterService::Impl::maybe_snapshot(bool final) {
  if (failed) return;
  if (final) {
    if (engine.last_seq() <= last_snapshot_seq) return;
  } else {
    if (!schedule.due(delivered_seq)) return;
    // Prefer a moment when nothing is in flight, so the state is exactly the durable state. Under
    // sustained load such a moment may not come; after one more interval the snapshot is taken
    // anyway: its seq is already appended, and the store writes it behind the events it covers.
    const std::uint64_t every = std::max<std::uint64_t>(1, options.snapshot_every);
    if (!in_flight.empty() && delivered_seq < last_snapshot_seq + 2 * every) return;
  }
  Snapshot snap = capture_snapshot(engine);
  const Status s = store->save_snapshot(snap);  // waits for one group commit
  if (!s.ok()) {
    fail(s);
    return;
  }
  schedule.taken(snap.seq);
  last_snapshot_seq = snap.seq;
  ++st_snapshots;
}

// ---- the public interface ---------------------------------------------------------------------

bool CenterService::Impl::enqueue(Item& item) {
  std::lock_guard lock(mu);
  if (stopping || !failure.ok()) return false;
  queue.push_back(std::move(item));
  ++st_queue;
  cv.notify_one();
  return true;
}

void CenterService::Impl::refuse_unavailable(const CommandCallback& done) {
  ++st_commands;
  ++st_rejected;
  if (!done) return;
  Status why = Status::unavailable("service is stopped");
  if (failed) {
    std::lock_guard lock(mu);
    why = Status::unavailable("service failed: " + failure.message());
  }
  done(std::move(why));
}

void CenterService::submit(Command command, CommandCallback done) {
  Impl::Item item = Impl::CommandItem{std::move(command), std::move(done)};
  if (!impl_->enqueue(item)) impl_->refuse_unavailable(std::get<Impl::CommandItem>(item).done);
}

CommandResult CenterService::execute(Command command) {
  if (impl_->on_engine_thread())
    return Status::failed_precondition("execute() from the service thread would deadlock");
  std::promise<CommandResult> promise;
  auto future = promise.get_future();
  submit(std::move(command), [&promise](CommandResult r) { promise.set_value(std::move(r)); });
  return future.get();
}

void CenterService::read(const std::function<void(const LiveView&)>& fn) {
  Impl& s = *impl_;
  auto run = [&s, &fn] { s.with_view(fn); };
  if (s.on_engine_thread()) {
    run();
    return;
  }
  std::promise<void> done;
  auto future = done.get_future();
  {
    std::unique_lock lock(s.mu);
    if (!s.exited) {
      s.queue.emplace_back(Impl::Task([&] {
        run();
        done.set_value();
      }));
      s.cv.notify_one();
      lock.unlock();
      future.get();
      return;
    }
  }
  // The engine thread is gone (stopped): the state is frozen; read it here, one reader at a time.
  std::lock_guard lock(s.stop_mu);
  run();
}

void CenterService::Impl::with_view(const std::function<void(const LiveView&)>& fn) {
  const Millis now = clock.now();
  Settle settle{this, std::max(now, engine.last_event_time())};
  fn(LiveView(engine, now, &Settle::run, &settle));
}

const metrics::KpiCollector& CenterService::Impl::Settle::run(void* context) {
  const Settle& c = *static_cast<const Settle*>(context);
  Impl& s = *c.impl;
  s.today.roll_to(c.at);
  // Agent time up to `at`; events still in flight settle it again when they arrive. Settling
  // walks every agent: a second settle at the same time with no event in between changes
  // nothing, so it is skipped.
  if (s.today_dirty || c.at != s.today_settled_at || s.today.day_start() != s.today_settled_day) {
    s.today.collector().finish(c.at);
    s.today_settled_at = c.at;
    s.today_settled_day = s.today.day_start();
    s.today_dirty = false;
  }
  return s.today.collector();
}

void CenterService::submit_decided(Decide decide, CommandCallback done) {
  Impl& s = *impl_;
  Impl::Item item = Impl::Task([&s, decide = std::move(decide), done]() mutable {
    Result<Command> command = Status::internal("no decision");
    s.with_view([&](const LiveView& v) { command = decide(v); });
    if (!command.ok()) {
      ++s.st_commands;
      ++s.st_rejected;
      if (done) done(command.status());
      return;
    }
    Impl::CommandItem decided{std::move(*command), std::move(done)};
    s.handle_command(decided);
  });
  if (!s.enqueue(item)) s.refuse_unavailable(done);
}

void CenterService::Impl::run_on_engine_thread(const std::function<void()>& fn) {
  if (on_engine_thread()) return fn();
  std::promise<void> done;
  auto future = done.get_future();
  {
    std::unique_lock lock(mu);
    if (!exited) {
      queue.emplace_back(Task([&] {
        fn();
        done.set_value();
      }));
      cv.notify_one();
      lock.unlock();
      future.get();
      return;
    }
  }
  std::lock_guard lock(stop_mu);
  fn();
}

void CenterService::poke() {
  Impl& s = *impl_;
  if (s.on_engine_thread()) return;
  std::promise<void> done;
  auto future = done.get_future();
  {
    std::lock_guard lock(s.mu);
    if (s.exited || s.stopping) return;
    s.queue.emplace_back(Impl::Task([&s, &done] {
      s.fire_due_timers();
      s.barriers.push_back(Impl::Barrier{s.appends_issued, &done});
      s.release_barriers();
    }));
    s.cv.notify_one();
  }
  future.get();
}

SubscriptionId CenterService::subscribe(EventListener listener, Delivery delivery) {
  Impl& s = *impl_;
  std::lock_guard lock(s.subs_mu);
  auto sub = std::make_shared<Impl::Subscriber>();
  sub->id = s.next_sub_id++;
  sub->listener = std::move(listener);
  sub->delivery = delivery;
  s.subs.push_back(sub);
  ++s.subs_version;
  s.st_subscribers = s.subs.size();
  return sub->id;
}

void CenterService::unsubscribe(SubscriptionId id) {
  Impl& s = *impl_;
  {
    std::lock_guard lock(s.subs_mu);
    auto it =
        std::find_if(s.subs.begin(), s.subs.end(), [id](const auto& p) { return p->id == id; });
    if (it == s.subs.end()) return;
    (*it)->active = false;  // a delivery in progress skips it from now on
    s.subs.erase(it);
    ++s.subs_version;
    s.st_subscribers = s.subs.size();
  }
  // From another thread: wait for a delivery that may be inside the listener right now. From a
  // listener (the engine thread) the removal takes effect at the next call.
  if (!s.on_engine_thread()) {
    std::lock_guard wait_for_delivery(s.delivery_mu);
  }
}

Result<ContactId> CenterService::Impl::allocate_id_locked() {
  if (!db) return Status::unavailable("service is stopped");
  if (next_id >= id_limit) {
    const ContactId limit = next_id + kIdBlock;
    SB_RETURN_IF_ERROR(db->set_id_high_water(limit));
    id_limit = limit;
  }
  return next_id++;
}

Status CenterService::Impl::flush_marks_locked() {
  if (!db) return {};
  std::vector<ContactId> ids;
  {
    std::lock_guard lock(marks_mu);
    ids.swap(to_mark);
  }
  Status s = db->mark_created(ids);
  if (!s.ok()) {
    std::lock_guard lock(marks_mu);  // keep them for the next try (start-up re-checks anyway)
    to_mark.insert(to_mark.end(), ids.begin(), ids.end());
  }
  return s;
}

ContactId CenterService::next_contact_id() {
  std::lock_guard lock(impl_->id_mu);
  auto id = impl_->allocate_id_locked();
  return id.ok() ? *id : kNoContact;
}

Result<CenterService::IdempotentId> CenterService::reserve_contact_id(
    std::string_view idempotency_key) {
  Impl& s = *impl_;
  if (idempotency_key.empty()) return Status::invalid_argument("idempotency key is empty");
  std::lock_guard lock(s.id_mu);
  if (!s.db) return Status::unavailable("service is stopped");
  (void)s.flush_marks_locked();  // best effort: the marks are a cache of the log
  auto found = s.db->find(idempotency_key);
  if (!found.ok()) return found.status();
  if (found->has_value()) {
    const ServiceDb::Reservation& r = **found;
    bool created = r.created;
    if (!created) {
      // Not marked: created iff its arrival has been delivered durable since start-up (it left
      // `unmarked` then; start-up removed those already in the log).
      std::lock_guard marks(s.marks_mu);
      created = !s.unmarked.contains(r.id);
    }
    return IdempotentId{r.id, created};
  }
  auto id = s.allocate_id_locked();
  if (!id.ok()) return id.status();
  SB_RETURN_IF_ERROR(s.db->insert(idempotency_key, *id));  // durable before anyone uses the id
  {
    std::lock_guard marks(s.marks_mu);
    s.unmarked.insert(*id);
  }
  return IdempotentId{*id, false};
}

void CenterService::stop() {
  Impl& s = *impl_;
  if (s.on_engine_thread()) {
    // Cannot join itself: refuse new commands; the owner's stop() (or destructor) joins.
    std::lock_guard lock(s.mu);
    s.stopping = true;
    s.cv.notify_one();
    return;
  }
  std::lock_guard stop_lock(s.stop_mu);
  {
    std::lock_guard lock(s.mu);
    s.stopping = true;
    s.cv.notify_one();
  }
  if (s.thread.joinable()) s.thread.join();
  {
    std::lock_guard lock(s.id_mu);
    (void)s.flush_marks_locked();
    s.db.reset();
  }
  s.reports.reset();  // ingests what was delivered; it may still read the log
  s.store.reset();    // closes the log (everything was acknowledged) and releases its lock
}

reports::ReportStore* CenterService::reports() {
  return impl_->reports ? &impl_->reports->store() : nullptr;
}

Status CenterService::flush_reports() {
  if (!impl_->reports) return Status::failed_precondition("reports are not maintained");
  // Events still buffered on the engine thread go to the read model first (after the engine
  // thread exited, its last iteration handed them over).
  Impl& s = *impl_;
  s.run_on_engine_thread([&s] { s.push_reports(true); });
  impl_->reports->flush();
  return impl_->reports->health();
}

Status CenterService::read_log(std::uint64_t from_seq, const EventStore::ReadCallback& on_batch) {
  if (impl_->on_engine_thread())
    return Status::failed_precondition("read_log from the service thread would stall it");
  return impl_->store->read(from_seq, on_batch);
}

Status CenterService::health() const {
  std::lock_guard lock(impl_->mu);
  return impl_->failure;
}

ServiceStats CenterService::stats() const {
  const Impl& s = *impl_;
  ServiceStats st;
  st.commands = s.st_commands;
  st.rejected = s.st_rejected;
  st.events = s.st_events;
  st.timers_fired = s.st_timers;
  st.queue_depth = s.st_queue;
  st.last_seq = s.st_last_seq;
  st.snapshots = s.st_snapshots;
  st.subscribers = s.st_subscribers;
  st.appends_in_flight = s.st_in_flight;
  st.failed = s.failed;
  return st;
}

}  // namespace sb::service
