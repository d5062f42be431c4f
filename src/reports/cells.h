#pragma once
// The read model's unit: a cell holds additive measures of one 15-minute interval (UTC-aligned)
// × queue × channel × agent × definition version. Cells merge by adding (two fields by max), so
// any rollup is a sum of cells, and a cell updated from many batches equals one computed at once.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <tuple>

#include "base/status.h"
#include "base/time.h"
#include "metrics/histogram.h"

namespace sb::reports {

constexpr Millis kCellWidth = 15 * kMillisPerMinute;
constexpr std::int64_t kNone = -1;  // no queue / channel / agent

// Cell fields. Append only (stored blobs list them in this order; shorter blobs read as zeros).
enum Field : int {
  kOffered = 0,
  kHandled,
  kAbandoned,
  kShortAbandoned,
  kTimedOut,
  kBlocked,
  kTransferred,
  kFlowedOut,
  kCallbacksRequested,
  kCallbacksCompleted,
  kSelfServed,
  kImported,
  kAnsweredWithinSl,
  kAbandonedWithinSl,
  kRemovedWithinSl,
  kWaitHandledMs,
  kWaitAbandonedMs,
  kWaitTimedOutMs,
  kWaitMaxMs,  // max
  kLegs,
  kTalkMs,
  kHoldMs,
  kWrapMs,
  kHoldMaxMs,  // max
  kCustomerContacts,
  kRepeatContacts,
  kFcrEligible,
  kFcrResolved,  // may go down: a later repeat un-resolves the earlier contact
  kFirstResponses,
  kFirstResponseMs,
  kStaffedMs,
  kAvailableMs,
  kOccupiedMs,
  kDispositioned,
  kConversions,
  kCsatResponses,
  kCsatSum,
  kCsatGood,
  kNpsResponses,
  kNpsPromoters,
  kNpsDetractors,
  kCesResponses,
  kCesSum,
  kFieldCount
};

inline bool is_max_field(int f) { return f == kWaitMaxMs || f == kHoldMaxMs; }

struct CellKey {
  Millis interval = 0;  // start, multiple of kCellWidth
  std::int64_t queue = kNone;
  std::int64_t channel = kNone;
  std::int64_t agent = kNone;
  std::int64_t version = 0;  // definition version of the queue (0 = built-in)
  auto tie() const { return std::tie(interval, queue, channel, agent, version); }
  bool operator==(const CellKey& o) const { return tie() == o.tie(); }
  bool operator<(const CellKey& o) const { return tie() < o.tie(); }
};

struct CellKeyHash {
  std::size_t operator()(const CellKey& k) const {
    std::uint64_t h = static_cast<std::uint64_t>(k.interval) * 0x9E3779B97F4A7C15ull;
    for (std::int64_t v : {k.queue, k.channel, k.agent, k.version})
      h = (h ^ static_cast<std::uint64_t>(v)) * 0x100000001B3ull;
    return static_cast<std::size_t>(h ^ (h >> 29));
  }
};

struct CellValues {
  std::array<std::int64_t, kFieldCount> v{};
  metrics::Histogram waits;    // waits of handled offers
  metrics::Histogram handles;  // handle time (talk + hold + wrap) of completed legs

  void add(int field, std::int64_t x) {
    if (is_max_field(field)) {
      if (x > v[field]) v[field] = x;
    } else {
      v[field] += x;
    }
  }
  void merge(const CellValues& o) {
    for (int f = 0; f < kFieldCount; ++f) add(f, o.v[f]);
    waits.merge(o.waits);
    handles.merge(o.handles);
  }
};

// The fields as a blob of zigzag varints (count first).
std::string encode_fields(const std::array<std::int64_t, kFieldCount>& v);
Status decode_fields(std::string_view bytes, std::array<std::int64_t, kFieldCount>& v);

}  // namespace sb::reports
