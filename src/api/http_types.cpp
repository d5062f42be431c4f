#include "api/http_types.h"

namespace sb::api {

namespace {
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::string url_decode(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out.push_back(' ');
    } else if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 &&
               hex_value(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::map<std::string, std::string> parse_query(const std::string& query) {
  std::map<std::string, std::string> out;
  std::size_t pos = 0;
  while (pos <= query.size()) {
    std::size_t amp = query.find('&', pos);
    if (amp == std::string::npos) amp = query.size();
    std::string part = query.substr(pos, amp - pos);
    if (!part.empty()) {
      std::size_t eq = part.find('=');
      if (eq == std::string::npos) {
        out[url_decode(part)] = "";
      } else {
        out[url_decode(part.substr(0, eq))] = url_decode(part.substr(eq + 1));
      }
    }
    pos = amp + 1;
  }
  return out;
}

void split_target(HttpRequest& req) {
  std::size_t q = req.target.find('?');
  if (q == std::string::npos) {
    req.path = url_decode(req.target);
    req.query.clear();
  } else {
    req.path = url_decode(req.target.substr(0, q));
    req.query = parse_query(req.target.substr(q + 1));
  }
}

std::string cookie_value(const HttpRequest& req, const std::string& name) {
  const std::string* cookie = req.header("cookie");
  if (cookie == nullptr) return "";
  std::size_t pos = 0;
  const std::string& c = *cookie;
  while (pos < c.size()) {
    while (pos < c.size() && (c[pos] == ' ' || c[pos] == ';')) ++pos;
    std::size_t end = c.find(';', pos);
    if (end == std::string::npos) end = c.size();
    std::size_t eq = c.find('=', pos);
    if (eq != std::string::npos && eq < end && c.compare(pos, eq - pos, name) == 0 &&
        eq - pos == name.size()) {
      return c.substr(eq + 1, end - eq - 1);
    }
    pos = end + 1;
  }
  return "";
}

}  // namespace sb::api
