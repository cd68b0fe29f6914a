#pragma once
// Runs one analysis in a fresh QuickJS-ng runtime and context, under the run's limits.
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "limits.h"
#include "log_buffer.h"
#include "run_scope.h"
#include "script_compiler.h"
#include "thread_pool.h"
#include "value.h"

namespace as::sandbox {

struct RunRequest {
  std::string source;                       // the analysis module text
  std::string filename = "analysis.js";     // shown in stacks and error locations
  Value params = ValueObject{};             // second argument of run(ctx, params)
  RunLimits limits;
  std::stop_token cancel;                   // request_stop() on its source cancels the run
  std::map<std::string, Value> metadata;    // what ctx.metadata holds when the run starts
  LogBuffer::Listener on_log;               // sees every log line as it is written
  std::vector<std::shared_ptr<ContextExtension>> extensions;
  BytecodeCache* cache = nullptr;           // nullptr compiles every time
  ThreadPool* pool = nullptr;               // nullptr uses ThreadPool::shared()
  // Set: call parameters[options_of].options(ctx, params) instead of run(ctx, params); the
  // result must then be an array (the options of a select parameter, grouped or not).
  std::optional<std::string> options_of;
};

enum class RunStatus { Completed, Failed, Cancelled };
enum class FailureKind {
  Script,     // syntax error, thrown exception, wrong shape or result type
  Limit,      // a RunLimits value was exceeded; `limit` names it
  Cancelled,  // stopped from outside
  Internal,   // the sandbox itself failed (out of host memory, ...)
};

struct RunFailure {
  FailureKind kind = FailureKind::Script;
  std::string limit;    // "timeout_ms", "memory_bytes", "stack_bytes", "max_result_bytes" for Limit
  std::string message;  // one line that names the problem (and the limit's value)
  std::string stack;    // JS stack when there is one
  int line = 0;         // 1-based location in the analysis, 0 when unknown
  int column = 0;
};

struct RunStats {
  double compile_ms = 0;        // 0 when the bytecode came from the cache
  double total_ms = 0;          // runtime creation to teardown
  std::size_t peak_memory_bytes = 0;  // peak of the run's JS heap
  std::size_t result_bytes = 0;       // size of result_json
};

struct RunOutcome {
  RunStatus status = RunStatus::Failed;
  std::string result_json;              // set when Completed
  std::optional<RunFailure> failure;    // set unless Completed
  std::vector<LogEntry> logs;
  bool logs_truncated = false;
  std::map<std::string, Value> metadata;  // ctx.metadata at the end of the run
  RunStats stats;
};

RunOutcome run_analysis(const RunRequest& request);

// Loads the analysis module exactly as run_analysis does (fresh runtime, the request's limits,
// lockdown, top-level code and top-level await run) and hands its default export (undefined
// when there is none) to `inspector` on the sandbox thread. `run` is never called and no ctx
// exists, so nothing can reach a datasource. The outcome is Completed with an empty
// result_json, or Failed when compiling or evaluating the module failed or a limit was hit
// (also while the inspector was reading the export: its getters run under the same limits).
using ExportInspector = std::function<void(JSContext* ctx, JSValueConst default_export)>;
RunOutcome inspect_default_export(const RunRequest& request, const ExportInspector& inspector);

const char* to_string(RunStatus status);
const char* to_string(FailureKind kind);

}  // namespace as::sandbox
