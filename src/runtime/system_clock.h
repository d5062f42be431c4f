#pragma once
// The real clock and the OS entropy source. This is the only component allowed to read them
// (scripts/lint enforces it); everything else receives a Clock or a seed.

#include <cstdint>

#include "base/time.h"

namespace sb::runtime {

// Wall-clock time in milliseconds since the Unix epoch.
class SystemClock final : public Clock {
 public:
  Millis now() const override;
};

// A seed from the operating system's entropy source, for hosts that want a fresh seed (a live
// demo); simulations take an explicit seed so that runs can be reproduced.
std::uint64_t entropy_seed();

}  // namespace sb::runtime
