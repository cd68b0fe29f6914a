#include "limits.h"

#include <fmt/format.h>

namespace as::sandbox {

std::string describe_bytes(std::size_t bytes) {
  if (bytes >= (1u << 20) && bytes % (1u << 20) == 0) return fmt::format("{} MB", bytes >> 20);
  if (bytes >= (1u << 10) && bytes % (1u << 10) == 0) return fmt::format("{} KB", bytes >> 10);
  return fmt::format("{} bytes", bytes);
}

}  // namespace as::sandbox
