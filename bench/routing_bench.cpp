// Routing engine benchmark: decisions per second and per-decision latency on one core, for a
// large multi-skill center (default 10,000 agents, 500 queues, 50 skills).
//
// The load keeps the center busy: contacts arrive, are offered, accepted, handled and ended, so
// both decision paths run — "a contact arrives and looks for an agent" and "an agent frees up and
// looks for a contact". A decision is one engine call that ends in an offer; its latency is the
// wall time of that call. Usage: routing_bench [agents] [queues] [skills] [commands]

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <deque>
#include <vector>

#include "base/random.h"
#include "routing/engine.h"

using namespace sb;

int main(int argc, char** argv) {
  const std::uint32_t n_agents = argc > 1 ? std::atoi(argv[1]) : 10000;
  const std::uint32_t n_queues = argc > 2 ? std::atoi(argv[2]) : 500;
  const std::uint32_t n_skills = argc > 3 ? std::atoi(argv[3]) : 50;
  const std::uint64_t n_commands = argc > 4 ? std::atoll(argv[4]) : 3000000;
  Random rng(2026);
  Engine engine;
  Output out;
  Millis now = 0;
  auto must = [&](const Command& c) {
    out.clear();
    Status s = engine.handle(c, now, out);
    if (!s.ok()) {
      std::fprintf(stderr, "setup failed: %s\n", s.to_string().c_str());
      std::exit(1);
    }
  };

  for (SkillId s = 0; s < n_skills; ++s) must(cmd::ConfigureSkill{s, "skill" + std::to_string(s)});
  RoutingProfile voice;
  voice.id = 0;
  voice.name = "voice";
  voice.capacity[0] = 1;
  voice.max_total = 1;
  must(cmd::ConfigureProfile{voice});
  // Each queue requires one primary skill and, for a third of the queues, a second one.
  std::vector<Requirements> queue_req(n_queues);
  for (QueueId q = 0; q < n_queues; ++q) {
    QueueConfig c;
    c.id = q;
    c.name = "queue" + std::to_string(q);
    c.selection = q % 10 == 0 ? AgentSelection::kMostProficient : AgentSelection::kLongestIdle;
    c.relaxation = {{30000, RelaxationAction::kLowerProficiency, 2}};
    must(cmd::ConfigureQueue{c});
    queue_req[q].push({static_cast<SkillId>(q % n_skills), 3, false});
    if (q % 3 == 0) queue_req[q].push({static_cast<SkillId>((q / 3 + 7) % n_skills), 2, true});
  }
  // Each agent belongs to 5 queues (tiers 1-2) and has the skills those queues need.
  for (AgentId a = 0; a < n_agents; ++a) {
    AgentConfig c;
    c.id = a;
    c.name = "agent" + std::to_string(a);
    c.profile = 0;
    std::vector<bool> has(n_skills, false);
    for (int k = 0; k < 5; ++k) {
      const QueueId q = static_cast<QueueId>(rng.below(n_queues));
      bool dup = false;
      for (auto& m : c.queues) dup |= m.queue == q;
      if (dup) continue;
      c.queues.push_back({q, static_cast<std::uint8_t>(k < 4 ? 1 : 2)});
      for (const auto& r : queue_req[q]) {
        if (has[r.skill]) continue;
        has[r.skill] = true;
        c.skills.push_back({r.skill, static_cast<std::uint8_t>(1 + rng.below(10))});
      }
    }
    must(cmd::ConfigureAgent{c});
    must(cmd::LoginAgent{a});
  }

  std::vector<double> latencies;
  latencies.reserve(n_commands);
  std::deque<ContactId> connected;
  std::uint64_t decisions = 0, commands = 0;
  ContactId next_contact = 1;
  double total_seconds = 0;
  std::vector<std::pair<ContactId, AgentId>> offers;
  using Clock = std::chrono::steady_clock;

  auto run = [&](const Command& c) {
    out.clear();
    const auto t0 = Clock::now();
    Status s = engine.handle(c, now, out);
    const auto t1 = Clock::now();
    const double dt = std::chrono::duration<double>(t1 - t0).count();
    total_seconds += dt;
    commands++;
    if (!s.ok()) return;
    bool decided = false;
    for (const Event& e : out.events)
      if (auto* o = std::get_if<ev::ContactOffered>(&e.payload)) {
        offers.emplace_back(o->contact, o->agent);
        decided = true;
      }
    if (decided) {
      decisions++;
      latencies.push_back(dt);
    }
  };

  // CPU time of the whole measured loop (engine, clock reads and this driver's own bookkeeping), a
  // second, preemption-proof figure: on a loaded machine the sum of per-call wall times also
  // counts the time the process waited for a core.
  auto cpu_now = [] {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
  };
  const double cpu0 = cpu_now();
  // Keep roughly 95% of agents busy and a short line waiting.
  while (commands < n_commands) {
    now += 1;
    const double busy = static_cast<double>(connected.size()) / n_agents;
    if (busy < 0.95 || rng.uniform() < 0.5) {
      const QueueId q = static_cast<QueueId>(rng.below(n_queues));
      run(cmd::ArriveContact{next_contact++, Channel::kVoice, q,
                             static_cast<std::int32_t>(rng.below(3)), queue_req[q], 0});
    } else if (!connected.empty()) {
      const std::size_t i = rng.below(connected.size());
      std::swap(connected[i], connected.back());
      const ContactId c = connected.back();
      connected.pop_back();
      run(cmd::EndContact{c});
    }
    for (auto [c, a] : offers) {
      run(cmd::AcceptOffer{c, a});
      connected.push_back(c);
    }
    offers.clear();
  }

  const double loop_cpu = cpu_now() - cpu0;
  std::sort(latencies.begin(), latencies.end());
  auto pct = [&](double p) {
    if (latencies.empty()) return 0.0;
    return latencies[static_cast<std::size_t>(p * (latencies.size() - 1))] * 1e6;
  };
  std::printf("routing_bench: %u agents, %u queues, %u skills\n", n_agents, n_queues, n_skills);
  std::printf("  commands           %llu in %.3f s engine time (%.0f commands/s)\n",
              static_cast<unsigned long long>(commands), total_seconds, commands / total_seconds);
  std::printf("  decisions (offers) %llu\n", static_cast<unsigned long long>(decisions));
  std::printf("  decisions/s        %.0f  (decisions / engine time of all commands)\n",
              decisions / total_seconds);
  std::printf(
      "  decisions/s (cpu)  %.0f  (decisions / CPU time of the whole loop, driver included)\n",
      decisions / loop_cpu);
  std::printf("  decision latency   p50 %.2f us  p90 %.2f us  p99 %.2f us  max %.2f us\n", pct(0.5),
              pct(0.9), pct(0.99), pct(1.0));
  std::printf("  still waiting      %zu contacts\n",
              engine.live_contact_count() - connected.size());
  return 0;
}
