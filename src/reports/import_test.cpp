#include <gtest/gtest.h>

#include <sstream>

#include "reports/importer.h"
#include "reports/projection.h"
#include "reports/report_query.h"
#include "reports/test_util.h"
#include "store/sqlite_event_store.h"

namespace sb::reports {
namespace {

Result<ParsedHistory> parse(const std::string& text, ImportFormat format,
                            const std::string& tz = "UTC") {
  std::istringstream in(text);
  ImportOptions o;
  o.format = format;
  o.time_zone = tz;
  o.source_name = "test";
  return parse_history(in, o);
}

TEST(ImportTest, CsvRowsAndBadRowsWithLineNumbers) {
  const std::string text =
      "arrival_time,queue,wait,outcome,talk,hold,wrap,agent,customer_id,channel\r\n"
      "2026-03-02 08:00:05,sales,12,answered,1:02,5,10,\"Smith, Ann\",c1,voice\r\n"
      "2026-03-02T07:59:00+01:00,sales,0:00:40,abandoned,,,,,c2,\r\n"
      "2026-03-02 08:01:00,sales,7.5,timed_out,,,,,,\r\n"
      "2026-03-02 08:02:00,sales,,blocked,,,,,,chat\r\n"
      "2026-02-30 08:03:00,sales,1,answered,1,0,0,bob,,\r\n"
      "not a time,sales,1,answered,1,0,0,bob,,\r\n"
      "2026-03-02 08:04:00,sales,1,hung up,1,0,0,bob,,\r\n"
      "2026-03-02 08:05:00,sales,-3,answered,1,0,0,bob,,\r\n"
      "2026-03-02 08:06:00,,1,answered,1,0,0,bob,,\r\n"
      "2026-03-02 08:07:00,sales,1,abandoned,30,0,0,,,\r\n"
      "2026-03-02 08:08:00,sales,1\r\n"
      "\r\n"
      "2026-03-02 08:09:00,sales,1,answered,1,0,0,bob,,fax\r\n";
  auto h = parse(text, ImportFormat::kCsv);
  ASSERT_TRUE(h.ok()) << h.status().to_string();
  ASSERT_EQ(h->contacts.size(), 4u);
  // Sorted by arrival: the abandoned one (07:59+01:00 = 06:59 UTC) comes first.
  const ImportedContact& ab = h->contacts[0];
  EXPECT_EQ(ab.outcome, ImportOutcome::kAbandoned);
  EXPECT_EQ(ab.wait, 40000);
  EXPECT_EQ(ab.arrived_at, 1772434740000);
  const ImportedContact& an = h->contacts[1];
  EXPECT_EQ(an.outcome, ImportOutcome::kAnswered);
  EXPECT_EQ(an.agent, "Smith, Ann");
  EXPECT_EQ(an.talk, 62000);
  EXPECT_EQ(an.hold, 5000);
  EXPECT_EQ(an.wrap, 10000);
  EXPECT_EQ(an.customer, "c1");
  EXPECT_EQ(an.external_id, "line 2");
  EXPECT_EQ(an.source.rfind("csv:test#", 0), 0u) << an.source;
  EXPECT_EQ(h->contacts[2].wait, 7500);
  EXPECT_EQ(h->contacts[3].channel, Channel::kChat);
  EXPECT_EQ(h->contacts[3].outcome, ImportOutcome::kBlocked);

  std::vector<std::size_t> lines;
  for (const auto& p : h->problems) lines.push_back(p.line);
  EXPECT_EQ(lines, (std::vector<std::size_t>{6, 7, 8, 9, 10, 11, 12, 14}));
  EXPECT_NE(h->problems[1].reason.find("not a date and time"), std::string::npos);
  EXPECT_NE(h->problems[2].reason.find("outcome 'hung up'"), std::string::npos);
  EXPECT_NE(h->problems[3].reason.find("wait '-3'"), std::string::npos);
  EXPECT_NE(h->problems[4].reason.find("queue is empty"), std::string::npos);
  EXPECT_NE(h->problems[5].reason.find("not answered"), std::string::npos);
  EXPECT_NE(h->problems[6].reason.find("expected 10 fields, found 3"), std::string::npos);
  EXPECT_NE(h->problems[7].reason.find("fax"), std::string::npos);
  EXPECT_EQ(h->lines, 14u);
}

TEST(ImportTest, CsvLocalTimesFollowTheTimeZone) {
  auto h = parse("arrival_time,queue,wait,outcome\n2026-07-01 12:00,q,0,answered\n",
                 ImportFormat::kCsv, "Europe/Paris");
  ASSERT_TRUE(h.ok()) << h.status().to_string();
  ASSERT_EQ(h->contacts.size(), 1u);
  EXPECT_EQ(h->contacts[0].arrived_at, 1782900000000);  // 10:00 UTC (summer time)
}

TEST(ImportTest, CsvHeaderProblemsRefuseTheFile) {
  EXPECT_EQ(parse("", ImportFormat::kCsv).status().code(), StatusCode::kInvalidArgument);
  auto missing = parse("arrival_time,queue,outcome\n", ImportFormat::kCsv);
  EXPECT_NE(missing.status().message().find("no 'wait' column"), std::string::npos);
  auto unknown = parse("arrival_time,queue,wait,outcome,colour\n", ImportFormat::kCsv);
  EXPECT_NE(unknown.status().message().find("unknown column 'colour'"), std::string::npos);
}

TEST(ImportTest, AsteriskQueueLog) {
  const std::string text =
      "1700000000|NONE|NONE|Agent/1001|AGENTLOGIN|SIP/1001\n"
      "1700000000|1.1|sales|NONE|ENTERQUEUE||5551234|1\n"
      "1700000004|1.1|sales|Agent/1001|RINGNOANSWER|4000\n"
      "1700000010|1.1|sales|Agent/1002|CONNECT|10|1.2|3\n"
      "1700000100|1.1|sales|Agent/1002|COMPLETECALLER|10|90|1\n"
      "1700000200|2.1|sales|NONE|ENTERQUEUE||5550000|1\n"
      "1700000230|2.1|sales|NONE|ABANDON|1|1|30\n"
      "1700000300|3.1|support|NONE|ENTERQUEUE||5551234|1\n"
      "1700000600|3.1|support|NONE|EXITWITHTIMEOUT|1|1|300\n"
      "1700000700|4.1|support|NONE|ENTERQUEUE||5559999|1\n"
      "1700000705|4.1|support|Agent/1001|CONNECT|5|4.2|2\n"
      "1700000765|4.1|support|Agent/1001|BLINDTRANSFER|200|default|5|60|1\n"
      "1700000800|5.1|support|NONE|FULL|\n"
      "1700000900|6.1|sales|Agent/1001|COMPLETEAGENT|1|2|1\n"
      "1700001000|7.1|sales|NONE|ENTERQUEUE||5551111|1\n"
      "1700001010|7.1|sales|Agent/1001|CONNECT|abc|7.2|1\n"
      "garbage\n"
      "1700002000|8.1|sales|NONE|ENTERQUEUE||5552222|1\n";
  auto h = parse(text, ImportFormat::kQueueLog);
  ASSERT_TRUE(h.ok()) << h.status().to_string();
  ASSERT_EQ(h->contacts.size(), 5u);
  const ImportedContact& a = h->contacts[0];
  EXPECT_EQ(a.outcome, ImportOutcome::kAnswered);
  EXPECT_EQ(a.wait, 10000);
  EXPECT_EQ(a.talk, 90000);
  EXPECT_EQ(a.agent, "Agent/1002");
  EXPECT_EQ(a.customer, "5551234");
  EXPECT_EQ(a.external_id, "1.1");
  EXPECT_EQ(h->contacts[1].outcome, ImportOutcome::kAbandoned);
  EXPECT_EQ(h->contacts[1].wait, 30000);
  EXPECT_EQ(h->contacts[2].outcome, ImportOutcome::kTimedOut);
  EXPECT_EQ(h->contacts[2].wait, 300000);
  EXPECT_TRUE(h->contacts[3].transferred);
  EXPECT_EQ(h->contacts[3].talk, 60000);
  EXPECT_EQ(h->contacts[4].outcome, ImportOutcome::kBlocked);
  ASSERT_EQ(h->problems.size(), 5u);
  EXPECT_EQ(h->problems[0].line, 14u);  // COMPLETEAGENT without ENTERQUEUE
  EXPECT_EQ(h->problems[1].line, 15u);  // call 7.1: never ended (its CONNECT was bad)
  EXPECT_EQ(h->problems[2].line, 16u);  // holdtime 'abc'
  EXPECT_EQ(h->problems[3].line, 17u);  // garbage
  EXPECT_EQ(h->problems[4].line, 18u);  // call 8.1: still waiting at the end
  EXPECT_NE(h->problems[1].reason.find("no outcome"), std::string::npos);
}

TEST(ImportTest, AppendsOneTransactionAndRefusesTheSameFileTwice) {
  testing::TempDir dir;
  auto h = parse(
      "arrival_time,queue,wait,outcome,talk,agent,customer_id\n"
      "2026-03-02 08:00:00,sales,10,answered,100,ann,7\n"
      "2026-03-02 08:10:00,sales,30,abandoned,,,8\n"
      "2026-03-02 09:00:00,sales,5,answered,50,ann,7\n",
      ImportFormat::kCsv);
  ASSERT_TRUE(h.ok());
  auto log = SqliteEventStore::open(dir.file("events.db"));
  ASSERT_TRUE(log.ok());
  auto summary = append_history(**log, h->contacts, 1);
  ASSERT_TRUE(summary.ok()) << summary.status().to_string();
  EXPECT_EQ(summary->contacts, 3u);
  EXPECT_EQ(summary->answered, 2u);
  EXPECT_EQ(summary->abandoned, 1u);
  EXPECT_EQ(summary->first_seq, 1u);
  EXPECT_EQ(summary->last_seq, 3u);
  EXPECT_EQ(append_history(**log, h->contacts, 2).status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ((*log)->last_seq(), 3u);

  auto reports = ReportStore::open_data_dir(dir.path());
  ASSERT_TRUE(reports.ok());
  ASSERT_TRUE(catch_up(**reports, **log).ok());
  ReportRequest r;
  r.from = 1772438400000;
  r.to = r.from + kMillisPerDay;
  r.group_by = {Dimension::kInterval};
  r.interval_minutes = 60;
  auto res = (*reports)->query(r);
  ASSERT_TRUE(res.ok()) << res.status().to_string();
  ASSERT_EQ(res->rows.size(), 2u);
  EXPECT_EQ(res->rows[0].kpis.offered, 2u);
  EXPECT_EQ(res->rows[1].kpis.offered, 1u);
  EXPECT_EQ(res->total.imported, 3u);
  EXPECT_EQ(res->total.repeat_contacts, 1u);
  EXPECT_DOUBLE_EQ(res->total.asa_s, 7.5);
}

}  // namespace
}  // namespace sb::reports
