#pragma once
// zstd in and out of memory, with RAII for libzstd's contexts.
#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

namespace as::jobs {

class ZstdError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

std::string zstd_compress(std::string_view data, int level = 3);
// Refuses output larger than `max_bytes` (a damaged or foreign file must not exhaust memory).
std::string zstd_decompress(std::string_view compressed, std::size_t max_bytes);

}  // namespace as::jobs
