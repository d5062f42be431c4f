#pragma once
// History import (`switchboard import`): call-by-call records from another system become
// ContactImported events in the event log, so that reports, rebuilds and forecasting see them
// like live traffic. Formats (docs/metrics.md, "Importing history"):
//   - csv: a header row naming the columns arrival_time, queue, wait, outcome (required) and
//     talk, hold, wrap, agent, customer_id, channel, call_id (optional);
//   - queue_log: Asterisk's queue_log (ENTERQUEUE, CONNECT, COMPLETEAGENT, COMPLETECALLER,
//     ABANDON, EXITWITHTIMEOUT, EXITEMPTY, EXITWITHKEY, TRANSFER, BLINDTRANSFER,
//     ATTENDEDTRANSFER, FULL, JOINEMPTY; other events are ignored).
// Bad rows are reported with their line number and reason and skipped; the good ones are appended
// in one transaction, so a file is either imported (minus the reported rows) or not at all.

#include <cstdint>
#include <istream>
#include <string>
#include <vector>

#include "base/status.h"
#include "base/time.h"
#include "domain/events.h"
#include "store/event_store.h"

namespace sb::reports {

enum class ImportFormat : std::uint8_t { kCsv = 0, kQueueLog };
Result<ImportFormat> parse_import_format(std::string_view name);  // "csv", "queue_log"

struct ImportProblem {
  std::size_t line = 0;  // 1-based
  std::string reason;
};

struct ParsedHistory {
  std::vector<ImportedContact> contacts;  // sorted by arrival (stable: file order on ties)
  std::vector<ImportProblem> problems;    // sorted by line
  std::size_t lines = 0;                  // lines read (header included)
};

struct ImportOptions {
  ImportFormat format = ImportFormat::kCsv;
  // Time zone of CSV arrival times written without an offset (queue_log uses epoch seconds).
  std::string time_zone = "UTC";
  Channel channel = Channel::kVoice;  // for rows without a channel column
  std::string source_name;            // recorded in each contact ("csv:<name>")
};

// Parses a whole file. Fails (nothing parsed) only for a problem with the file as a whole: an
// unreadable stream, a CSV without the required columns, an unknown time zone.
Result<ParsedHistory> parse_history(std::istream& in, const ImportOptions& options);

struct ImportSummary {
  std::size_t contacts = 0;
  std::size_t answered = 0, abandoned = 0, timed_out = 0, blocked = 0;
  std::uint64_t first_seq = 0, last_seq = 0;  // the events appended (0 when none)
};

// Appends one ContactImported event per contact to `log` through a recovered engine (so that
// seqs continue the log) in one transaction. `now` stamps the events (Event::at); it is raised
// to the log's last event time if earlier. Refuses (AlreadyExists) a source already imported.
Result<ImportSummary> append_history(EventStore& log, const std::vector<ImportedContact>& contacts,
                                     Millis now);

}  // namespace sb::reports
