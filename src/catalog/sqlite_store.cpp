#include "sqlite_store.h"

#include <fmt/format.h>

#include "ids.h"
#include "sqlite_migrations.h"

namespace as::catalog {
namespace {

constexpr const char* kAnalysisColumns =
    "id, project, name, title, script, metadata, version, created_at, updated_at, created_by";

Analysis read_analysis(const SqliteStatement& row) {
  return Analysis{row.text(0), row.text(1), row.text(2), row.text(3), row.text(4), row.text(5),
                  static_cast<int>(row.integer(6)), row.text(7), row.text(8), row.text(9)};
}

AnalysisVersion read_version(const SqliteStatement& row) {
  AnalysisVersion v{static_cast<int>(row.integer(0)), row.text(1), row.text(2), row.text(3), row.text(4), row.text(5), std::nullopt};
  if (!row.is_null(6)) v.restored_from = static_cast<int>(row.integer(6));
  return v;
}

bool is_unique_violation(const SqliteError& e) { return e.code == SQLITE_CONSTRAINT_UNIQUE; }

}  // namespace

SqliteStore::SqliteStore(const std::string& path) : db_(path) {
  db_.exec("PRAGMA journal_mode = WAL");
  // NORMAL keeps every committed transaction across a process crash (kill -9); only a power
  // loss can drop the last few, never corrupt the file.
  db_.exec("PRAGMA synchronous = NORMAL");
  db_.exec("PRAGMA foreign_keys = ON");
  db_.exec("PRAGMA busy_timeout = 5000");
  schema_version_ = apply_sqlite_migrations(db_);
}

std::optional<Analysis> SqliteStore::find_locked(const std::string& project, const std::string& name) {
  auto query = db_.prepare(fmt::format("SELECT {} FROM analyses WHERE project = ? AND name = ? AND is_active = 1", kAnalysisColumns));
  query.bind(1, project).bind(2, name);
  if (!query.step()) return std::nullopt;
  return read_analysis(query);
}

Analysis SqliteStore::require_locked(const std::string& project, const std::string& name) {
  if (auto found = find_locked(project, name)) return *found;
  throw NotFound(fmt::format("analysis '{}' not found in project '{}'", name, project));
}

void SqliteStore::insert_version(const std::string& analysis_id, int version, const std::string& script,
                                 const std::string& metadata_json, const std::string& change_description,
                                 const std::string& created_by, const std::string& created_at,
                                 std::optional<std::int64_t> restored_from) {
  db_.prepare(
         "INSERT INTO analysis_versions (id, analysis_id, version, script, metadata, created_at, change_description, created_by, restored_from) "
         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
      .bind(1, new_uuid())
      .bind(2, analysis_id)
      .bind(3, std::int64_t{version})
      .bind(4, script)
      .bind(5, metadata_json)
      .bind(6, created_at)
      .bind(7, change_description)
      .bind(8, created_by)
      .bind(9, restored_from)
      .run();
}

Analysis SqliteStore::create_analysis(const NewAnalysis& analysis) {
  std::lock_guard lock(mutex_);
  Analysis created{new_uuid(), analysis.project, analysis.name, analysis.title, analysis.script, analysis.metadata_json, 1,
                   now_iso8601(), {}, analysis.created_by};
  created.updated_at = created.created_at;
  SqliteTransaction transaction(db_);
  try {
    db_.prepare(
           "INSERT INTO analyses (id, project, name, title, script, metadata, version, created_at, updated_at, created_by) "
           "VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?)")
        .bind(1, created.id)
        .bind(2, created.project)
        .bind(3, created.name)
        .bind(4, created.title)
        .bind(5, created.script)
        .bind(6, created.metadata_json)
        .bind(7, created.created_at)
        .bind(8, created.updated_at)
        .bind(9, created.created_by)
        .run();
  } catch (const SqliteError& e) {
    if (is_unique_violation(e)) {
      throw Conflict(fmt::format("an analysis named '{}' already exists in project '{}'; update it or choose another name",
                                 analysis.name, analysis.project));
    }
    throw;
  }
  insert_version(created.id, 1, created.script, created.metadata_json, analysis.change_description, created.created_by,
                 created.created_at, std::nullopt);
  transaction.commit();
  return created;
}

Analysis SqliteStore::write_new_version(const Analysis& current, const std::string& title, const std::string& script,
                                        const std::string& metadata_json, const std::string& change_description,
                                        const std::string& by, std::optional<std::int64_t> restored_from) {
  Analysis next = current;
  next.title = title;
  next.script = script;
  next.metadata_json = metadata_json;
  next.version = current.version + 1;
  next.updated_at = now_iso8601();
  db_.prepare("UPDATE analyses SET title = ?, script = ?, metadata = ?, version = ?, updated_at = ? WHERE id = ?")
      .bind(1, next.title)
      .bind(2, next.script)
      .bind(3, next.metadata_json)
      .bind(4, std::int64_t{next.version})
      .bind(5, next.updated_at)
      .bind(6, next.id)
      .run();
  insert_version(next.id, next.version, script, metadata_json, change_description, by, next.updated_at, restored_from);
  return next;
}

Analysis SqliteStore::update_analysis(const std::string& project, const std::string& name, const AnalysisChange& change) {
  std::lock_guard lock(mutex_);
  SqliteTransaction transaction(db_);
  Analysis current = require_locked(project, name);
  Analysis next = write_new_version(current, change.title, change.script, change.metadata_json, change.change_description,
                                    change.changed_by, std::nullopt);
  transaction.commit();
  return next;
}

std::optional<Analysis> SqliteStore::find_analysis(const std::string& project, const std::string& name) {
  std::lock_guard lock(mutex_);
  return find_locked(project, name);
}

std::vector<Analysis> SqliteStore::list_analyses(const std::string& project) {
  std::lock_guard lock(mutex_);
  // Without script and metadata: lists are read on every page view and need neither.
  auto query = db_.prepare(
      "SELECT id, project, name, title, '', '{}', version, created_at, updated_at, created_by "
      "FROM analyses WHERE project = ? AND is_active = 1 ORDER BY name");
  query.bind(1, project);
  std::vector<Analysis> out;
  while (query.step()) out.push_back(read_analysis(query));
  return out;
}

void SqliteStore::delete_analysis(const std::string& project, const std::string& name) {
  std::lock_guard lock(mutex_);
  SqliteTransaction transaction(db_);
  Analysis current = require_locked(project, name);
  db_.prepare("UPDATE analyses SET is_active = 0, updated_at = ? WHERE id = ?").bind(1, now_iso8601()).bind(2, current.id).run();
  transaction.commit();
}

std::vector<AnalysisVersion> SqliteStore::versions(const std::string& project, const std::string& name) {
  std::lock_guard lock(mutex_);
  Analysis current = require_locked(project, name);
  auto query = db_.prepare(
      "SELECT version, script, metadata, COALESCE(change_description, ''), created_at, created_by, restored_from "
      "FROM analysis_versions WHERE analysis_id = ? ORDER BY version DESC");
  query.bind(1, current.id);
  std::vector<AnalysisVersion> out;
  while (query.step()) out.push_back(read_version(query));
  return out;
}

AnalysisVersion SqliteStore::version(const std::string& project, const std::string& name, int version) {
  std::lock_guard lock(mutex_);
  Analysis current = require_locked(project, name);
  auto query = db_.prepare(
      "SELECT version, script, metadata, COALESCE(change_description, ''), created_at, created_by, restored_from "
      "FROM analysis_versions WHERE analysis_id = ? AND version = ?");
  query.bind(1, current.id).bind(2, std::int64_t{version});
  if (!query.step()) {
    throw NotFound(fmt::format("analysis '{}' has no version {} (its versions are 1 to {})", name, version, current.version));
  }
  return read_version(query);
}

Analysis SqliteStore::restore_version(const std::string& project, const std::string& name, int version,
                                      const std::string& title, const std::string& reason, const std::string& restored_by) {
  std::lock_guard lock(mutex_);
  SqliteTransaction transaction(db_);
  Analysis current = require_locked(project, name);
  auto query = db_.prepare("SELECT script, metadata FROM analysis_versions WHERE analysis_id = ? AND version = ?");
  query.bind(1, current.id).bind(2, std::int64_t{version});
  if (!query.step()) {
    throw NotFound(fmt::format("analysis '{}' has no version {} to restore (its versions are 1 to {})", name, version, current.version));
  }
  std::string script = query.text(0);
  std::string metadata = query.text(1);
  std::string description = fmt::format("Restored version {}: {}", version, reason);
  Analysis next = write_new_version(current, title.empty() ? current.title : title, script, metadata, description, restored_by, std::int64_t{version});
  transaction.commit();
  return next;
}

std::map<std::string, Value> SqliteStore::load_run_metadata(const std::string& project, const std::string& name) {
  std::lock_guard lock(mutex_);
  Analysis current = require_locked(project, name);
  auto query = db_.prepare("SELECT key, value FROM analysis_run_metadata WHERE analysis_id = ?");
  query.bind(1, current.id);
  std::map<std::string, Value> out;
  while (query.step()) out.emplace(query.text(0), parse_json(query.text(1)));
  return out;
}

void SqliteStore::save_run_metadata(const std::string& project, const std::string& name,
                                    const std::map<std::string, Value>& metadata) {
  std::lock_guard lock(mutex_);
  SqliteTransaction transaction(db_);
  Analysis current = require_locked(project, name);
  db_.prepare("DELETE FROM analysis_run_metadata WHERE analysis_id = ?").bind(1, current.id).run();
  auto insert = db_.prepare("INSERT INTO analysis_run_metadata (analysis_id, key, value, updated_at) VALUES (?, ?, ?, ?)");
  std::string now = now_iso8601();
  for (const auto& [key, value] : metadata) {
    insert.bind(1, current.id).bind(2, key).bind(3, to_json(value)).bind(4, now);
    insert.run();
    insert.reset();
  }
  transaction.commit();
}

}  // namespace as::catalog
