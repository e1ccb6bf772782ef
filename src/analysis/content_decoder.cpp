#include "analysis/content_decoder.hpp"

#include "analysis/text.hpp"

#include <algorithm>
#include <array>
#include <brotli/decode.h>
#include <zlib.h>
#include <zstd.h>

namespace warden::analysis {
namespace {

constexpr int kZstdWindowLogMax = 23;  // 8 MiB, as Chrome
constexpr std::size_t kStep = 16 * 1024;

class Inflate final : public ContentDecoder::Stage {
 public:
  // gzip: 15 + 16. deflate: zlib-wrapped (RFC 9110 §8.4.1.2), or raw (RFC 1951) as some servers
  // send it: the first two bytes tell which.
  explicit Inflate(bool gzip) {
    if (gzip) init(15 + 16);
  }
  ~Inflate() override {
    if (ready_) inflateEnd(&z_);
  }
  Inflate(const Inflate&) = delete;
  Inflate& operator=(const Inflate&) = delete;

  bool feed(std::string_view in, std::string& out, std::size_t room) override {
    if (!ready_) {
      head_.append(in);
      if (head_.size() < 2) return true;
      const auto b0 = static_cast<unsigned char>(head_[0]);
      const auto b1 = static_cast<unsigned char>(head_[1]);
      const bool zlib = (b0 & 0x0F) == 8 && (b0 >> 4) <= 7 && (b0 * 256 + b1) % 31 == 0;
      init(zlib ? 15 : -15);
      std::string first;
      first.swap(head_);
      return inflate_some(first, out, room);
    }
    return inflate_some(in, out, room);
  }

 private:
  void init(int window_bits) {
    z_ = {};
    inflateInit2(&z_, window_bits);
    ready_ = true;
  }

  bool inflate_some(std::string_view in, std::string& out, std::size_t room) {
    if (ended_) return true;  // bytes after the end of the stream are ignored, as browsers do
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z_.avail_in = static_cast<uInt>(in.size());
    while (room > 0) {
      // Straight into `out`'s tail: no step buffer to clear and copy from.
      const std::size_t step = std::min(kStep, room);
      const std::size_t base = out.size();
      out.resize(base + step);
      z_.next_out = reinterpret_cast<Bytef*>(out.data() + base);
      z_.avail_out = static_cast<uInt>(step);
      const int rc = inflate(&z_, Z_NO_FLUSH);
      const std::size_t n = step - z_.avail_out;
      out.resize(base + n);
      room -= n;
      if (rc == Z_STREAM_END) {
        ended_ = true;
        return true;
      }
      if (rc == Z_BUF_ERROR || (rc == Z_OK && z_.avail_in == 0 && z_.avail_out > 0)) return true;
      if (rc != Z_OK) return false;
    }
    return true;
  }

  z_stream z_{};
  bool ready_ = false;
  bool ended_ = false;
  std::string head_;  // deflate: the first bytes, until they tell zlib from raw
};

class Brotli final : public ContentDecoder::Stage {
 public:
  Brotli() : state_(BrotliDecoderCreateInstance(nullptr, nullptr, nullptr)) {}
  ~Brotli() override { BrotliDecoderDestroyInstance(state_); }
  Brotli(const Brotli&) = delete;
  Brotli& operator=(const Brotli&) = delete;

  bool feed(std::string_view in, std::string& out, std::size_t room) override {
    if (state_ == nullptr) return false;
    auto next_in = reinterpret_cast<const std::uint8_t*>(in.data());
    std::size_t avail_in = in.size();
    std::array<std::uint8_t, kStep> chunk{};
    while (room > 0) {
      std::uint8_t* next_out = chunk.data();
      std::size_t avail_out = std::min(chunk.size(), room);
      const std::size_t asked = avail_out;
      const auto rc = BrotliDecoderDecompressStream(state_, &avail_in, &next_in, &avail_out,
                                                    &next_out, nullptr);
      const std::size_t n = asked - avail_out;
      out.append(reinterpret_cast<const char*>(chunk.data()), n);
      room -= n;
      if (rc == BROTLI_DECODER_RESULT_ERROR) return false;
      if (rc == BROTLI_DECODER_RESULT_SUCCESS || rc == BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT)
        return true;
    }
    return true;
  }

 private:
  BrotliDecoderState* state_;
};

class Zstd final : public ContentDecoder::Stage {
 public:
  Zstd() : stream_(ZSTD_createDStream()) {
    if (stream_ != nullptr) ZSTD_DCtx_setParameter(stream_, ZSTD_d_windowLogMax, kZstdWindowLogMax);
  }
  ~Zstd() override { ZSTD_freeDStream(stream_); }
  Zstd(const Zstd&) = delete;
  Zstd& operator=(const Zstd&) = delete;

  bool feed(std::string_view in, std::string& out, std::size_t room) override {
    if (stream_ == nullptr) return false;
    ZSTD_inBuffer input{in.data(), in.size(), 0};
    std::array<char, kStep> chunk{};
    while (room > 0) {
      ZSTD_outBuffer output{chunk.data(), std::min(chunk.size(), room), 0};
      const std::size_t rc = ZSTD_decompressStream(stream_, &output, &input);
      if (ZSTD_isError(rc) != 0) return false;
      out.append(chunk.data(), output.pos);
      room -= output.pos;
      // All input taken and the output not filled: nothing more until the next piece.
      if (input.pos == input.size && output.pos < output.size) return true;
    }
    return true;
  }

 private:
  ZSTD_DStream* stream_;
};

}  // namespace

ContentDecoder ContentDecoder::make(std::string_view content_encoding, std::size_t max_output) {
  ContentDecoder d;
  d.max_output_ = max_output;
  std::vector<std::unique_ptr<Stage>> applied;  // in the order the server applied them
  while (!content_encoding.empty()) {
    const std::size_t comma = content_encoding.find(',');
    const std::string coding = ascii_lowered(trimmed(content_encoding.substr(0, comma)));
    content_encoding.remove_prefix(comma == std::string_view::npos ? content_encoding.size()
                                                                   : comma + 1);
    if (applied.size() == kMaxCodings) break;
    if (coding == "gzip" || coding == "x-gzip")
      applied.push_back(std::make_unique<Inflate>(true));
    else if (coding == "deflate")
      applied.push_back(std::make_unique<Inflate>(false));
    else if (coding == "br")
      applied.push_back(std::make_unique<Brotli>());
    else if (coding == "zstd")
      applied.push_back(std::make_unique<Zstd>());
    // (identity, and codings nobody knows: the bytes as they are)
  }
  d.stages_.assign(std::make_move_iterator(applied.rbegin()),
                   std::make_move_iterator(applied.rend()));
  return d;
}

bool ContentDecoder::feed(std::string_view in, std::string& out) {
  if (failed_) return false;
  if (stages_.empty()) {
    const std::size_t n = std::min(in.size(), max_output_ - produced_);
    out.append(in.substr(0, n));
    produced_ += n;
    return true;
  }
  // Each stage's output is the next one's input; the first reads `in` itself.
  std::string_view input = in;
  std::string a;
  std::string b;
  for (const auto& stage : stages_) {
    b.clear();
    // Inner stages may expand too: each is held to what is left of the cap.
    if (!stage->feed(input, b, max_output_ - produced_)) failed_ = true;
    std::swap(a, b);
    input = a;
    if (failed_ && a.empty()) return false;
  }
  produced_ += a.size();
  out.append(a);
  return !failed_;
}

}  // namespace warden::analysis
