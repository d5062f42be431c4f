// libFuzzer target for the API's request parsing and validation: request targets and query
// strings, cookies, route matching, and every JSON body reader. Properties checked:
//   - nothing crashes, hangs or trips ASan/UBSan, whatever the bytes;
//   - a body a reader accepts (no field errors) round-trips: writing it back as JSON and reading
//     it again gives the same configuration, so what the API stores is what it answers.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "api/http_types.h"
#include "api/json_model.h"
#include "api/router.h"

namespace {

sb::CenterConfig fuzz_config() {
  sb::CenterConfig c;
  c.skills = {"billing", "spanish", ""};
  sb::RoutingProfile p;
  p.id = 0;
  p.name = "voice";
  p.capacity[0] = 1;
  c.profiles.push_back(p);
  for (sb::QueueId q = 0; q < 3; ++q) {
    sb::QueueConfig qc;
    qc.id = q;
    qc.name = "q" + std::to_string(q);
    c.queues.push_back(qc);
  }
  return c;
}

const sb::api::Router& fuzz_router() {
  static const sb::api::Router router = [] {
    sb::api::Router r;
    for (const char* pattern :
         {"/api/v1/queues", "/api/v1/queues/{id}", "/api/v1/contacts/{id}/accept",
          "/api/v1/users/{id}/api-keys", "/api/v1/agents/{id}/state"}) {
      r.add("GET", pattern, sb::api::kAnyRole, "", nullptr);
      r.add("POST", pattern, sb::api::kAdmin, "", nullptr);
    }
    return r;
  }();
  return router;
}

void check(bool ok, const char* what) {
  if (!ok) {
    __builtin_trap();
  }
  (void)what;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sb::api;
  if (size == 0) return 0;
  const std::uint8_t mode = data[0] % 6;
  const std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
  static const sb::CenterConfig config = fuzz_config();

  switch (mode) {
    case 0: {
      HttpRequest req;
      req.target = text;
      split_target(req);
      req.headers["cookie"] = text;
      (void)cookie_value(req, "sb_session");
      RouteMatch m = fuzz_router().match("GET", req.path);
      if (m.route != nullptr) check(m.path_known, "a matched route has a known path");
      break;
    }
    case 1: {
      json body;
      if (parse_object(text, body)) break;
      std::vector<FieldError> errors;
      auto q = queue_from_json(body, config, errors);
      check(q.has_value() == errors.empty(), "queue: a value exactly when no errors");
      if (q) {
        std::vector<FieldError> again_errors;
        auto again = queue_from_json(queue_to_json(*q), config, again_errors);
        check(again.has_value(), "queue round trip accepted");
        again->id = q->id;
        check(*again == *q, "queue round trip equal");
      }
      break;
    }
    case 2: {
      json body;
      if (parse_object(text, body)) break;
      std::vector<FieldError> errors;
      auto p = profile_from_json(body, errors);
      check(p.has_value() == errors.empty(), "profile: a value exactly when no errors");
      if (p) {
        std::vector<FieldError> again_errors;
        auto again = profile_from_json(profile_to_json(*p), again_errors);
        check(again.has_value(), "profile round trip accepted");
        again->id = p->id;
        check(*again == *p, "profile round trip equal");
      }
      break;
    }
    case 3: {
      json body;
      if (parse_object(text, body)) break;
      std::vector<FieldError> errors;
      auto a = agent_config_from_json(body, config, errors);
      check(a.has_value() == errors.empty(), "agent: a value exactly when no errors");
      if (a) {
        std::vector<FieldError> again_errors;
        auto again = agent_config_from_json(agent_config_to_json(*a), config, again_errors);
        check(again.has_value(), "agent round trip accepted");
        again->id = a->id;
        check(*again == *a, "agent round trip equal");
      }
      break;
    }
    case 4: {
      json list = json::parse(text, nullptr, false);
      if (list.is_discarded()) break;
      std::vector<FieldError> errors;
      (void)requirements_from_json(list, config, errors);
      break;
    }
    default: {
      (void)parse_query(text);
      (void)url_decode(text);
      break;
    }
  }
  return 0;
}
