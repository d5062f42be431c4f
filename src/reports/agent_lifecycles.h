#pragma once
// The agent users' lifecycles that attrition is computed over (docs/metrics.md, "Agent
// attrition"), read from the accounts: created_at from the users, enables and disables from the
// audit log. One reader for GET /api/v1/reports/attrition and `switchboard report --attrition`,
// so that the two count the same users the same way.

#include <vector>

#include "accounts/accounts.h"
#include "base/status.h"
#include "reports/attrition.h"

namespace sb::reports {

// Users whose role is agent. Changes: "user.disable" audit entries (DELETE /users/{id}) and
// "user.update" entries whose JSON detail sets "disabled". A user disabled with no audit entry
// saying when is left out (the time of the separation is unknown). Each agent's changes are in
// the order the audit log recorded them (oldest first).
Result<std::vector<AgentLifecycle>> agent_lifecycles(accounts::Accounts& accounts);

}  // namespace sb::reports
