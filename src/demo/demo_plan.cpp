#include "demo/demo_plan.h"

#include <set>

#include "base/random.h"

namespace sb::demo {

namespace {

struct AgentRow {
  const char* name;
  const char* profile;
  // (skill, kind) with kind 'P' primary (5-9), 'S' secondary (3-6), 'L' language (6-9).
  std::vector<std::pair<const char*, char>> skills;
  std::vector<std::pair<const char*, int>> queues;
};

}  // namespace

DemoPlan make_demo_plan(std::uint64_t seed) {
  Random rng(seed ^ 0x5eed'de00'c0de'0001ULL);
  DemoPlan plan;
  plan.skills = {"sales", "support", "billing", "chat", "email", "spanish"};

  plan.profiles = {
      {"Voice", {{"voice", 1}}, 1, {"voice"}},
      {"Chat", {{"chat", 3}}, 3, {}},
      {"Blended voice + email", {{"voice", 1}, {"email", 5}}, 5, {"voice"}},
  };

  const std::vector<RelaxationSpec> voice_relax = {{30, "lower_proficiency", 2},
                                                   {60, "widen_tier", 1}};
  auto queue = [](std::string name, std::string channel, std::string strategy, std::string skill,
                  int min_proficiency, double sl_threshold_s, double sl_target,
                  double default_handle_time_s, std::vector<RelaxationSpec> relaxation,
                  double arrivals_per_hour, double patience_mean_s) {
    QueueSpec q;
    q.name = std::move(name);
    q.channel = std::move(channel);
    q.strategy = std::move(strategy);
    q.skill = std::move(skill);
    q.min_proficiency = min_proficiency;
    q.sl_threshold_s = sl_threshold_s;
    q.sl_target = sl_target;
    q.default_handle_time_s = default_handle_time_s;
    q.relaxation = std::move(relaxation);
    q.arrivals_per_hour = arrivals_per_hour;
    q.patience_mean_s = patience_mean_s;
    return q;
  };
  // Calls, chats and emails per hour at speed 1, with 16 simulated agents: voice runs at about
  // 85-90% occupancy so callers wait and some give up; chat and email keep a small backlog.
  QueueSpec sales =
      queue("Sales voice", "voice", "longest_idle", "sales", 3, 20, 0.8, 180, voice_relax, 42, 120);
  QueueSpec support = queue(
      "Support voice", "voice", "most_proficient", "support", 3, 30, 0.8, 180,
      {{20, "drop_optional", 1}, {45, "lower_proficiency", 2}, {60, "widen_tier", 1}}, 50, 150);
  support.optional_skill = "spanish";
  support.optional_min_proficiency = 6;
  support.optional_share = 0.1;
  QueueSpec billing = queue("Billing voice", "voice", "longest_idle", "billing", 3, 20, 0.8, 180,
                            voice_relax, 32, 120);
  QueueSpec chat = queue("Web chat", "chat", "least_occupied", "chat", 2, 60, 0.8, 300,
                         {{90, "widen_tier", 1}}, 110, 240);
  QueueSpec email = queue("Email", "email", "longest_idle", "email", 2, 3600, 0.9, 480,
                          {{1800, "widen_tier", 1}}, 20, 0);
  email.wrap_up_s = 300;
  plan.queues = {sales, support, billing, chat, email};

  plan.reason_codes = {"Personal", "System issue"};
  plan.dispositions = {
      {"Resolved", false, 0.45},         {"Information given", false, 0.15}, {"Sale", true, 0.17},
      {"Follow-up needed", false, 0.15}, {"Escalated", false, 0.08},
  };

  const char* voice = "Voice";
  const char* chatp = "Chat";
  const char* blended = "Blended voice + email";
  const std::vector<AgentRow> rows = {
      // simulated: voice
      {"Alice Moreau",
       voice,
       {{"sales", 'P'}, {"billing", 'S'}},
       {{"Sales voice", 1}, {"Billing voice", 2}}},
      {"Bruno Silva",
       voice,
       {{"sales", 'P'}, {"billing", 'S'}},
       {{"Sales voice", 1}, {"Billing voice", 2}}},
      {"Chiara Rossi",
       voice,
       {{"sales", 'P'}, {"billing", 'S'}},
       {{"Sales voice", 1}, {"Billing voice", 2}}},
      {"Daniel Okafor",
       voice,
       {{"support", 'P'}, {"billing", 'S'}},
       {{"Support voice", 1}, {"Billing voice", 2}}},
      {"Elena Garcia",
       voice,
       {{"support", 'P'}, {"billing", 'S'}, {"spanish", 'L'}},
       {{"Support voice", 1}, {"Billing voice", 2}}},
      {"Farid Haddad",
       voice,
       {{"support", 'P'}, {"billing", 'S'}},
       {{"Support voice", 1}, {"Billing voice", 2}}},
      {"Grace Kim",
       voice,
       {{"billing", 'P'}, {"sales", 'S'}, {"support", 'S'}},
       {{"Billing voice", 1}, {"Sales voice", 2}, {"Support voice", 2}}},
      {"Hugo Lambert",
       voice,
       {{"billing", 'P'}, {"sales", 'S'}, {"support", 'S'}},
       {{"Billing voice", 1}, {"Sales voice", 2}, {"Support voice", 2}}},
      // simulated: chat
      {"Ines Costa", chatp, {{"chat", 'P'}, {"support", 'S'}}, {{"Web chat", 1}}},
      {"Jonas Berg", chatp, {{"chat", 'P'}, {"support", 'S'}}, {{"Web chat", 1}}},
      {"Lucia Fernandez", chatp, {{"chat", 'P'}, {"spanish", 'L'}}, {{"Web chat", 1}}},
      {"Marek Nowak", chatp, {{"chat", 'P'}, {"sales", 'S'}}, {{"Web chat", 1}}},
      // simulated: blended voice + email
      {"Nadia Petrova",
       blended,
       {{"email", 'P'}, {"sales", 'S'}},
       {{"Email", 1}, {"Sales voice", 2}}},
      {"Omar Aziz",
       blended,
       {{"email", 'P'}, {"support", 'S'}},
       {{"Email", 1}, {"Support voice", 2}}},
      {"Priya Nair",
       blended,
       {{"email", 'P'}, {"billing", 'S'}},
       {{"Email", 1}, {"Billing voice", 2}}},
      {"Quentin Dubois",
       blended,
       {{"email", 'P'}, {"support", 'S'}},
       {{"Email", 1}, {"Support voice", 2}}},
      // left for people: one of each kind of seat
      {"Rosa Martins",
       voice,
       {{"sales", 'P'}, {"support", 'P'}, {"spanish", 'L'}},
       {{"Sales voice", 1}, {"Support voice", 1}}},
      {"Samuel Adeyemi",
       voice,
       {{"support", 'P'}, {"billing", 'P'}},
       {{"Support voice", 1}, {"Billing voice", 1}}},
      {"Tara Lindqvist", chatp, {{"chat", 'P'}}, {{"Web chat", 1}}},
      {"Viktor Horvat",
       blended,
       {{"email", 'P'}, {"sales", 'S'}},
       {{"Email", 1}, {"Sales voice", 2}}},
  };
  int n = 0;
  for (const AgentRow& row : rows) {
    ++n;
    AgentSpec a;
    a.name = row.name;
    a.username = (n < 10 ? "agent0" : "agent") + std::to_string(n);
    a.profile = row.profile;
    for (const auto& [skill, kind] : row.skills) {
      int proficiency = 0;
      switch (kind) {
        case 'P':
          proficiency = 5 + static_cast<int>(rng.below(5));
          break;
        case 'S':
          proficiency = 3 + static_cast<int>(rng.below(4));
          break;
        default:
          proficiency = 6 + static_cast<int>(rng.below(4));
          break;
      }
      a.skills.emplace_back(skill, proficiency);
    }
    for (const auto& [queue, tier] : row.queues) a.queues.emplace_back(queue, tier);
    plan.agents.push_back(std::move(a));
  }

  plan.staff = {{"supervisor", "Sam Supervisor", "supervisor"},
                {"analyst", "Ana Analyst", "analyst"}};
  plan.customers = {"demo-customers", "Simulated customers (demo)", "supervisor"};
  return plan;
}

std::string demo_password(std::uint64_t seed) {
  static const char alphabet[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  Random rng(seed ^ 0x9a55'0000'0000'0001ULL);
  std::string out;
  for (int i = 0; i < 16; ++i) out += alphabet[rng.below(sizeof(alphabet) - 1)];
  return out;
}

std::vector<std::string> validate_plan(const DemoPlan& plan) {
  std::vector<std::string> problems;
  std::set<std::string> skills(plan.skills.begin(), plan.skills.end());
  if (skills.size() != plan.skills.size()) problems.push_back("duplicate skill names");
  std::set<std::string> profiles;
  for (const auto& p : plan.profiles) {
    if (!profiles.insert(p.name).second) problems.push_back("duplicate profile " + p.name);
  }
  std::map<std::string, const QueueSpec*> queues;
  for (const auto& q : plan.queues) {
    if (!queues.emplace(q.name, &q).second) problems.push_back("duplicate queue " + q.name);
    if (!skills.count(q.skill)) problems.push_back(q.name + ": unknown skill " + q.skill);
    if (!q.optional_skill.empty() && !skills.count(q.optional_skill)) {
      problems.push_back(q.name + ": unknown optional skill " + q.optional_skill);
    }
  }
  std::set<std::string> names;
  std::set<std::string> usernames;
  std::map<std::string, int> tier1_qualified;  // queue -> tier-1 members meeting its requirement
  for (const auto& a : plan.agents) {
    if (!names.insert(a.name).second) problems.push_back("duplicate agent " + a.name);
    if (!usernames.insert(a.username).second) problems.push_back("duplicate user " + a.username);
    if (!profiles.count(a.profile)) problems.push_back(a.name + ": unknown profile " + a.profile);
    std::map<std::string, int> prof;
    for (const auto& [s, p] : a.skills) {
      if (!skills.count(s)) problems.push_back(a.name + ": unknown skill " + s);
      if (p < 1 || p > 10) problems.push_back(a.name + ": proficiency out of range");
      prof[s] = p;
    }
    for (const auto& [qname, tier] : a.queues) {
      auto it = queues.find(qname);
      if (it == queues.end()) {
        problems.push_back(a.name + ": unknown queue " + qname);
        continue;
      }
      if (tier < 1) problems.push_back(a.name + ": tier below 1");
      const QueueSpec& q = *it->second;
      if (tier == 1 && prof[q.skill] >= q.min_proficiency) ++tier1_qualified[qname];
    }
  }
  for (const auto& q : plan.queues) {
    if (tier1_qualified[q.name] == 0) {
      problems.push_back(q.name + ": no tier-1 member with " + q.skill +
                         " >= " + std::to_string(q.min_proficiency));
    }
  }
  for (const auto& u : plan.staff) {
    if (!usernames.insert(u.username).second) problems.push_back("duplicate user " + u.username);
  }
  if (!usernames.insert(plan.customers.username).second) {
    problems.push_back("duplicate user " + plan.customers.username);
  }
  return problems;
}

nlohmann::json profile_json(const ProfileSpec& p) {
  nlohmann::json capacity = nlohmann::json::object();
  for (const auto& [channel, slots] : p.capacity) capacity[channel] = slots;
  return {{"name", p.name},
          {"capacity", capacity},
          {"max_total", p.max_total},
          {"exclusive", p.exclusive}};
}

nlohmann::json queue_json(const QueueSpec& q) {
  nlohmann::json relaxation = nlohmann::json::array();
  for (const auto& r : q.relaxation) {
    relaxation.push_back({{"after_s", r.after_s}, {"action", r.action}, {"amount", r.amount}});
  }
  return {
      {"name", q.name},
      {"strategy", q.strategy},
      {"sl_threshold_s", q.sl_threshold_s},
      {"sl_target", q.sl_target},
      {"max_waiting", 0},
      {"overflow_after_s", 0},
      {"overflow_queue", nullptr},
      {"aging_interval_s", 0},
      {"relaxation", relaxation},
      {"offer_timeout_s", 20},
      {"max_missed_offers", 3},
      {"wrap_up_s", q.wrap_up_s},
      {"default_handle_time_s", q.default_handle_time_s},
      {"hours",
       {{"always_open", true}, {"utc_offset_minutes", 0}, {"windows", nlohmann::json::array()}}}};
}

nlohmann::json agent_json(const AgentSpec& a, const IdMap& profiles, const IdMap& skills,
                          const IdMap& queues) {
  auto profile = profiles.find(a.profile);
  if (profile == profiles.end()) return nullptr;
  nlohmann::json s = nlohmann::json::array();
  for (const auto& [name, proficiency] : a.skills) {
    auto it = skills.find(name);
    if (it == skills.end()) return nullptr;
    s.push_back({{"skill", it->second}, {"proficiency", proficiency}});
  }
  nlohmann::json q = nlohmann::json::array();
  for (const auto& [name, tier] : a.queues) {
    auto it = queues.find(name);
    if (it == queues.end()) return nullptr;
    q.push_back({{"queue", it->second}, {"tier", tier}});
  }
  return {{"name", a.name}, {"profile", profile->second}, {"skills", s}, {"queues", q}};
}

}  // namespace sb::demo
