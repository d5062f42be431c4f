#pragma once
// Text to speech for flow prompts without a recording: espeak-ng (Debian `espeak-ng`) speaks the
// text and sox converts it to the 8 kHz mono 16-bit PCM that prompts are made of — the same tools
// that generate the built-in prompt set at build time. Runs the two programs as child processes
// (no shell: the text is one argv entry); takes ~0.2 s per sentence, so callers run it off the
// SIP thread and cache the result (SpeechCache).

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "base/status.h"
#include "media/prompts.h"

namespace sb::voice {

// The text spoken as a prompt named `name`. Unavailable when espeak-ng or sox is missing or fails.
Result<media::Prompt> synthesize_speech(const std::string& text, const std::string& name);

// Synthesized prompts by text (thread-safe). A text that failed once is not tried again (the
// failure is remembered and returned). Holds at most `capacity` texts; beyond that the cache is
// emptied (prompt texts of flows are few; dynamic texts with attributes are the churn).
class SpeechCache {
 public:
  explicit SpeechCache(std::size_t capacity = 4096) : capacity_(capacity) {}
  // The cached prompt, or nullptr when the text was never synthesized.
  std::shared_ptr<const media::Prompt> find(const std::string& text) const;
  bool failed(const std::string& text) const;
  // Synthesizes (unless cached) and stores the result; blocking.
  Result<std::shared_ptr<const media::Prompt>> get_or_synthesize(const std::string& text);

 private:
  const std::size_t capacity_;
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<const media::Prompt>, std::less<>> prompts_;
  std::map<std::string, Status, std::less<>> failures_;
  std::size_t next_name_ = 1;
};

}  // namespace sb::voice
