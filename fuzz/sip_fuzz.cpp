// libFuzzer target for the SIP text Switchboard interprets itself: the Refer-To header of a REFER
// (src/sip/refer_to.cpp). Everything else in a SIP message is parsed by libre.
// The input is one or more header values separated by newlines (a REFER may repeat the header).
// Properties checked:
//   - nothing crashes, hangs or trips ASan/UBSan, whatever the bytes;
//   - the answer is either a target (code 0, a non-empty user) or one of the documented SIP
//     refusals (400, 404, 416, 501) with a reason phrase and no user;
//   - more than one value is always refused with 400.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "sip/refer_to.h"

namespace {

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "sip_fuzz: property violated: %s\n", what);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> values;
  while (values.size() < 4) {
    const auto nl = rest.find('\n');
    values.emplace_back(rest.substr(0, nl));
    if (nl == std::string_view::npos) break;
    rest.remove_prefix(nl + 1);
  }
  const sb::sip::ReferTo to = sb::sip::parse_refer_to(values);
  if (to.code == 0) {
    check(!to.user.empty(), "accepted without a user");
    check(values.size() == 1, "accepted several Refer-To values");
  } else {
    check(to.code == 400 || to.code == 404 || to.code == 416 || to.code == 501,
          "an undocumented refusal code");
    check(!to.reason.empty(), "a refusal without a reason phrase");
    check(to.user.empty(), "a refusal that names a user");
  }
  if (values.size() > 1) check(to.code == 400, "several values not refused with 400");
  return 0;
}
