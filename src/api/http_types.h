#pragma once
// The transport-neutral request and response the API's handlers see. The Beast server converts
// to and from these, so handlers, the role-matrix test and the request fuzzer run without sockets.

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace sb::api {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // path with query string, as received
  std::string path;    // decoded path without the query
  std::map<std::string, std::string> query;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string remote;  // client address

  const std::string* header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? nullptr : &it->second;
  }
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers (Set-Cookie, ...)
};

// Handlers answer through a Reply, possibly later and from another thread (after the command's
// events are durable). A Reply must be called exactly once.
using Reply = std::function<void(HttpResponse)>;

// Splits "a=1&b=x%20y" into decoded pairs. Malformed escapes are kept verbatim.
std::map<std::string, std::string> parse_query(const std::string& query);
std::string url_decode(const std::string& s);
// Fills path and query from target.
void split_target(HttpRequest& req);
// The value of cookie `name` in the Cookie header, or "".
std::string cookie_value(const HttpRequest& req, const std::string& name);

}  // namespace sb::api
