#include "job_service.h"

#include <algorithm>
#include <limits>

#include <fmt/format.h>

#include "run_parameters.h"

namespace as::jobs {
namespace {

using catalog::RunState;

constexpr const char* kCancelledBeforeStart = "cancelled before it started";

std::string describe_value_type(const Value& value) {
  if (value.is_null()) return "null";
  if (value.is<ValueArray>()) return "an array";
  if (value.is<std::string>()) return "a string";
  if (value.is<bool>()) return "a boolean";
  return "a " + std::string(value.is<double>() ? "number" : "non-object value");
}

}  // namespace

const char* to_string(CancelOutcome outcome) {
  switch (outcome) {
    case CancelOutcome::Cancelled: return "cancelled";
    case CancelOutcome::StopRequested: return "stop_requested";
    case CancelOutcome::AlreadyFinished: return "already_finished";
  }
  return "already_finished";
}

JobService::JobService(catalog::Store& store, JobServiceOptions options, RunEnvironmentFactory environment)
    : store_(store),
      options_(std::move(options)),
      // Each run's own limit (from its environment) is enforced before the result is written.
      results_(options_.data_dir, std::numeric_limits<std::size_t>::max()),
      workers_(options_.poll_interval, [this] { return claim_and_execute(); }),
      executor_(store_, results_, registry_, std::move(environment), std::max<std::size_t>(options_.workers, 4),
                options_.poll_interval, options_.bytecode_cache_entries) {
  if (options_.workers == 0) throw std::invalid_argument("the job service needs at least 1 worker, got 0");
  if (options_.poll_interval <= std::chrono::milliseconds(0)) {
    throw std::invalid_argument(fmt::format("poll_interval must be positive, got {} ms", options_.poll_interval.count()));
  }
  recovered_ = store_.fail_abandoned_runs(kAbandonedRunReason);
  executor_.on_run_ended([this] { workers_.wake_one(); });
  workers_.start(options_.workers);
}

JobService::~JobService() {
  workers_.stop();
  registry_.stop_all(StopCause::Shutdown);
  workers_.join();  // the stopped runs end within milliseconds
}

bool JobService::claim_and_execute() {
  auto run = store_.claim_next_run();
  if (!run) return false;
  executor_.execute(*run, ExecutionContext{});
  return true;
}

std::string JobService::submit(const std::string& project, const std::string& analysis, const Value& params,
                               catalog::RunTrigger trigger, const std::string& executed_by) {
  if (!params.is<ValueObject>()) {
    throw std::invalid_argument(fmt::format("parameters must be an object such as {{\"month\": \"2024-01\"}}, got {}", describe_value_type(params)));
  }
  if (trigger == catalog::RunTrigger::Nested) {
    throw std::invalid_argument("nested runs are started by ctx.runAnalysis inside a run, not submitted");
  }
  catalog::Analysis current = store_.get_analysis(project, analysis);
  catalog::NewRun run;
  run.analysis_id = current.id;
  run.analysis_version = current.version;
  run.parameters_json = to_json(resolve_run_parameters(current, params));
  run.trigger = trigger;
  run.executed_by = executed_by;
  std::string id = store_.enqueue_run(run).id;
  workers_.wake_one();
  return id;
}

CancelResult JobService::cancel(const std::string& run_id) {
  auto lock = registry_.lock();
  if (store_.cancel_pending_run(run_id, kCancelledBeforeStart)) {
    lock.unlock();
    registry_.end(run_id, RunState::Cancelled, std::string(kCancelledBeforeStart));
    return CancelResult{CancelOutcome::Cancelled, RunState::Cancelled};
  }
  auto run = store_.find_run(run_id);
  if (!run) throw catalog::NotFound(fmt::format("run '{}' not found", run_id));
  if (catalog::is_finished(run->state)) return CancelResult{CancelOutcome::AlreadyFinished, run->state};
  // Running: here (its entry exists, or its worker is about to make it and will find it
  // stopped), or in another process, which this one cannot reach.
  registry_.attach_locked(run_id, RunState::Running)->request_stop(StopCause::Cancelled);
  return CancelResult{CancelOutcome::StopRequested, RunState::Running};
}

JobStatus JobService::status_of(const catalog::RunRecord& run) {
  JobStatus status{run, std::nullopt, {}, false};
  if (!catalog::is_finished(run.state)) {
    if (auto live = registry_.find(run.id)) {
      status.logs = live->logs();
      status.logs_truncated = live->logs_truncated();
    }
    return status;
  }
  if (run.state == RunState::Completed && run.result_path) status.result_json = results_.read_result(*run.result_path);
  if (run.completed_at) {
    StoredLogs logs = results_.read_logs(run.id, *run.completed_at);
    status.logs = std::move(logs.entries);
    status.logs_truncated = logs.truncated;
  }
  return status;
}

JobStatus JobService::status(const std::string& run_id) {
  auto run = store_.find_run(run_id);
  if (!run) throw catalog::NotFound(fmt::format("run '{}' not found", run_id));
  return status_of(*run);
}

JobStatus JobService::wait(const std::string& run_id, std::chrono::milliseconds timeout) {
  auto until = RunRegistry::Clock::now() + timeout;
  std::optional<catalog::RunRecord> run;
  {
    auto lock = registry_.lock();
    for (;;) {
      run = store_.find_run(run_id);
      if (!run) throw catalog::NotFound(fmt::format("run '{}' not found", run_id));
      auto now = RunRegistry::Clock::now();
      if (catalog::is_finished(run->state) || now >= until) break;
      // Runs of this process announce their end; the poll interval covers runs another
      // process executes.
      registry_.wait_for_end_locked(lock, std::min(until, now + options_.poll_interval));
    }
  }
  return status_of(*run);
}

Subscription JobService::subscribe(const std::string& run_id, JobListener listener) {
  auto lock = registry_.lock();
  std::shared_ptr<LiveRun> live = registry_.find_locked(run_id);
  if (!live) {
    auto run = store_.find_run(run_id);
    if (!run) throw catalog::NotFound(fmt::format("run '{}' not found", run_id));
    if (catalog::is_finished(run->state)) {
      lock.unlock();
      JobStatus finished = status_of(*run);
      for (const auto& entry : finished.logs) listener(JobEvent{JobEvent::Kind::Log, run->state, std::nullopt, entry});
      listener(JobEvent{JobEvent::Kind::Status, run->state, run->error, {}});
      return Subscription{};
    }
    live = registry_.attach_locked(run_id, run->state);
  }
  std::uint64_t id = live->subscribe(std::move(listener));
  return Subscription(live, id);
}

}  // namespace as::jobs
