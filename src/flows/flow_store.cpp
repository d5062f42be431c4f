#include "flows/flow_store.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <system_error>

namespace sb::flows {
namespace fs = std::filesystem;

namespace {

Result<std::string> read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return Status::io_error("cannot open " + p.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return Status::io_error("cannot read " + p.string());
  return ss.str();
}

// "v12.json" -> 12; 0 when the name is not a version file.
std::uint32_t version_of(const fs::path& p) {
  const std::string name = p.filename().string();
  if (name.size() < 7 || name[0] != 'v' || p.extension() != ".json") return 0;
  std::uint32_t v = 0;
  for (std::size_t i = 1; i + 5 < name.size(); ++i) {
    if (name[i] < '0' || name[i] > '9' || v > 100000000) return 0;
    v = v * 10 + static_cast<std::uint32_t>(name[i] - '0');
  }
  return v;
}

}  // namespace

FlowStore::FlowStore(fs::path dir) : dir_(std::move(dir)) {}

Status FlowStore::load_directory() {
  if (dir_.empty()) return Status::failed_precondition("flow store has no directory");
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec) return Status::io_error("cannot create " + dir_.string() + ": " + ec.message());
  // Deterministic order: plain files first (sorted), then each flow's versions in order.
  std::vector<fs::path> plain;
  std::vector<std::pair<std::uint32_t, fs::path>> versioned;
  for (const auto& e : fs::directory_iterator(dir_, ec)) {
    if (e.is_regular_file() && e.path().extension() == ".json") plain.push_back(e.path());
    if (e.is_directory()) {
      std::error_code ec2;
      for (const auto& f : fs::directory_iterator(e.path(), ec2))
        if (std::uint32_t v = version_of(f.path()); v > 0 && f.is_regular_file())
          versioned.emplace_back(v, f.path());
      if (ec2) return Status::io_error("cannot list " + e.path().string() + ": " + ec2.message());
    }
  }
  if (ec) return Status::io_error("cannot list " + dir_.string() + ": " + ec.message());
  std::sort(plain.begin(), plain.end());
  std::sort(versioned.begin(), versioned.end(), [](const auto& a, const auto& b) {
    return a.second.parent_path() != b.second.parent_path()
               ? a.second.parent_path() < b.second.parent_path()
               : a.first < b.first;
  });

  std::string errors;
  // Persisted versions take their number from the file name (the stored text may omit it).
  auto add = [&](const fs::path& p, std::uint32_t file_version) {
    const bool persisted = file_version > 0;
    auto text = read_file(p);
    if (!text.ok()) {
      errors += "\n" + text.status().message();
      return;
    }
    auto flow = parse_flow(*text);
    if (!flow.ok()) {
      errors += "\n" + p.string() + ": " + flow.status().message();
      return;
    }
    std::lock_guard lock(mu_);
    Entry& entry = flows_[(*flow)->id];
    std::uint32_t v = persisted ? file_version : (*flow)->version;
    if (v == 0) v = entry.versions.empty() ? 1 : entry.versions.rbegin()->first + 1;
    if (entry.versions.count(v)) {
      if (!persisted)
        errors += "\n" + p.string() + ": version " + std::to_string(v) + " of flow \"" +
                  (*flow)->id + "\" is already loaded";
      return;
    }
    auto def = std::make_shared<FlowDefinition>(**flow);
    def->version = v;
    entry.versions[v] = Version{def, std::move(*text)};
    entry.active = std::max(entry.active, v);
  };
  for (const auto& [v, p] : versioned) add(p, v);
  for (const auto& p : plain) add(p, 0);
  if (!errors.empty()) return Status::invalid_argument("some flows were not loaded:" + errors);
  return {};
}

Result<std::shared_ptr<const FlowDefinition>> FlowStore::put(std::string_view json_text,
                                                             std::vector<Issue>* issues) {
  auto flow = parse_flow(json_text, issues);
  if (!flow.ok()) return flow.status();
  std::lock_guard lock(mu_);
  auto it = flows_.find((*flow)->id);
  const std::uint32_t latest =
      it == flows_.end() || it->second.versions.empty() ? 0 : it->second.versions.rbegin()->first;
  std::uint32_t v = (*flow)->version;
  if (v == 0) {
    v = latest + 1;
  } else if (v <= latest) {
    return Status::already_exists("flow \"" + (*flow)->id + "\" already has version " +
                                  std::to_string(latest) + "; a new version must be greater");
  }
  auto def = std::make_shared<FlowDefinition>(**flow);
  def->version = v;
  std::string source(json_text);
  if (!dir_.empty()) SB_RETURN_IF_ERROR(persist(*def, source));
  Entry& entry = flows_[def->id];
  entry.versions[v] = Version{def, std::move(source)};
  entry.active = v;
  return std::shared_ptr<const FlowDefinition>(def);
}

Status FlowStore::persist(const FlowDefinition& flow, const std::string& source) {
  std::error_code ec;
  const fs::path dir = dir_ / flow.id;
  fs::create_directories(dir, ec);
  if (ec) return Status::io_error("cannot create " + dir.string() + ": " + ec.message());
  const fs::path final_path = dir / ("v" + std::to_string(flow.version) + ".json");
  const fs::path tmp = dir / ("v" + std::to_string(flow.version) + ".json.tmp");
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << source;
    out.flush();
    if (!out) return Status::io_error("cannot write " + tmp.string());
  }
  fs::rename(tmp, final_path, ec);
  if (ec) return Status::io_error("cannot rename to " + final_path.string() + ": " + ec.message());
  return {};
}

Result<std::shared_ptr<const FlowDefinition>> FlowStore::get(std::string_view id) const {
  std::lock_guard lock(mu_);
  auto it = flows_.find(id);
  if (it == flows_.end() || it->second.versions.empty())
    return Status::not_found("flow \"" + std::string(id) + "\"");
  return it->second.versions.at(it->second.active).flow;
}

Result<std::shared_ptr<const FlowDefinition>> FlowStore::get(std::string_view id,
                                                             std::uint32_t version) const {
  std::lock_guard lock(mu_);
  auto it = flows_.find(id);
  if (it == flows_.end()) return Status::not_found("flow \"" + std::string(id) + "\"");
  auto v = it->second.versions.find(version);
  if (v == it->second.versions.end())
    return Status::not_found("flow \"" + std::string(id) + "\" version " + std::to_string(version));
  return v->second.flow;
}

Result<std::string> FlowStore::source(std::string_view id, std::uint32_t version) const {
  std::lock_guard lock(mu_);
  auto it = flows_.find(id);
  if (it == flows_.end()) return Status::not_found("flow \"" + std::string(id) + "\"");
  auto v = it->second.versions.find(version);
  if (v == it->second.versions.end())
    return Status::not_found("flow \"" + std::string(id) + "\" version " + std::to_string(version));
  return v->second.source;
}

std::vector<FlowSummary> FlowStore::list() const {
  std::lock_guard lock(mu_);
  std::vector<FlowSummary> out;
  for (const auto& [id, entry] : flows_) {
    if (entry.versions.empty()) continue;
    FlowSummary s;
    s.id = id;
    s.name = entry.versions.at(entry.active).flow->name;
    s.active_version = entry.active;
    for (const auto& [v, _] : entry.versions) s.versions.push_back(v);
    out.push_back(std::move(s));
  }
  return out;
}

Status FlowStore::remove(std::string_view id) {
  std::lock_guard lock(mu_);
  auto it = flows_.find(id);
  if (it == flows_.end()) return Status::not_found("flow \"" + std::string(id) + "\"");
  if (!dir_.empty()) {
    std::error_code ec;
    fs::remove_all(dir_ / it->first, ec);
    if (ec) return Status::io_error("cannot remove flow files: " + ec.message());
  }
  flows_.erase(it);
  return {};
}

}  // namespace sb::flows
