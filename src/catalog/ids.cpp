#include "ids.h"

#include <chrono>
#include <cstdint>
#include <random>

#include <fmt/format.h>

#include "sandbox/value.h"

namespace as::catalog {

std::string new_uuid() {
  thread_local std::mt19937_64 random{std::random_device{}()};
  auto ms = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  std::uint64_t high = (ms << 16) | 0x7000u | (random() & 0x0fffu);              // 48-bit time, version 7, 12 random bits
  std::uint64_t low = (random() & 0x3fffffffffffffffull) | 0x8000000000000000ull;  // variant 10, 62 random bits
  return fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", high >> 32, (high >> 16) & 0xffff, high & 0xffff, low >> 48,
                     low & 0xffffffffffffull);
}

std::string now_iso8601() {
  auto now = std::chrono::system_clock::now().time_since_epoch();
  return iso8601_utc(static_cast<double>(std::chrono::duration_cast<std::chrono::milliseconds>(now).count()));
}

}  // namespace as::catalog
