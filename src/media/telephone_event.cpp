#include "media/telephone_event.h"

namespace sb::media {

std::optional<TelephoneEvent> parse_telephone_event(std::span<const std::uint8_t> p) {
  if (p.size() < 4) return std::nullopt;
  TelephoneEvent e;
  e.event = p[0];
  e.end = (p[1] & 0x80) != 0;
  e.volume = p[1] & 0x3f;
  e.duration = static_cast<std::uint16_t>((p[2] << 8) | p[3]);
  return e;
}

char event_digit(std::uint8_t event) {
  static constexpr char kDigits[] = "0123456789*#ABCD";
  return event < 16 ? kDigits[event] : '\0';
}

std::optional<char> DtmfReceiver::on_packet(std::uint32_t ts, std::span<const std::uint8_t> p) {
  auto e = parse_telephone_event(p);
  if (!e) return std::nullopt;
  // Same event: same timestamp and code, and not a fresh start after an end (senders such as
  // SIPp restart their timestamps with each burst of digits, so a timestamp alone can repeat).
  const bool same = last_timestamp_ && *last_timestamp_ == ts && last_event_ == e->event &&
                    !(last_ended_ && !e->end);
  last_timestamp_ = ts;
  last_event_ = e->event;
  last_ended_ = e->end;
  if (same) return std::nullopt;
  const char d = event_digit(e->event);
  if (d == '\0') return std::nullopt;
  return d;
}

}  // namespace sb::media
