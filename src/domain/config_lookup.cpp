#include "domain/config_lookup.h"

#include <cstdint>

namespace sb {
namespace {

std::optional<std::int64_t> decimal_id(std::string_view s) {
  if (s.empty() || s.size() > 18) return std::nullopt;
  std::int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

}  // namespace

std::optional<QueueId> find_queue(const CenterConfig& c, std::string_view name_or_id) {
  for (const auto& q : c.queues)
    if (q.name == name_or_id) return q.id;
  if (auto id = decimal_id(name_or_id))
    for (const auto& q : c.queues)
      if (q.id == *id) return q.id;
  return std::nullopt;
}

std::optional<SkillId> find_skill(const CenterConfig& c, std::string_view name_or_id) {
  for (std::size_t i = 0; i < c.skills.size(); ++i)
    if (!name_or_id.empty() && c.skills[i] == name_or_id) return static_cast<SkillId>(i);
  if (auto id = decimal_id(name_or_id); id && *id < static_cast<std::int64_t>(c.skills.size()))
    return static_cast<SkillId>(*id);
  return std::nullopt;
}

}  // namespace sb
