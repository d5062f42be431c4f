#include "service/center_service.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <future>
#include <map>
#include <thread>

#include "reports/report_query.h"
#include "store/recovery.h"
#include "store/sqlite_event_store.h"
#include "tests/store/temp_dir.h"

namespace sb::service {
namespace {

using store_testing::TempDir;

// ManualClock is not meant to be read and moved from two threads; this one is.
class TestClock final : public Clock {
 public:
  explicit TestClock(Millis start) : now_(start) {}
  Millis now() const override { return now_.load(); }
  void set(Millis t) { now_ = t; }
  void advance(Millis d) { now_ += d; }

 private:
  std::atomic<Millis> now_;
};

// 2026-11-30 10:00:00 UTC.
constexpr Millis kDay = 20'787 * kMillisPerDay;
constexpr Millis kStart = kDay + 10 * kMillisPerHour;

template <typename T>
int count_of(const std::vector<Event>& events) {
  int n = 0;
  for (const Event& e : events) n += std::holds_alternative<T>(e.payload) ? 1 : 0;
  return n;
}

template <typename T>
const T* first_of(const std::vector<Event>& events) {
  for (const Event& e : events)
    if (const auto* p = std::get_if<T>(&e.payload)) return p;
  return nullptr;
}

// Delegates to the real store, but from a chosen append on either refuses appends up front or
// reports their durability as failed (the events may or may not be on disk: either is allowed
// for an unacknowledged append).
class FlakyStore final : public EventStore {
 public:
  enum class Mode { kHealthy, kRefuse, kFailAck };
  explicit FlakyStore(std::unique_ptr<EventStore> inner) : inner_(std::move(inner)) {}
  static std::atomic<Mode> mode;

  Status append(std::span<const Event> events) override { return inner_->append(events); }
  Status append_async(std::vector<Event> events, AppendCallback done) override {
    const Mode m = mode.load();
    if (m == Mode::kRefuse) return Status::io_error("injected: disk unplugged");
    if (m == Mode::kFailAck)
      return inner_->append_async(std::move(events), [done](const Status&) {
        done(Status::io_error("injected: fsync failed"));
      });
    return inner_->append_async(std::move(events), std::move(done));
  }
  std::uint64_t next_seq() const override { return inner_->next_seq(); }
  std::uint64_t last_seq() const override { return inner_->last_seq(); }
  Status read(std::uint64_t from, const ReadCallback& cb, std::size_t n) override {
    return inner_->read(from, cb, n);
  }
  Status save_snapshot(const Snapshot& s) override { return inner_->save_snapshot(s); }
  Result<Snapshot> load_snapshot(std::uint64_t seq) override { return inner_->load_snapshot(seq); }
  Result<std::optional<Snapshot>> latest_snapshot() override { return inner_->latest_snapshot(); }
  StoreStats stats() const override { return inner_->stats(); }

 private:
  std::unique_ptr<EventStore> inner_;
};
std::atomic<FlakyStore::Mode> FlakyStore::mode{FlakyStore::Mode::kHealthy};

class ServiceTest : public ::testing::Test {
 protected:
  ServiceOptions options(std::uint64_t snapshot_every = 10'000) {
    ServiceOptions o;
    o.data_dir = (dir_.path() / "data").string();
    o.snapshot_every = snapshot_every;
    // Deterministic: the engine thread sleeps until something is queued; timers fire on poke().
    o.wait = [](std::condition_variable& cv, std::unique_lock<std::mutex>& lock, Millis) {
      cv.wait(lock);
    };
    return o;
  }

  std::unique_ptr<CenterService> start(std::uint64_t snapshot_every = 10'000) {
    auto s = CenterService::start(options(snapshot_every), clock_);
    EXPECT_TRUE(s.ok()) << s.status().to_string();
    return s.ok() ? std::move(s).value() : nullptr;
  }

  static std::vector<Event> ok(CenterService& s, Command c) {
    CommandResult r = s.execute(std::move(c));
    EXPECT_TRUE(r.ok()) << r.status().to_string();
    return r.ok() ? std::move(r).value() : std::vector<Event>{};
  }

  // One queue (offer timeout 10 s, wrap-up 0) and `agents` voice agents in it.
  static void configure(CenterService& s, int agents, Millis wrap_up = 0) {
    RoutingProfile voice;
    voice.id = 0;
    voice.name = "voice";
    voice.capacity[static_cast<int>(Channel::kVoice)] = 1;
    voice.max_total = 1;
    ok(s, cmd::ConfigureProfile{voice});
    QueueConfig q;
    q.id = 0;
    q.name = "support";
    q.offer_timeout = 10 * kMillisPerSecond;
    q.max_missed_offers = 0;
    q.wrap_up = wrap_up;
    ok(s, cmd::ConfigureQueue{q});
    for (int i = 0; i < agents; ++i) {
      AgentConfig a;
      a.id = static_cast<AgentId>(i);
      a.name = "agent" + std::to_string(i);
      a.profile = 0;
      a.queues = {QueueMembership{0, 1}};
      ok(s, cmd::ConfigureAgent{a});
    }
  }

  static cmd::ArriveContact arrival(ContactId id) {
    cmd::ArriveContact a;
    a.contact = id;
    a.channel = Channel::kVoice;
    a.queue = 0;
    return a;
  }

  TempDir dir_;
  TestClock clock_{kStart};
};

TEST_F(ServiceTest, RoutesAContactAndDeliversDurableEventsInSeqOrder) {
  auto s = start();
  ASSERT_TRUE(s);
  std::vector<Event> seen;
  s->subscribe(
      [&](std::span<const Event> batch) { seen.insert(seen.end(), batch.begin(), batch.end()); });
  configure(*s, 1);
  ok(*s, cmd::LoginAgent{0});

  const ContactId c = s->next_contact_id();
  ASSERT_NE(c, kNoContact);
  std::vector<Event> events = ok(*s, arrival(c));
  ASSERT_EQ(count_of<ev::ContactArrived>(events), 1);
  const auto* offer = first_of<ev::ContactOffered>(events);
  ASSERT_NE(offer, nullptr);
  EXPECT_EQ(offer->agent, 0u);
  EXPECT_EQ(offer->expires_at, kStart + 10 * kMillisPerSecond);
  for (const Event& e : events) EXPECT_EQ(e.at, kStart);

  clock_.advance(2 * kMillisPerSecond);
  events = ok(*s, cmd::AcceptOffer{c, 0});
  EXPECT_EQ(count_of<ev::ContactConnected>(events), 1);
  events = ok(*s, cmd::EndContact{c});
  EXPECT_EQ(count_of<ev::ContactEnded>(events), 1);
  EXPECT_EQ(count_of<ev::WrapUpEnded>(events), 1);  // wrap_up = 0

  // The subscriber saw every event exactly once, in seq order, gap-free from 1; the callbacks
  // ran after it (a callback's events are already in `seen`).
  ASSERT_FALSE(seen.empty());
  for (std::size_t i = 0; i < seen.size(); ++i) EXPECT_EQ(seen[i].seq, i + 1);
  EXPECT_EQ(seen.back().seq, events.back().seq);
  s->read([&](const LiveView& v) {
    EXPECT_EQ(v.engine.last_seq(), seen.back().seq);
    EXPECT_EQ(v.engine.live_contact_count(), 0u);
    EXPECT_EQ(v.now, kStart + 2 * kMillisPerSecond);
  });
  const ServiceStats st = s->stats();
  EXPECT_EQ(st.last_seq, seen.back().seq);
  EXPECT_EQ(st.events, seen.size());
  EXPECT_EQ(st.rejected, 0u);
  EXPECT_EQ(st.subscribers, 1u);
  EXPECT_EQ(st.appends_in_flight, 0u);
}

// Applied subscribers hear each batch on the engine thread before it is durable; durable ones
// after. Both see the same events, in the same seq order, each once.
TEST_F(ServiceTest, AppliedSubscribersHearEventsBeforeDurableOnes) {
  auto s = start();
  ASSERT_TRUE(s);
  std::vector<std::pair<char, std::uint64_t>> order;  // ('a' applied | 'd' durable, seq)
  std::vector<Event> applied, durable;
  s->subscribe(
      [&](std::span<const Event> b) {
        applied.insert(applied.end(), b.begin(), b.end());
        for (const Event& e : b) order.emplace_back('a', e.seq);
      },
      Delivery::kApplied);
  s->subscribe([&](std::span<const Event> b) {
    durable.insert(durable.end(), b.begin(), b.end());
    for (const Event& e : b) order.emplace_back('d', e.seq);
  });
  configure(*s, 1);
  ok(*s, cmd::LoginAgent{0});
  const ContactId c = s->next_contact_id();
  ok(*s, arrival(c));
  clock_.advance(kMillisPerSecond);
  ok(*s, cmd::AcceptOffer{c, 0});
  ok(*s, cmd::EndContact{c});
  clock_.advance(20 * kMillisPerSecond);
  s->poke();

  ASSERT_FALSE(durable.empty());
  ASSERT_EQ(applied.size(), durable.size());
  for (std::size_t i = 0; i < applied.size(); ++i) {
    EXPECT_EQ(applied[i].seq, i + 1);
    EXPECT_EQ(durable[i].seq, i + 1);
    EXPECT_EQ(applied[i].payload.index(), durable[i].payload.index());
  }
  // Every seq was heard applied before it was heard durable.
  std::map<std::uint64_t, std::size_t> applied_at;
  for (std::size_t i = 0; i < order.size(); ++i)
    if (order[i].first == 'a') applied_at[order[i].second] = i;
  for (std::size_t i = 0; i < order.size(); ++i) {
    if (order[i].first != 'd') continue;
    ASSERT_TRUE(applied_at.contains(order[i].second));
    EXPECT_LT(applied_at[order[i].second], i) << "seq " << order[i].second;
  }
  EXPECT_EQ(s->stats().subscribers, 2u);
}

TEST_F(ServiceTest, OfferTimesOutWhenTheClockPassesItsDeadline) {
  auto s = start();
  ASSERT_TRUE(s);
  std::vector<Event> seen;
  s->subscribe([&](std::span<const Event> b) { seen.insert(seen.end(), b.begin(), b.end()); });
  configure(*s, 2);
  ok(*s, cmd::LoginAgent{0});
  const ContactId c = s->next_contact_id();
  ok(*s, arrival(c));  // rings at agent 0 until kStart + 10 s

  clock_.advance(9 * kMillisPerSecond);
  s->poke();
  EXPECT_EQ(count_of<ev::OfferTimedOut>(seen), 0);

  ok(*s, cmd::LoginAgent{1});  // agent 1 is now idle too, but the contact rings at agent 0
  clock_.advance(1 * kMillisPerSecond);
  s->poke();
  ASSERT_EQ(count_of<ev::OfferTimedOut>(seen), 1);
  // Back in line and offered to the next agent, at the time the timer fired.
  const Event& last = seen.back();
  ASSERT_TRUE(std::holds_alternative<ev::ContactOffered>(last.payload));
  EXPECT_EQ(std::get<ev::ContactOffered>(last.payload).agent, 1u);
  EXPECT_EQ(last.at, kStart + 10 * kMillisPerSecond);
  EXPECT_GE(s->stats().timers_fired, 1u);
  s->read([&](const LiveView& v) {
    auto a = v.engine.agent(0);
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(a->missed_in_a_row, 1u);
  });
}

TEST_F(ServiceTest, RefusedCommandAnswersWithTheStatusAndNoEvents) {
  auto s = start();
  ASSERT_TRUE(s);
  configure(*s, 1);
  const std::uint64_t before = s->stats().last_seq;
  CommandResult r = s->execute(cmd::LoginAgent{42});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  r = s->execute(cmd::AcceptOffer{123, 0});
  EXPECT_FALSE(r.ok());
  s->poke();
  EXPECT_EQ(s->stats().last_seq, before);
  EXPECT_EQ(s->stats().rejected, 2u);
}

TEST_F(ServiceTest, DecidedCommandsSeeTheStateRightBeforeThemAndRefusalsCauseNoEvents) {
  auto s = start();
  ASSERT_TRUE(s);
  configure(*s, 1);
  ok(*s, cmd::LoginAgent{0});
  const ContactId c = s->next_contact_id();
  ASSERT_NE(c, kNoContact);
  ok(*s, arrival(c));
  auto decide_and_wait = [&](CenterService::Decide decide) {
    std::promise<CommandResult> p;
    s->submit_decided(std::move(decide), [&](CommandResult r) { p.set_value(std::move(r)); });
    return p.get_future().get();
  };
  // The decision is built from the contact as the engine holds it: accept for the agent it rings.
  CommandResult accepted = decide_and_wait([c](const LiveView& v) -> Result<Command> {
    auto view = v.engine.contact(c);
    if (!view.ok()) return view.status();
    if (view->offered_to.size() != 1) return Status::failed_precondition("not ringing one agent");
    return Command{cmd::AcceptOffer{c, view->offered_to[0]}};
  });
  ASSERT_TRUE(accepted.ok()) << accepted.status().to_string();
  EXPECT_EQ(count_of<ev::ContactConnected>(*accepted), 1);
  s->read([c](const LiveView& v) { EXPECT_EQ(v.engine.contact(c)->agent, 0u); });

  // A refusal reaches `done` as is; nothing is appended and it counts as rejected.
  const std::uint64_t before = s->stats().last_seq;
  const std::uint64_t rejected = s->stats().rejected;
  CommandResult refused = decide_and_wait([](const LiveView& v) -> Result<Command> {
    if (!v.engine.contact(99).ok()) return Status::not_found("no contact 99");
    return Command{cmd::EndContact{99}};
  });
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(refused.status().message(), "no contact 99");
  s->poke();
  EXPECT_EQ(s->stats().last_seq, before);
  EXPECT_EQ(s->stats().rejected, rejected + 1);

  // After stop() the decision never runs: Unavailable at once.
  s->stop();
  bool decided = false;
  CommandResult stopped = decide_and_wait([&](const LiveView&) -> Result<Command> {
    decided = true;
    return Command{cmd::EndContact{c}};
  });
  EXPECT_FALSE(decided);
  EXPECT_EQ(stopped.status().code(), StatusCode::kUnavailable);
}

TEST_F(ServiceTest, RestartRestoresQueuesAgentsAndTimers) {
  std::vector<ContactId> waiting;
  ContactId ringing = kNoContact;
  std::uint64_t hash = 0;
  {
    auto s = start(/*snapshot_every=*/7);
    ASSERT_TRUE(s);
    configure(*s, 3);
    ok(*s, cmd::LoginAgent{0});  // will be ringing
    ok(*s, cmd::LoginAgent{1});
    ok(*s, cmd::SetAgentState{1, Presence::kNotReady, reason::kBreak});
    ringing = s->next_contact_id();
    ok(*s, arrival(ringing));
    for (int i = 0; i < 4; ++i) {
      const ContactId c = s->next_contact_id();
      cmd::ArriveContact a = arrival(c);
      a.priority = i % 2;  // priority 1 contacts go ahead
      ok(*s, a);
    }
    s->read([&](const LiveView& v) {
      waiting = v.engine.waiting_contacts(0);
      hash = v.engine.state_hash();
    });
    ASSERT_EQ(waiting.size(), 4u);
    EXPECT_GT(s->stats().snapshots, 0u);
    s->stop();
  }
  clock_.advance(3 * kMillisPerSecond);  // the service was down for 3 s
  auto s = start(7);
  ASSERT_TRUE(s);
  std::vector<Event> seen;
  s->subscribe([&](std::span<const Event> b) { seen.insert(seen.end(), b.begin(), b.end()); });
  s->read([&](const LiveView& v) {
    EXPECT_EQ(v.engine.state_hash(), hash);
    EXPECT_EQ(v.engine.waiting_contacts(0), waiting);
    auto a0 = v.engine.agent(0);
    auto a1 = v.engine.agent(1);
    auto a2 = v.engine.agent(2);
    ASSERT_TRUE(a0.ok() && a1.ok() && a2.ok());
    EXPECT_EQ(a0->presence, Presence::kAvailable);
    EXPECT_EQ(a0->offered, 1u);
    EXPECT_EQ(a1->presence, Presence::kNotReady);
    EXPECT_EQ(a1->reason, reason::kBreak);
    EXPECT_FALSE(a2->logged_in);
    auto c = v.engine.contact(ringing);
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(c->phase, ContactPhase::kOffered);
  });
  // The offer timer was re-armed from the log and fires at its original deadline.
  clock_.set(kStart + 10 * kMillisPerSecond);
  s->poke();
  ASSERT_EQ(count_of<ev::OfferTimedOut>(seen), 1);
  EXPECT_EQ(first_of<ev::OfferTimedOut>(seen)->contact, ringing);
  // Fresh ids never collide with the ones used before the restart.
  EXPECT_GT(s->next_contact_id(), waiting.back());
}

TEST_F(ServiceTest, IdempotentReservationSurvivesRestart) {
  ContactId first = kNoContact, second = kNoContact;
  {
    auto s = start();
    ASSERT_TRUE(s);
    configure(*s, 0);
    auto r = s->reserve_contact_id("call-1");
    ASSERT_TRUE(r.ok()) << r.status().to_string();
    EXPECT_FALSE(r->created);
    first = r->id;
    auto again = s->reserve_contact_id("call-1");
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->id, first);
    EXPECT_FALSE(again->created);

    ok(*s, arrival(first));
    again = s->reserve_contact_id("call-1");
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->id, first);
    EXPECT_TRUE(again->created);
    // The same reserved id cannot be submitted twice, even once the first contact is gone.
    ok(*s, cmd::CustomerLeft{first});
    CommandResult dup = s->execute(arrival(first));
    ASSERT_FALSE(dup.ok());
    EXPECT_EQ(dup.status().code(), StatusCode::kAlreadyExists);

    auto other = s->reserve_contact_id("call-2");
    ASSERT_TRUE(other.ok());
    second = other->id;
    EXPECT_NE(second, first);
    EXPECT_FALSE(s->reserve_contact_id("").ok());
  }
  auto s = start();
  ASSERT_TRUE(s);
  auto r = s->reserve_contact_id("call-1");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->id, first);
  EXPECT_TRUE(r->created);
  r = s->reserve_contact_id("call-2");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->id, second);
  EXPECT_FALSE(r->created);
  const ContactId fresh = s->next_contact_id();
  EXPECT_GT(fresh, second);
  // A reserved id that reached the log after a restart answers created as well.
  ok(*s, arrival(second));
  r = s->reserve_contact_id("call-2");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->created);
}

// A crash between the durable ContactArrived and the reservation's mark: the arrival reaches the
// log behind the service's back, and the next start-up must notice it.
TEST_F(ServiceTest, IdempotentReservationAfterCrashBeforeTheMark) {
  ContactId id = kNoContact;
  {
    auto s = start();
    ASSERT_TRUE(s);
    configure(*s, 0);
    auto r = s->reserve_contact_id("crash-key");
    ASSERT_TRUE(r.ok());
    id = r->id;
  }
  {
    // What the engine thread would have written before the process died.
    auto store = SqliteEventStore::open((dir_.path() / "data" / "events.db").string());
    ASSERT_TRUE(store.ok()) << store.status().to_string();
    Engine engine;
    ASSERT_TRUE(recover(**store, engine).ok());
    Output out;
    ASSERT_TRUE(engine.handle(arrival(id), kStart, out).ok());
    ASSERT_TRUE((*store)->append(out.events).ok());
  }
  auto s = start();
  ASSERT_TRUE(s);
  auto r = s->reserve_contact_id("crash-key");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->id, id);
  EXPECT_TRUE(r->created);
  s->read([&](const LiveView& v) { EXPECT_TRUE(v.engine.contact(id).ok()); });
  EXPECT_GT(s->next_contact_id(), id);
}

TEST_F(ServiceTest, ConcurrentSubmittersAreAllAcknowledgedInSeqOrder) {
  auto s = start(/*snapshot_every=*/50);
  ASSERT_TRUE(s);
  configure(*s, 0);
  std::vector<std::uint64_t> seqs;
  std::mutex seqs_mu;
  s->subscribe([&](std::span<const Event> b) {
    std::lock_guard lock(seqs_mu);
    for (const Event& e : b) seqs.push_back(e.seq);
  });
  const std::uint64_t base = s->stats().last_seq;
  constexpr int kThreads = 6;
  constexpr int kPerThread = 150;
  std::atomic<int> acknowledged{0}, failures{0};
  std::atomic<std::uint64_t> events{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      std::vector<std::future<void>> pending;
      for (int i = 0; i < kPerThread; ++i) {
        const ContactId c = s->next_contact_id();
        auto p = std::make_shared<std::promise<void>>();
        pending.push_back(p->get_future());
        s->submit(arrival(c), [&, p, c](CommandResult r) {
          if (!r.ok()) ++failures;
          events += r.ok() ? r->size() : 0;
          ++acknowledged;
          // Leave again from the callback (allowed: submit() from the service thread).
          s->submit(cmd::CustomerLeft{c}, [&, p](CommandResult r2) {
            if (!r2.ok()) ++failures;
            events += r2.ok() ? r2->size() : 0;
            p->set_value();
          });
        });
      }
      for (auto& f : pending) f.wait();
    });
  }
  for (auto& t : threads) t.join();
  s->poke();
  EXPECT_EQ(acknowledged.load(), kThreads * kPerThread);
  EXPECT_EQ(failures.load(), 0);
  std::lock_guard lock(seqs_mu);
  ASSERT_EQ(seqs.size(), events.load());
  for (std::size_t i = 0; i < seqs.size(); ++i) ASSERT_EQ(seqs[i], base + i + 1);
  EXPECT_EQ(s->stats().last_seq, base + seqs.size());
  EXPECT_GT(s->stats().snapshots, 0u);
}

TEST_F(ServiceTest, StopRefusesNewCommandsAndKeepsTheStateReadable) {
  auto s = start();
  ASSERT_TRUE(s);
  configure(*s, 1);
  // Queued before stop(): still runs and is acknowledged.
  std::promise<CommandResult> queued;
  s->submit(cmd::LoginAgent{0}, [&](CommandResult r) { queued.set_value(std::move(r)); });
  s->stop();
  EXPECT_TRUE(queued.get_future().get().ok());
  CommandResult r = s->execute(cmd::LogoutAgent{0});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  s->read([](const LiveView& v) { EXPECT_TRUE(v.engine.agent(0)->logged_in); });
  s->stop();  // idempotent
  s->poke();  // no-op
  EXPECT_EQ(s->reserve_contact_id("x").status().code(), StatusCode::kUnavailable);
  // stop() snapshotted: a new start restores it without replaying.
  s.reset();
  auto again = start();
  ASSERT_TRUE(again);
  again->read([](const LiveView& v) { EXPECT_TRUE(v.engine.agent(0)->logged_in); });
}

TEST_F(ServiceTest, UnsubscribeFromInsideAListenerAndFromAnotherThread) {
  auto s = start();
  ASSERT_TRUE(s);
  int calls_a = 0, calls_b = 0;
  SubscriptionId a = 0;
  a = s->subscribe([&](std::span<const Event>) {
    ++calls_a;
    s->unsubscribe(a);
  });
  const SubscriptionId b = s->subscribe([&](std::span<const Event>) { ++calls_b; });
  configure(*s, 2);
  EXPECT_EQ(calls_a, 1);
  EXPECT_GE(calls_b, 3);
  s->unsubscribe(b);
  const int before = calls_b;
  ok(*s, cmd::LoginAgent{0});
  EXPECT_EQ(calls_b, before);
  EXPECT_EQ(s->stats().subscribers, 0u);
}

TEST_F(ServiceTest, TodayKpisCountHandledAndAbandonedAndResetAtMidnight) {
  auto s = start();
  ASSERT_TRUE(s);
  configure(*s, 1);
  ok(*s, cmd::LoginAgent{0});
  const ContactId handled = s->next_contact_id();
  ok(*s, arrival(handled));
  clock_.advance(1000);
  ok(*s, cmd::AcceptOffer{handled, 0});
  const ContactId gone = s->next_contact_id();
  ok(*s, arrival(gone));  // waits: the agent is busy
  clock_.advance(5000);
  ok(*s, cmd::CustomerLeft{gone});
  s->read([](const LiveView& v) {
    const metrics::KpiSummary k = v.today().total();
    EXPECT_EQ(k.offered, 2u);
    EXPECT_EQ(k.handled, 1u);
    EXPECT_EQ(k.abandoned, 1u);
    EXPECT_GT(k.staffed_s, 0.0);
  });

  // The projection is rebuilt from the log at start-up.
  s.reset();
  s = start();
  ASSERT_TRUE(s);
  s->read([](const LiveView& v) {
    EXPECT_EQ(v.today().total().handled, 1u);
    EXPECT_EQ(v.today().total().abandoned, 1u);
  });

  // Midnight: a fresh day, seeded with the agent that is still logged in.
  clock_.set(kDay + kMillisPerDay + 1000);
  s->read([](const LiveView& v) {
    const metrics::KpiSummary k = v.today().total();
    EXPECT_EQ(k.offered, 0u);
    EXPECT_EQ(k.handled, 0u);
    EXPECT_EQ(k.abandoned, 0u);
    EXPECT_NEAR(k.staffed_s, 1.0, 1e-9);  // logged in since 00:00:00
  });
  ok(*s, cmd::EndContact{handled});  // yesterday's contact: not today's
  const ContactId next = s->next_contact_id();
  ok(*s, arrival(next));
  ok(*s, cmd::AcceptOffer{next, 0});
  s->read([](const LiveView& v) {
    EXPECT_EQ(v.today().total().offered, 1u);
    EXPECT_EQ(v.today().total().handled, 1u);
    EXPECT_EQ(v.today().queues(), std::vector<QueueId>{0});
  });
  // After a restart the same day is rebuilt from the log, earlier days skipped.
  s.reset();
  s = start();
  ASSERT_TRUE(s);
  s->read([](const LiveView& v) {
    EXPECT_EQ(v.today().total().offered, 1u);
    EXPECT_EQ(v.today().total().handled, 1u);
    EXPECT_EQ(v.today().total().abandoned, 0u);
  });
}

TEST_F(ServiceTest, MaintainsTheReportsReadModelLiveAndAcrossRestarts) {
  auto s = start();
  ASSERT_TRUE(s);
  configure(*s, 1);
  ok(*s, cmd::LoginAgent{0});
  const ContactId handled = s->next_contact_id();
  ok(*s, arrival(handled));
  clock_.advance(3000);
  ok(*s, cmd::AcceptOffer{handled, 0});
  const ContactId gone = s->next_contact_id();
  ok(*s, arrival(gone));
  clock_.advance(5000);
  ok(*s, cmd::CustomerLeft{gone});
  ok(*s, cmd::RecordSurvey{handled, 0, 0, SurveyKind::kCsat, 4});
  ASSERT_TRUE(s->flush_reports().ok());
  reports::ReportRequest r;
  r.from = kDay;
  r.to = kDay + kMillisPerDay;
  r.group_by = {};
  auto live = s->reports()->query(r);
  ASSERT_TRUE(live.ok()) << live.status().to_string();
  EXPECT_EQ(live->total.offered, 2u);
  EXPECT_EQ(live->total.handled, 1u);
  EXPECT_EQ(live->total.abandoned, 1u);
  EXPECT_DOUBLE_EQ(live->total.asa_s, 3.0);
  EXPECT_EQ(live->total.csat_responses, 1u);

  // A restart catches up from the log without counting anything twice.
  s.reset();
  s = start();
  ASSERT_TRUE(s);
  clock_.advance(1000);
  ok(*s, cmd::EndContact{handled});
  ASSERT_TRUE(s->flush_reports().ok());
  auto after = s->reports()->query(r);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->total.offered, 2u);
  EXPECT_EQ(after->total.handled, 1u);
  EXPECT_EQ(after->total.handle_samples, 1u);
  EXPECT_DOUBLE_EQ(after->total.aht_s, 6.0);  // talked from 3 s to 9 s, no wrap-up
}

TEST_F(ServiceTest, StartFailsCleanlyWhenTheDirectoryIsInUse) {
  auto s = start();
  ASSERT_TRUE(s);
  auto second = CenterService::start(options(), clock_);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
}

TEST_F(ServiceTest, TheDefaultWaiterFiresTimersWithoutPoke) {
  ServiceOptions o = options();
  o.wait = nullptr;  // runtime::wait_with_timeout: the engine thread wakes on its own
  auto started = CenterService::start(o, clock_);
  ASSERT_TRUE(started.ok()) << started.status().to_string();
  auto s = std::move(started).value();
  std::promise<Millis> timed_out;
  s->subscribe([&](std::span<const Event> b) {
    for (const Event& e : b)
      if (std::holds_alternative<ev::OfferTimedOut>(e.payload)) timed_out.set_value(e.at);
  });
  configure(*s, 1);
  ok(*s, cmd::LoginAgent{0});
  ok(*s, arrival(s->next_contact_id()));
  clock_.advance(10 * kMillisPerSecond);  // no poke(): the sleep is capped at one second
  auto f = timed_out.get_future();
  ASSERT_EQ(f.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_EQ(f.get(), kStart + 10 * kMillisPerSecond);
}

class ServiceFailureTest : public ServiceTest,
                           public ::testing::WithParamInterface<FlakyStore::Mode> {};

TEST_P(ServiceFailureTest, StoreFailureStopsTheServiceAndNothingUndurableIsAcknowledged) {
  FlakyStore::mode = FlakyStore::Mode::kHealthy;
  ServiceOptions o = options();
  o.open_store = [](const std::string& path) -> Result<std::unique_ptr<EventStore>> {
    auto inner = SqliteEventStore::open(path);
    if (!inner.ok()) return inner.status();
    return std::unique_ptr<EventStore>(std::make_unique<FlakyStore>(std::move(inner).value()));
  };
  auto started = CenterService::start(o, clock_);
  ASSERT_TRUE(started.ok()) << started.status().to_string();
  auto s = std::move(started).value();
  std::vector<Event> seen;
  s->subscribe([&](std::span<const Event> b) { seen.insert(seen.end(), b.begin(), b.end()); });
  std::size_t applied = 0;
  s->subscribe([&](std::span<const Event> b) { applied += b.size(); }, Delivery::kApplied);
  configure(*s, 1);
  const std::size_t durable = seen.size();
  EXPECT_EQ(applied, durable);
  EXPECT_TRUE(s->health().ok());

  FlakyStore::mode = GetParam();
  CommandResult r = s->execute(cmd::LoginAgent{0});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find("injected"), std::string::npos) << r.status().to_string();
  EXPECT_FALSE(s->health().ok());
  EXPECT_TRUE(s->stats().failed);
  EXPECT_EQ(seen.size(), durable);  // subscribers never see an unacknowledged batch
  EXPECT_GT(applied, durable);      // applied ones heard the login before the store failed

  // From now on every command is refused, even with a healthy store again.
  FlakyStore::mode = FlakyStore::Mode::kHealthy;
  r = s->execute(cmd::LogoutAgent{0});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  s->poke();  // does not hang
  EXPECT_EQ(seen.size(), durable);
  s->stop();

  // A restart recovers from the log, whatever it holds of the failed batch.
  auto again = start();
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->health().ok());
  // kRefuse: the login never reached the store; kFailAck: it was written, only its
  // acknowledgement failed. Either way the restarted engine agrees with the log.
  const bool logged_in = GetParam() == FlakyStore::Mode::kFailAck;
  again->read([&](const LiveView& v) {
    EXPECT_EQ(v.engine.agent_count(), 1u);
    EXPECT_EQ(v.engine.agent(0)->logged_in, logged_in);
  });
  EXPECT_TRUE(again->execute(cmd::LogoutAgent{0}).ok() == logged_in);
}

INSTANTIATE_TEST_SUITE_P(Modes, ServiceFailureTest,
                         ::testing::Values(FlakyStore::Mode::kRefuse, FlakyStore::Mode::kFailAck));

}  // namespace
}  // namespace sb::service
