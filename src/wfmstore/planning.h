#pragma once
// The glue between the planning maths (src/wfm), the reports read model (src/reports) and the
// stores of this folder: interval history of a queue from reports.db, a forecast turned into a
// stored (UTC) forecast, its accuracy against the actual volumes in reports.db, and a generated
// schedule turned into stored activities. The API (routes_wfm.cpp) calls these.

#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "base/time.h"
#include "reports/report_query.h"
#include "reports/time_zone.h"
#include "wfm/forecast.h"
#include "wfm/schedule.h"
#include "wfm/series.h"
#include "wfm/staffing.h"
#include "wfmstore/forecast_store.h"
#include "wfmstore/rules_store.h"
#include "wfmstore/schedule_store.h"

namespace sb::wfmstore {

// Local wall-clock (day, minute of the day) in `tz` as a UTC instant.
Millis local_to_utc(const reports::TimeZone& tz, wfm::Date day, int minute);
// The local day and minute of the day of a UTC instant.
wfm::LocalDateTime utc_to_local(const reports::TimeZone& tz, Millis utc);

// The planning grid of a period in the center's local time: intervals of `interval_minutes`
// real minutes from local midnight of the first day to local midnight after the last, so a day
// with a daylight-saving change has 23 or 25 hours of intervals (92 or 100 quarter hours) and
// every interval starts on a local wall-clock boundary. A stored schedule's header keeps the
// grid as its start, interval length and one required value per interval.
class PlanningGrid {
 public:
  // InvalidArgument when the interval does not divide a day or a day's length (a 30-minute
  // daylight-saving change with 60-minute intervals), or for an empty period.
  static Result<PlanningGrid> make(const reports::TimeZone& tz, wfm::Date first_day, int days,
                                   int interval_minutes);

  Millis start() const { return day_starts_.front(); }
  Millis end() const { return day_starts_.back(); }
  std::size_t size() const { return slot_of_.size(); }
  int days() const { return static_cast<int>(day_starts_.size()) - 1; }
  int interval_minutes() const { return interval_minutes_; }
  // Intervals of a day on the wall clock (1440 / interval): the scheduling maths' grid.
  std::size_t wall_slots_per_day() const {
    return static_cast<std::size_t>(1440 / interval_minutes_);
  }
  std::size_t wall_size() const { return wall_slots_per_day() * static_cast<std::size_t>(days()); }
  Millis interval_start(std::size_t i) const;
  // The wall-clock slot (day x intervals of a day) of interval i: both passes of a repeated
  // hour share a slot; a skipped hour's slots have no interval.
  std::size_t wall_slot(std::size_t i) const { return slot_of_[i]; }

  // A requirement on the wall-clock grid (days x intervals of a day) as one value per interval.
  std::vector<double> from_wall(const std::vector<int>& wall) const;
  // A requirement per interval as the wall-clock grid the scheduling maths plans on: the larger
  // of a repeated hour's two values; a skipped hour's slots need nobody.
  std::vector<int> to_wall(const std::vector<double>& per_interval) const;

 private:
  PlanningGrid() = default;
  int interval_minutes_ = 15;
  std::vector<Millis> day_starts_;    // local midnights, days + 1 of them
  std::vector<std::size_t> slot_of_;  // per interval: its wall-clock slot
};

struct HistoryQuery {
  std::string queue;
  std::string channel;        // "" = every channel
  Millis from = 0;            // UTC, inclusive
  Millis to = 0;              // UTC, exclusive
  int interval_minutes = 15;  // 15, 30 or 60
  std::string time_zone = "UTC";
};

// Offered contacts (and AHT where known) per local interval of the queue from the read model.
// Days without any row are absent (closed). InvalidArgument when nothing was offered at all.
Result<wfm::IntervalSeries> history_from_reports(const reports::ReportStore& reports,
                                                 const HistoryQuery& q);

// Mean caller patience (Erlang A) of a queue from the read model over [from, to): every queued
// contact's wait is exposure, so patience = total time in queue (answered, abandoned and timed
// out) / abandons (docs/forecasting.md). InvalidArgument when nothing was abandoned.
Result<wfm::PatienceEstimate> patience_from_reports(const reports::ReportStore& reports,
                                                    const std::string& queue,
                                                    const std::string& channel, Millis from,
                                                    Millis to);

// A forecast in local civil time as a stored forecast in UTC, with each interval's horizon (local
// days after `now`'s local day) and MASE's scale from the history.
StoredForecast to_stored(const wfm::Forecast& f, const wfm::IntervalSeries& history,
                         const reports::TimeZone& tz, Millis now);

// Accuracy of the forecasts (pooled) against the offered contacts in the read model, for the
// intervals that are over at `now`. Intervals are compared at max(forecast interval, 15 min):
// the read model keeps 15-minute cells, so a 5-minute forecast is summed to 15 minutes.
Result<AccuracyReport> forecast_accuracy(const reports::ReportStore& reports,
                                         const std::vector<StoredForecast>& forecasts, Millis now);

// Adds the days of `time_off` that fall in the period of `days` days from `first_day` to the
// time off of the agents it names (agents not in `agents` are skipped; no day twice).
void add_time_off(const std::vector<TimeOff>& time_off, wfm::Date first_day, int days,
                  std::vector<wfm::ScheduleAgent>& agents);

// A generated schedule as a stored draft: per shift, work between its breaks, the breaks
// ("lunch" in the rule's name makes a lunch), clipped to the period. The header's grid is
// `grid` (the problem's period) with `required` per interval (grid.size() values; empty: the
// problem's wall-clock requirement spread over the grid).
Schedule schedule_from_result(const wfm::ScheduleProblem& problem,
                              const wfm::ScheduleResult& result, const reports::TimeZone& tz,
                              const PlanningGrid& grid, std::vector<double> required = {});

}  // namespace sb::wfmstore
