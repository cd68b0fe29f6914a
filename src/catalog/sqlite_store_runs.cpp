// The run queue and history of the SQLite store (analysis_runs). Claiming is one BEGIN IMMEDIATE
// transaction: SQLite lets one writer in at a time across every connection and process, so the
// "pick the oldest free run, mark it running" step cannot hand a run out twice, and the partial
// unique index analysis_runs_one_running backs the one-running-run-per-analysis rule.
#include <charconv>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "ids.h"
#include "sqlite_store.h"

namespace as::catalog {
namespace {

constexpr const char* kRunColumns =
    "r.id, r.analysis_id, a.project, a.name, r.analysis_version, r.parent_run_id, r.status, r.parameters, r.trigger_type, "
    "COALESCE(r.executed_by, ''), r.queued_at, r.started_at, r.completed_at, r.execution_time_ms, r.result_path, "
    "r.result_size_bytes, r.result_preview, r.metadata, r.error, r.rowid "
    "FROM analysis_runs r JOIN analyses a ON a.id = r.analysis_id";

std::optional<std::string> optional_text(const SqliteStatement& row, int column) {
  if (row.is_null(column)) return std::nullopt;
  return row.text(column);
}

std::optional<std::int64_t> optional_integer(const SqliteStatement& row, int column) {
  if (row.is_null(column)) return std::nullopt;
  return row.integer(column);
}

SqliteStatement& bind_optional(SqliteStatement& statement, int index, const std::optional<std::string>& text) {
  if (text) return statement.bind(index, *text);
  return statement.bind(index, std::nullopt);
}

RunRecord read_run(const SqliteStatement& row) {
  RunRecord run;
  run.id = row.text(0);
  run.analysis_id = row.text(1);
  run.project = row.text(2);
  run.analysis_name = row.text(3);
  run.analysis_version = static_cast<int>(row.integer(4));
  run.parent_run_id = optional_text(row, 5);
  run.state = parse_run_state(row.text(6));
  run.parameters_json = row.text(7);
  run.trigger = parse_run_trigger(row.text(8));
  run.executed_by = row.text(9);
  run.queued_at = row.text(10);
  run.started_at = optional_text(row, 11);
  run.completed_at = optional_text(row, 12);
  run.execution_time_ms = optional_integer(row, 13);
  run.result_path = optional_text(row, 14);
  run.result_size_bytes = optional_integer(row, 15);
  run.result_preview_json = optional_text(row, 16);
  run.metadata_json = optional_text(row, 17);
  run.error = optional_text(row, 18);
  return run;
}

// Page cursors are "<queued_at>~<rowid>" of the last row shown: opaque to callers.
std::string make_cursor(const std::string& queued_at, std::int64_t rowid) { return fmt::format("{}~{}", queued_at, rowid); }

std::pair<std::string, std::int64_t> parse_cursor(const std::string& cursor) {
  auto separator = cursor.rfind('~');
  std::int64_t rowid = 0;
  if (separator != std::string::npos && separator > 0) {
    const char* first = cursor.data() + separator + 1;
    const char* last = cursor.data() + cursor.size();
    auto [end, error] = std::from_chars(first, last, rowid);
    if (error == std::errc() && end == last && first != last) return {cursor.substr(0, separator), rowid};
  }
  throw std::invalid_argument(fmt::format("cursor '{}' is not one this store gave out; pass next_cursor from the previous page", cursor));
}

}  // namespace

std::optional<RunRecord> SqliteStore::find_run_locked(const std::string& run_id) {
  auto query = db_.prepare(fmt::format("SELECT {} WHERE r.id = ?", kRunColumns));
  query.bind(1, run_id);
  if (!query.step()) return std::nullopt;
  return read_run(query);
}

RunRecord SqliteStore::enqueue_run(const NewRun& run) {
  if (run.parent_run_id.has_value() != (run.trigger == RunTrigger::Nested)) {
    throw std::invalid_argument(fmt::format("a run has a parent run exactly when its trigger is 'nested' (trigger '{}', parent {})",
                                            to_string(run.trigger), run.parent_run_id.value_or("none")));
  }
  if (!nlohmann::json::accept(run.parameters_json)) {
    throw std::invalid_argument(fmt::format("run parameters are not valid JSON: {}", run.parameters_json));
  }
  std::lock_guard lock(mutex_);
  SqliteTransaction transaction(db_);
  {
    auto analysis = db_.prepare("SELECT 1 FROM analyses WHERE id = ? AND is_active = 1");
    analysis.bind(1, run.analysis_id);
    if (!analysis.step()) throw NotFound(fmt::format("no active analysis has id '{}'", run.analysis_id));
  }
  if (run.parent_run_id) {
    auto parent = db_.prepare("SELECT 1 FROM analysis_runs WHERE id = ?");
    parent.bind(1, *run.parent_run_id);
    if (!parent.step()) throw NotFound(fmt::format("parent run '{}' not found", *run.parent_run_id));
  }
  std::string id = new_uuid();
  auto insert = db_.prepare(
      "INSERT INTO analysis_runs (id, analysis_id, analysis_version, parent_run_id, status, parameters, trigger_type, "
      "executed_by, queued_at) VALUES (?, ?, ?, ?, 'pending', ?, ?, ?, ?)");
  insert.bind(1, id).bind(2, run.analysis_id).bind(3, std::int64_t{run.analysis_version});
  bind_optional(insert, 4, run.parent_run_id);
  insert.bind(5, run.parameters_json).bind(6, to_string(run.trigger)).bind(7, run.executed_by).bind(8, now_iso8601()).run();
  RunRecord created = *find_run_locked(id);
  transaction.commit();
  return created;
}

std::optional<RunRecord> SqliteStore::claim_next_run() {
  std::lock_guard lock(mutex_);
  SqliteTransaction transaction(db_);
  std::string id;
  {
    auto next = db_.prepare(
        "SELECT r.id FROM analysis_runs r "
        "WHERE r.status = 'pending' AND r.parent_run_id IS NULL "
        "AND NOT EXISTS (SELECT 1 FROM analysis_runs busy WHERE busy.analysis_id = r.analysis_id AND busy.status = 'running') "
        "ORDER BY r.queued_at, r.rowid LIMIT 1");
    if (!next.step()) return std::nullopt;
    id = next.text(0);
  }
  db_.prepare("UPDATE analysis_runs SET status = 'running', started_at = ? WHERE id = ?").bind(1, now_iso8601()).bind(2, id).run();
  RunRecord claimed = *find_run_locked(id);
  transaction.commit();
  return claimed;
}

bool SqliteStore::claim_run(const std::string& run_id) {
  std::lock_guard lock(mutex_);
  SqliteTransaction transaction(db_);
  auto run = find_run_locked(run_id);
  if (!run) throw NotFound(fmt::format("run '{}' not found", run_id));
  if (run->state != RunState::Pending) {
    throw Conflict(fmt::format("run '{}' cannot start: it is {}, not pending", run_id, to_string(run->state)));
  }
  {
    auto busy = db_.prepare("SELECT 1 FROM analysis_runs WHERE analysis_id = ? AND status = 'running'");
    busy.bind(1, run->analysis_id);
    if (busy.step()) return false;
  }
  db_.prepare("UPDATE analysis_runs SET status = 'running', started_at = ? WHERE id = ?").bind(1, now_iso8601()).bind(2, run_id).run();
  transaction.commit();
  return true;
}

void SqliteStore::finish_run(const std::string& run_id, const RunFinish& finish) {
  if (!is_finished(finish.state)) {
    throw std::invalid_argument(fmt::format("a run cannot finish as '{}'; use completed, failed or cancelled", to_string(finish.state)));
  }
  std::lock_guard lock(mutex_);
  SqliteTransaction transaction(db_);
  auto update = db_.prepare(
      "UPDATE analysis_runs SET status = ?, error = ?, result_path = ?, result_size_bytes = ?, result_preview = ?, "
      "metadata = ?, completed_at = ?, execution_time_ms = ? WHERE id = ? AND status = 'running'");
  update.bind(1, to_string(finish.state));
  bind_optional(update, 2, finish.error);
  bind_optional(update, 3, finish.result_path);
  update.bind(4, finish.result_size_bytes);
  bind_optional(update, 5, finish.result_preview_json);
  bind_optional(update, 6, finish.metadata_json);
  update.bind(7, finish.completed_at).bind(8, finish.execution_time_ms).bind(9, run_id).run();
  if (db_.changes() == 0) {
    auto run = find_run_locked(run_id);
    if (!run) throw NotFound(fmt::format("run '{}' not found", run_id));
    throw Conflict(fmt::format("run '{}' cannot finish: it is {}, not running", run_id, to_string(run->state)));
  }
  transaction.commit();
}

bool SqliteStore::cancel_pending_run(const std::string& run_id, const std::string& reason) {
  std::lock_guard lock(mutex_);
  SqliteTransaction transaction(db_);
  db_.prepare("UPDATE analysis_runs SET status = 'cancelled', error = ?, completed_at = ? WHERE id = ? AND status = 'pending'")
      .bind(1, reason)
      .bind(2, now_iso8601())
      .bind(3, run_id)
      .run();
  bool cancelled = db_.changes() > 0;
  if (!cancelled && !find_run_locked(run_id)) throw NotFound(fmt::format("run '{}' not found", run_id));
  transaction.commit();
  return cancelled;
}

std::optional<RunRecord> SqliteStore::find_run(const std::string& run_id) {
  std::lock_guard lock(mutex_);
  return find_run_locked(run_id);
}

RunPage SqliteStore::list_runs(const std::string& project, const std::string& name, const RunPageRequest& page) {
  if (page.limit < 1 || page.limit > 1000) {
    throw std::invalid_argument(fmt::format("limit must be between 1 and 1000, got {}", page.limit));
  }
  if (page.offset < 0) throw std::invalid_argument(fmt::format("offset must be 0 or more, got {}", page.offset));
  if (page.cursor && page.offset != 0) throw std::invalid_argument("give either a cursor or an offset, not both");
  std::optional<std::pair<std::string, std::int64_t>> after;
  if (page.cursor) after = parse_cursor(*page.cursor);

  std::lock_guard lock(mutex_);
  Analysis analysis = require_locked(project, name);
  auto query = db_.prepare(fmt::format("SELECT {} WHERE r.analysis_id = ?{} ORDER BY r.queued_at DESC, r.rowid DESC LIMIT ? OFFSET ?",
                                       kRunColumns, after ? " AND (r.queued_at, r.rowid) < (?, ?)" : ""));
  int index = 1;
  query.bind(index++, analysis.id);
  if (after) {
    query.bind(index++, after->first);
    query.bind(index++, after->second);
  }
  // One row more than asked says whether there is a next page.
  query.bind(index++, std::int64_t{page.limit} + 1);
  query.bind(index++, std::int64_t{page.offset});
  RunPage out;
  std::string last_queued_at;
  std::int64_t last_rowid = 0;
  while (query.step()) {
    if (static_cast<int>(out.runs.size()) == page.limit) {
      out.next_cursor = make_cursor(last_queued_at, last_rowid);
      break;
    }
    out.runs.push_back(read_run(query));
    last_queued_at = out.runs.back().queued_at;
    last_rowid = query.integer(19);
  }
  return out;
}

std::map<std::string, RunRecord> SqliteStore::latest_runs(const std::string& project) {
  std::lock_guard lock(mutex_);
  // One index lookup per analysis (analysis_runs_by_analysis), not a scan of the run history:
  // the list endpoint calls this on every request.
  auto query = db_.prepare(fmt::format(
      "SELECT {} WHERE r.id IN (SELECT (SELECT r2.id FROM analysis_runs r2 WHERE r2.analysis_id = a2.id AND "
      "r2.parent_run_id IS NULL ORDER BY r2.queued_at DESC, r2.rowid DESC LIMIT 1) "
      "FROM analyses a2 WHERE a2.project = ? AND a2.is_active = 1)",
      kRunColumns));
  query.bind(1, project);
  std::map<std::string, RunRecord> out;
  while (query.step()) {
    RunRecord run = read_run(query);
    std::string name = run.analysis_name;
    out.emplace(std::move(name), std::move(run));
  }
  return out;
}

Store::ChangeStamp SqliteStore::change_stamp() {
  std::lock_guard lock(mutex_);
  auto query = db_.prepare("PRAGMA data_version");
  std::int64_t data_version = query.step() ? query.integer(0) : 0;
  return {sqlite3_total_changes64(db_.handle()), data_version};
}

std::vector<std::string> SqliteStore::fail_abandoned_runs(const std::string& reason) {
  std::lock_guard lock(mutex_);
  SqliteTransaction transaction(db_);
  std::vector<std::string> ids;
  {
    auto abandoned = db_.prepare(
        "SELECT id FROM analysis_runs WHERE status = 'running' OR (status = 'pending' AND parent_run_id IS NOT NULL) ORDER BY rowid");
    while (abandoned.step()) ids.push_back(abandoned.text(0));
  }
  std::string now = now_iso8601();
  auto update = db_.prepare(
      "UPDATE analysis_runs SET status = 'failed', error = ?, completed_at = ?, "
      "execution_time_ms = CASE WHEN started_at IS NULL THEN NULL "
      "ELSE MAX(0, CAST(ROUND((julianday(?) - julianday(started_at)) * 86400000.0) AS INTEGER)) END "
      "WHERE id = ?");
  for (const auto& id : ids) {
    update.bind(1, reason).bind(2, now).bind(3, now).bind(4, id);
    update.run();
    update.reset();
  }
  transaction.commit();
  return ids;
}

}  // namespace as::catalog
