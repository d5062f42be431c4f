#include "wfmstore/wfm_db.h"

#include "sqlite/sqlite.h"

namespace sb::wfmstore {

Result<std::unique_ptr<sqlite::Database>> open_wfm_db(const std::string& path,
                                                      std::string_view schema) {
  sqlite::OpenOptions o;
  o.label = "wfm";
  o.wal = !(path.empty() || path == ":memory:");
  auto db = sqlite::Database::open(path, o);
  if (!db.ok()) return db.status();
  auto version = (*db)->user_version();
  if (!version.ok()) return version.status();
  // Checked before creating anything: a newer file is left exactly as it is.
  if (*version > kWfmSchemaVersion)
    return Status::failed_precondition("wfm database '" + path + "' has schema version " +
                                       std::to_string(*version) + ", newer than this server's " +
                                       std::to_string(kWfmSchemaVersion));
  SB_RETURN_IF_ERROR((*db)->exec(schema));
  if (*version < kWfmSchemaVersion) SB_RETURN_IF_ERROR((*db)->set_user_version(kWfmSchemaVersion));
  return std::move(*db);
}

std::string wfm_db_path(const std::string& data_dir) { return data_dir + "/wfm.db"; }

}  // namespace sb::wfmstore
