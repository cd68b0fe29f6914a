#pragma once
// The catalog: analyses with their full version history and the metadata ctx.metadata keeps
// between runs. One interface; SQLite is the embedded implementation, PostgreSQL will follow
// and must pass the same tests (tests/unit/catalog_store_test.cpp is written against Store).
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "run_record.h"
#include "sandbox/value.h"

namespace as::catalog {

// The caller asked for something that does not exist (maps to 404).
class NotFound : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
// The request conflicts with what is stored, e.g. a name already taken (maps to 409).
class Conflict : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Analysis {
  std::string id;             // UUID
  std::string project;
  std::string name;           // unique among the project's active analyses
  std::string title;
  std::string script;
  std::string metadata_json;  // dependencies, parameters, schedule... as JSON
  int version = 1;            // = the newest row in its version history
  std::string created_at;     // ISO-8601 UTC
  std::string updated_at;
  std::string created_by;
};

struct AnalysisVersion {
  int version = 0;
  std::string script;
  std::string metadata_json;
  std::string change_description;
  std::string created_at;
  std::string created_by;
  std::optional<int> restored_from;  // set when this version restored an older one
};

struct NewAnalysis {
  std::string project;
  std::string name;
  std::string title;
  std::string script;
  std::string metadata_json = "{}";
  std::string created_by = "mcp";
  std::string change_description = "Initial version";
};

struct AnalysisChange {
  std::string title;
  std::string script;
  std::string metadata_json = "{}";
  std::string change_description;
  std::string changed_by = "mcp";
};

class Store {
 public:
  virtual ~Store() = default;

  virtual Analysis create_analysis(const NewAnalysis& analysis) = 0;                       // Conflict if the name is taken
  virtual Analysis update_analysis(const std::string& project, const std::string& name, const AnalysisChange& change) = 0;
  virtual std::optional<Analysis> find_analysis(const std::string& project, const std::string& name) = 0;
  // Active ones, by name, without script and metadata (empty and "{}"): get_analysis has them.
  virtual std::vector<Analysis> list_analyses(const std::string& project) = 0;
  virtual void delete_analysis(const std::string& project, const std::string& name) = 0;   // soft delete; NotFound
  virtual std::vector<AnalysisVersion> versions(const std::string& project, const std::string& name) = 0;  // newest first
  virtual AnalysisVersion version(const std::string& project, const std::string& name, int version) = 0;   // NotFound
  // Makes a new version whose script and metadata are those of `version`. The title lives in the
  // script, so the caller (which validated it) passes it; empty keeps the current title.
  virtual Analysis restore_version(const std::string& project, const std::string& name, int version,
                                   const std::string& title, const std::string& reason, const std::string& restored_by) = 0;

  // What ctx.metadata holds for an analysis between runs.
  virtual std::map<std::string, Value> load_run_metadata(const std::string& project, const std::string& name) = 0;
  // Replaces the stored metadata with `metadata` in one transaction.
  virtual void save_run_metadata(const std::string& project, const std::string& name,
                                 const std::map<std::string, Value>& metadata) = 0;

  // ---- Runs (jobs) ------------------------------------------------------------------------
  // Adds a pending run. Throws NotFound for an unknown analysis id, std::invalid_argument when
  // parent_run_id and the Nested trigger do not go together.
  virtual RunRecord enqueue_run(const NewRun& run) = 0;
  // In one transaction: the oldest pending top-level run whose analysis has no running run
  // becomes running (started_at = now). Nested runs are never handed out here; their caller
  // claims them with claim_run. Safe with several workers and several processes.
  virtual std::optional<RunRecord> claim_next_run() = 0;
  // Makes this pending run running if its analysis has no running run; false when it must wait.
  // Throws NotFound, or Conflict when the run is not pending.
  virtual bool claim_run(const std::string& run_id) = 0;
  // Records how a running run ended. Throws NotFound, or Conflict when it is not running.
  virtual void finish_run(const std::string& run_id, const RunFinish& finish) = 0;
  // Pending → cancelled; false when the run is no longer pending. Throws NotFound.
  virtual bool cancel_pending_run(const std::string& run_id, const std::string& reason) = 0;
  virtual std::optional<RunRecord> find_run(const std::string& run_id) = 0;
  // History of one (active) analysis, newest first. Throws NotFound, std::invalid_argument
  // for a bad limit or cursor.
  virtual RunPage list_runs(const std::string& project, const std::string& name, const RunPageRequest& page) = 0;
  // Start-up recovery: every running run, and every pending nested run (its caller is gone),
  // becomes failed with `reason`. Returns their ids.
  virtual std::vector<std::string> fail_abandoned_runs(const std::string& reason) = 0;
  // The newest top-level run of each active analysis of the project that has one, by analysis
  // name (for "last_run" in the analysis list).
  virtual std::map<std::string, RunRecord> latest_runs(const std::string& project) = 0;

  // A value that differs whenever the catalog may have changed since it was last read, by this
  // process or another: readers cache what they derive from the catalog against it.
  using ChangeStamp = std::array<std::int64_t, 2>;
  virtual ChangeStamp change_stamp() = 0;
  // ---- end of runs ------------------------------------------------------------------------

  // Analysis that must exist: throws NotFound naming it.
  Analysis get_analysis(const std::string& project, const std::string& name) {
    if (auto found = find_analysis(project, name)) return *found;
    throw NotFound("analysis '" + name + "' not found in project '" + project + "'");
  }
};

}  // namespace as::catalog
