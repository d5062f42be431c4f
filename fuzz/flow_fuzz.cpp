// libFuzzer target for the flow-definition parser and validator, and the step machine behind it.
// The input is a flow definition, optionally followed by a NUL byte and a script of inputs.
// Properties checked:
//   - nothing crashes, hangs or trips ASan/UBSan, whatever the bytes;
//   - a refused definition always comes with at least one issue, each naming a JSON path;
//   - an accepted definition runs: every script of inputs keeps the session consistent (a
//     finished session has an outcome and expects no timers; the step limit bounds each input).

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "flows/flow_model.h"
#include "flows/flow_runtime.h"

namespace {

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "flow_fuzz: property violated: %s\n", what);
    std::abort();
  }
}

void check_finished(const sb::flows::FlowSession& s) {
  if (!s.finished()) return;
  check(s.outcome() != sb::flows::Outcome::kNone, "finished without an outcome");
  check(s.pending_timers().empty(), "finished with timers");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sb::flows;
  const std::string_view all(reinterpret_cast<const char*>(data), size);
  const std::size_t split = all.find('\0');
  const std::string_view text = all.substr(0, split);
  const std::string_view script =
      split == std::string_view::npos ? std::string_view() : all.substr(split + 1);

  std::vector<Issue> issues;
  auto flow = parse_flow(text, &issues);
  if (!flow.ok()) {
    check(!issues.empty(), "refused without issues");
    for (const auto& i : issues) check(!i.path.empty() && i.path[0] == '/', "issue without path");
    return 0;
  }
  check(issues.empty(), "accepted with issues");

  SessionOptions options;
  options.channel =
      !script.empty() && (script[0] & 1) ? SessionChannel::kText : SessionChannel::kVoice;
  options.attributes = {{"caller", "+4930123"}, {"tier", "gold"}, {"priority", "5"}};
  FlowSession s(*flow, options);
  sb::Millis now = 1'796'000'000'000;  // late 2026
  Actions out;
  (void)s.start(now, out);
  check_finished(s);
  RequestId last_request = 0;
  for (const auto& a : out)
    if (const auto* r = std::get_if<act::HttpRequest>(&a)) last_request = r->id;

  for (std::size_t i = 1; i < script.size() && i < 256; ++i) {
    const std::uint8_t b = static_cast<std::uint8_t>(script[i]);
    now += (b & 0x0f) * 997;
    out.clear();
    switch (b >> 4) {
      case 0:
      case 1:
      case 2:
      case 3: {
        static constexpr char kKeys[] = "0123456789*#";
        (void)s.on_digits(std::string(1, kKeys[b % 12]), now, out);
        break;
      }
      case 4:
      case 5:
        (void)s.on_text(std::string(script.substr(i, 6)), now, out);
        break;
      case 6:
      case 7: {
        auto timers = s.pending_timers();
        if (!timers.empty()) (void)s.on_timer(timers[b % timers.size()].id, timers[0].at, out);
        break;
      }
      case 8:
      case 9: {
        HttpResponse r;
        r.status = (b & 1) ? 200 : (b & 2 ? 0 : 503);
        r.timed_out = r.status == 0;
        r.body = (b & 4) ? R"({"name":"Ada","tier":"gold","n":[1,2]})" : "not json";
        (void)s.on_http_response(last_request, r, now, out);
        break;
      }
      case 10:
      case 11:
        (void)s.on_queue_result(b & 1, "full", now, out);
        break;
      case 12:
        (void)s.on_contact_ended(now, out);
        break;
      case 13:
        (void)s.on_hangup(now, out);
        break;
      default:
        (void)s.on_timer(b, now, out);  // mostly stale ids
        break;
    }
    for (const auto& a : out)
      if (const auto* r = std::get_if<act::HttpRequest>(&a)) last_request = r->id;
    check_finished(s);
  }
  return 0;
}
