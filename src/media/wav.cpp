#include "media/wav.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>

namespace sb::media {
namespace {

std::uint32_t le32(const std::uint8_t* p) {
  return static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
         (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}
std::uint16_t le16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] | (p[1] << 8)); }
void put32(std::uint8_t* p, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}
void put16(std::uint8_t* p, std::uint16_t v) {
  p[0] = static_cast<std::uint8_t>(v);
  p[1] = static_cast<std::uint8_t>(v >> 8);
}

constexpr std::size_t kHeaderSize = 44;

void stereo_header(std::uint8_t* h, std::uint32_t data_bytes) {
  std::memcpy(h, "RIFF", 4);
  put32(h + 4, 36 + data_bytes);
  std::memcpy(h + 8, "WAVEfmt ", 8);
  put32(h + 16, 16);
  put16(h + 20, 1);  // PCM
  put16(h + 22, 2);  // channels
  put32(h + 24, kSampleRate);
  put32(h + 28, kSampleRate * 4);
  put16(h + 32, 4);
  put16(h + 34, 16);
  std::memcpy(h + 36, "data", 4);
  put32(h + 40, data_bytes);
}

}  // namespace

Result<std::vector<std::int16_t>> parse_wav_8k_mono(std::span<const std::uint8_t> b,
                                                    const std::string& name) {
  if (b.size() < 12 || std::memcmp(b.data(), "RIFF", 4) != 0 ||
      std::memcmp(b.data() + 8, "WAVE", 4) != 0)
    return Status::invalid_argument(name + ": not a RIFF/WAVE file");
  std::size_t pos = 12;
  bool have_fmt = false;
  while (pos + 8 <= b.size()) {
    const std::uint8_t* chunk = b.data() + pos;
    const std::uint32_t size = le32(chunk + 4);
    const std::size_t body = pos + 8;
    if (size > b.size() - body)
      return Status::invalid_argument(name + ": chunk at byte " + std::to_string(pos) +
                                      " runs past the end of the file");
    if (std::memcmp(chunk, "fmt ", 4) == 0) {
      if (size < 16) return Status::invalid_argument(name + ": fmt chunk too short");
      const std::uint16_t format = le16(b.data() + body);
      const std::uint16_t channels = le16(b.data() + body + 2);
      const std::uint32_t rate = le32(b.data() + body + 4);
      const std::uint16_t bits = le16(b.data() + body + 14);
      if ((format != 1 && format != 0xfffe) || channels != 1 || rate != kSampleRate || bits != 16)
        return Status::invalid_argument(name + ": need 16-bit PCM, 8000 Hz, mono; found format " +
                                        std::to_string(format) + ", " + std::to_string(bits) +
                                        "-bit, " + std::to_string(rate) + " Hz, " +
                                        std::to_string(channels) + " channel(s)");
      have_fmt = true;
    } else if (std::memcmp(chunk, "data", 4) == 0) {
      if (!have_fmt) return Status::invalid_argument(name + ": data chunk before fmt chunk");
      std::vector<std::int16_t> samples(size / 2);
      for (std::size_t i = 0; i < samples.size(); ++i)
        samples[i] = static_cast<std::int16_t>(le16(b.data() + body + 2 * i));
      return samples;
    }
    pos = body + size + (size & 1);
  }
  return Status::invalid_argument(name + ": no data chunk");
}

Result<std::vector<std::int16_t>> read_wav_8k_mono(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::not_found("cannot open " + path);
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                  std::istreambuf_iterator<char>());
  return parse_wav_8k_mono(bytes, path);
}

StereoRecorder::StereoRecorder(std::string path, std::unique_ptr<char[]> buffer, std::FILE* f,
                               std::uint32_t max_skew)
    : path_(std::move(path)), buffer_(std::move(buffer)), file_(f), max_skew_(max_skew) {}

Result<std::unique_ptr<StereoRecorder>> StereoRecorder::create(const std::string& path,
                                                               std::uint32_t max_skew) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr)
    return Status::io_error("cannot create recording " + path + ": " + std::strerror(errno));
  std::unique_ptr<char[]> buffer(new char[kWriteBuffer]);
  if (std::setvbuf(f, buffer.get(), _IOFBF, kWriteBuffer) != 0) {
    std::fclose(f);
    return Status::io_error("cannot buffer recording " + path);
  }
  std::uint8_t header[kHeaderSize];
  stereo_header(header, 0);
  if (std::fwrite(header, 1, kHeaderSize, f) != kHeaderSize) {
    std::fclose(f);
    return Status::io_error("cannot write recording " + path);
  }
  return std::unique_ptr<StereoRecorder>(new StereoRecorder(path, std::move(buffer), f, max_skew));
}

StereoRecorder::~StereoRecorder() { (void)close(); }

void StereoRecorder::push_left(std::span<const std::int16_t> s) { push(left_, right_, s, true); }
void StereoRecorder::push_right(std::span<const std::int16_t> s) { push(right_, left_, s, false); }

// At most one side has samples waiting (those the other side has not matched yet): new samples
// first pair with the other side's waiting ones, straight into the file, and only the rest wait.
void StereoRecorder::push(std::vector<std::int16_t>& mine, std::vector<std::int16_t>& other,
                          std::span<const std::int16_t> samples, bool mine_is_left) {
  if (file_ == nullptr) return;
  const std::int16_t* in = paused_ ? nullptr : samples.data();  // nullptr: silence
  const std::size_t k = std::min(samples.size(), other.size());
  if (k > 0) {
    write_pairs(mine_is_left, in, other.data(), k);
    other.erase(other.begin(), other.begin() + static_cast<std::ptrdiff_t>(k));
  }
  if (in == nullptr) {
    mine.insert(mine.end(), samples.size() - k, 0);
  } else {
    mine.insert(mine.end(), samples.begin() + static_cast<std::ptrdiff_t>(k), samples.end());
  }
  // Too far ahead of the other side (which has nothing waiting when this side has): what
  // exceeds the skew goes out against silence.
  if (mine.size() > max_skew_) {
    const std::size_t n = mine.size() - max_skew_;
    write_pairs(mine_is_left, mine.data(), nullptr, n);
    mine.erase(mine.begin(), mine.begin() + static_cast<std::ptrdiff_t>(n));
  }
}

void StereoRecorder::write_pairs(bool first_is_left, const std::int16_t* first,
                                 const std::int16_t* second, std::size_t n) {
  interleaved_.resize(2 * n);
  std::int16_t* out = interleaved_.data();
  const std::int16_t* left = first_is_left ? first : second;
  const std::int16_t* right = first_is_left ? second : first;
  for (std::size_t i = 0; i < n; ++i) {
    out[2 * i] = left != nullptr ? left[i] : 0;
    out[2 * i + 1] = right != nullptr ? right[i] : 0;
  }
  // The format is little-endian, as are the machines this runs on (x86-64, arm64).
  if (!write_error_ && std::fwrite(out, sizeof(std::int16_t), 2 * n, file_) != 2 * n)
    write_error_ = true;
  frames_ += n;
}

Status StereoRecorder::close() {
  if (file_ == nullptr) return Status::ok_status();
  // One side at most has samples left: they go out against silence.
  if (!left_.empty()) write_pairs(true, left_.data(), nullptr, left_.size());
  if (!right_.empty()) write_pairs(false, right_.data(), nullptr, right_.size());
  left_.clear();
  right_.clear();
  std::uint8_t header[kHeaderSize];
  const std::uint64_t bytes = frames_ * 4;
  stereo_header(header, static_cast<std::uint32_t>(std::min<std::uint64_t>(bytes, 0xffffffd0u)));
  bool ok = !write_error_ && std::fseek(file_, 0, SEEK_SET) == 0 &&
            std::fwrite(header, 1, kHeaderSize, file_) == kHeaderSize;
  ok = std::fclose(file_) == 0 && ok;
  file_ = nullptr;
  if (!ok) return Status::io_error("writing recording " + path_ + " failed");
  return Status::ok_status();
}

}  // namespace sb::media
