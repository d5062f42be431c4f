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
#include "wfmstore/schedule_store.h"

namespace sb::wfmstore {

// Local wall-clock (day, minute of the day) in `tz` as a UTC instant.
Millis local_to_utc(const reports::TimeZone& tz, wfm::Date day, int minute);
// The local day and minute of the day of a UTC instant.
wfm::LocalDateTime utc_to_local(const reports::TimeZone& tz, Millis utc);

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

// A generated schedule as a stored draft: per shift, work between its breaks, the breaks
// ("lunch" in the rule's name makes a lunch), clipped to the period. The requirement grid is the
// problem's (days x intervals of the day) from local midnight of the first day.
Schedule schedule_from_result(const wfm::ScheduleProblem& problem,
                              const wfm::ScheduleResult& result, const reports::TimeZone& tz);

}  // namespace sb::wfmstore
