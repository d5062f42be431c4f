#pragma once
// Test helpers: a private scratch directory (shared with the store tests), and the read model's
// tables as one comparable string.

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <string>

#include "../../tests/store/temp_dir.h"

namespace sb::reports::testing {

// The store tests' scratch directory (one per test and process, removed afterwards).
using TempDir = sb::store_testing::TempDir;

// Every row of the aggregate tables (cells, day and month rollups, agent work, dimension names),
// byte for byte.
inline std::string dump_tables(const std::string& path) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  std::string out;
  for (const char* sql :
       {"SELECT * FROM cells ORDER BY 1, 2, 3, 4, 5", "SELECT * FROM days ORDER BY 1, 2, 3, 4",
        "SELECT * FROM months ORDER BY 1, 2, 3, 4", "SELECT * FROM day_totals ORDER BY 1, 2",
        "SELECT * FROM interval_totals ORDER BY 1, 2", "SELECT * FROM agent_work ORDER BY 1, 2, 3",
        "SELECT * FROM dims ORDER BY 1, 2"}) {
    sqlite3_stmt* st = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql, -1, &st, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    while (sqlite3_step(st) == SQLITE_ROW) {
      for (int i = 0; i < sqlite3_column_count(st); ++i) {
        const auto* p = static_cast<const char*>(sqlite3_column_blob(st, i));
        out.append(p ? p : "", static_cast<std::size_t>(sqlite3_column_bytes(st, i)));
        out += '|';
      }
      out += '\n';
    }
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  return out;
}

}  // namespace sb::reports::testing
