// limits_for_analysis: the `execution` block of an analysis's metadata sets its run limits.
#include <gtest/gtest.h>

#include "jobs/analysis_limits.h"

namespace as::jobs {
namespace {

TEST(JobsLimits, DefaultsWithoutAnExecutionBlock) {
  sandbox::RunLimits defaults;
  for (const char* metadata : {"{}", "not json", R"({"execution": 5})", R"({"execution": {"timeout_ms": "soon"}})"}) {
    sandbox::RunLimits limits = limits_for_analysis(metadata);
    EXPECT_EQ(limits.timeout, defaults.timeout) << metadata;
    EXPECT_EQ(limits.memory_bytes, defaults.memory_bytes) << metadata;
  }
}

TEST(JobsLimits, ExecutionBlockSetsTimeoutAndMemory) {
  sandbox::RunLimits limits = limits_for_analysis(R"({"execution": {"timeout_ms": 300000, "memory_limit_mb": 512}})");
  EXPECT_EQ(limits.timeout, std::chrono::milliseconds(300000));
  EXPECT_EQ(limits.memory_bytes, std::size_t{512} << 20);
  EXPECT_EQ(limits.max_result_bytes, sandbox::RunLimits{}.max_result_bytes) << "the result limit is the product's, not the analysis's";
}

TEST(JobsLimits, RequestsAreCapped) {
  sandbox::RunLimits limits = limits_for_analysis(R"({"execution": {"timeout_ms": 999999999999, "memory_limit_mb": 10000000}})");
  EXPECT_EQ(limits.timeout, std::chrono::milliseconds(kMaxTimeoutMs));
  EXPECT_EQ(limits.memory_bytes, static_cast<std::size_t>(kMaxMemoryMb) << 20);
}

}  // namespace
}  // namespace as::jobs
