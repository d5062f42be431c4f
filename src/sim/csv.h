#pragma once
// A small reader for the CSV/TSV inputs of scenarios (interval counts, call-by-call logs,
// empirical handle times). The first line is a header. The delimiter is a tab when the header
// has one, a comma otherwise; fields may be double-quoted; CRLF line ends are accepted.

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace sb::sim {

struct CsvTable {
  std::string path;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<int> lines;  // 1-based file line of each row, for error messages

  // Index of the named column, or -1.
  int column(std::string_view name) const;
  // "calls.csv:17"
  std::string where(std::size_t row) const;
};

Result<CsvTable> read_csv(const std::string& path);
Result<CsvTable> parse_csv(std::string_view text, const std::string& path);

}  // namespace sb::sim
