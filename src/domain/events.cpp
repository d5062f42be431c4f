#include "domain/events.h"

#include <array>

namespace sb {
namespace {

constexpr std::array<std::string_view, std::variant_size_v<EventPayload>> kNames = {
    "contact_arrived",     "contact_queued",       "contact_offered",     "offer_accepted",
    "offer_rejected",      "offer_timed_out",      "offer_rescinded",     "contact_connected",
    "hold_started",        "hold_ended",           "contact_transferred", "contact_ended",
    "wrap_up_ended",       "contact_abandoned",    "contact_blocked",     "callback_requested",
    "self_served",         "contact_relaxed",      "agent_logged_in",     "agent_logged_out",
    "agent_state_changed", "agent_skills_changed", "skill_configured",    "profile_configured",
    "queue_configured",    "agent_configured",     "overflow_deferred",   "survey_answered",
    "contact_imported"};

template <std::size_t... I>
constexpr std::array<std::uint16_t, sizeof...(I)> versions(std::index_sequence<I...>) {
  return {std::variant_alternative_t<I, EventPayload>::kVersion...};
}
constexpr auto kVersions = versions(std::make_index_sequence<std::variant_size_v<EventPayload>>());

}  // namespace

std::string_view event_type_name(EventType type) {
  return type < kNames.size() ? kNames[type] : std::string_view("unknown");
}

std::uint16_t event_type_version(EventType type) {
  return type < kVersions.size() ? kVersions[type] : 0;
}

}  // namespace sb
