// Routes: voice — a contact's call recordings (list, download, pause/resume), the SIP gateway's
// figures, and users' SIP phone passwords. The gateway itself lives in src/voice; the
// composition root connects it through ApiApp::set_voice (docs/voice.md).

#include <fstream>
#include <iterator>

#include "api/api_app.h"
#include "api/route_util.h"

namespace sb::api {

void ApiApp::set_voice(VoiceHooks hooks) { voice_ = std::move(hooks); }

void ApiApp::register_voice_routes() {
  router_.add("GET", "/api/v1/contacts/{id}/recordings", kAdmin | kSupervisor | kAnalyst,
              "List a contact's call recordings", [this](RouteContext& ctx, Reply reply) {
                auto id = parse_id(ctx.params[0]);
                if (!id) return reply(not_found("no contact " + ctx.params[0]));
                if (!voice_.recordings) return reply(json_response({{"items", json::array()}}));
                auto items = voice_.recordings(static_cast<ContactId>(*id));
                if (!items.ok()) return reply(problem_from_status(items.status()));
                reply(json_response({{"items", *items}}));
              });

  router_.add("GET", "/api/v1/contacts/{id}/recordings/{name}", kAdmin | kSupervisor | kAnalyst,
              "Download a call recording (stereo WAV: caller left, agent right)",
              [this](RouteContext& ctx, Reply reply) {
                auto id = parse_id(ctx.params[0]);
                if (!id || !voice_.recording_path)
                  return reply(not_found("no recording " + ctx.params[1]));
                auto path = voice_.recording_path(static_cast<ContactId>(*id), ctx.params[1]);
                if (!path.ok()) return reply(problem_from_status(path.status()));
                std::ifstream in(*path, std::ios::binary);
                if (!in) return reply(not_found("no recording " + ctx.params[1]));
                HttpResponse r;
                r.content_type = "audio/wav";
                r.body.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
                reply(std::move(r));
              });

  for (const bool pause : {true, false}) {
    router_.add(
        "POST",
        pause ? "/api/v1/contacts/{id}/recording/pause" : "/api/v1/contacts/{id}/recording/resume",
        kAdmin | kSupervisor | kAgent,
        pause ? "Pause the call recording (silence is recorded until resumed)"
              : "Resume a paused call recording",
        [this, pause](RouteContext& ctx, Reply reply) {
          auto id = parse_id(ctx.params[0]);
          if (!id) return reply(not_found("no contact " + ctx.params[0]));
          std::optional<ContactView> view;
          service_.read([&](const service::LiveView& v) {
            auto c = v.engine.contact(static_cast<ContactId>(*id));
            if (c.ok()) view = *c;
          });
          if (!view) return reply(not_found("contact " + ctx.params[0] + " is not live"));
          if (!may_touch_contact(*ctx.principal, *view))
            return reply(forbidden("this contact is not yours"));
          if (!voice_.set_recording_paused)
            return reply(conflict("contact " + ctx.params[0] + " is not a recorded call"));
          Status s = voice_.set_recording_paused(view->id, pause);
          if (!s.ok()) {
            if (s.code() == StatusCode::kFailedPrecondition) return reply(conflict(s.message()));
            return reply(problem_from_status(s));
          }
          audit(&*ctx.principal, ctx.req, pause ? "recording.pause" : "recording.resume",
                "contact:" + ctx.params[0], "");
          reply(json_response({{"contact", view->id}, {"paused", pause}}));
        });
  }

  // Silent monitor: the supervisor's own registered phone rings and then hears the call (both
  // sides mixed, listen only). The SIP user is the caller's username (phones register as it).
  router_.add(
      "POST", "/api/v1/contacts/{id}/monitor", kAdmin | kSupervisor,
      "Listen in on a call (silent monitor): rings your registered SIP phone",
      [this](RouteContext& ctx, Reply reply) {
        auto id = parse_id(ctx.params[0]);
        if (!id) return reply(not_found("no contact " + ctx.params[0]));
        if (!voice_.start_monitor)
          return reply(conflict("voice is off: contact " + ctx.params[0] + " is not a call"));
        const std::string& user = ctx.principal->user.username;
        Status s = voice_.start_monitor(static_cast<ContactId>(*id), user);
        if (!s.ok()) return reply(problem_from_status(s));
        audit(&*ctx.principal, ctx.req, "contact.monitor", "contact:" + ctx.params[0], "start");
        reply(json_response({{"contact", *id}, {"user", user}, {"state", "ringing"}}, 202));
      });
  router_.add(
      "DELETE", "/api/v1/contacts/{id}/monitor", kAdmin | kSupervisor,
      "Stop listening in on a call (hangs up your phone's monitor leg)",
      [this](RouteContext& ctx, Reply reply) {
        auto id = parse_id(ctx.params[0]);
        if (!id) return reply(not_found("no contact " + ctx.params[0]));
        if (!voice_.stop_monitor)
          return reply(not_found("nobody monitors contact " + ctx.params[0]));
        Status s = voice_.stop_monitor(static_cast<ContactId>(*id), ctx.principal->user.username);
        if (!s.ok()) return reply(problem_from_status(s));
        audit(&*ctx.principal, ctx.req, "contact.monitor", "contact:" + ctx.params[0], "stop");
        reply(no_content());
      });

  router_.add("GET", "/api/v1/voice/stats", kAdmin | kSupervisor,
              "SIP gateway figures (calls, legs, RTP packets, registrations)",
              [this](RouteContext&, Reply reply) {
                if (!voice_.stats) return reply(json_response({{"enabled", false}}));
                json j = voice_.stats();
                j["enabled"] = true;
                reply(json_response(j));
              });

  router_.add(
      "PUT", "/api/v1/users/{id}/sip-password", kAdmin | kSupervisor | kAgent | kAnalyst,
      "Set (or with an empty password remove) a user's SIP phone password",
      [this](RouteContext& ctx, Reply reply) {
        auto id = parse_id(ctx.params[0]);
        if (!id) return reply(not_found("no user " + ctx.params[0]));
        if (ctx.principal->user.role != accounts::Role::kAdmin && *id != ctx.principal->user.id)
          return reply(forbidden("only admins set other users' SIP passwords"));
        json body;
        if (auto bad = parse_object(ctx.req.body, body)) return reply(*bad);
        std::vector<FieldError> errors;
        JsonReader r(body, errors);
        auto password = r.string("password", true, 128);
        if (password && !password->empty() && password->size() < 8)
          r.error("password", "must be empty (remove) or 8..128 characters");
        if (!errors.empty()) return reply(bad_request("invalid SIP password", errors));
        Status s = accounts_.set_sip_password(*id, *password);
        if (!s.ok()) return reply(problem_from_status(s));
        audit(&*ctx.principal, ctx.req, "user.sip_password", "user:" + ctx.params[0],
              password->empty() ? "removed" : "(changed)");
        reply(no_content());
      });
}

}  // namespace sb::api
