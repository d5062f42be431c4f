#pragma once
// Listen-only monitoring (a supervisor listening in on a call): the two directions of a call leg,
// what its phone sends and what it hears, mixed into one G.711 stream for a third phone.

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <span>

#include "media/g711.h"

namespace sb::media {

// out[i] = a[i] + b[i], clipped to the 16-bit range instead of wrapping around. `out` holds
// a.size() samples; b must be as long as a.
void mix_saturating(std::span<const std::int16_t> a, std::span<const std::int16_t> b,
                    std::int16_t* out);

// Both directions of a leg, each queued as it arrives (packets come at their own pace), and
// taken out one 20 ms frame at a time on the playout clock: decode, sum with saturation, encode.
class MonitorMix {
 public:
  enum Side : std::uint8_t { kHeard = 0, kSpoken = 1 };
  // A side never queues more than this (200 ms): older samples give way, so that a side that
  // runs fast cannot delay the mix without bound.
  static constexpr std::size_t kMaxQueued = 1600;

  void push(Side side, Codec codec, std::span<const std::uint8_t> payload);
  // kFrameSamples codes in `codec`; a side with fewer samples queued is padded with silence.
  void next_frame(Codec codec, std::uint8_t* out);
  std::size_t queued(Side side) const { return queues_[side].size(); }

 private:
  std::array<std::deque<std::int16_t>, 2> queues_;
};

}  // namespace sb::media
