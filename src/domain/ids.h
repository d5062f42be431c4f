#pragma once
// Dense integer identifiers. Configuration objects (agents, queues, skills, routing profiles) are
// numbered 0..n-1 by whoever configures the engine; contacts carry a host-assigned 64-bit id.

#include <cstdint>
#include <limits>

namespace sb {

using AgentId = std::uint32_t;
using QueueId = std::uint32_t;
using SkillId = std::uint32_t;
using ProfileId = std::uint32_t;
using ReasonId = std::uint32_t;  // not-ready reason or disposition code, defined by configuration
using ContactId = std::uint64_t;
using CustomerId = std::uint64_t;

constexpr std::uint32_t kNoId = std::numeric_limits<std::uint32_t>::max();
constexpr ContactId kNoContact = 0;

}  // namespace sb
