#pragma once
// How the demo's simulated people behave, independent of the network: a simulated agent reacts
// to its agent-channel WebSocket messages (offer, offer_withdrawn, contact, state) by accepting
// after a human-like delay, talking, sometimes holding, ending, wrapping up with a disposition
// and taking occasional breaks; a customer stream creates contacts with Poisson arrivals and
// abandons after an exponential patience unless an agent answered first.
//
// Both talk to the server through small interfaces (AgentActions, CustomerActions) and wait
// through a Scheduler, so tests drive them with a ManualClock and fakes; the live demo plugs in
// ApiClient and asio timers (demo_center.cpp). All randomness comes from a seeded sb::Random.
// Every duration is divided by `speed` (10 = ten times faster than real life).
//
// Threading: a SimAgent or CustomerStream is used from one thread (or strand) at a time: its
// scheduler's callbacks and on_message() must not run concurrently. Counters and
// WaitingContacts are thread-safe.

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <queue>
#include <set>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "base/random.h"
#include "base/status.h"
#include "base/time.h"
#include "demo/api_client.h"

namespace sb::demo {

// ---- waiting

using TimerId = std::uint64_t;

class Scheduler {
 public:
  virtual ~Scheduler() = default;
  virtual Millis now() const = 0;
  // Runs `fn` once after `delay` (>= 0) unless cancelled first.
  virtual TimerId after(Millis delay, std::function<void()> fn) = 0;
  virtual void cancel(TimerId id) = 0;
};

// A scheduler over a ManualClock: run_until() fires due callbacks in time order (ties in the
// order they were scheduled), moving the clock to each one's time.
class ManualScheduler final : public Scheduler {
 public:
  explicit ManualScheduler(ManualClock& clock) : clock_(clock) {}
  Millis now() const override { return clock_.now(); }
  TimerId after(Millis delay, std::function<void()> fn) override;
  void cancel(TimerId id) override;
  // Fires everything due at or before `t`, then sets the clock to `t`.
  void run_until(Millis t);
  std::size_t pending() const { return live_.size(); }

 private:
  struct Entry {
    Millis at;
    TimerId id;
    bool operator>(const Entry& o) const { return at != o.at ? at > o.at : id > o.id; }
  };
  ManualClock& clock_;
  TimerId next_id_ = 1;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> heap_;
  std::map<TimerId, std::function<void()>> live_;
};

// ---- shared bookkeeping

struct DemoCounters {
  std::atomic<std::uint64_t> created{0};    // contacts the customers created (not blocked)
  std::atomic<std::uint64_t> blocked{0};    // refused by the server (queue closed or full)
  std::atomic<std::uint64_t> answered{0};   // accepted by a simulated agent
  std::atomic<std::uint64_t> abandoned{0};  // customers who gave up while waiting
  std::atomic<std::uint64_t> handled{0};    // wrapped up by a simulated agent
  std::atomic<std::uint64_t> holds{0};
  std::atomic<std::uint64_t> breaks{0};
  std::atomic<std::uint64_t> offers_lost{0};  // withdrawn or no longer ringing when accepting
  std::atomic<std::uint64_t> errors{0};       // unexpected failures (transport, 4xx/5xx)
  std::atomic<int> busy_agents{0};            // simulated agents holding at least one contact
};

// Contacts still waiting for an agent, as far as the customers know: an agent's accept takes
// the contact out, so the customer's patience timer does not abandon an answered contact.
class WaitingContacts {
 public:
  void add(std::int64_t contact);
  void answered(std::int64_t contact);
  // True (and forgets it) when the contact is still waiting.
  bool take(std::int64_t contact);
  std::size_t size() const;

 private:
  mutable std::mutex mu_;
  std::unordered_set<std::int64_t> waiting_;
  std::unordered_set<std::int64_t> answered_early_;
};

// ---- simulated agents

class AgentActions {
 public:
  virtual ~AgentActions() = default;
  virtual Result<Json> me() = 0;  // GET /api/v1/me
  virtual Result<Json> set_presence(std::string_view presence,
                                    std::optional<std::int64_t> reason) = 0;
  // accept, reject, hold, unhold, end
  virtual Result<Json> act(std::int64_t contact, std::string_view action) = 0;
  virtual Result<Json> wrap_up(std::int64_t contact, std::int64_t disposition) = 0;
};

struct HandleTime {
  double mean_s = 180;
  double sd_s = 120;
};

struct AgentBehaviour {
  double speed = 10;
  double accept_min_s = 1;
  double accept_max_s = 4;
  std::map<std::string, HandleTime> handle = {
      {"voice", {180, 120}}, {"chat", {300, 180}}, {"email", {480, 300}}};
  HandleTime other_handle = {240, 150};  // channels not listed above
  std::map<std::string, double> hold_probability = {{"voice", 0.2}};
  double hold_mean_s = 40;
  HandleTime wrap = {15, 10};
  double break_probability = 0.03;  // after each finished contact
  double break_mean_s = 240;
  std::vector<std::int64_t> break_reasons = {1};              // reason-code ids
  std::vector<std::pair<std::int64_t, double>> dispositions;  // id, weight
  double missed_recover_s = 10;  // back to available after the engine's "missed" not-ready
};

class SimAgent {
 public:
  SimAgent(std::int64_t agent_id, const AgentBehaviour& behaviour, Random rng, Scheduler& scheduler,
           AgentActions& actions, DemoCounters& counters, WaitingContacts* waiting);
  ~SimAgent();
  SimAgent(const SimAgent&) = delete;
  SimAgent& operator=(const SimAgent&) = delete;

  std::int64_t agent_id() const { return agent_id_; }
  // Picks up contacts left from an earlier run (GET /me) and goes available.
  void start();
  // A message from the agent channel.
  void on_message(const Json& msg);
  // Cancels every timer, ends and wraps up what it holds, goes offline (best effort).
  void stop();

  int active_contacts() const { return static_cast<int>(contacts_.size()); }
  bool on_break() const { return on_break_; }
  const std::string& presence() const { return presence_; }

 private:
  enum class Phase { kOffered, kConnected, kHeld, kEnded };
  struct Tracked {
    std::string channel;
    Phase phase = Phase::kOffered;
    TimerId timer = 0;
    Millis remaining = 0;  // talk time left after the hold
    Millis hold_for = 0;
  };

  Millis scaled(double seconds) const;
  void track(std::int64_t id, const std::string& channel, Phase phase);
  void forget(std::int64_t id);
  void schedule(std::int64_t id, Millis delay, void (SimAgent::*step)(std::int64_t));
  void adopt(const Json& contact);
  void on_offer(const Json& contact);
  void on_contact(const Json& contact);
  void on_state(const Json& state);
  void accept(std::int64_t id);
  void hold(std::int64_t id);
  void unhold(std::int64_t id);
  void end(std::int64_t id);
  void wrap_up(std::int64_t id);
  void begin_break();
  void end_break();
  void go_available();
  void count_error(const Status& s);
  std::int64_t pick_disposition();
  const HandleTime& handle_for(const std::string& channel) const;
  void update_busy();

  std::int64_t agent_id_;
  const AgentBehaviour& b_;
  Random rng_;
  Scheduler& sched_;
  AgentActions& actions_;
  DemoCounters& counters_;
  WaitingContacts* waiting_;
  std::map<std::int64_t, Tracked> contacts_;
  std::string presence_ = "offline";
  bool on_break_ = false;
  bool stopping_ = false;
  bool counted_busy_ = false;
  TimerId break_timer_ = 0;
  TimerId recover_timer_ = 0;
};

// ---- simulated customers

class CustomerActions {
 public:
  virtual ~CustomerActions() = default;
  // POST /contacts with an Idempotency-Key; answers the Contact.
  virtual Result<Json> create_contact(const Json& body, const std::string& idempotency_key) = 0;
  virtual Result<Json> abandon(std::int64_t contact) = 0;
};

struct CustomerTraffic {
  std::int64_t queue = 0;
  std::string channel = "voice";
  double arrivals_per_hour = 60;      // at speed 1
  double patience_mean_s = 0;         // 0 = never abandon
  std::optional<std::int64_t> skill;  // required skill id
  int min_proficiency = 1;
  std::optional<std::int64_t> optional_skill;  // asked for by `optional_share` of the contacts
  int optional_min_proficiency = 1;
  double optional_share = 0;
  std::uint64_t customer_base = 1'000'000;  // customer ids are drawn from [base, base + 100000)
};

class CustomerStream {
 public:
  CustomerStream(CustomerTraffic traffic, double speed, std::string key_prefix, Random rng,
                 Scheduler& scheduler, CustomerActions& actions, DemoCounters& counters,
                 WaitingContacts& waiting);
  ~CustomerStream();
  CustomerStream(const CustomerStream&) = delete;
  CustomerStream& operator=(const CustomerStream&) = delete;

  void start();  // schedules the first arrival
  void stop();   // cancels the pending arrival and patience timers
  // stop(), and the customers still waiting hang up (abandon): a stopped demo leaves no voice or
  // chat contact waiting. Email (no patience) stays queued for the next run.
  void hang_up_all();
  // The request body of the next contact (exposed for tests).
  Json contact_body();
  std::uint64_t arrivals() const { return arrivals_; }

 private:
  void arrive();
  void schedule_next();
  void give_up(std::int64_t id);

  CustomerTraffic t_;
  double speed_;
  std::string key_prefix_;
  Random rng_;
  Scheduler& sched_;
  CustomerActions& actions_;
  DemoCounters& counters_;
  WaitingContacts& waiting_;
  TimerId next_ = 0;
  std::map<std::int64_t, TimerId> patience_;  // contact -> its customer's patience timer
  std::uint64_t arrivals_ = 0;
  bool stopped_ = false;
};

}  // namespace sb::demo
