#pragma once
// The records of the run queue and history (the analysis_runs table), shared by the Store
// interface and the jobs service.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace as::catalog {

// ---- Runs (the job queue and run history) -------------------------------------------------
// A run is a row from the moment it is submitted: pending → running → completed | failed |
// cancelled. Nothing about a queued or running run lives only in memory.
enum class RunState { Pending, Running, Completed, Failed, Cancelled };
enum class RunTrigger { Manual, Scheduled, Nested, Api };

const char* to_string(RunState state);
const char* to_string(RunTrigger trigger);
// Parse the stored names; throw std::invalid_argument naming the value and the valid ones.
RunState parse_run_state(std::string_view text);
RunTrigger parse_run_trigger(std::string_view text);
inline bool is_finished(RunState state) { return state != RunState::Pending && state != RunState::Running; }

struct NewRun {
  std::string analysis_id;
  int analysis_version = 1;
  std::string parameters_json = "{}";
  RunTrigger trigger = RunTrigger::Manual;
  std::string executed_by;
  std::optional<std::string> parent_run_id;  // set exactly when trigger is Nested
};

struct RunRecord {
  std::string id;                            // UUIDv7
  std::string analysis_id;
  std::string project;                       // of the analysis (also when it was deleted since)
  std::string analysis_name;
  int analysis_version = 1;
  std::optional<std::string> parent_run_id;
  RunState state = RunState::Pending;
  std::string parameters_json = "{}";
  RunTrigger trigger = RunTrigger::Manual;
  std::string executed_by;
  std::string queued_at;                     // ISO-8601 UTC with milliseconds
  std::optional<std::string> started_at;
  std::optional<std::string> completed_at;
  std::optional<std::int64_t> execution_time_ms;
  std::optional<std::string> result_path;    // relative to the data directory
  std::optional<std::int64_t> result_size_bytes;
  std::optional<std::string> result_preview_json;
  std::optional<std::string> metadata_json;  // ctx.metadata at the end of the run
  std::optional<std::string> error;
};

// How a running run ended. completed_at and execution_time_ms are the caller's measurements.
struct RunFinish {
  RunState state = RunState::Completed;      // Completed, Failed or Cancelled
  std::optional<std::string> error;
  std::optional<std::string> result_path;
  std::optional<std::int64_t> result_size_bytes;
  std::optional<std::string> result_preview_json;
  std::optional<std::string> metadata_json;
  std::string completed_at;
  std::int64_t execution_time_ms = 0;
};

// A page of run history, newest first. Give either an offset or the cursor of the previous page.
struct RunPageRequest {
  int limit = 50;                            // 1..1000
  int offset = 0;
  std::optional<std::string> cursor;         // next_cursor of the previous page
};
struct RunPage {
  std::vector<RunRecord> runs;
  std::optional<std::string> next_cursor;    // absent on the last page
};

}  // namespace as::catalog
