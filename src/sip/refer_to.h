#pragma once
// The Refer-To header of a SIP REFER (RFC 3515): the one piece of SIP text Switchboard interprets
// itself rather than leaving to libre, kept apart so that it can be fuzzed on its own
// (fuzz/sip_fuzz.cpp).

#include <cstdint>
#include <string>
#include <vector>

namespace sb::sip {

// What a REFER's Refer-To header values ask for: `code` 0 and the URI's user, or the SIP error
// that refuses the request (400 missing, repeated or malformed; 416 not a SIP URI; 501 an
// attended transfer, i.e. a Replaces header in the URI; 404 no user part).
struct ReferTo {
  std::uint16_t code = 0;
  std::string reason;
  std::string user;
};
ReferTo parse_refer_to(const std::vector<std::string>& values);

}  // namespace sb::sip
