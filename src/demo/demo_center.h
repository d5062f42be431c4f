#pragma once
// The live demo: makes a running Switchboard server look like a busy contact center.
//
// DemoCenter::start() logs in as the admin, seeds the demo center if it is not there yet (every
// object is looked up by name first, so seeding is idempotent and resumes after a partial run),
// sets the password of the demo users (agent01..agent20, supervisor, analyst) to this run's
// password, creates an API key for the simulated customers, and then runs in the background:
//   - a customer stream per queue (Poisson arrivals, exponential patience → POST .../abandon),
//   - `simulated_agents` simulated agents (agent01..agent16 by default), each logged in with its
//     own session and agent WebSocket, accepting offers after 1-4 s, talking for a lognormal
//     handle time, sometimes holding, ending, wrapping up with a disposition, taking breaks,
//   - a one-line summary every 10 s (real time) through `log`.
// The remaining agents (agent17..agent20: voice, voice, chat, voice+email) are left for people.
// Every simulated duration is divided by `speed`.
//
// Threads: start() blocks while seeding and logging the agents in, then returns; the simulation
// runs on a small pool of its own threads until stop() (from any thread; idempotent), which
// ends the simulated agents' contacts, logs them out and joins the threads.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "base/status.h"
#include "base/time.h"

namespace sb::demo {

struct DemoOptions {
  std::string url = "http://127.0.0.1:8080";
  std::string admin_user = "admin";
  std::string admin_password;
  // Alternatively an admin API key (Bearer); used instead of the password when set.
  std::string admin_api_key;
  double speed = 10;
  double duration_s = 0;  // 0 = until stopped (SIGINT/SIGTERM in run_demo_command)
  std::uint64_t seed = 1;
  int simulated_agents = 16;
  // The demo users' password; empty = derived from the seed (printed at start).
  std::string demo_password;
  int threads = 4;              // simulation threads (HTTP calls block one of them briefly)
  double summary_every_s = 10;  // real seconds between summary lines; 0 = never
  // Where log lines go; empty = stderr.
  std::function<void(const std::string&)> log;
};

// A snapshot of the demo's counters.
struct DemoSummary {
  std::uint64_t created = 0;
  std::uint64_t blocked = 0;
  std::uint64_t answered = 0;
  std::uint64_t abandoned = 0;
  std::uint64_t handled = 0;
  std::uint64_t holds = 0;
  std::uint64_t breaks = 0;
  std::uint64_t offers_lost = 0;
  std::uint64_t errors = 0;
  int agents_busy = 0;
  int agents_simulated = 0;
  int agents_connected = 0;  // simulated agents whose WebSocket is subscribed
};

std::string format_summary(const DemoSummary& s);

class DemoCenter {
 public:
  // `clock` must outlive the DemoCenter (runtime::SystemClock live).
  DemoCenter(DemoOptions options, const Clock& clock);
  ~DemoCenter();  // stop()
  DemoCenter(const DemoCenter&) = delete;
  DemoCenter& operator=(const DemoCenter&) = delete;

  // Seeds and starts the simulation; returns once it runs (or why it could not).
  Status start();
  // Stops the simulation and joins its threads. Idempotent; callable from any thread.
  void stop();
  bool running() const;

  DemoSummary summary() const;
  // The demo users' password for this run (valid after start()).
  const std::string& password() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// `switchboard demo`: runs a DemoCenter until SIGINT/SIGTERM or options.duration_s, with the
// wall clock. Returns the process exit code (0, or 1 when the demo could not start).
int run_demo_command(const DemoOptions& options);

}  // namespace sb::demo
