#pragma once
// Per-run resource limits. Defaults come from the spec's security model; every one is
// configurable per run (CLI flags, later the config file).
#include <chrono>
#include <cstddef>
#include <string>

namespace as::sandbox {

struct RunLimits {
  std::size_t memory_bytes = 256u << 20;          // JS heap of the run (spec: 256 MB)
  std::chrono::milliseconds timeout{30'000};      // wall time of the whole run (spec: 30 s)
  std::size_t stack_bytes = 1u << 20;              // JS stack depth budget
  std::size_t max_log_lines = 10'000;              // ctx.log / ctx.error entries kept
  std::size_t max_log_bytes = 1u << 20;            // bytes of log text kept
  std::size_t max_result_bytes = 10u << 20;        // JSON size of the result (spec: 10 MB)
};

// Human form of a byte count for error messages: "256 MB", "512 KB", "100 bytes".
std::string describe_bytes(std::size_t bytes);

}  // namespace as::sandbox
