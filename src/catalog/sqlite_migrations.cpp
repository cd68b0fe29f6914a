#include "sqlite_migrations.h"

#include <fmt/format.h>

#include "ids.h"

namespace as::catalog {
namespace {

// Numbered, append-only: never edit a migration that has shipped; add the next one.
constexpr const char* kMigrations[] = {
    // 1: the spec's logical schema (analyses, versions, runs, schedules) plus schedule history
    // and the metadata ctx.metadata keeps between runs.
    R"SQL(
CREATE TABLE analyses (
  id TEXT PRIMARY KEY,
  project TEXT NOT NULL,
  name TEXT NOT NULL,
  title TEXT NOT NULL,
  script TEXT NOT NULL,
  metadata TEXT NOT NULL DEFAULT '{}',
  version INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  created_by TEXT NOT NULL DEFAULT 'mcp',
  is_active INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX analyses_active_name ON analyses(project, name) WHERE is_active = 1;

CREATE TABLE analysis_versions (
  id TEXT PRIMARY KEY,
  analysis_id TEXT NOT NULL REFERENCES analyses(id) ON DELETE CASCADE,
  version INTEGER NOT NULL,
  script TEXT NOT NULL,
  metadata TEXT NOT NULL,
  created_at TEXT NOT NULL,
  change_description TEXT,
  created_by TEXT NOT NULL DEFAULT 'mcp',
  restored_from INTEGER,
  UNIQUE (analysis_id, version)
);

CREATE TABLE analysis_runs (
  id TEXT PRIMARY KEY,
  analysis_id TEXT NOT NULL REFERENCES analyses(id) ON DELETE CASCADE,
  analysis_version INTEGER NOT NULL,
  parent_run_id TEXT REFERENCES analysis_runs(id),
  status TEXT NOT NULL CHECK (status IN ('pending', 'running', 'completed', 'failed', 'cancelled')),
  parameters TEXT NOT NULL DEFAULT '{}',
  trigger_type TEXT NOT NULL DEFAULT 'manual',
  result_path TEXT,
  result_size_bytes INTEGER,
  result_preview TEXT,
  metadata TEXT,
  error TEXT,
  queued_at TEXT NOT NULL,
  started_at TEXT,
  completed_at TEXT,
  execution_time_ms INTEGER,
  executed_by TEXT
);
CREATE UNIQUE INDEX analysis_runs_one_running ON analysis_runs(analysis_id) WHERE status = 'running';
CREATE INDEX analysis_runs_by_analysis ON analysis_runs(analysis_id, queued_at DESC);
CREATE INDEX analysis_runs_open ON analysis_runs(status) WHERE status IN ('pending', 'running');

CREATE TABLE analysis_schedules (
  id TEXT PRIMARY KEY,
  analysis_id TEXT NOT NULL UNIQUE REFERENCES analyses(id) ON DELETE CASCADE,
  cron_expression TEXT NOT NULL,
  timezone TEXT NOT NULL DEFAULT 'UTC',
  enabled INTEGER NOT NULL DEFAULT 1,
  retry_on_failure INTEGER NOT NULL DEFAULT 0,
  max_retries INTEGER NOT NULL DEFAULT 3,
  retry_delay_seconds INTEGER NOT NULL DEFAULT 300,
  last_run_at TEXT,
  last_run_id TEXT REFERENCES analysis_runs(id),
  last_status TEXT,
  next_run_at TEXT,
  consecutive_failures INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

CREATE TABLE schedule_history (
  id TEXT PRIMARY KEY,
  schedule_id TEXT NOT NULL REFERENCES analysis_schedules(id) ON DELETE CASCADE,
  run_id TEXT REFERENCES analysis_runs(id),
  scheduled_for TEXT NOT NULL,
  attempt INTEGER NOT NULL DEFAULT 1,
  status TEXT NOT NULL,
  created_at TEXT NOT NULL
);

CREATE TABLE analysis_run_metadata (
  analysis_id TEXT NOT NULL REFERENCES analyses(id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (analysis_id, key)
);
)SQL",
    // 2: run history in (analysis, queued_at) order, ascending: "newest first, newest of equal
    // times first" (ORDER BY queued_at DESC, rowid DESC) is then a reverse index scan instead of
    // a sort of the analysis's whole history on every page and every analysis list.
    R"SQL(
DROP INDEX analysis_runs_by_analysis;
CREATE INDEX analysis_runs_by_analysis ON analysis_runs(analysis_id, queued_at);
)SQL",
};

}  // namespace

int apply_sqlite_migrations(SqliteDatabase& db) {
  db.exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)");
  int current = 0;
  {
    auto query = db.prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
    if (query.step()) current = static_cast<int>(query.integer(0));
  }
  constexpr int known = static_cast<int>(std::size(kMigrations));
  if (current > known) {
    throw SqliteError(fmt::format("the catalog database is at schema version {}, newer than this program knows ({}); "
                                  "upgrade analysis-sandbox before opening it",
                                  current, known),
                      SQLITE_ERROR);
  }
  for (int version = current + 1; version <= known; ++version) {
    SqliteTransaction transaction(db);
    db.exec(kMigrations[version - 1]);
    db.prepare("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)").bind(1, std::int64_t{version}).bind(2, now_iso8601()).run();
    transaction.commit();
  }
  return known;
}

}  // namespace as::catalog
