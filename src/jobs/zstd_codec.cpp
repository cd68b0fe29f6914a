#include "zstd_codec.h"

#include <zstd.h>

#include <memory>

#include <fmt/format.h>

namespace as::jobs {
namespace {

struct CompressContextFree {
  void operator()(ZSTD_CCtx* context) const { ZSTD_freeCCtx(context); }
};
struct DecompressStreamFree {
  void operator()(ZSTD_DStream* stream) const { ZSTD_freeDStream(stream); }
};

}  // namespace

std::string zstd_compress(std::string_view data, int level) {
  std::unique_ptr<ZSTD_CCtx, CompressContextFree> context(ZSTD_createCCtx());
  if (!context) throw ZstdError("zstd: out of memory creating a compression context");
  std::string out(ZSTD_compressBound(data.size()), '\0');
  std::size_t written = ZSTD_compressCCtx(context.get(), out.data(), out.size(), data.data(), data.size(), level);
  if (ZSTD_isError(written)) throw ZstdError(fmt::format("zstd compression failed: {}", ZSTD_getErrorName(written)));
  out.resize(written);
  return out;
}

std::string zstd_decompress(std::string_view compressed, std::size_t max_bytes) {
  // Streaming, so frames without a recorded content size work too and the cap holds while
  // decoding rather than after.
  std::unique_ptr<ZSTD_DStream, DecompressStreamFree> stream(ZSTD_createDStream());
  if (!stream) throw ZstdError("zstd: out of memory creating a decompression stream");
  ZSTD_initDStream(stream.get());
  std::string out;
  std::string chunk(ZSTD_DStreamOutSize(), '\0');
  ZSTD_inBuffer input{compressed.data(), compressed.size(), 0};
  std::size_t last = 1;
  while (input.pos < input.size || last != 0) {
    ZSTD_outBuffer output{chunk.data(), chunk.size(), 0};
    last = ZSTD_decompressStream(stream.get(), &output, &input);
    if (ZSTD_isError(last)) throw ZstdError(fmt::format("zstd data is damaged: {}", ZSTD_getErrorName(last)));
    if (out.size() + output.pos > max_bytes) {
      throw ZstdError(fmt::format("zstd data decompresses to more than {} bytes, the most expected here", max_bytes));
    }
    out.append(chunk.data(), output.pos);
    if (input.pos == input.size && output.pos < output.size && last != 0) {
      throw ZstdError("zstd data is truncated: the frame ends early");
    }
  }
  return out;
}

}  // namespace as::jobs
