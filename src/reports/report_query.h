#pragma once
// The reports read model and its query interface (docs/metrics.md has every formula).
//
// Interval aggregates ("cells") are kept in SQLite (`reports.db` in the data directory), one row
// per 15-minute interval (UTC-aligned) × queue × channel × agent × definition version, maintained
// incrementally from the event stream (ReportStore::ingest, one transaction per batch) and
// rebuildable from the log with identical results. Queries roll cells up at query time: to 30- or
// 60-minute intervals in the request's time zone, by day, weekday, time of day, queue, channel,
// team or agent, or to one total.
//
// Every figure says which definition version produced it (the versions of the cells it sums).
//
// Thread safety: a ReportStore may be queried from several threads at once (reads use their own
// connection under a mutex); ingest() must be called from one thread at a time.

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "base/time.h"
#include "domain/events.h"

namespace sb::reports {

// ---------------------------------------------------------------------------------------------
// Definitions (docs/metrics.md, "Service level" and "Definitions and versions").

// Named service-level conventions. Every preset can be computed from the same cell counts, so a
// query can show today's numbers the way a center's previous system counted them.
enum class SlPreset : std::uint8_t {
  // Switchboard default: answered within T / (answered + abandoned − short abandoned).
  kSwitchboard = 0,
  // Asterisk queue_log "SL": answered within T / answered.
  kAsteriskSl,
  // Asterisk "SL2": (answered within T + abandoned within T) / (answered + abandoned), short
  // abandons out of both sides.
  kAsteriskSl2,
  // Amazon Connect "service level T": contacts removed from the queue within T (answered,
  // abandoned, callback requested or flowed out) / contacts queued.
  kAmazonConnect,
  // Genesys-style: answered within T / a denominator built from GenesysOptions.
  kGenesys,
  // Answered-only quality of service (Wazo "QoS"): answered within T / answered. Numerically the
  // Asterisk SL; named separately so a Wazo center finds its own term.
  kAnsweredOnly,
};
constexpr int kSlPresetCount = 6;
std::string_view sl_preset_name(SlPreset p);  // "switchboard", "asterisk_sl", ...
Result<SlPreset> parse_sl_preset(std::string_view name);

// Genesys Cloud lets each center decide what the service-level denominator holds.
struct GenesysOptions {
  bool include_abandons = true;        // abandoned contacts count as misses
  bool exclude_short_abandons = true;  // ... except those shorter than the short-abandon limit
  bool include_flow_outs = false;      // contacts that overflowed away count as misses
  bool operator==(const GenesysOptions&) const = default;
};

// One version of a queue's KPI definition. It applies to offers that start at or after
// `effective_from` until the next version's `effective_from`.
struct QueueDefinition {
  std::string queue = "*";    // queue name (or live id as decimal); "*" = every queue without one
  std::uint32_t version = 0;  // assigned by ReportStore::add_definition (1, 2, ...)
  Millis effective_from = 0;  // epoch ms
  Millis sl_threshold = 20 * kMillisPerSecond;
  SlPreset preset = SlPreset::kSwitchboard;
  GenesysOptions genesys;
  Millis short_abandon = 0;       // abandons with wait < this are "short" (0 = none)
  int interval_minutes = 15;      // the queue's default report interval: 15, 30 or 60
  std::string time_zone = "UTC";  // the queue's default report time zone (see ReportRequest)
};

// Center-wide settings of the KPIs that are not per queue.
struct CenterSettings {
  // FCR / repeat: the same customer again within this window counts as a repeat of the earlier
  // contact (any channel, any queue).
  Millis repeat_window = 7 * kMillisPerDay;
  // Disposition codes (WrapUpEnded::disposition) that mark a sale / conversion.
  std::vector<ReasonId> conversion_dispositions;
  // Cost model: agent cost per staffed hour, plus a per-minute cost of each channel's handled
  // time (talk + hold), in the center's currency.
  double agent_hourly_cost = 0;
  std::map<Channel, double> channel_minute_cost;
};

// ---------------------------------------------------------------------------------------------
// Queries.

enum class Dimension : std::uint8_t {
  kInterval = 0,  // interval start (request interval, in the request time zone)
  kDay,           // local calendar day (start instant)
  kWeekday,       // 0 = Monday .. 6 = Sunday, local
  kTimeOfDay,     // minutes after local midnight of the interval start
  kQueue,
  kChannel,
  kTeam,
  kAgent,
};
std::string_view dimension_name(Dimension d);  // "interval", "day", "weekday", ...
Result<Dimension> parse_dimension(std::string_view name);

struct ReportRequest {
  Millis from = 0;            // inclusive, epoch ms
  Millis to = 0;              // exclusive
  int interval_minutes = 15;  // 15, 30 or 60: the width of kInterval/kTimeOfDay groups
  // "UTC", a fixed offset ("+02:00", "-0530") or an IANA name from /usr/share/zoneinfo
  // ("Europe/Paris"); local days and intervals follow its daylight-saving changes.
  std::string time_zone = "UTC";
  // Filters (empty = all). Queues and agents match by name or by live id (decimal).
  std::vector<std::string> queues;
  std::vector<Channel> channels;
  std::vector<std::string> teams;
  std::vector<std::string> agents;
  // Team of each agent (agent name -> team name), supplied by the caller (the API fills it from
  // the directory). Agents missing from it belong to team "".
  std::map<std::string, std::string> team_of_agent;
  std::vector<Dimension> group_by = {Dimension::kInterval};
  // The service-level convention of the `service_level` figure; nullopt = each queue's own
  // (from its definition). `service_level_by_preset` always has all of them.
  std::optional<SlPreset> preset;
  bool include_histograms = true;
  // Rows with no traffic (every count zero) are left out unless this is set and kInterval is a
  // dimension, in which case every interval of [from, to) gets a row.
  bool include_empty_intervals = false;
  // Read whole days and months from the day and month rollups, and days and intervals from the
  // rollups of all queues, where the filters and grouping allow (the figures are the same; false
  // reads every 15-minute cell, which tests use to check that).
  bool use_rollups = true;
};

// One bucket of a distribution (milliseconds; `upper` is exclusive).
struct HistogramBucket {
  Millis lower = 0;
  Millis upper = 0;
  std::uint64_t count = 0;
};

// Every KPI of docs/metrics.md for one group. Counts are exact; ratios are 0 when their
// denominator is 0 (the counts tell the cases apart); times are seconds.
struct Kpis {
  // Volume.
  std::uint64_t offered = 0;
  std::uint64_t handled = 0;
  std::uint64_t abandoned = 0;
  std::uint64_t short_abandoned = 0;
  std::uint64_t timed_out = 0;  // the queue gave up (imported EXITWITHTIMEOUT and the like)
  std::uint64_t blocked = 0;
  std::uint64_t transferred = 0;
  std::uint64_t flowed_out = 0;  // overflowed to another queue
  std::uint64_t callbacks_requested = 0;
  std::uint64_t callbacks_completed = 0;
  std::uint64_t self_served = 0;
  std::uint64_t imported = 0;  // of `offered`, contacts from switchboard import
  // Service level.
  std::uint64_t answered_within_sl = 0;
  std::uint64_t abandoned_within_sl = 0;
  std::uint64_t removed_within_sl = 0;  // Amazon Connect numerator
  double service_level = 0;
  std::string service_level_preset;  // the preset `service_level` used ("mixed" if several)
  std::array<double, kSlPresetCount> service_level_by_preset{};
  // Waits (time in queue).
  double asa_s = 0;       // mean wait of handled
  double avg_wait_s = 0;  // mean wait of handled + abandoned + timed out
  double avg_abandon_wait_s = 0;
  double longest_wait_s = 0;
  double wait_p50_s = 0, wait_p90_s = 0, wait_p95_s = 0;  // of handled
  std::vector<HistogramBucket> wait_histogram;
  // Handle time (per leg).
  std::uint64_t handle_samples = 0;
  double aht_s = 0, avg_talk_s = 0, avg_hold_s = 0, avg_wrap_s = 0;
  double longest_hold_s = 0;
  double handle_p50_s = 0, handle_p90_s = 0, handle_p95_s = 0;
  std::vector<HistogramBucket> handle_histogram;
  double transfer_rate = 0;  // transferred / handled
  double abandon_rate = 0;   // abandoned / offered
  // Repeat contacts and first contact resolution.
  std::uint64_t customer_contacts = 0;  // contacts with a known customer
  std::uint64_t repeat_contacts = 0;    // ... whose customer came again within the window
  double repeat_rate = 0;               // repeat_contacts / customer_contacts
  double fcr_rate = 0;                  // 1 − repeat_rate over handled contacts with a customer
  std::uint64_t fcr_eligible = 0;
  std::uint64_t fcr_resolved = 0;
  // Async channels (chat, email, messaging): first response = the wait until an agent connected.
  std::uint64_t first_responses = 0;
  double avg_first_response_s = 0;
  // Agent time (agent-seconds), occupancy and utilization.
  double staffed_s = 0, available_s = 0, occupied_s = 0;
  double occupancy = 0;    // occupied / available
  double utilization = 0;  // occupied / staffed
  // Per-queue occupancy: each agent's available and occupied time of an interval, apportioned to
  // the queues by the agent's handle time on each in that interval (docs/metrics.md, "Occupancy
  // per queue"). Filled for rows grouped by queue alone and for the total (the sum over the
  // queues); 0 with a channel filter.
  double queue_available_s = 0, queue_occupied_s = 0;
  double queue_occupancy = 0;  // queue_occupied / queue_available
  // Outcomes.
  std::uint64_t dispositioned = 0;
  std::uint64_t conversions = 0;
  double conversion_rate = 0;  // conversions / dispositioned
  double cost_total = 0;
  double cost_per_contact = 0;  // cost_total / handled
  // Surveys.
  std::uint64_t csat_responses = 0;
  double csat = 0;  // share of 4 and 5 on the 1..5 scale
  double csat_avg = 0;
  std::uint64_t nps_responses = 0;
  double nps = 0;  // % promoters (9-10) − % detractors (0-6), in −100..100
  std::uint64_t ces_responses = 0;
  double ces = 0;  // mean on the 1..7 scale
  // Peak hour of the group: the local hour (start) with the most offers, and that count.
  Millis peak_hour_start = 0;
  std::uint64_t peak_hour_offered = 0;
  // The definition versions whose cells this row sums ("queue:version" pairs, sorted).
  std::vector<std::string> definition_versions;
};

struct ReportRow {
  // Dimension values in request.group_by order, as text (interval/day: ISO 8601 local time with
  // offset; weekday: 0..6; time of day: "HH:MM"; queue/agent: name; channel: channel name).
  std::vector<std::string> keys;
  Millis start = 0;  // start of the interval or day, when grouped by one; else request.from
  Kpis kpis;
};

struct ReportResult {
  ReportRequest request;
  std::vector<std::string> columns;  // the dimension names, in group_by order
  std::vector<ReportRow> rows;       // sorted by keys (times chronologically)
  Kpis total;                        // everything that matched the filters
  std::uint64_t cells_scanned = 0;
};

// Validates a request: InvalidArgument naming the field (interval not 15/30/60, from >= to,
// unknown time zone, ...).
Status validate(const ReportRequest& r);

// Text exports of a result: CSV with a header row (one line per row, then a "total" line) and
// JSON ({"columns":[...],"rows":[{...}],"total":{...}}). The API and the CLI print these.
std::string to_csv(const ReportResult& r);
std::string to_json(const ReportResult& r);

// ---------------------------------------------------------------------------------------------
// The store.

struct IngestStats {
  std::uint64_t events = 0;
  std::uint64_t batches = 0;
  std::uint64_t cells_written = 0;
};

class ReportStore {
 public:
  // Opens (creating) `<data_dir>/reports.db`.
  static Result<std::unique_ptr<ReportStore>> open_data_dir(const std::string& data_dir);
  // Opens (creating) the database at `path` (":memory:" for a private in-memory one).
  static Result<std::unique_ptr<ReportStore>> open(const std::string& path);
  ~ReportStore();
  ReportStore(const ReportStore&) = delete;
  ReportStore& operator=(const ReportStore&) = delete;

  // Feeds events in seq order, one transaction per call. Events at or below applied_seq() are
  // skipped, so feeding a batch twice is harmless. A seq gap (an event after applied_seq() + 1)
  // is FailedPrecondition: the caller must catch up from the log first (catch_up in
  // report_projection.h does).
  Status ingest(std::span<const Event> batch);
  std::uint64_t applied_seq() const;

  // Drops every aggregate (definitions and settings stay) so that the log can be fed again.
  Status clear();

  // Definitions: versioned per queue; add_definition assigns the next version of that queue and
  // applies from its effective_from to offers ingested from now on. Earlier aggregates keep the
  // version they were computed with until a rebuild (recompute on request only).
  Result<QueueDefinition> add_definition(QueueDefinition d);
  std::vector<QueueDefinition> definitions() const;
  Status set_center_settings(const CenterSettings& s);
  CenterSettings center_settings() const;

  Result<ReportResult> query(const ReportRequest& request) const;

  IngestStats stats() const;

 private:
  struct Impl;
  explicit ReportStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sb::reports
