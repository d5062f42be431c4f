#pragma once
// The demo center's configuration as data: skills, routing profiles, queues, reason codes,
// dispositions, 20 agents with skills, proficiencies and queue tiers, and the demo users. Pure
// (no I/O): make_demo_plan(seed) gives the same plan for the same seed, and the *_json helpers
// turn its parts into /api/v1 request bodies once the server has assigned the ids.

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace sb::demo {

struct ProfileSpec {
  std::string name;
  std::map<std::string, int> capacity;  // channel -> slots
  int max_total = 1;
  std::vector<std::string> exclusive;
};

struct RelaxationSpec {
  double after_s = 0;
  std::string action;  // lower_proficiency | drop_optional | widen_tier
  int amount = 1;
};

struct QueueSpec {
  std::string name;
  std::string channel;  // the channel its customers use (queues themselves are channel-agnostic)
  std::string strategy = "longest_idle";
  std::string skill;        // every contact requires this skill...
  int min_proficiency = 1;  // ...at this proficiency
  // Some contacts also ask for this skill as optional (e.g. Spanish), dropped by relaxation.
  std::string optional_skill;
  int optional_min_proficiency = 1;
  double optional_share = 0;
  double sl_threshold_s = 20;
  double sl_target = 0.8;
  double wrap_up_s = 120;  // the engine ends wrap-up after this; agents usually finish earlier
  double default_handle_time_s = 180;
  std::vector<RelaxationSpec> relaxation;
  // Customer traffic at speed 1 (a weekday around late morning).
  double arrivals_per_hour = 0;
  double patience_mean_s = 0;  // exponential; 0 = these customers never abandon (email)
};

struct AgentSpec {
  std::string name;                                 // display name, unique
  std::string username;                             // agent01..agent20
  std::string profile;                              // ProfileSpec::name
  std::vector<std::pair<std::string, int>> skills;  // skill name, proficiency 1..10
  std::vector<std::pair<std::string, int>> queues;  // queue name, tier (1 = first choice)
};

struct UserSpec {
  std::string username;
  std::string display_name;
  std::string role;  // admin | supervisor | agent | analyst
};

struct DispositionSpec {
  std::string name;
  bool conversion = false;
  double weight = 1;  // how often simulated agents choose it
};

struct DemoPlan {
  std::vector<std::string> skills;
  std::vector<ProfileSpec> profiles;
  std::vector<QueueSpec> queues;
  std::vector<std::string> reason_codes;  // configured not-ready reasons (besides built-ins 1-7)
  std::vector<DispositionSpec> dispositions;
  std::vector<AgentSpec> agents;  // simulated ones first: agents beyond --simulated-agents are
                                  // left for people (they cover voice, chat and email)
  std::vector<UserSpec> staff;    // supervisor, analyst
  UserSpec customers;             // owner of the simulated customers' API key (supervisor role)
  std::string api_key_name = "demo customers";
};

DemoPlan make_demo_plan(std::uint64_t seed);

// A password for the demo users (>= 10 chars, url-safe letters and digits), from a seed.
std::string demo_password(std::uint64_t seed);

// Problems with a plan (for tests and as a guard before seeding): unknown names, queues without
// a tier-1 member that meets the queue's skill requirement, duplicate names. Empty when fine.
std::vector<std::string> validate_plan(const DemoPlan& plan);

// Request bodies. Name-to-id maps come from the server.
using IdMap = std::map<std::string, std::int64_t>;
nlohmann::json profile_json(const ProfileSpec& p);
nlohmann::json queue_json(const QueueSpec& q);
// Fails (returns null) when a referenced profile, skill or queue has no id.
nlohmann::json agent_json(const AgentSpec& a, const IdMap& profiles, const IdMap& skills,
                          const IdMap& queues);

}  // namespace sb::demo
