// Load generator for a running `switchboard serve`: seeds N agents (default 2000) in one queue,
// opens N agent WebSockets whose agents accept every offer and end and wrap it up at once, then
// creates contacts at a target rate (default 1000/s) for a bounded time over several HTTP
// connections. Prints the sustained create rate, the latency from sending the create request to
// receiving the offer on an agent socket (p50/p90/p99), and errors.
//
//   load_bench --url http://127.0.0.1:8080 --admin-password PW [--agents 2000] [--rate 1000]
//              [--duration-s 10] [--connections 32] [--action-connections 64] [--server-pid PID]
//
// With --server-pid (a server on the same machine) it also prints the server's CPU time over the
// creation phase, per contact; the bench's own CPU per contact is always printed (both share the
// machine's cores).
//
// Seeding is idempotent (agents bench-agent-NNNN, users benchNNNN, queue "bench"); creating the
// users costs one Argon2id hash each on the server, so the first run against a fresh server is
// dominated by it. scripts/run-load-bench starts a throw-away server and runs this.

#include <sys/resource.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "demo/api_client.h"
#include "demo/ws_client.h"

namespace {

using sb::demo::ApiClient;
using sb::demo::Json;
using sb::demo::Url;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

struct Options {
  std::string url = "http://127.0.0.1:8080";
  std::string admin_user = "admin";
  std::string admin_password;
  int agents = 2000;
  double rate = 1000;
  double duration_s = 10;
  int connections = 32;
  int action_connections = 64;
  int seed_connections = 4;
  int ws_threads = 2;
  double drain_s = 10;
  bool cleanup = true;
  // With attributes every create also makes them durable in directory.db before the contact
  // exists (one more group-committed fsync before routing); without, offers are matched to their
  // create by the customer id.
  bool attributes = true;
  int server_pid = 0;  // when set: the server's CPU time over the creation phase is reported
};

// CPU seconds (user, system) a process has used so far, from /proc/PID/stat; {-1, -1} if unknown.
std::pair<double, double> process_cpu_s(int pid) {
  if (pid <= 0) return {-1, -1};
  std::FILE* f = std::fopen(("/proc/" + std::to_string(pid) + "/stat").c_str(), "r");
  if (f == nullptr) return {-1, -1};
  char buf[4096];
  const std::size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  buf[n] = 0;
  // Fields after the command name, which is in parentheses and may contain spaces.
  const char* p = std::strrchr(buf, ')');
  if (p == nullptr) return {-1, -1};
  unsigned long long utime = 0, stime = 0;
  // state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
  if (std::sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime) !=
      2)
    return {-1, -1};
  const double hz = static_cast<double>(sysconf(_SC_CLK_TCK));
  return {static_cast<double>(utime) / hz, static_cast<double>(stime) / hz};
}

// Runs fn(i) for i in [0, n) on `threads` threads, each with its own admin client.
template <typename F>
void parallel_for(int n, int threads, const Url& url, const Options& o, F fn) {
  std::atomic<int> next{0};
  std::atomic<int> done{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      ApiClient c(url);
      if (!c.login(o.admin_user, o.admin_password).ok()) return;
      for (int i = next++; i < n; i = next++) {
        fn(c, i);
        const int d = ++done;
        if (n >= 100 && d % (n / 10) == 0) {
          std::printf("  seeding: %d/%d\n", d, n);
          std::fflush(stdout);
        }
      }
    });
  }
  for (auto& th : pool) th.join();
}

sb::Result<std::map<std::string, std::int64_t>> names_to_ids(ApiClient& c, const std::string& path,
                                                             const char* field) {
  auto items = c.list_all(path);
  if (!items.ok()) return items.status();
  std::map<std::string, std::int64_t> out;
  for (const Json& j : *items) {
    if (j.contains(field) && j[field].is_string() && j.contains("id")) {
      out[j[field].get<std::string>()] = j["id"].get<std::int64_t>();
    }
  }
  return out;
}

std::int64_t ensure_one(ApiClient& c, const std::string& path, const std::string& name,
                        const Json& body) {
  auto ids = names_to_ids(c, path, "name");
  if (!ids.ok()) {
    std::fprintf(stderr, "GET %s: %s\n", path.c_str(), ids.status().to_string().c_str());
    std::exit(1);
  }
  if (auto it = ids->find(name); it != ids->end()) return it->second;
  auto made = c.post(path, body);
  if (!made.ok()) {
    std::fprintf(stderr, "POST %s: %s\n", path.c_str(), made.status().to_string().c_str());
    std::exit(1);
  }
  return (*made)["id"].get<std::int64_t>();
}

// Agent actions run on a pool of keep-alive connections; each request carries the agent's key.
struct ActionPool {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::pair<int, std::int64_t>> tasks;  // agent index, contact
  bool done = false;
  std::atomic<std::uint64_t> calls{0};
  std::atomic<std::uint64_t> errors{0};
  std::atomic<std::uint64_t> completed{0};
  std::string first_error;

  void push(int agent, std::int64_t contact) {
    {
      std::lock_guard lock(mu);
      tasks.emplace_back(agent, contact);
    }
    cv.notify_one();
  }
  std::optional<std::pair<int, std::int64_t>> pop() {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return done || !tasks.empty(); });
    if (tasks.empty()) return std::nullopt;
    auto t = tasks.front();
    tasks.pop_front();
    return t;
  }
  void error(const sb::Status& s) {
    errors++;
    std::lock_guard lock(mu);
    if (first_error.empty()) first_error = s.to_string();
  }
};

std::string pct(std::vector<double>& v, double p) {
  if (v.empty()) return "-";
  const std::size_t k = std::min(v.size() - 1, static_cast<std::size_t>(p * (v.size() - 1) + 0.5));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f ms", v[k]);
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"Switchboard load generator (needs a running server)"};
  app.add_option("--url", o.url, "server URL");
  app.add_option("--admin-user", o.admin_user);
  app.add_option("--admin-password", o.admin_password)->required();
  app.add_option("--agents", o.agents, "agents (and agent WebSockets)");
  app.add_option("--rate", o.rate, "contacts created per second");
  app.add_option("--duration-s", o.duration_s, "seconds of contact creation");
  app.add_option("--connections", o.connections, "HTTP connections creating contacts");
  app.add_option("--action-connections", o.action_connections,
                 "HTTP connections for accept/end/wrap-up");
  app.add_option("--seed-connections", o.seed_connections, "HTTP connections while seeding");
  app.add_option("--ws-threads", o.ws_threads, "threads running the WebSockets");
  app.add_option("--drain-s", o.drain_s, "seconds to wait for the last offers");
  app.add_flag("!--no-cleanup", o.cleanup, "leave the agents logged in");
  app.add_flag("!--no-attributes", o.attributes,
               "create contacts without attributes (match offers by customer id)");
  app.add_option("--server-pid", o.server_pid,
                 "server process (same machine): report its CPU time while contacts are created");
  CLI11_PARSE(app, argc, argv);

  auto parsed = sb::demo::parse_url(o.url);
  if (!parsed.ok()) {
    std::fprintf(stderr, "%s\n", parsed.status().to_string().c_str());
    return 2;
  }
  const Url url = *parsed;
  ApiClient admin(url);
  auto me = admin.login(o.admin_user, o.admin_password);
  if (!me.ok()) {
    std::fprintf(stderr, "login: %s\n", me.status().to_string().c_str());
    return 1;
  }
  const std::int64_t admin_id = (*me)["id"].get<std::int64_t>();

  // ---- seeding
  const auto t_seed = Clock::now();
  const std::int64_t profile = ensure_one(admin, "/api/v1/profiles", "bench",
                                          Json{{"name", "bench"},
                                               {"capacity", {{"voice", 1}}},
                                               {"max_total", 1},
                                               {"exclusive", Json::array()}});
  const std::int64_t queue = ensure_one(
      admin, "/api/v1/queues", "bench",
      Json{{"name", "bench"},
           {"strategy", "longest_idle"},
           {"sl_threshold_s", 20},
           {"sl_target", 0.8},
           {"max_waiting", 0},
           {"overflow_after_s", 0},
           {"overflow_queue", nullptr},
           {"aging_interval_s", 0},
           {"relaxation", Json::array()},
           {"offer_timeout_s", 20},
           {"max_missed_offers", 0},
           {"wrap_up_s", 30},
           {"default_handle_time_s", 1},
           {"hours",
            {{"always_open", true}, {"utc_offset_minutes", 0}, {"windows", Json::array()}}}});
  const std::int64_t disposition = ensure_one(admin, "/api/v1/dispositions", "bench",
                                              Json{{"name", "bench"}, {"conversion", false}});
  const int n = o.agents;
  std::vector<std::int64_t> agent_ids(n, -1), user_ids(n, -1);  // ids start at 0
  std::vector<std::string> keys(n);
  std::atomic<int> seed_errors{0};
  std::string seed_error;
  std::mutex seed_mu;
  auto seed_fail = [&](const std::string& what, const sb::Status& s) {
    seed_errors++;
    std::lock_guard lock(seed_mu);
    if (seed_error.empty()) seed_error = what + ": " + s.to_string();
  };
  auto name_of = [](const char* prefix, int i) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%s%04d", prefix, i + 1);
    return std::string(buf);
  };
  {
    auto agents = names_to_ids(admin, "/api/v1/agents", "name");
    auto users = names_to_ids(admin, "/api/v1/users", "username");
    if (!agents.ok() || !users.ok()) {
      std::fprintf(stderr, "listing agents/users failed\n");
      return 1;
    }
    for (int i = 0; i < n; ++i) {
      if (auto it = agents->find(name_of("bench-agent-", i)); it != agents->end()) {
        agent_ids[i] = it->second;
      }
      if (auto it = users->find(name_of("bench", i)); it != users->end()) user_ids[i] = it->second;
    }
    int created_agents = 0, created_users = 0;
    for (int i = 0; i < n; ++i) created_agents += agent_ids[i] < 0 ? 1 : 0;
    for (int i = 0; i < n; ++i) created_users += user_ids[i] < 0 ? 1 : 0;
    std::printf("seeding: %d agents and %d users to create (%d exist)\n", created_agents,
                created_users, n - created_agents);
    std::fflush(stdout);
  }
  parallel_for(n, o.seed_connections, url, o, [&](ApiClient& c, int i) {
    if (agent_ids[i] < 0) {
      auto a = c.create_agent(Json{{"name", name_of("bench-agent-", i)},
                                   {"profile", profile},
                                   {"skills", Json::array()},
                                   {"queues", Json::array({{{"queue", queue}, {"tier", 1}}})}});
      if (!a.ok()) return seed_fail("create agent", a.status());
      agent_ids[i] = (*a)["id"].get<std::int64_t>();
    }
    if (user_ids[i] < 0) {
      auto u = c.create_user(Json{{"username", name_of("bench", i)},
                                  {"password", "bench-password-" + std::to_string(i)},
                                  {"display_name", name_of("Bench agent ", i)},
                                  {"role", "agent"},
                                  {"agent_id", agent_ids[i]}});
      if (!u.ok()) return seed_fail("create user", u.status());
      user_ids[i] = (*u)["id"].get<std::int64_t>();
    }
    auto k = c.create_api_key(user_ids[i], "load bench");
    if (!k.ok()) return seed_fail("create api key", k.status());
    keys[i] = (*k)["key"].get<std::string>();
  });
  // An API key for the admin: contact creation without CSRF round trips.
  auto admin_key = admin.create_api_key(admin_id, "load bench");
  if (!admin_key.ok() || seed_errors > 0) {
    std::fprintf(stderr, "seeding failed (%d errors): %s %s\n", seed_errors.load(),
                 seed_error.c_str(), admin_key.ok() ? "" : admin_key.status().to_string().c_str());
    return 1;
  }
  const double seed_s = seconds_since(t_seed);
  std::printf("seeded %d agents in %.1f s\n", n, seed_s);
  std::fflush(stdout);

  // ---- agent sockets
  const std::size_t capacity =
      static_cast<std::size_t>(o.rate * o.duration_s * 1.5) + 1000;  // send slots by sequence
  std::vector<std::atomic<std::int64_t>> sent_at(capacity);
  for (auto& s : sent_at) s.store(0);
  std::mutex lat_mu;
  std::vector<double> latencies_ms;
  latencies_ms.reserve(capacity);
  std::atomic<std::uint64_t> offers{0}, offers_unmatched{0}, ws_errors{0};
  ActionPool pool;

  boost::asio::io_context io;
  auto work = boost::asio::make_work_guard(io);
  std::vector<std::shared_ptr<sb::demo::WsClient>> sockets(n);
  std::atomic<int> ready{0}, failed{0};
  const auto t_ws = Clock::now();
  for (int i = 0; i < n; ++i) {
    sb::demo::WsCallbacks cb;
    cb.on_ready = [&](sb::Status s) {
      if (s.ok()) {
        ready++;
      } else {
        if (failed++ == 0) std::fprintf(stderr, "agent socket: %s\n", s.to_string().c_str());
      }
    };
    cb.on_message = [&, i](const Json& msg) {
      const std::string type = msg.value("type", "");
      if (type == "error") {
        ws_errors++;
        return;
      }
      if (type != "offer") return;
      const std::int64_t t = now_ns();
      const Json& c = msg["contact"];
      offers++;
      std::int64_t seq = -1;
      if (c.contains("attributes") && c["attributes"].contains("bench_seq")) {
        seq = std::stoll(c["attributes"]["bench_seq"].get<std::string>());
      } else if (!o.attributes && c.contains("customer") && c["customer"].is_number_integer()) {
        seq = c["customer"].get<std::int64_t>();
      }
      if (seq >= 0 && static_cast<std::size_t>(seq) < capacity && sent_at[seq].load() != 0) {
        std::lock_guard lock(lat_mu);
        latencies_ms.push_back(static_cast<double>(t - sent_at[seq].load()) / 1e6);
      } else {
        offers_unmatched++;
      }
      pool.push(i, c["id"].get<std::int64_t>());
    };
    cb.on_closed = [&](sb::Status) {};
    sockets[i] = sb::demo::WsClient::create(boost::asio::make_strand(io), url,
                                            sb::demo::WsAuth{"", keys[i]}, "agent", cb);
  }
  std::vector<std::thread> io_threads;
  for (int t = 0; t < std::max(1, o.ws_threads); ++t) io_threads.emplace_back([&] { io.run(); });
  while (ready + failed < n && seconds_since(t_ws) < 60) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::printf("agent sockets: %d ready, %d failed in %.2f s\n", ready.load(), failed.load(),
              seconds_since(t_ws));
  std::fflush(stdout);

  // ---- action workers; first make every agent available
  std::vector<std::thread> workers;
  for (int w = 0; w < std::max(1, o.action_connections); ++w) {
    workers.emplace_back([&] {
      ApiClient c(url);
      while (auto task = pool.pop()) {
        const auto [agent, contact] = *task;
        c.use_api_key(keys[agent]);
        for (const char* step : {"accept", "end"}) {
          pool.calls++;
          auto r = c.contact_action(contact, step);
          if (!r.ok()) {
            pool.error(r.status());
            break;
          }
        }
        pool.calls++;
        auto r = c.wrap_up(contact, disposition);
        if (!r.ok()) {
          pool.error(r.status());
        } else {
          pool.completed++;
        }
      }
    });
  }
  {
    const auto t_avail = Clock::now();
    std::atomic<int> avail_errors{0};
    std::atomic<int> next{0};
    std::vector<std::thread> th;
    for (int w = 0; w < std::max(1, o.action_connections); ++w) {
      th.emplace_back([&] {
        ApiClient c(url);
        for (int i = next++; i < n; i = next++) {
          c.use_api_key(keys[i]);
          auto r = c.set_agent_state(agent_ids[i], "available");
          if (!r.ok() && r.status().code() != sb::StatusCode::kFailedPrecondition) {
            if (avail_errors++ == 0) {
              std::fprintf(stderr, "available: %s\n", r.status().to_string().c_str());
            }
          }
        }
      });
    }
    for (auto& t : th) t.join();
    std::printf("agents available in %.2f s (%d errors)\n", seconds_since(t_avail),
                avail_errors.load());
    std::fflush(stdout);
  }

  // ---- contact creation at the target rate
  std::atomic<std::int64_t> next_seq{0};
  std::atomic<std::uint64_t> created{0}, create_errors{0}, blocked{0};
  std::string first_create_error;
  std::mutex ce_mu;
  const std::int64_t total = static_cast<std::int64_t>(o.rate * o.duration_s);
  const auto period = std::chrono::duration<double>(1.0 / o.rate);
  const auto server_cpu0 = process_cpu_s(o.server_pid);
  rusage self0{};
  getrusage(RUSAGE_SELF, &self0);
  const auto t0 = Clock::now();
  std::atomic<std::int64_t> last_done_ns{0};
  std::vector<std::thread> creators;
  for (int c = 0; c < std::max(1, o.connections); ++c) {
    creators.emplace_back([&] {
      ApiClient client(url);
      client.use_api_key((*admin_key)["key"].get<std::string>());
      for (std::int64_t seq = next_seq++; seq < total; seq = next_seq++) {
        // Open loop: contact `seq` is due at t0 + seq/rate; late connections catch up.
        const auto due = t0 + std::chrono::duration_cast<Clock::duration>(period * seq);
        std::this_thread::sleep_until(due);
        Json body{{"channel", "voice"}, {"queue", queue}, {"customer", seq}};
        if (o.attributes) body["attributes"] = {{"bench_seq", std::to_string(seq)}};
        sent_at[seq].store(now_ns());
        auto r = client.create_contact(body, "");
        last_done_ns.store(now_ns());
        if (!r.ok()) {
          if (create_errors++ == 0) {
            std::lock_guard lock(ce_mu);
            first_create_error = r.status().to_string();
          }
        } else if (r->value("state", "") == "ended") {
          blocked++;
        } else {
          created++;
        }
      }
    });
  }
  for (auto& t : creators) t.join();
  const double create_s =
      static_cast<double>(
          last_done_ns.load() -
          std::chrono::duration_cast<std::chrono::nanoseconds>(t0.time_since_epoch()).count()) /
      1e9;
  const auto server_cpu1 = process_cpu_s(o.server_pid);
  rusage self1{};
  getrusage(RUSAGE_SELF, &self1);
  auto tv_s = [](const timeval& tv) { return static_cast<double>(tv.tv_sec) + tv.tv_usec * 1e-6; };
  const double bench_cpu_s =
      tv_s(self1.ru_utime) - tv_s(self0.ru_utime) + tv_s(self1.ru_stime) - tv_s(self0.ru_stime);
  // Wait for the offers of the last contacts.
  const auto t_drain = Clock::now();
  while (offers.load() < created.load() && seconds_since(t_drain) < o.drain_s) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  while (pool.completed + pool.errors < offers && seconds_since(t_drain) < o.drain_s) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }

  // ---- report
  std::vector<double> lat;
  {
    std::lock_guard lock(lat_mu);
    lat = latencies_ms;
  }
  std::printf(
      "\nload_bench: %d agents, 1 queue; target %.0f contacts/s for %.0f s over %d "
      "connections\n",
      n, o.rate, o.duration_s, o.connections);
  std::printf("  created          %llu (blocked %llu) in %.2f s: sustained %.1f contacts/s\n",
              static_cast<unsigned long long>(created.load()),
              static_cast<unsigned long long>(blocked.load()), create_s,
              create_s > 0 ? static_cast<double>(created.load()) / create_s : 0.0);
  std::printf("  create -> offer  n=%zu  p50 %s  p90 %s  p99 %s  max %s\n", lat.size(),
              pct(lat, 0.5).c_str(), pct(lat, 0.9).c_str(), pct(lat, 0.99).c_str(),
              pct(lat, 1.0).c_str());
  std::printf("  offers received  %llu (unmatched %llu); handled (accept+end+wrap-up) %llu\n",
              static_cast<unsigned long long>(offers.load()),
              static_cast<unsigned long long>(offers_unmatched.load()),
              static_cast<unsigned long long>(pool.completed.load()));
  if (server_cpu0.first >= 0 && server_cpu1.first >= 0 && created.load() > 0) {
    const double user = server_cpu1.first - server_cpu0.first;
    const double sys = server_cpu1.second - server_cpu0.second;
    std::printf(
        "  server CPU       %.2f s user + %.2f s system while creating: %.0f us per contact "
        "(%.0f %% of one core)\n",
        user, sys, (user + sys) * 1e6 / static_cast<double>(created.load()),
        create_s > 0 ? (user + sys) * 100 / create_s : 0.0);
  }
  std::printf("  bench CPU        %.2f s while creating (%.0f us per contact)\n", bench_cpu_s,
              created.load() > 0 ? bench_cpu_s * 1e6 / static_cast<double>(created.load()) : 0.0);
  std::printf(
      "  errors           create %llu, agent actions %llu of %llu calls, socket %llu, "
      "sockets failed %d\n",
      static_cast<unsigned long long>(create_errors.load()),
      static_cast<unsigned long long>(pool.errors.load()),
      static_cast<unsigned long long>(pool.calls.load()),
      static_cast<unsigned long long>(ws_errors.load()), failed.load());
  if (!first_create_error.empty())
    std::printf("  first create error: %s\n", first_create_error.c_str());
  if (!pool.first_error.empty())
    std::printf("  first action error: %s\n", pool.first_error.c_str());
  std::fflush(stdout);

  // ---- shut down
  {
    std::lock_guard lock(pool.mu);
    pool.done = true;
  }
  pool.cv.notify_all();
  for (auto& w : workers) w.join();
  if (o.cleanup) {
    std::atomic<int> next{0};
    std::vector<std::thread> th;
    for (int w = 0; w < std::max(1, o.action_connections); ++w) {
      th.emplace_back([&] {
        ApiClient c(url);
        for (int i = next++; i < n; i = next++) {
          c.use_api_key(keys[i]);
          (void)c.set_agent_state(agent_ids[i], "offline");
        }
      });
    }
    for (auto& t : th) t.join();
  }
  for (auto& s : sockets) s->close();
  work.reset();
  const auto t_close = Clock::now();
  while (seconds_since(t_close) < 5 && !io.stopped()) {
    bool any = false;
    for (auto& s : sockets) any = any || s->ready();
    if (!any) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  io.stop();
  for (auto& t : io_threads) t.join();
  const bool ok = create_errors == 0 && pool.errors == 0 && failed == 0 && ws_errors == 0;
  return ok ? 0 : 1;
}
