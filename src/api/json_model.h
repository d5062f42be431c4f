#pragma once
// JSON shapes of docs/api.md and their validation. Readers collect every field error (with its
// path, e.g. "relaxation[1].after_s") instead of stopping at the first, so a client sees all of
// them in one problem+json answer.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "api/problem.h"
#include "domain/model.h"
#include "routing/engine.h"

namespace sb::api {

using nlohmann::json;

class JsonReader {
 public:
  JsonReader(const json& object, std::vector<FieldError>& errors, std::string prefix = "");
  bool is_object() const { return j_.is_object(); }

  std::optional<std::string> string(const char* name, bool required, std::size_t max_len = 200);
  std::optional<std::int64_t> integer(const char* name, bool required, std::int64_t min,
                                      std::int64_t max);
  std::optional<double> number(const char* name, bool required, double min, double max);
  std::optional<bool> boolean(const char* name, bool required);
  // The member if present and of the right kind; records an error otherwise (when required or
  // present with the wrong kind). nullptr when absent or null and not required.
  const json* array(const char* name, bool required);
  const json* object(const char* name, bool required);
  // True when the member exists and is not null.
  bool has(const char* name) const;
  std::string path(const std::string& name) const { return prefix_ + name; }
  void error(const std::string& field, const std::string& message);

 private:
  const json* member(const char* name, bool required);
  const json& j_;
  std::vector<FieldError>& errors_;
  std::string prefix_;
};

// Parses a request body that must be a JSON object. On failure returns the 400 to send.
std::optional<HttpResponse> parse_object(const std::string& body, json& out);

Millis millis_from_seconds(double s);
double seconds_from_millis(Millis ms);

json queue_to_json(const QueueConfig& q);
// Reads a queue; `id` is assigned by the caller. Cross-references (overflow queue) are checked
// against `config`.
std::optional<QueueConfig> queue_from_json(const json& j, const CenterConfig& config,
                                           std::vector<FieldError>& errors);

json profile_to_json(const RoutingProfile& p);
std::optional<RoutingProfile> profile_from_json(const json& j, std::vector<FieldError>& errors);

json agent_config_to_json(const AgentConfig& a);
std::optional<AgentConfig> agent_config_from_json(const json& j, const CenterConfig& config,
                                                  std::vector<FieldError>& errors);

std::optional<Requirements> requirements_from_json(const json& list, const CenterConfig& config,
                                                   std::vector<FieldError>& errors);

const char* contact_phase_name(ContactPhase p);
// "offline", "idle", "ringing", "busy", "wrap_up", "not_ready".
const char* agent_activity(const AgentView& a);

json contact_to_json(const ContactView& c, std::optional<Millis> estimated_wait);
json agent_state_to_json(const AgentView& a, const std::string& name,
                         const std::string& reason_name);

}  // namespace sb::api
