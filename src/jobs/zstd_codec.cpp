#include "zstd_codec.h"

#include <zstd.h>

#include <memory>

#include <fmt/format.h>

namespace as::jobs {
namespace {

struct CompressContextFree {
  void operator()(ZSTD_CCtx* context) const { ZSTD_freeCCtx(context); }
};
struct DecompressContextFree {
  void operator()(ZSTD_DCtx* context) const { ZSTD_freeDCtx(context); }
};

// Contexts hold megabytes of tables; making one per call cost more than compressing a small
// result. Each thread keeps one of each (workers and pool threads are long-lived).
ZSTD_CCtx& compress_context() {
  thread_local std::unique_ptr<ZSTD_CCtx, CompressContextFree> context(ZSTD_createCCtx());
  if (!context) throw ZstdError("zstd: out of memory creating a compression context");
  return *context;
}

ZSTD_DCtx& decompress_context() {
  thread_local std::unique_ptr<ZSTD_DCtx, DecompressContextFree> context(ZSTD_createDCtx());
  if (!context) throw ZstdError("zstd: out of memory creating a decompression context");
  ZSTD_DCtx_reset(context.get(), ZSTD_reset_session_only);
  return *context;
}

[[noreturn]] void throw_damaged(std::size_t code) {
  throw ZstdError(fmt::format("zstd data is damaged: {}", ZSTD_getErrorName(code)));
}

}  // namespace

std::string zstd_compress(std::string_view data, int level) {
  std::string out(ZSTD_compressBound(data.size()), '\0');
  std::size_t written = ZSTD_compressCCtx(&compress_context(), out.data(), out.size(), data.data(), data.size(), level);
  if (ZSTD_isError(written)) throw ZstdError(fmt::format("zstd compression failed: {}", ZSTD_getErrorName(written)));
  out.resize(written);
  return out;
}

std::string zstd_decompress(std::string_view compressed, std::size_t max_bytes) {
  ZSTD_DCtx& context = decompress_context();
  unsigned long long recorded = ZSTD_getFrameContentSize(compressed.data(), compressed.size());
  if (recorded == ZSTD_CONTENTSIZE_ERROR) throw ZstdError("zstd data is damaged: it does not start with a zstd frame");
  if (recorded != ZSTD_CONTENTSIZE_UNKNOWN && ZSTD_findFrameCompressedSize(compressed.data(), compressed.size()) == compressed.size()) {
    // One frame that says how large it is (what zstd_compress writes): decode in one step.
    if (recorded > max_bytes) {
      throw ZstdError(fmt::format("zstd data decompresses to more than {} bytes, the most expected here", max_bytes));
    }
    std::string out(static_cast<std::size_t>(recorded), '\0');
    std::size_t written = ZSTD_decompressDCtx(&context, out.data(), out.size(), compressed.data(), compressed.size());
    if (ZSTD_isError(written)) throw_damaged(written);
    out.resize(written);
    return out;
  }
  // Otherwise stream, so the cap holds while decoding rather than after.
  ZSTD_DCtx* stream = &context;
  std::string out;
  std::string chunk(ZSTD_DStreamOutSize(), '\0');
  ZSTD_inBuffer input{compressed.data(), compressed.size(), 0};
  std::size_t last = 1;
  while (input.pos < input.size || last != 0) {
    ZSTD_outBuffer output{chunk.data(), chunk.size(), 0};
    last = ZSTD_decompressStream(stream, &output, &input);
    if (ZSTD_isError(last)) throw_damaged(last);
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
