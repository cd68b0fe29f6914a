#pragma once
// The embedded catalog: one SQLite file in WAL mode. Every change that touches several rows is
// one transaction, so a crash (even kill -9) leaves either the old or the new state.
#include <mutex>
#include <string>

#include "sqlite_handle.h"
#include "store.h"

namespace as::catalog {

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(const std::string& path);  // ":memory:" for tests

  Analysis create_analysis(const NewAnalysis& analysis) override;
  Analysis update_analysis(const std::string& project, const std::string& name, const AnalysisChange& change) override;
  std::optional<Analysis> find_analysis(const std::string& project, const std::string& name) override;
  std::vector<Analysis> list_analyses(const std::string& project) override;
  void delete_analysis(const std::string& project, const std::string& name) override;
  std::vector<AnalysisVersion> versions(const std::string& project, const std::string& name) override;
  AnalysisVersion version(const std::string& project, const std::string& name, int version) override;
  Analysis restore_version(const std::string& project, const std::string& name, int version, const std::string& title, const std::string& reason,
                           const std::string& restored_by) override;
  std::map<std::string, Value> load_run_metadata(const std::string& project, const std::string& name) override;
  void save_run_metadata(const std::string& project, const std::string& name, const std::map<std::string, Value>& metadata) override;

  // Runs (jobs): src/catalog/sqlite_store_runs.cpp
  RunRecord enqueue_run(const NewRun& run) override;
  std::optional<RunRecord> claim_next_run() override;
  bool claim_run(const std::string& run_id) override;
  void finish_run(const std::string& run_id, const RunFinish& finish) override;
  bool cancel_pending_run(const std::string& run_id, const std::string& reason) override;
  std::optional<RunRecord> find_run(const std::string& run_id) override;
  RunPage list_runs(const std::string& project, const std::string& name, const RunPageRequest& page) override;
  std::vector<std::string> fail_abandoned_runs(const std::string& reason) override;
  std::map<std::string, RunRecord> latest_runs(const std::string& project) override;
  // Changes made through this connection (sqlite3_total_changes64) and PRAGMA data_version,
  // which moves when another connection commits.
  ChangeStamp change_stamp() override;

  int schema_version() const { return schema_version_; }

 private:
  std::optional<Analysis> find_locked(const std::string& project, const std::string& name);
  Analysis require_locked(const std::string& project, const std::string& name);
  void insert_version(const std::string& analysis_id, int version, const std::string& script, const std::string& metadata_json,
                      const std::string& change_description, const std::string& created_by, const std::string& created_at,
                      std::optional<std::int64_t> restored_from);
  Analysis write_new_version(const Analysis& current, const std::string& title, const std::string& script,
                             const std::string& metadata_json, const std::string& change_description, const std::string& by,
                             std::optional<std::int64_t> restored_from);

  std::optional<RunRecord> find_run_locked(const std::string& run_id);

  std::mutex mutex_;  // one connection, used by one thread at a time
  SqliteDatabase db_;
  int schema_version_ = 0;
};

}  // namespace as::catalog
