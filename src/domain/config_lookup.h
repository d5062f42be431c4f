#pragma once
// Looking up configuration objects the way flows and requests name them.

#include <optional>
#include <string_view>

#include "domain/model.h"

namespace sb {

// A queue or skill named in a flow or a request: by its name, or by its decimal id.
std::optional<QueueId> find_queue(const CenterConfig& c, std::string_view name_or_id);
std::optional<SkillId> find_skill(const CenterConfig& c, std::string_view name_or_id);

}  // namespace sb
