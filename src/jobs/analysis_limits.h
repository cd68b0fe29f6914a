#pragma once
// The limits a run of an analysis gets: the spec's defaults, or what the analysis asks for in
// its `execution` block ({ timeout_ms, memory_limit_mb }, stored in its metadata by
// validation), capped so one analysis cannot take the machine (docs/jobs.md, "Limits").
#include <string_view>

#include "sandbox/limits.h"

namespace as::jobs {

inline constexpr long long kMaxTimeoutMs = 6LL * 60 * 60 * 1000;  // 6 hours
inline constexpr long long kMaxMemoryMb = 16 * 1024;              // 16 GiB of JS heap

sandbox::RunLimits limits_for_analysis(std::string_view metadata_json);

}  // namespace as::jobs
