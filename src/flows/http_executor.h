#pragma once
// The host side of the HTTP data dip: runs a FlowSession's act::HttpRequest with libcurl and
// returns the flows::HttpResponse to feed back. Lives in its own target (sb_flows_http) because
// it does network I/O; the flow core stays pure.

#include <string>

#include "flows/flow_runtime.h"

namespace sb::flows {

struct HttpExecutorOptions {
  long max_body_bytes = 1 << 20;  // larger answers are cut and count as a failure
  bool allow_redirects = false;
};

class HttpExecutor {
 public:
  explicit HttpExecutor(HttpExecutorOptions options = {});
  // Blocking; bounded by request.timeout (connect + transfer). Never throws.
  HttpResponse execute(const act::HttpRequest& request) const;

 private:
  HttpExecutorOptions options_;
};

}  // namespace sb::flows
