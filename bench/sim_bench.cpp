// Simulator throughput: runs a scenario (by default the one-year, 500-agent, 20-queue center in
// examples/bench-year-500.toml) once and prints simulated calls per second, engine events per
// second and the wall time. Wall-clock reads are fine here: bench/ is outside the determinism lint.
//
//   sim_bench [scenario.toml] [--days N]

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "sim/report.h"
#include "sim/scenario.h"
#include "sim/simulator.h"

int main(int argc, char** argv) {
  std::string path = SB_SOURCE_DIR "/examples/bench-year-500.toml";
  long days = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--days" && i + 1 < argc) {
      days = std::strtol(argv[++i], nullptr, 10);
    } else {
      path = arg;
    }
  }
  auto scenario = sb::sim::load_scenario(path);
  if (!scenario.ok()) {
    std::fprintf(stderr, "sim_bench: %s\n", scenario.status().message().c_str());
    return 2;
  }
  if (days > 0) scenario->duration = days * sb::kMillisPerDay;

  sb::sim::Simulator sim(*scenario);
  const auto t0 = std::chrono::steady_clock::now();
  auto run = sim.run(sb::Random(scenario->seed).fork(0));
  const auto t1 = std::chrono::steady_clock::now();
  if (!run.ok()) {
    std::fprintf(stderr, "sim_bench: %s\n", run.status().message().c_str());
    return 1;
  }
  const double wall = std::chrono::duration<double>(t1 - t0).count();
  const auto& r = *run;
  std::printf("scenario          %s\n", scenario->name.c_str());
  std::printf("agents / queues   %zu / %zu\n", scenario->center.agents.size(),
              scenario->center.queues.size());
  std::printf("simulated         %s\n", sb::sim::format_duration(scenario->duration).c_str());
  std::printf("calls             %llu\n", static_cast<unsigned long long>(r.arrivals));
  std::printf("engine events     %llu\n", static_cast<unsigned long long>(r.engine_events));
  std::printf("calendar entries  %llu\n", static_cast<unsigned long long>(r.calendar_entries));
  std::printf("peak calendar     %zu entries\n", r.peak_calendar);
  std::printf("state hash        %016llx\n", static_cast<unsigned long long>(r.state_hash));
  std::printf("wall time         %.2f s\n", wall);
  std::printf("calls/s           %.0f\n", static_cast<double>(r.arrivals) / wall);
  std::printf("events/s          %.0f\n", static_cast<double>(r.engine_events) / wall);
  std::printf(
      "KPIs              SL %.1f %%, abandon %.1f %%, ASA %.1f s, AHT %.1f s, "
      "occupancy %.1f %%\n",
      100 * r.total.service_level, 100 * r.total.abandon_rate, r.total.asa_s, r.total.aht_s,
      100 * r.occupancy);
  // Full precision, to check that a change to the simulator or the engine left every draw and
  // every decision as it was.
  std::printf("exact KPIs        ASA %.9f s, AHT %.9f s, SL %.12f, occupancy %.12f\n",
              r.total.asa_s, r.total.aht_s, r.total.service_level, r.occupancy);
  return 0;
}
