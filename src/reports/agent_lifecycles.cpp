#include "reports/agent_lifecycles.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

namespace sb::reports {

Result<std::vector<AgentLifecycle>> agent_lifecycles(accounts::Accounts& accounts) {
  std::map<accounts::UserId, AgentLifecycle> agents;
  std::set<accounts::UserId> disabled_now;
  accounts::Page page;
  page.limit = 500;
  for (;;) {
    auto users = accounts.list_users(page);
    if (!users.ok()) return users.status();
    for (const accounts::User& u : *users) {
      page.after_id = u.id;
      if (u.role != accounts::Role::kAgent) continue;
      agents[u.id] = AgentLifecycle{u.username, u.created_at, {}};
      if (u.disabled) disabled_now.insert(u.id);
    }
    if (users->size() < page.limit) break;
  }
  accounts::Page audit;
  audit.limit = 500;
  for (;;) {
    auto entries = accounts.list_audit(audit);
    if (!entries.ok()) return entries.status();
    for (const accounts::AuditEntry& e : *entries) {
      audit.after_id = e.id;
      if (e.target.rfind("user:", 0) != 0) continue;
      const auto it = agents.find(std::strtoll(e.target.c_str() + 5, nullptr, 10));
      if (it == agents.end()) continue;
      if (e.action == "user.disable") {
        it->second.changes.push_back({e.at, false});
      } else if (e.action == "user.update") {
        const auto detail = nlohmann::json::parse(e.detail, nullptr, false);
        if (detail.is_object() && detail.contains("disabled") && detail["disabled"].is_boolean())
          it->second.changes.push_back({e.at, !detail["disabled"].get<bool>()});
      }
    }
    if (entries->size() < audit.limit) break;
  }
  std::vector<AgentLifecycle> out;
  for (auto& [id, a] : agents) {
    // The audit log reads newest first; the computation applies changes of the same millisecond
    // in the order given, so they must be in the order they happened (a disable and a re-enable
    // within one millisecond leave the agent active).
    std::reverse(a.changes.begin(), a.changes.end());
    // Disabled with no audit entry saying when (e.g. by a tool that writes no audit): the time
    // of the separation is unknown, so the agent is left out rather than counted wrongly.
    const bool has_disable =
        std::any_of(a.changes.begin(), a.changes.end(), [](const auto& c) { return !c.active; });
    if (disabled_now.count(id) && !has_disable) continue;
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace sb::reports
