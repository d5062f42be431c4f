#include "sim/csv.h"

#include <fstream>
#include <sstream>

namespace sb::sim {

int CsvTable::column(std::string_view name) const {
  for (std::size_t i = 0; i < header.size(); ++i)
    if (header[i] == name) return static_cast<int>(i);
  return -1;
}

std::string CsvTable::where(std::size_t row) const {
  return path + ":" + std::to_string(row < lines.size() ? lines[row] : 0);
}

Result<CsvTable> read_csv(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::io_error(path + ": cannot open file");
  std::ostringstream buf;
  buf << in.rdbuf();
  return parse_csv(buf.str(), path);
}

Result<CsvTable> parse_csv(std::string_view text, const std::string& path) {
  CsvTable t;
  t.path = path;
  char delim = ',';
  int line_no = 0;
  std::size_t pos = 0;
  bool have_header = false;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    if (!have_header && line.find('\t') != std::string_view::npos) delim = '\t';
    std::vector<std::string> fields;
    std::string field;
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
      const char ch = line[i];
      if (quoted) {
        if (ch == '"' && i + 1 < line.size() && line[i + 1] == '"') {
          field += '"';
          ++i;
        } else if (ch == '"') {
          quoted = false;
        } else {
          field += ch;
        }
      } else if (ch == '"' && field.empty()) {
        quoted = true;
      } else if (ch == delim) {
        fields.push_back(std::move(field));
        field.clear();
      } else {
        field += ch;
      }
    }
    if (quoted)
      return Status::invalid_argument(path + ":" + std::to_string(line_no) +
                                      ": unterminated quoted field");
    fields.push_back(std::move(field));
    if (!have_header) {
      t.header = std::move(fields);
      have_header = true;
      continue;
    }
    if (fields.size() != t.header.size())
      return Status::invalid_argument(path + ":" + std::to_string(line_no) + ": expected " +
                                      std::to_string(t.header.size()) + " fields, found " +
                                      std::to_string(fields.size()));
    t.rows.push_back(std::move(fields));
    t.lines.push_back(line_no);
  }
  if (!have_header) return Status::invalid_argument(path + ": empty file (a header is required)");
  return t;
}

}  // namespace sb::sim
