#pragma once
// Time in Switchboard is integer milliseconds since the Unix epoch (UTC). Durations are integer
// milliseconds too. Nothing outside runtime/ reads the wall clock: time is injected via Clock.

#include <cstdint>

namespace sb {

using Millis = std::int64_t;

constexpr Millis kMillisPerSecond = 1000;
constexpr Millis kMillisPerMinute = 60 * kMillisPerSecond;
constexpr Millis kMillisPerHour = 60 * kMillisPerMinute;
constexpr Millis kMillisPerDay = 24 * kMillisPerHour;
constexpr Millis kNever = INT64_MAX;

constexpr Millis seconds(double s) { return static_cast<Millis>(s * 1000.0); }

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Millis now() const = 0;
};

// A clock that moves only when told to: tests, the simulator and replay.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(Millis start = 0) : now_(start) {}
  Millis now() const override { return now_; }
  void set(Millis t) { now_ = t; }
  void advance(Millis d) { now_ += d; }

 private:
  Millis now_;
};

}  // namespace sb
