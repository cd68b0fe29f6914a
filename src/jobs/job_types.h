#pragma once
// What the jobs service hands out and takes in: run environments, statuses, events.
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "catalog/store.h"
#include "sandbox/limits.h"
#include "sandbox/log_buffer.h"
#include "sandbox/run_scope.h"

namespace as::jobs {

// What a run of `analysis` gets: its ctx extensions (DuckDB, the datasources it declares, ...)
// and its limits. The server builds these; the jobs service only asks, once per run (nested
// runs included, so each analysis reaches only its own datasources). Called from worker and
// pool threads, possibly at the same time: it must be thread-safe. Throwing fails the run with
// the exception's message.
struct RunEnvironment {
  std::vector<std::shared_ptr<sandbox::ContextExtension>> extensions;
  sandbox::RunLimits limits;  // limits.max_result_bytes is the product's result limit (10 MB)
};
using RunEnvironmentFactory = std::function<RunEnvironment(const catalog::Analysis& analysis)>;

struct JobServiceOptions {
  std::filesystem::path data_dir;                    // results/ goes below it
  std::size_t workers = 4;                           // runs executed at the same time
  // How often an idle worker looks for pending runs it was not told about (runs queued by
  // another process, or whose analysis was busy). Submits and finished runs wake workers at once.
  std::chrono::milliseconds poll_interval{1000};
  std::size_t bytecode_cache_entries = 256;
};

// Everything known about a run: the row, plus its result and log.
struct JobStatus {
  catalog::RunRecord run;
  std::optional<std::string> result_json;  // completed runs: the stored result
  std::vector<sandbox::LogEntry> logs;     // so far (live runs) or all (finished runs)
  bool logs_truncated = false;
  bool finished() const { return catalog::is_finished(run.state); }
};

// Streamed to subscribers: every status change and every log line, in order. The last event of
// a run is always a Status event with a finished state.
struct JobEvent {
  enum class Kind { Status, Log };
  Kind kind = Kind::Status;
  catalog::RunState state = catalog::RunState::Pending;  // the run's state when the event was made
  std::optional<std::string> error;                      // Status events of failed or cancelled runs
  sandbox::LogEntry log{};                               // Log events
};
// Called on the thread that produced the event (a worker, or the subscriber's own thread for the
// replay of what happened before it subscribed), one event at a time per run. It must be quick
// and must not call back into the JobService.
using JobListener = std::function<void(const JobEvent&)>;

enum class CancelOutcome {
  Cancelled,        // it was pending: it is now cancelled and will never run
  StopRequested,    // it was running: it is being stopped and will end as cancelled
  AlreadyFinished,  // nothing to do; `state` says how it ended
};
struct CancelResult {
  CancelOutcome outcome;
  catalog::RunState state;  // the state right after the call
};

const char* to_string(CancelOutcome outcome);

}  // namespace as::jobs
