#pragma once
// Executes one run that the catalog already marked running, from loading its analysis version to
// writing its final row: environment from the factory, ctx.metadata in and out, the sandbox, the
// result file and the log file. Workers use it for top-level runs, ctx.runAnalysis for nested ones.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "job_types.h"
#include "result_store.h"
#include "run_analysis_extension.h"
#include "run_registry.h"
#include "sandbox/script_compiler.h"
#include "sandbox/thread_pool.h"

namespace as::jobs {

// The reason recorded for runs a dead process left running (start-up recovery).
extern const char* const kAbandonedRunReason;

struct ExecutionContext {
  std::vector<std::string> callers;  // analyses above this run, top-level first; empty at top level
  std::optional<std::chrono::steady_clock::time_point> deadline;  // inherited from the caller
};

struct ExecutionResult {
  catalog::RunState state = catalog::RunState::Failed;
  std::string result_json;  // set when completed
  std::optional<std::string> error;
};

class RunExecutor {
 public:
  RunExecutor(catalog::Store& store, const ResultStore& results, RunRegistry& registry, RunEnvironmentFactory environment,
              std::size_t nested_pool_threads, std::chrono::milliseconds poll_interval, std::size_t cache_entries);
  RunExecutor(const RunExecutor&) = delete;
  RunExecutor& operator=(const RunExecutor&) = delete;
  ~RunExecutor();

  // Runs `run` (state running) to its end; records it and announces the end. Never throws for
  // a failing run: the failure is what gets recorded.
  ExecutionResult execute(const catalog::RunRecord& run, const ExecutionContext& context);
  // Called after every run's end is recorded (a pending run of its analysis may start now).
  void on_run_ended(std::function<void()> hook) { on_run_ended_ = std::move(hook); }

  // ctx.runAnalysis for a caller run: records the nested run, waits for the callee's turn (one
  // running run per analysis), executes it. Throws for an unknown analysis.
  NestedResult run_nested(const catalog::RunRecord& caller, const std::vector<std::string>& chain, const NestedCall& call,
                          std::stop_token caller_stop);

 private:
  struct Attempt;
  void attempt(const catalog::RunRecord& run, const ExecutionContext& context, LiveRun& live, Attempt& out);
  catalog::Analysis analysis_at_version(const catalog::RunRecord& run);
  // Host calls of a run at `depth` go to this pool. Nested runs occupy a thread of their
  // caller's pool while they run, so every depth has its own pool and a chain of nested runs
  // can never wait on itself for a thread.
  sandbox::ThreadPool& pool_for_depth(std::size_t depth);
  NestedRunner nested_runner(const catalog::RunRecord& caller, const std::vector<std::string>& chain);
  // Every ctx.runAnalysis closure holds a ticket until its last copy (the run's, or a queued or
  // running host call's) is gone; the destructor waits for all of them.
  std::shared_ptr<void> in_flight_ticket();

  catalog::Store& store_;
  const ResultStore& results_;
  RunRegistry& registry_;
  RunEnvironmentFactory environment_;
  std::size_t nested_pool_threads_;
  std::chrono::milliseconds poll_interval_;
  std::function<void()> on_run_ended_;
  sandbox::BytecodeCache cache_;  // one for the whole service
  std::mutex in_flight_mutex_;
  std::condition_variable in_flight_done_;
  std::size_t in_flight_ = 0;
  std::mutex pools_mutex_;
  // Last member: destroyed first, so nested runs still in flight finish while the rest exists.
  std::vector<std::unique_ptr<sandbox::ThreadPool>> nested_pools_;
};

}  // namespace as::jobs
