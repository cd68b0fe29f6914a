#include "run_executor.h"

#include <algorithm>
#include <iostream>
#include <limits>

#include <fmt/format.h>

#include "catalog/ids.h"
#include "result_preview.h"
#include "run_parameters.h"
#include "sandbox/sandbox.h"

namespace as::jobs {

const char* const kAbandonedRunReason =
    "the server stopped while this run was running (its process ended before the run did; found at start-up). Run it again.";

namespace {

using catalog::RunState;
using Clock = std::chrono::steady_clock;

std::int64_t elapsed_ms(Clock::time_point since) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - since).count();
}

// The failure as one line, with where in the analysis it happened when that is known.
std::string describe_failure(const sandbox::RunFailure& failure, const std::string& filename) {
  std::string location = fmt::format("{}:{}:{}", filename, failure.line, failure.column);
  if (failure.line > 0 && failure.message.find(location) == std::string::npos) return fmt::format("{} ({})", failure.message, location);
  return failure.message;
}

std::string cancelled_message(StopCause cause) {
  switch (cause) {
    case StopCause::CallerStopped: return "the calling run stopped, so this nested run was cancelled";
    case StopCause::Shutdown: return "the job service shut down while the run was running. Run it again.";
    case StopCause::Cancelled:
    case StopCause::None: break;
  }
  return "the run was cancelled";
}

std::string metadata_json(const std::map<std::string, Value>& metadata) {
  return to_json(Value(ValueObject(metadata.begin(), metadata.end())));
}

}  // namespace

struct RunExecutor::Attempt {
  RunState state = RunState::Failed;
  std::optional<std::string> error;
  std::string result_json;
  std::optional<std::string> preview_json;
  std::optional<std::string> metadata_json;
  StoredLogs logs;
};

RunExecutor::RunExecutor(catalog::Store& store, const ResultStore& results, RunRegistry& registry,
                         RunEnvironmentFactory environment, std::size_t nested_pool_threads,
                         std::chrono::milliseconds poll_interval, std::size_t cache_entries)
    : store_(store),
      results_(results),
      registry_(registry),
      environment_(std::move(environment)),
      nested_pool_threads_(std::max<std::size_t>(nested_pool_threads, 1)),
      poll_interval_(poll_interval),
      cache_(cache_entries) {}

RunExecutor::~RunExecutor() {
  std::unique_lock lock(in_flight_mutex_);
  in_flight_done_.wait(lock, [this] { return in_flight_ == 0; });
  lock.unlock();
  // Shallow depths first: their host calls may still hand work to the deeper pools.
  for (auto& pool : nested_pools_) pool.reset();
}

std::shared_ptr<void> RunExecutor::in_flight_ticket() {
  {
    std::lock_guard lock(in_flight_mutex_);
    ++in_flight_;
  }
  return std::shared_ptr<void>(nullptr, [this](void*) {
    std::lock_guard lock(in_flight_mutex_);
    --in_flight_;
    in_flight_done_.notify_all();
  });
}

sandbox::ThreadPool& RunExecutor::pool_for_depth(std::size_t depth) {
  if (depth == 0) return sandbox::ThreadPool::shared();
  std::lock_guard lock(pools_mutex_);
  if (nested_pools_.size() < depth) nested_pools_.resize(depth);
  auto& pool = nested_pools_[depth - 1];
  if (!pool) pool = std::make_unique<sandbox::ThreadPool>(nested_pool_threads_);
  return *pool;
}

catalog::Analysis RunExecutor::analysis_at_version(const catalog::RunRecord& run) {
  auto analysis = store_.find_analysis(run.project, run.analysis_name);
  if (!analysis || analysis->id != run.analysis_id) {
    throw catalog::NotFound(fmt::format("analysis '{}' no longer exists in project '{}' (it was deleted after this run was queued)",
                                        run.analysis_name, run.project));
  }
  if (analysis->version != run.analysis_version) {
    // Run what was current when the run was submitted, even if the analysis changed since.
    catalog::AnalysisVersion version = store_.version(run.project, run.analysis_name, run.analysis_version);
    analysis->script = version.script;
    analysis->metadata_json = version.metadata_json;
    analysis->version = version.version;
  }
  return *analysis;
}

NestedRunner RunExecutor::nested_runner(const catalog::RunRecord& caller, const std::vector<std::string>& chain) {
  return [this, caller, chain, ticket = in_flight_ticket()](const NestedCall& call, std::stop_token stop) {
    return run_nested(caller, chain, call, stop);
  };
}

void RunExecutor::attempt(const catalog::RunRecord& run, const ExecutionContext& context, LiveRun& live, Attempt& out) {
  catalog::Analysis analysis = analysis_at_version(run);
  RunEnvironment environment = environment_ ? environment_(analysis) : RunEnvironment{};
  std::map<std::string, Value> metadata_before = store_.load_run_metadata(run.project, run.analysis_name);

  std::vector<std::string> chain = context.callers;
  chain.push_back(run.analysis_name);
  sandbox::RunRequest request;
  request.source = analysis.script;
  request.filename = run.analysis_name + ".js";
  request.params = parse_json(run.parameters_json);
  request.limits = environment.limits;
  const std::size_t result_limit = environment.limits.max_result_bytes;
  // The sandbox measures results up to 4x the limit, so the message can say how large one was.
  request.limits.max_result_bytes =
      result_limit > std::numeric_limits<std::size_t>::max() / 4 ? std::numeric_limits<std::size_t>::max() : result_limit * 4;
  if (context.deadline) {
    // Rounded up: the callee must not time out before its caller does, or the caller could see
    // the callee's time-limit failure and still finish inside its own limit.
    auto remaining = std::chrono::ceil<std::chrono::milliseconds>(*context.deadline - Clock::now());
    request.limits.timeout = std::clamp(remaining, std::chrono::milliseconds(0), request.limits.timeout);
  }
  request.cancel = live.stop_token();
  request.metadata = metadata_before;
  request.on_log = [&live](const sandbox::LogEntry& entry) { live.append_log(entry); };
  request.extensions = environment.extensions;
  request.extensions.push_back(std::make_shared<RunAnalysisExtension>(
      CallerInfo{chain, declared_analyses(analysis.metadata_json)}, nested_runner(run, chain)));
  request.cache = &cache_;
  request.pool = &pool_for_depth(context.callers.size());

  sandbox::RunOutcome outcome = sandbox::run_analysis(request);
  request.extensions.clear();  // lets go of the runAnalysis ticket

  out.logs = StoredLogs{std::move(outcome.logs), outcome.logs_truncated};
  // Kept also when the run failed: checkpoints are what a retry resumes from.
  if (outcome.metadata != metadata_before) store_.save_run_metadata(run.project, run.analysis_name, outcome.metadata);
  out.metadata_json = metadata_json(outcome.metadata);

  switch (outcome.status) {
    case sandbox::RunStatus::Completed:
      if (outcome.result_json.size() > result_limit) {
        out.error = result_too_large_message(outcome.result_json.size(), result_limit);
        return;
      }
      out.state = RunState::Completed;
      out.preview_json = to_json(make_result_preview(parse_json(outcome.result_json)));
      out.result_json = std::move(outcome.result_json);
      return;
    case sandbox::RunStatus::Failed: {
      const sandbox::RunFailure& failure = *outcome.failure;
      out.error = failure.kind == sandbox::FailureKind::Limit && failure.limit == "max_result_bytes"
                      ? result_too_large_message(request.limits.max_result_bytes, result_limit, true)
                      : describe_failure(failure, request.filename);
      return;
    }
    case sandbox::RunStatus::Cancelled:
      out.state = live.stop_cause() == StopCause::Shutdown ? RunState::Failed : RunState::Cancelled;
      out.error = cancelled_message(live.stop_cause());
      return;
  }
}

ExecutionResult RunExecutor::execute(const catalog::RunRecord& run, const ExecutionContext& context) {
  auto started = Clock::now();
  std::shared_ptr<LiveRun> live = registry_.begin(run.id);
  Attempt out;
  try {
    attempt(run, context, *live, out);
  } catch (const std::exception& e) {
    out.state = RunState::Failed;
    out.error = e.what();
  }

  catalog::RunFinish finish;
  finish.completed_at = catalog::now_iso8601();
  if (out.state == RunState::Completed) {
    try {
      finish.result_path = results_.write_result(run.id, out.result_json, finish.completed_at);
      finish.result_size_bytes = static_cast<std::int64_t>(out.result_json.size());
      finish.result_preview_json = out.preview_json;
    } catch (const ResultTooLarge& e) {
      out.state = RunState::Failed;
      out.error = e.what();
    } catch (const std::exception& e) {
      out.state = RunState::Failed;
      out.error = fmt::format("the result could not be stored: {}", e.what());
    }
  }
  if (!out.logs.entries.empty()) {
    try {
      results_.write_logs(run.id, finish.completed_at, out.logs);
    } catch (const std::exception& e) {
      std::cerr << fmt::format("jobs: the log of run {} could not be stored: {}\n", run.id, e.what());
    }
  }
  finish.state = out.state;
  finish.error = out.error;
  finish.metadata_json = out.metadata_json;
  finish.execution_time_ms = elapsed_ms(started);
  try {
    store_.finish_run(run.id, finish);
  } catch (const std::exception& e) {
    std::cerr << fmt::format("jobs: the end of run {} could not be recorded: {}\n", run.id, e.what());
  }
  registry_.end(run.id, out.state, out.error);
  if (on_run_ended_) on_run_ended_();
  if (out.state != RunState::Completed) out.result_json.clear();
  return ExecutionResult{out.state, std::move(out.result_json), out.error};
}

NestedResult RunExecutor::run_nested(const catalog::RunRecord& caller, const std::vector<std::string>& chain,
                                     const NestedCall& call, std::stop_token caller_stop) {
  auto callee = store_.find_analysis(caller.project, call.analysis);
  if (!callee) {
    throw catalog::NotFound(fmt::format("ctx.runAnalysis('{}'): analysis '{}' not found in project '{}'", call.analysis,
                                        call.analysis, caller.project));
  }
  // The callee gets its parameters checked and its defaults applied, as an execute request would.
  Value params;
  try {
    params = resolve_run_parameters(*callee, call.params);
  } catch (const InvalidParameters& e) {
    std::string problems;
    for (const auto& error : e.errors()) problems += (problems.empty() ? "" : "; ") + error.message;
    throw std::invalid_argument(fmt::format("ctx.runAnalysis('{}'): invalid parameters: {}", call.analysis, problems));
  }
  catalog::NewRun request;
  request.analysis_id = callee->id;
  request.analysis_version = callee->version;
  request.parameters_json = to_json(params);
  request.trigger = catalog::RunTrigger::Nested;
  request.executed_by = caller.executed_by;
  request.parent_run_id = caller.id;
  catalog::RunRecord row = store_.enqueue_run(request);
  std::shared_ptr<LiveRun> live;
  {
    auto lock = registry_.lock();
    live = registry_.attach_locked(row.id, RunState::Pending);
  }
  std::stop_callback follow_caller(caller_stop, [live] { live->request_stop(StopCause::CallerStopped); });

  // Wait for the callee's turn: one running run per analysis holds for nested runs too.
  {
    auto lock = registry_.lock();
    for (;;) {
      try {
        if (store_.claim_run(row.id)) break;
      } catch (const catalog::Conflict&) {
        // Cancelled by id while it waited.
        auto now_row = store_.find_run(row.id);
        return NestedResult{false, std::nullopt, now_row && now_row->error ? *now_row->error : "the nested run was cancelled", row.id};
      }
      std::optional<std::string> gave_up;
      if (live->stop_token().stop_requested()) {
        gave_up = fmt::format("'{}' did not start: the calling run stopped while it waited for the running run of '{}' to finish",
                              call.analysis, call.analysis);
      } else if (Clock::now() >= call.deadline) {
        gave_up = fmt::format("'{}' did not start: another run of it was still running when the caller's time limit ran out "
                              "(a nested run waits until no other run of its analysis is running)",
                              call.analysis);
      }
      if (gave_up) {
        lock.unlock();
        if (store_.cancel_pending_run(row.id, *gave_up)) registry_.end(row.id, RunState::Cancelled, gave_up);
        return NestedResult{false, std::nullopt, gave_up, row.id};
      }
      registry_.wait_for_end_locked(lock, std::min(call.deadline, Clock::now() + poll_interval_), live->stop_token());
    }
  }
  auto claimed = store_.find_run(row.id);
  if (!claimed) throw catalog::NotFound(fmt::format("nested run '{}' disappeared from the catalog", row.id));
  ExecutionResult done = execute(*claimed, ExecutionContext{chain, call.deadline});
  NestedResult result;
  result.success = done.state == RunState::Completed;
  if (result.success) result.result_json = std::move(done.result_json);
  result.error = done.error;
  result.run_id = row.id;
  return result;
}

}  // namespace as::jobs
