#include "demo/demo_center.h"

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <latch>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

#include "base/random.h"
#include "demo/api_client.h"
#include "demo/demo_behavior.h"
#include "demo/demo_plan.h"
#include "demo/ws_client.h"
#include "runtime/system_clock.h"  // lint:allow (the wall clock for run_demo_command)

namespace sb::demo {

namespace asio = boost::asio;
using boost::system::error_code;
using Strand = asio::strand<asio::io_context::executor_type>;

std::string format_summary(const DemoSummary& s) {
  std::ostringstream out;
  out << "created " << s.created << ", answered " << s.answered << ", abandoned " << s.abandoned
      << ", handled " << s.handled;
  if (s.blocked > 0) out << ", blocked " << s.blocked;
  out << " | agents busy " << s.agents_busy << "/" << s.agents_simulated;
  if (s.agents_connected != s.agents_simulated) out << " (connected " << s.agents_connected << ")";
  out << " | breaks " << s.breaks << ", holds " << s.holds << " | errors " << s.errors;
  return out.str();
}

namespace {

// ---------------------------------------------------------------------------------------------
// asio-backed Scheduler: callbacks run on one strand. Used only from that strand.

class AsioScheduler final : public Scheduler {
 public:
  AsioScheduler(Strand strand, const Clock& clock) : strand_(strand), clock_(clock) {}

  Millis now() const override { return clock_.now(); }

  TimerId after(Millis delay, std::function<void()> fn) override {
    const TimerId id = next_++;
    auto timer = std::make_shared<asio::steady_timer>(strand_);
    timer->expires_after(std::chrono::milliseconds(std::max<Millis>(0, delay)));
    timers_.emplace(id, timer);
    timer->async_wait([this, id, fn = std::move(fn)](error_code ec) {
      if (ec) return;
      auto it = timers_.find(id);
      if (it == timers_.end()) return;  // cancelled after it fired
      timers_.erase(it);
      fn();
    });
    return id;
  }

  void cancel(TimerId id) override {
    auto it = timers_.find(id);
    if (it == timers_.end()) return;
    it->second->cancel();
    timers_.erase(it);
  }

  void cancel_all() {
    for (auto& [id, t] : timers_) t->cancel();
    timers_.clear();
  }

 private:
  Strand strand_;
  const Clock& clock_;
  TimerId next_ = 1;
  std::map<TimerId, std::shared_ptr<asio::steady_timer>> timers_;
};

bool is_http(const Status& s, int code) {
  return s.message().rfind("HTTP " + std::to_string(code), 0) == 0;
}

class LiveAgentActions final : public AgentActions {
 public:
  LiveAgentActions(ApiClient& client, std::int64_t agent, std::string username,
                   std::string password)
      : client_(client),
        agent_(agent),
        username_(std::move(username)),
        password_(std::move(password)) {}

  Status login() { return client_.login(username_, password_).status(); }

  Result<Json> me() override {
    return with_session([&] { return client_.get("/api/v1/me"); });
  }
  Result<Json> set_presence(std::string_view presence,
                            std::optional<std::int64_t> reason) override {
    return with_session([&] { return client_.set_agent_state(agent_, presence, reason); });
  }
  Result<Json> act(std::int64_t contact, std::string_view action) override {
    return with_session([&] { return client_.contact_action(contact, action); });
  }
  Result<Json> wrap_up(std::int64_t contact, std::int64_t disposition) override {
    return with_session([&] { return client_.wrap_up(contact, disposition); });
  }

 private:
  // A session lost to a server restart or expiry: log in again and retry once.
  template <typename F>
  Result<Json> with_session(F&& f) {
    auto r = f();
    if (!r.ok() && is_http(r.status(), 401) && login().ok()) r = f();
    return r;
  }

  ApiClient& client_;
  std::int64_t agent_;
  std::string username_;
  std::string password_;
};

class LiveCustomerActions final : public CustomerActions {
 public:
  explicit LiveCustomerActions(ApiClient& client) : client_(client) {}
  Result<Json> create_contact(const Json& body, const std::string& key) override {
    return client_.create_contact(body, key);
  }
  Result<Json> abandon(std::int64_t contact) override {
    return client_.contact_action(contact, "abandon");
  }

 private:
  ApiClient& client_;
};

// ---------------------------------------------------------------------------------------------
// Seeding

struct SeededAgent {
  std::int64_t agent_id = 0;
  std::string username;
};

struct Seeded {
  IdMap skills, profiles, queues, reasons, dispositions;
  std::vector<SeededAgent> agents;  // plan order
  std::string customer_key;
  int created = 0;
};

using Log = std::function<void(const std::string&)>;

Result<IdMap> ensure_named(ApiClient& admin, const std::string& path,
                           const std::vector<std::pair<std::string, Json>>& wanted, int& created) {
  auto existing = admin.list_all(path);
  if (!existing.ok()) return existing.status();
  IdMap ids;
  for (const Json& item : *existing) {
    if (item.is_object() && item.contains("name") && item["name"].is_string() &&
        item.contains("id") && item["id"].is_number_integer()) {
      ids.emplace(item["name"].get<std::string>(), item["id"].get<std::int64_t>());
    }
  }
  for (const auto& [name, body] : wanted) {
    if (ids.count(name)) continue;
    auto made = admin.post(path, body);
    if (!made.ok()) return made.status();
    if (!made->contains("id") || !(*made)["id"].is_number_integer()) {
      return Status::internal("POST " + path + ": no id in the answer");
    }
    ids[name] = (*made)["id"].get<std::int64_t>();
    ++created;
  }
  return ids;
}

Status ensure_user(ApiClient& admin, std::map<std::string, Json>& users, const UserSpec& spec,
                   const std::string& password, std::optional<std::int64_t> agent_id,
                   int& created) {
  auto it = users.find(spec.username);
  if (it == users.end()) {
    Json body{{"username", spec.username},
              {"password", password},
              {"display_name", spec.display_name},
              {"role", spec.role}};
    if (agent_id) body["agent_id"] = *agent_id;
    auto made = admin.create_user(body);
    if (!made.ok()) return made.status();
    users[spec.username] = *made;
    ++created;
    return Status::ok_status();
  }
  const Json& user = it->second;
  Json patch{{"password", password}};
  if (user.value("disabled", false)) patch["disabled"] = false;
  if (agent_id && (!user.contains("agent_id") || !user["agent_id"].is_number_integer() ||
                   user["agent_id"].get<std::int64_t>() != *agent_id)) {
    patch["agent_id"] = *agent_id;
  }
  if (user.value("role", "") != spec.role) patch["role"] = spec.role;
  auto id = user.value("id", std::int64_t{0});
  return admin.patch("/api/v1/users/" + std::to_string(id), patch).status();
}

Result<Seeded> seed_center(ApiClient& admin, const DemoPlan& plan, const std::string& password,
                           const Log& log) {
  Seeded s;
  {
    std::vector<std::pair<std::string, Json>> want;
    for (const auto& name : plan.skills) want.emplace_back(name, Json{{"name", name}});
    auto r = ensure_named(admin, "/api/v1/skills", want, s.created);
    if (!r.ok()) return r.status();
    s.skills = *r;
  }
  {
    std::vector<std::pair<std::string, Json>> want;
    for (const auto& p : plan.profiles) want.emplace_back(p.name, profile_json(p));
    auto r = ensure_named(admin, "/api/v1/profiles", want, s.created);
    if (!r.ok()) return r.status();
    s.profiles = *r;
  }
  {
    std::vector<std::pair<std::string, Json>> want;
    for (const auto& q : plan.queues) want.emplace_back(q.name, queue_json(q));
    auto r = ensure_named(admin, "/api/v1/queues", want, s.created);
    if (!r.ok()) return r.status();
    s.queues = *r;
  }
  {
    std::vector<std::pair<std::string, Json>> want;
    for (const auto& name : plan.reason_codes) want.emplace_back(name, Json{{"name", name}});
    auto r = ensure_named(admin, "/api/v1/reason-codes", want, s.created);
    if (!r.ok()) return r.status();
    s.reasons = *r;
  }
  {
    std::vector<std::pair<std::string, Json>> want;
    for (const auto& d : plan.dispositions) {
      want.emplace_back(d.name, Json{{"name", d.name}, {"conversion", d.conversion}});
    }
    auto r = ensure_named(admin, "/api/v1/dispositions", want, s.created);
    if (!r.ok()) return r.status();
    s.dispositions = *r;
  }
  IdMap agents;
  {
    std::vector<std::pair<std::string, Json>> want;
    for (const auto& a : plan.agents) {
      Json body = agent_json(a, s.profiles, s.skills, s.queues);
      if (body.is_null()) return Status::internal("demo plan: agent " + a.name + " is incomplete");
      want.emplace_back(a.name, body);
    }
    auto r = ensure_named(admin, "/api/v1/agents", want, s.created);
    if (!r.ok()) return r.status();
    agents = *r;
  }
  auto listed = admin.list_all("/api/v1/users");
  if (!listed.ok()) return listed.status();
  std::map<std::string, Json> users;
  for (const Json& u : *listed) {
    if (u.is_object() && u.contains("username") && u["username"].is_string()) {
      users[u["username"].get<std::string>()] = u;
    }
  }
  for (const auto& a : plan.agents) {
    const std::int64_t agent_id = agents.at(a.name);
    SB_RETURN_IF_ERROR(
        ensure_user(admin, users, {a.username, a.name, "agent"}, password, agent_id, s.created));
    s.agents.push_back({agent_id, a.username});
  }
  for (const auto& u : plan.staff) {
    SB_RETURN_IF_ERROR(ensure_user(admin, users, u, password, std::nullopt, s.created));
  }
  SB_RETURN_IF_ERROR(ensure_user(admin, users, plan.customers, password, std::nullopt, s.created));
  // A fresh API key for the simulated customers; earlier runs' keys are revoked.
  const std::int64_t customers_id = users[plan.customers.username].value("id", std::int64_t{0});
  auto keys = admin.list_all("/api/v1/users/" + std::to_string(customers_id) + "/api-keys");
  if (keys.ok()) {
    for (const Json& k : *keys) {
      if (k.value("name", "") == plan.api_key_name && k.contains("id")) {
        (void)admin.del("/api/v1/api-keys/" + std::to_string(k["id"].get<std::int64_t>()));
      }
    }
  } else {
    log("demo: could not list the customers' API keys: " + keys.status().message());
  }
  auto key = admin.create_api_key(customers_id, plan.api_key_name);
  if (!key.ok()) return key.status();
  if (!key->contains("key") || !(*key)["key"].is_string()) {
    return Status::internal("POST api-keys: no key in the answer");
  }
  s.customer_key = (*key)["key"].get<std::string>();
  return s;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// DemoCenter

struct DemoCenter::Impl {
  // Declared first: destroyed last, after everything holding its timers and sockets.
  asio::io_context io;

  DemoOptions options;
  const Clock& clock;
  Log log;
  Url url;
  DemoPlan plan;
  std::string password;
  AgentBehaviour behaviour;
  DemoCounters counters;
  WaitingContacts waiting;
  Random rng;

  struct AgentSlot {
    explicit AgentSlot(Strand s) : strand(s) {}
    Strand strand;
    std::int64_t agent_id = 0;
    std::string username;
    std::unique_ptr<ApiClient> client;
    std::unique_ptr<LiveAgentActions> actions;
    std::unique_ptr<AsioScheduler> sched;
    std::unique_ptr<SimAgent> sim;
    std::shared_ptr<WsClient> ws;
    std::atomic<bool> connected{false};
    bool reported_failure = false;
  };
  struct CustomerSlot {
    explicit CustomerSlot(Strand s) : strand(s) {}
    Strand strand;
    std::string queue;
    std::unique_ptr<ApiClient> client;
    std::unique_ptr<LiveCustomerActions> actions;
    std::unique_ptr<AsioScheduler> sched;
    std::unique_ptr<CustomerStream> stream;
  };
  std::vector<std::unique_ptr<AgentSlot>> agents;
  std::vector<std::unique_ptr<CustomerSlot>> customers;

  std::unique_ptr<ApiClient> admin;
  std::optional<Strand> summary_strand;
  std::unique_ptr<AsioScheduler> summary_sched;

  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::vector<std::thread> threads;
  std::atomic<bool> running{false};
  std::atomic<bool> stopping{false};
  std::atomic<bool> draining{false};  // stop() has stopped every simulated person
  std::atomic<int> open_sockets{0};
  std::mutex stop_mu;

  Impl(DemoOptions o, const Clock& c) : options(std::move(o)), clock(c), rng(options.seed) {
    log = options.log
              ? options.log
              : Log([](const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); });
  }

  Status start();
  void stop();
  void connect_agent(AgentSlot& slot);
  void summary_tick();
  DemoSummary summary() const {
    DemoSummary s;
    s.created = counters.created.load();
    s.blocked = counters.blocked.load();
    s.answered = counters.answered.load();
    s.abandoned = counters.abandoned.load();
    s.handled = counters.handled.load();
    s.holds = counters.holds.load();
    s.breaks = counters.breaks.load();
    s.offers_lost = counters.offers_lost.load();
    s.errors = counters.errors.load();
    s.agents_busy = counters.busy_agents.load();
    s.agents_simulated = static_cast<int>(agents.size());
    for (const auto& a : agents) s.agents_connected += a->connected.load() ? 1 : 0;
    return s;
  }
};

Status DemoCenter::Impl::start() {
  if (options.speed <= 0) return Status::invalid_argument("--speed must be positive");
  auto parsed = parse_url(options.url);
  if (!parsed.ok()) return parsed.status();
  url = *parsed;
  plan = make_demo_plan(options.seed);
  if (auto problems = validate_plan(plan); !problems.empty()) {
    return Status::internal("demo plan: " + problems.front());
  }
  password = options.demo_password.empty() ? demo_password(options.seed) : options.demo_password;
  if (password.size() < 10) return Status::invalid_argument("the demo password needs >= 10 chars");

  admin = std::make_unique<ApiClient>(url);
  if (!options.admin_api_key.empty()) {
    admin->use_api_key(options.admin_api_key);
  } else {
    auto who = admin->login(options.admin_user, options.admin_password);
    if (!who.ok()) {
      return Status(who.status().code(),
                    "log in as " + options.admin_user + ": " + who.status().message());
    }
  }
  log("demo: seeding the demo center at " + url.origin() + url.base_path);
  auto seeded = seed_center(*admin, plan, password, log);
  if (!seeded.ok()) return seeded.status();
  log("demo: center ready (" + std::to_string(seeded->created) + " objects created; " +
      std::to_string(plan.queues.size()) + " queues, " + std::to_string(plan.agents.size()) +
      " agents)");

  // Behaviour from the seeded ids.
  behaviour.speed = options.speed;
  behaviour.dispositions.clear();
  for (const auto& d : plan.dispositions) {
    behaviour.dispositions.emplace_back(seeded->dispositions.at(d.name), d.weight);
  }
  behaviour.break_reasons = {1 /* break */, 1, 5 /* coaching */};
  if (auto it = seeded->reasons.find("Personal"); it != seeded->reasons.end()) {
    behaviour.break_reasons.push_back(it->second);
  }

  const int n_sim =
      std::clamp(options.simulated_agents, 0, static_cast<int>(seeded->agents.size()));
  // Log the simulated agents in (each with its own session and connection).
  for (int i = 0; i < n_sim; ++i) {
    auto slot = std::make_unique<AgentSlot>(asio::make_strand(io));
    slot->agent_id = seeded->agents[i].agent_id;
    slot->username = seeded->agents[i].username;
    slot->client = std::make_unique<ApiClient>(url);
    slot->actions =
        std::make_unique<LiveAgentActions>(*slot->client, slot->agent_id, slot->username, password);
    Status s = slot->actions->login();
    if (!s.ok()) return Status(s.code(), "log in as " + slot->username + ": " + s.message());
    slot->sched = std::make_unique<AsioScheduler>(slot->strand, clock);
    slot->sim = std::make_unique<SimAgent>(slot->agent_id, behaviour, rng.fork(100 + i),
                                           *slot->sched, *slot->actions, counters, &waiting);
    agents.push_back(std::move(slot));
  }
  // One customer stream per queue, each with its own connection (API key).
  const std::string run_tag =
      "demo-" + std::to_string(options.seed % 1'000'000'007ULL) + "-" + std::to_string(clock.now());
  std::uint64_t stream_no = 0;
  for (const auto& q : plan.queues) {
    auto slot = std::make_unique<CustomerSlot>(asio::make_strand(io));
    slot->queue = q.name;
    slot->client = std::make_unique<ApiClient>(url);
    slot->client->use_api_key(seeded->customer_key);
    slot->actions = std::make_unique<LiveCustomerActions>(*slot->client);
    slot->sched = std::make_unique<AsioScheduler>(slot->strand, clock);
    CustomerTraffic t;
    t.queue = seeded->queues.at(q.name);
    t.channel = q.channel;
    t.arrivals_per_hour = q.arrivals_per_hour;
    t.patience_mean_s = q.patience_mean_s;
    t.skill = seeded->skills.at(q.skill);
    t.min_proficiency = q.min_proficiency;
    if (!q.optional_skill.empty()) {
      t.optional_skill = seeded->skills.at(q.optional_skill);
      t.optional_min_proficiency = q.optional_min_proficiency;
      t.optional_share = q.optional_share;
    }
    t.customer_base = 1'000'000 * (stream_no + 1);
    slot->stream = std::make_unique<CustomerStream>(
        t, options.speed, run_tag + "-q" + std::to_string(t.queue), rng.fork(1000 + stream_no),
        *slot->sched, *slot->actions, counters, waiting);
    ++stream_no;
    customers.push_back(std::move(slot));
  }

  log("demo: users agent01..agent" + std::string(plan.agents.size() < 10 ? "0" : "") +
      std::to_string(plan.agents.size()) + ", supervisor, analyst — password: " + password);
  if (n_sim < static_cast<int>(plan.agents.size())) {
    log("demo: " + std::to_string(n_sim) + " agents are simulated; log in as " +
        seeded->agents[n_sim].username + ".." + seeded->agents.back().username +
        " to take contacts yourself");
  }

  std::lock_guard lock(stop_mu);
  if (stopping) return Status::unavailable("the demo was stopped while starting");
  work.emplace(io.get_executor());
  const int n_threads = std::max(1, options.threads);
  for (int i = 0; i < n_threads; ++i) {
    threads.emplace_back([this] {
      for (;;) {
        try {
          io.run();
          return;
        } catch (const std::exception& e) {
          log(std::string("demo: unexpected exception: ") + e.what());
        }
      }
    });
  }
  running = true;
  for (auto& a : agents) {
    AgentSlot* slot = a.get();
    asio::post(slot->strand, [this, slot] { connect_agent(*slot); });
  }
  for (auto& c : customers) {
    CustomerSlot* slot = c.get();
    asio::post(slot->strand, [slot] { slot->stream->start(); });
  }
  if (options.summary_every_s > 0) {
    summary_strand.emplace(asio::make_strand(io));
    summary_sched = std::make_unique<AsioScheduler>(*summary_strand, clock);
    asio::post(*summary_strand, [this] {
      summary_sched->after(std::llround(options.summary_every_s * 1000),
                           [this] { summary_tick(); });
    });
  }
  log("demo: running at speed " + std::to_string(options.speed).substr(0, 5) + " with " +
      std::to_string(agents.size()) + " simulated agents and " + std::to_string(customers.size()) +
      " customer streams");
  return Status::ok_status();
}

// Runs on the slot's strand.
void DemoCenter::Impl::connect_agent(AgentSlot& slot) {
  if (stopping) return;
  AgentSlot* s = &slot;
  open_sockets.fetch_add(1);
  WsCallbacks cb;
  cb.on_ready = [this, s](Status st) {
    if (st.ok()) {
      s->connected = true;
      s->reported_failure = false;
      s->sim->start();
    } else if (!s->reported_failure && !stopping) {
      s->reported_failure = true;
      log("demo: " + s->username + ": agent socket: " + st.message());
    }
  };
  cb.on_message = [s](const Json& msg) { s->sim->on_message(msg); };
  cb.on_closed = [this, s](Status) {
    s->connected = false;
    if (open_sockets.fetch_sub(1) == 1 && draining) {
      io.stop();
      return;
    }
    if (stopping) return;
    // The server went away or dropped us: log in again and reconnect in a moment.
    s->sched->after(2000, [this, s] {
      if (stopping) return;
      if (!s->actions->login().ok()) {
        s->sched->after(3000, [this, s] { connect_agent(*s); });
        return;
      }
      connect_agent(*s);
    });
  };
  slot.ws = WsClient::create(slot.strand, url, WsAuth{slot.client->session_token(), ""}, "agent",
                             std::move(cb));
}

// Runs on the summary strand.
void DemoCenter::Impl::summary_tick() {
  if (stopping) return;
  std::string waiting_text;
  auto stats = admin->queue_stats();
  if (stats.ok() && stats->contains("items") && (*stats)["items"].is_array()) {
    std::int64_t total = 0;
    for (const Json& q : (*stats)["items"]) {
      if (q.contains("waiting") && q["waiting"].is_number_integer()) {
        total += q["waiting"].get<std::int64_t>();
      }
    }
    waiting_text = std::to_string(total) + " waiting | ";
  }
  log("demo: " + waiting_text + format_summary(summary()));
  summary_sched->after(std::llround(options.summary_every_s * 1000), [this] { summary_tick(); });
}

void DemoCenter::Impl::stop() {
  std::lock_guard lock(stop_mu);
  stopping = true;  // also tells a start() still seeding on another thread not to run
  if (!running) return;
  // Stop the customers and the agents on their own strands and wait for them: agents end and
  // wrap up what they hold and log out.
  std::latch done(static_cast<std::ptrdiff_t>(agents.size() + customers.size() + 1));
  for (auto& c : customers) {
    CustomerSlot* slot = c.get();
    asio::post(slot->strand, [slot, &done] {
      slot->stream->hang_up_all();
      slot->sched->cancel_all();
      done.count_down();
    });
  }
  for (auto& a : agents) {
    AgentSlot* slot = a.get();
    asio::post(slot->strand, [slot, &done] {
      slot->sim->stop();
      slot->sched->cancel_all();
      if (slot->ws) slot->ws->close();
      done.count_down();
    });
  }
  if (summary_strand) {
    asio::post(*summary_strand, [this, &done] {
      summary_sched->cancel_all();
      done.count_down();
    });
  } else {
    done.count_down();
  }
  done.wait();
  draining = true;
  work.reset();
  // The sockets' close handshakes finish on their own (then run() returns); a deadline stops a
  // server that does not answer.
  auto deadline = std::make_shared<asio::steady_timer>(io);
  deadline->expires_after(std::chrono::seconds(3));
  deadline->async_wait([this](error_code ec) {
    if (!ec) io.stop();
  });
  if (open_sockets.load() == 0) io.stop();
  for (auto& t : threads) t.join();
  threads.clear();
  for (auto& a : agents) (void)a->client->logout();
  (void)admin->logout();
  running = false;
  log("demo: stopped | " + format_summary(summary()));
}

DemoCenter::DemoCenter(DemoOptions options, const Clock& clock)
    : impl_(std::make_unique<Impl>(std::move(options), clock)) {}

DemoCenter::~DemoCenter() { stop(); }

Status DemoCenter::start() {
  if (impl_->running) return Status::failed_precondition("the demo is already running");
  try {
    return impl_->start();
  } catch (const std::exception& e) {
    return Status::internal(std::string("demo start: ") + e.what());
  }
}

void DemoCenter::stop() { impl_->stop(); }
bool DemoCenter::running() const { return impl_->running; }
DemoSummary DemoCenter::summary() const { return impl_->summary(); }
const std::string& DemoCenter::password() const { return impl_->password; }

// ---------------------------------------------------------------------------------------------
// `switchboard demo`

int run_demo_command(const DemoOptions& options) {
  runtime::SystemClock clock;
  DemoCenter center(options, clock);
  Status s = center.start();
  if (!s.ok()) {
    const std::string line = "demo: " + s.to_string();
    if (options.log) {
      options.log(line);
    } else {
      std::fprintf(stderr, "%s\n", line.c_str());
    }
    return 1;
  }
  asio::io_context io;
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](error_code ec, int) {
    if (!ec) io.stop();
  });
  asio::steady_timer deadline(io);
  if (options.duration_s > 0) {
    deadline.expires_after(std::chrono::milliseconds(std::llround(options.duration_s * 1000)));
    deadline.async_wait([&](error_code ec) {
      if (!ec) io.stop();
    });
  }
  io.run();
  center.stop();
  return 0;
}

}  // namespace sb::demo
