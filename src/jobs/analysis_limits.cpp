#include "analysis_limits.h"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace as::jobs {

sandbox::RunLimits limits_for_analysis(std::string_view metadata_json) {
  sandbox::RunLimits limits;
  auto metadata = nlohmann::json::parse(metadata_json, nullptr, false);
  if (!metadata.is_object() || !metadata.contains("execution") || !metadata["execution"].is_object()) return limits;
  const auto& execution = metadata["execution"];
  if (auto timeout = execution.find("timeout_ms"); timeout != execution.end() && timeout->is_number_integer()) {
    limits.timeout = std::chrono::milliseconds(std::clamp(timeout->get<long long>(), 1LL, kMaxTimeoutMs));
  }
  if (auto memory = execution.find("memory_limit_mb"); memory != execution.end() && memory->is_number_integer()) {
    limits.memory_bytes = static_cast<std::size_t>(std::clamp(memory->get<long long>(), 1LL, kMaxMemoryMb)) << 20;
  }
  return limits;
}

}  // namespace as::jobs
