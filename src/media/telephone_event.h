#pragma once
// RFC 4733 telephone-events (DTMF carried in RTP). The payload type is whatever the SDP
// negotiated for "telephone-event/8000" (SIPp uses 96, most phones 101); callers pass only the
// packets of that type here.

#include <cstdint>
#include <optional>
#include <span>

namespace sb::media {

struct TelephoneEvent {
  std::uint8_t event = 0;  // 0-9, 10 = '*', 11 = '#', 12-15 = A-D
  bool end = false;
  std::uint8_t volume = 0;
  std::uint16_t duration = 0;  // in timestamp units
};

// nullopt for a payload shorter than the 4-byte event block.
std::optional<TelephoneEvent> parse_telephone_event(std::span<const std::uint8_t> payload);

// '0'-'9', '*', '#', 'A'-'D', or '\0' for events that are not DTMF digits.
char event_digit(std::uint8_t event);

// Turns the stream of event packets into digits: one digit per event, however many packets
// (start, updates and the three end retransmissions) carry it. Events are told apart by their
// RTP timestamp, which stays the same for all packets of one event, by the event code, and by a
// start (no end bit) after an end (a new event that reuses a timestamp).
class DtmfReceiver {
 public:
  // The digit, once, on the first packet of a new event.
  std::optional<char> on_packet(std::uint32_t rtp_timestamp, std::span<const std::uint8_t> payload);

 private:
  std::optional<std::uint32_t> last_timestamp_;
  std::uint8_t last_event_ = 0;
  bool last_ended_ = false;
};

}  // namespace sb::media
