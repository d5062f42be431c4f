#include "media/mixer.h"

#include <algorithm>
#include <limits>

#include "media/prompts.h"

namespace sb::media {

void mix_saturating(std::span<const std::int16_t> a, std::span<const std::int16_t> b,
                    std::int16_t* out) {
  constexpr int kMin = std::numeric_limits<std::int16_t>::min();
  constexpr int kMax = std::numeric_limits<std::int16_t>::max();
  for (std::size_t i = 0; i < a.size(); ++i)
    out[i] = static_cast<std::int16_t>(std::clamp(int{a[i]} + int{b[i]}, kMin, kMax));
}

void MonitorMix::push(Side side, Codec codec, std::span<const std::uint8_t> payload) {
  std::int16_t pcm[kFrameSamples * 4];
  auto& q = queues_[side];
  while (!payload.empty()) {
    const std::size_t n = std::min(payload.size(), std::size(pcm));
    decode(codec, payload.first(n), pcm);
    q.insert(q.end(), pcm, pcm + n);
    payload = payload.subspan(n);
  }
  if (q.size() > kMaxQueued)
    q.erase(q.begin(), q.begin() + static_cast<std::ptrdiff_t>(q.size() - kMaxQueued));
}

void MonitorMix::next_frame(Codec codec, std::uint8_t* out) {
  std::array<std::array<std::int16_t, kFrameSamples>, 2> frames{};
  for (std::size_t s = 0; s < 2; ++s) {
    auto& q = queues_[s];
    const std::size_t n = std::min(q.size(), kFrameSamples);
    std::copy_n(q.begin(), n, frames[s].begin());
    q.erase(q.begin(), q.begin() + static_cast<std::ptrdiff_t>(n));
  }
  std::array<std::int16_t, kFrameSamples> mixed{};
  mix_saturating(frames[0], frames[1], mixed.data());
  encode(codec, mixed, out);
}

}  // namespace sb::media
