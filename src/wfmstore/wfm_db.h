#pragma once
// The one way the stores of this folder open `wfm.db` (forecasts, schedules, scheduling rules
// share the file, each store on its own connection): the house SQLite settings, the calling
// store's tables, and the schema version check.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"

namespace sb::sqlite {
class Database;
}

namespace sb::wfmstore {

// The schema version this server writes: 1 = forecasts and schedules, 2 = + scheduling rules
// (shift templates, agent contracts, time off). Tables only ever get added, so a file of an
// older version is brought up to date by the stores creating their missing tables.
constexpr std::int64_t kWfmSchemaVersion = 2;

// Opens (creating) the database at `path` (":memory:" or "" for a private one), creates the
// tables of `schema` (CREATE ... IF NOT EXISTS statements) and records kWfmSchemaVersion.
// FailedPrecondition for a file written by a newer server.
Result<std::unique_ptr<sqlite::Database>> open_wfm_db(const std::string& path,
                                                      std::string_view schema);

// `<data_dir>/wfm.db`.
std::string wfm_db_path(const std::string& data_dir);

}  // namespace sb::wfmstore
