#pragma once
// WAV files: prompts and music are read as 8 kHz mono 16-bit PCM; calls are recorded as 8 kHz
// stereo 16-bit PCM, the caller on the left channel and the agent on the right.

#include <cstdint>
#include <cstdio>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "base/status.h"

namespace sb::media {

inline constexpr std::uint32_t kSampleRate = 8000;

// Reads a RIFF/WAVE file of 16-bit PCM, 8000 Hz, one channel. Anything else is InvalidArgument
// with the file name and what was found (convert with `sox in.wav -r 8000 -c 1 -b 16 out.wav`).
Result<std::vector<std::int16_t>> read_wav_8k_mono(const std::string& path);

// Parses the same format from memory (what read_wav_8k_mono does after reading the file).
Result<std::vector<std::int16_t>> parse_wav_8k_mono(std::span<const std::uint8_t> bytes,
                                                    const std::string& name);

// A stereo recording fed by two independent packet streams. Samples of each side queue until
// the other side has caught up, so the two channels stay aligned; a side that falls more than
// `max_skew` samples behind (a muted phone that sends nothing, a lost stream) is padded with
// silence. While paused, both channels record silence so the timeline keeps its length.
class StereoRecorder {
 public:
  static Result<std::unique_ptr<StereoRecorder>> create(const std::string& path,
                                                        std::uint32_t max_skew = 4000);
  ~StereoRecorder();  // close()
  StereoRecorder(const StereoRecorder&) = delete;
  StereoRecorder& operator=(const StereoRecorder&) = delete;

  void push_left(std::span<const std::int16_t> samples);
  void push_right(std::span<const std::int16_t> samples);
  void set_paused(bool paused) { paused_ = paused; }
  bool paused() const { return paused_; }
  // Pads the shorter side, writes the header sizes and closes the file. Idempotent.
  Status close();

  const std::string& path() const { return path_; }
  std::uint64_t frames_written() const { return frames_; }

 private:
  // Samples reach the file in writes of this size (about a second of a call's stereo audio),
  // not one write per packet.
  static constexpr std::size_t kWriteBuffer = 32 * 1024;

  StereoRecorder(std::string path, std::unique_ptr<char[]> buffer, std::FILE* f,
                 std::uint32_t max_skew);
  void push(std::vector<std::int16_t>& mine, std::vector<std::int16_t>& other,
            std::span<const std::int16_t> samples, bool mine_is_left);
  // n frames of `first` on the left (or right) channel and `second` on the other; nullptr is
  // silence.
  void write_pairs(bool first_is_left, const std::int16_t* first, const std::int16_t* second,
                   std::size_t n);

  std::string path_;
  std::unique_ptr<char[]> buffer_;  // the file's stdio buffer (kWriteBuffer bytes)
  std::FILE* file_;
  std::uint32_t max_skew_;
  bool paused_ = false;
  std::vector<std::int16_t> left_;
  std::vector<std::int16_t> right_;
  std::vector<std::int16_t> interleaved_;
  std::uint64_t frames_ = 0;
  bool write_error_ = false;
};

}  // namespace sb::media
