#pragma once
// The flow store: every version of every flow, the newest valid one active. A new version is
// parsed and validated before it replaces anything; an invalid one is rejected with the issues
// and the previous version keeps running. Sessions hold the definition they started with.
//
// With a directory, versions are also files there (<dir>/<flow id>/v<version>.json), read back by
// load_directory(); plain `*.json` files directly in the directory are flows too (examples).
// Thread-safe.

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/status.h"
#include "flows/flow_model.h"

namespace sb::flows {

struct FlowSummary {
  std::string id;
  std::string name;
  std::uint32_t active_version = 0;
  std::vector<std::uint32_t> versions;  // ascending
};

class FlowStore {
 public:
  FlowStore() = default;
  // Persists new versions under `dir` (created if missing).
  explicit FlowStore(std::filesystem::path dir);

  // Loads every flow under the directory. Returns the first error per file as a list in the
  // message (InvalidArgument) but still loads the valid files.
  Status load_directory();

  // Adds a version. The definition's "version" must be greater than the active one (0 or absent =
  // next number). Returns the stored definition.
  Result<std::shared_ptr<const FlowDefinition>> put(std::string_view json_text,
                                                    std::vector<Issue>* issues = nullptr);
  // The active version, or a specific one.
  Result<std::shared_ptr<const FlowDefinition>> get(std::string_view id) const;
  Result<std::shared_ptr<const FlowDefinition>> get(std::string_view id,
                                                    std::uint32_t version) const;
  // The JSON text a version was stored from.
  Result<std::string> source(std::string_view id, std::uint32_t version) const;
  std::vector<FlowSummary> list() const;
  // Removes a flow and all its versions (running sessions keep theirs).
  Status remove(std::string_view id);

 private:
  struct Version {
    std::shared_ptr<const FlowDefinition> flow;
    std::string source;
  };
  struct Entry {
    std::map<std::uint32_t, Version> versions;
    std::uint32_t active = 0;
  };
  Status persist(const FlowDefinition& flow, const std::string& source);

  std::filesystem::path dir_;
  mutable std::mutex mu_;
  std::map<std::string, Entry, std::less<>> flows_;
};

}  // namespace sb::flows
