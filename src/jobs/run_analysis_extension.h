#pragma once
// ctx.runAnalysis(name, params): runs another analysis of the same project inline and resolves
// to { success, result, error, run_id }. The callee gets a fresh runtime, the caller's deadline
// and stop switch, and its own extensions (so only its own datasources). Rules (docs/jobs.md):
//  - the callee must be listed in the caller's dependencies.analyses;
//  - no cycles: a run cannot call an analysis already on its call chain (a → b → a);
//  - at most kMaxNestingDepth nested levels below the top-level run.
// A call that breaks a rule, or names no analysis, rejects; a callee that ran and failed
// resolves with success: false.
#include <chrono>
#include <functional>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "sandbox/run_scope.h"
#include "sandbox/value.h"

namespace as::jobs {

constexpr std::size_t kMaxNestingDepth = 10;

struct NestedCall {
  std::string analysis;  // the callee's name, in the caller's project
  Value params;          // an object
  std::chrono::steady_clock::time_point deadline;  // the caller's
};

struct NestedResult {
  bool success = false;
  std::optional<std::string> result_json;
  std::optional<std::string> error;
  std::optional<std::string> run_id;  // the nested run's row
};

// Runs on a pool thread. `stop` fires when the caller is cancelled, times out or ends. Throwing
// rejects the JS promise with the exception's message.
using NestedRunner = std::function<NestedResult(const NestedCall& call, std::stop_token stop)>;

struct CallerInfo {
  std::vector<std::string> chain;     // analyses from the top-level run down to the caller
  std::vector<std::string> declared;  // the caller's dependencies.analyses
};

// The names in metadata JSON's dependencies.analyses (none when absent); invalid_argument when
// the JSON is malformed or the member is not an array of strings.
std::vector<std::string> declared_analyses(const std::string& metadata_json);

class RunAnalysisExtension : public sandbox::ContextExtension {
 public:
  RunAnalysisExtension(CallerInfo caller, NestedRunner runner);

  bool install(sandbox::RunScope& scope, JSValueConst ctx_object) override;

  // Why calling `callee` is refused, or nothing when it may go ahead.
  std::optional<std::string> refusal(const std::string& callee) const;

 private:
  CallerInfo caller_;
  NestedRunner runner_;
};

}  // namespace as::jobs
