#include "sip/refer_to.h"

#include <algorithm>
#include <cctype>
#include <string_view>

#include "media/re_include.h"

namespace sb::sip {
namespace {

std::string pl_str(const pl& p) { return p.p != nullptr ? std::string(p.p, p.l) : std::string(); }

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// Whether URI headers ("Replaces=...&Require=replaces") name `name`.
bool uri_has_header(std::string_view headers, std::string_view name) {
  while (!headers.empty()) {
    const auto amp = headers.find('&');
    const std::string_view item = headers.substr(0, amp);
    if (iequals(item.substr(0, item.find('=')), name)) return true;
    if (amp == std::string_view::npos) break;
    headers.remove_prefix(amp + 1);
  }
  return false;
}

}  // namespace

ReferTo parse_refer_to(const std::vector<std::string>& values) {
  if (values.empty()) return {400, "Missing Refer-To", ""};
  if (values.size() > 1) return {400, "Multiple Refer-To", ""};
  pl value{};
  pl_set_str(&value, values[0].c_str());
  sip_addr addr{};
  if (values[0].empty() || sip_addr_decode(&addr, &value) != 0 || addr.uri.scheme.l == 0)
    return {400, "Malformed Refer-To", ""};
  const std::string scheme = pl_str(addr.uri.scheme);
  // RFC 3986 scheme syntax: anything else means the header did not parse as a URI.
  const bool scheme_ok =
      std::isalpha(static_cast<unsigned char>(scheme[0])) &&
      std::all_of(scheme.begin(), scheme.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
      });
  if (!scheme_ok) return {400, "Malformed Refer-To", ""};
  if (!iequals(scheme, "sip") && !iequals(scheme, "sips"))
    return {416, "Unsupported URI Scheme", ""};
  // The URI's headers ("?Replaces=..."), from the text itself: libre's URI decoder does not
  // split them off every host form.
  const std::string auri = pl_str(addr.auri);
  const auto q = auri.find('?');
  if (q != std::string::npos && uri_has_header(std::string_view(auri).substr(q + 1), "Replaces"))
    return {501, "Attended Transfer Not Supported", ""};
  if (addr.uri.user.l == 0) return {404, "No Transfer Target", ""};
  char* user = nullptr;
  if (re_sdprintf(&user, "%H", uri_user_unescape, &addr.uri.user) != 0 || user == nullptr)
    return {400, "Malformed Refer-To", ""};
  ReferTo out{0, "", user};
  mem_deref(user);
  if (out.user.empty()) return {404, "No Transfer Target", ""};
  return out;
}

}  // namespace sb::sip
