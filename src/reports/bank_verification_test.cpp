// Verification against real data (issue 4, §7): one month of the "Anonymous Bank" call center
// (February 1999, 33,344 calls; see ../shared/data/README.md) is converted to the documented CSV
// import format, imported through `append_history` into an event log, projected into reports.db,
// and the report is compared with figures computed here directly from the raw file by plain code
// that shares nothing with the product.
//
// Mapping (also in docs/metrics.md): PHANTOM rows are excluded (the data set's own advice);
// calls that hung up in the voice menu before reaching the queue (HANG without q_start) are not
// contacts offered to a queue and are left out. A call is offered at q_start (or at ser_start
// when it reached an agent without queueing); wait = q_time (0 without queueing); talk =
// ser_time; queue = the call type (PS, PE, IN, NE, NW, TT); agent = server; customer = customer_id
// (0 = unknown).

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "reports/importer.h"
#include "reports/projection.h"
#include "reports/report_query.h"
#include "reports/test_util.h"
#include "store/sqlite_event_store.h"

namespace sb::reports {
namespace {

struct RawCall {
  std::string type, date, q_start, outcome, ser_start, server;
  long customer = 0;
  long q_time = 0, ser_time = 0;
  long arrival_s = 0;  // seconds since 1999-01-01, for the repeat window
};

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream ss(line);
  std::string f;
  while (std::getline(ss, f, '\t')) out.push_back(f);
  return out;
}

long hms(const std::string& s) {
  int h = 0, m = 0, sec = 0;
  std::sscanf(s.c_str(), "%d:%d:%d", &h, &m, &sec);
  return h * 3600L + m * 60L + sec;
}

double median(std::vector<long> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? static_cast<double>(v[n / 2]) : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

TEST(BankVerificationTest, ReportMatchesAnIndependentComputationOnTheRawFile) {
  const char* shared = std::getenv("SWITCHBOARD_SHARED_DATA");
  const std::string path =
      std::string(shared ? shared : "../shared/data") + "/anonymous_bank_1999_february.txt";
  std::ifstream raw(path);
  if (!raw) GTEST_SKIP() << "data set not available: " << path;

  // ---- The raw file, read plainly ----
  std::vector<RawCall> calls;
  std::string line;
  std::getline(raw, line);  // header
  long phantom = 0, menu_hangups = 0, rows = 0;
  while (std::getline(raw, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    ++rows;
    const auto f = split_tabs(line);
    ASSERT_EQ(f.size(), 17u) << line;
    RawCall c;
    c.customer = std::atol(f[2].c_str());
    c.type = f[4];
    c.date = f[5];
    c.q_start = f[9];
    c.q_time = std::atol(f[11].c_str());
    c.outcome = f[12];
    c.ser_start = f[13];
    c.ser_time = std::atol(f[15].c_str());
    c.server = f[16];
    const bool queued = c.q_start != "0:00:00";
    if (c.outcome == "PHANTOM") {
      ++phantom;
      continue;
    }
    if (c.outcome == "HANG" && !queued) {
      ++menu_hangups;
      continue;
    }
    const int day = std::atoi(c.date.substr(4, 2).c_str());
    const int month = std::atoi(c.date.substr(2, 2).c_str());
    c.arrival_s =
        ((month == 2 ? 31 : 0) + day - 1) * 86400L + hms(queued ? c.q_start : c.ser_start);
    calls.push_back(c);
  }
  ASSERT_EQ(rows, 33344);

  // ---- Independent figures ----
  const long window = 86400;  // repeat window: one day
  long offered = 0, answered = 0, abandoned = 0, queued = 0, within20 = 0, abandoned_within20 = 0;
  double wait_sum = 0, abandon_wait_sum = 0, talk_sum = 0;
  std::vector<long> talks;
  for (const RawCall& c : calls) {
    ++offered;
    if (c.q_start != "0:00:00") ++queued;
    if (c.outcome == "AGENT") {
      ++answered;
      const long wait = c.q_start != "0:00:00" ? c.q_time : 0;
      wait_sum += wait;
      if (wait <= 20) ++within20;
      talk_sum += c.ser_time;
      talks.push_back(c.ser_time);
    } else {
      ++abandoned;
      abandon_wait_sum += c.q_time;
      if (c.q_time <= 20) ++abandoned_within20;
    }
  }
  // Repeats: per customer, contacts in arrival order (file order on ties).
  std::vector<std::size_t> order(calls.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return calls[a].arrival_s < calls[b].arrival_s;
  });
  std::map<long, std::vector<std::size_t>> by_customer;
  for (std::size_t i : order)
    if (calls[i].customer != 0) by_customer[calls[i].customer].push_back(i);
  long customer_contacts = 0, repeats = 0, fcr_eligible = 0, fcr_resolved = 0;
  for (const auto& [customer, list] : by_customer) {
    for (std::size_t k = 0; k < list.size(); ++k) {
      const RawCall& c = calls[list[k]];
      ++customer_contacts;
      if (k > 0 && c.arrival_s - calls[list[k - 1]].arrival_s <= window) ++repeats;
      if (c.outcome == "AGENT") {
        ++fcr_eligible;
        const bool again =
            k + 1 < list.size() && calls[list[k + 1]].arrival_s - c.arrival_s <= window;
        if (!again) ++fcr_resolved;
      }
    }
  }

  // ---- The product: CSV conversion, import, projection, report ----
  std::ostringstream csv;
  csv << "arrival_time,queue,wait,outcome,talk,agent,customer_id\n";
  for (const RawCall& c : calls) {
    const bool q = c.q_start != "0:00:00";
    csv << "19" << c.date.substr(0, 2) << "-" << c.date.substr(2, 2) << "-" << c.date.substr(4, 2)
        << " " << (q ? c.q_start : c.ser_start) << "," << c.type << "," << (q ? c.q_time : 0) << ","
        << (c.outcome == "AGENT" ? "answered" : "abandoned") << ","
        << (c.outcome == "AGENT" ? std::to_string(c.ser_time) : "") << ","
        << (c.server == "NO_SERVER" ? "" : c.server) << ","
        << (c.customer ? std::to_string(c.customer) : "") << "\n";
  }
  std::istringstream in(csv.str());
  ImportOptions options;
  options.source_name = "anonymous_bank_1999_february.csv";
  auto parsed = parse_history(in, options);
  ASSERT_TRUE(parsed.ok()) << parsed.status().to_string();
  EXPECT_TRUE(parsed->problems.empty())
      << parsed->problems.front().line << ": " << parsed->problems.front().reason;
  testing::TempDir dir;
  auto log = SqliteEventStore::open(dir.file("events.db"));
  ASSERT_TRUE(log.ok());
  auto summary = append_history(**log, parsed->contacts, 0);
  ASSERT_TRUE(summary.ok()) << summary.status().to_string();
  auto reports = ReportStore::open_data_dir(dir.path());
  ASSERT_TRUE(reports.ok());
  CenterSettings settings;
  settings.repeat_window = window * kMillisPerSecond;
  ASSERT_TRUE((*reports)->set_center_settings(settings).ok());
  ASSERT_TRUE(catch_up(**reports, **log).ok());
  ReportRequest r;
  r.from = 917827200000;  // 1999-02-01 00:00 UTC
  r.to = r.from + 28 * kMillisPerDay;
  r.group_by = {Dimension::kQueue};
  auto report = (*reports)->query(r);
  ASSERT_TRUE(report.ok()) << report.status().to_string();
  const Kpis& k = report->total;

  // ---- Comparison table ----
  struct Line {
    const char* what;
    double product, independent, tolerance;
  };
  const double median_bound = std::max(0.1, 0.0219 * median(talks));
  const std::vector<Line> table = {
      {"offered (answered + abandoned in queue)", double(k.offered), double(offered), 0},
      {"answered", double(k.handled), double(answered), 0},
      {"abandoned in queue", double(k.abandoned), double(abandoned), 0},
      {"abandon rate = abandoned / offered", k.abandon_rate, double(abandoned) / offered, 1e-12},
      {"SL 20 s, switchboard = ans<=20 / (ans + aband)", k.service_level,
       double(within20) / (answered + abandoned), 1e-12},
      {"SL 20 s, asterisk_sl = ans<=20 / ans",
       k.service_level_by_preset[int(SlPreset::kAsteriskSl)], double(within20) / answered, 1e-12},
      {"SL 20 s, asterisk_sl2 = (ans+aband)<=20 / all",
       k.service_level_by_preset[int(SlPreset::kAsteriskSl2)],
       double(within20 + abandoned_within20) / (answered + abandoned), 1e-12},
      {"ASA (s)", k.asa_s, wait_sum / answered, 1e-9},
      {"mean wait of abandoned (s)", k.avg_abandon_wait_s, abandon_wait_sum / abandoned, 1e-9},
      {"mean service time (s)", k.avg_talk_s, talk_sum / answered, 1e-9},
      {"AHT (s; no hold or wrap in the data)", k.aht_s, talk_sum / answered, 1e-9},
      {"median service time (s; histogram estimate)", k.handle_p50_s, median(talks), median_bound},
      {"customer contacts (customer_id known)", double(k.customer_contacts),
       double(customer_contacts), 0},
      {"repeat contacts within 1 day", double(k.repeat_contacts), double(repeats), 0},
      {"repeat rate", k.repeat_rate, double(repeats) / customer_contacts, 1e-12},
      {"FCR (answered, no repeat within 1 day)", k.fcr_rate, double(fcr_resolved) / fcr_eligible,
       1e-12},
  };
  std::printf(
      "\nAnonymous Bank, February 1999: %ld rows, %ld phantom, %ld hung up in the menu,"
      " %ld queued (abandoned / queued = %.4f)\n",
      rows, phantom, menu_hangups, queued, double(abandoned) / queued);
  std::printf("%-50s %14s %14s\n", "KPI", "product", "independent");
  for (const Line& l : table) {
    std::printf("%-50s %14.6f %14.6f\n", l.what, l.product, l.independent);
    EXPECT_NEAR(l.product, l.independent, l.tolerance) << l.what;
  }
  // The data set's documented facts.
  EXPECT_EQ(abandoned, 3963);
  EXPECT_NEAR(double(abandoned) / queued, 0.219, 0.0005);
  EXPECT_NEAR(double(abandoned) / offered, 0.127, 0.0005);
  EXPECT_EQ(summary->contacts, calls.size());
  EXPECT_EQ(report->rows.size(), 6u);  // PS, PE, IN, NE, NW, TT
}

}  // namespace
}  // namespace sb::reports
