#include "sqlite_handle.h"

#include <utility>

#include <fmt/format.h>

namespace as::catalog {

SqliteDatabase::SqliteDatabase(const std::string& path) {
  int rc = sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw SqliteError(fmt::format("cannot open catalog database '{}': {}", path, message), rc);
  }
  sqlite3_extended_result_codes(db_, 1);
}

SqliteDatabase::~SqliteDatabase() {
  for (auto& [sql, statement] : idle_statements_) sqlite3_finalize(statement);
  sqlite3_close_v2(db_);
}

void SqliteDatabase::keep_for_reuse(std::string sql, sqlite3_stmt* statement) {
  sqlite3_reset(statement);
  sqlite3_clear_bindings(statement);
  if (!idle_statements_.emplace(std::move(sql), statement).second) sqlite3_finalize(statement);  // one kept per text
}

void SqliteDatabase::exec(const std::string& sql) {
  char* error = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error);
  if (rc != SQLITE_OK) {
    std::string message = error ? error : sqlite3_errstr(rc);
    sqlite3_free(error);
    throw SqliteError(fmt::format("catalog SQL failed: {}", message), rc);
  }
}

SqliteStatement SqliteDatabase::prepare(std::string_view sql) {
  std::string key(sql);
  sqlite3_stmt* statement = nullptr;
  if (auto idle = idle_statements_.find(key); idle != idle_statements_.end()) {
    statement = idle->second;
    idle_statements_.erase(idle);
  } else {
    int rc = sqlite3_prepare_v3(db_, key.data(), static_cast<int>(key.size()), SQLITE_PREPARE_PERSISTENT, &statement, nullptr);
    if (rc != SQLITE_OK) throw SqliteError(fmt::format("catalog SQL does not prepare: {}", sqlite3_errmsg(db_)), rc);
  }
  return SqliteStatement(*this, std::move(key), statement);
}

SqliteStatement::SqliteStatement(SqliteDatabase& owner, std::string sql, sqlite3_stmt* statement)
    : db_(owner.db_), stmt_(statement), owner_(&owner), sql_(std::move(sql)) {}

SqliteStatement::SqliteStatement(sqlite3* db, std::string_view sql) : db_(db) {
  int rc = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr);
  if (rc != SQLITE_OK) throw SqliteError(fmt::format("catalog SQL does not prepare: {}", sqlite3_errmsg(db)), rc);
}

SqliteStatement::SqliteStatement(SqliteStatement&& other) noexcept
    : db_(other.db_), stmt_(std::exchange(other.stmt_, nullptr)), owner_(other.owner_), sql_(std::move(other.sql_)) {}

SqliteStatement::~SqliteStatement() {
  if (!stmt_) return;
  if (owner_) {
    try {
      owner_->keep_for_reuse(std::move(sql_), stmt_);
      return;
    } catch (...) {
      // Out of memory for the cache entry: finalize instead.
    }
  }
  sqlite3_finalize(stmt_);
}

SqliteStatement& SqliteStatement::bind(int index, std::string_view text) {
  sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  return *this;
}
SqliteStatement& SqliteStatement::bind(int index, std::int64_t number) {
  sqlite3_bind_int64(stmt_, index, number);
  return *this;
}
SqliteStatement& SqliteStatement::bind(int index, std::nullopt_t) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}
SqliteStatement& SqliteStatement::bind(int index, const std::optional<std::int64_t>& number) {
  return number ? bind(index, *number) : bind(index, std::nullopt);
}

bool SqliteStatement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  throw SqliteError(fmt::format("catalog SQL failed: {}", sqlite3_errmsg(db_)), rc);
}

void SqliteStatement::run() {
  while (step()) {
  }
}

void SqliteStatement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::string SqliteStatement::text(int column) const {
  const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  return data ? std::string(data, static_cast<size_t>(sqlite3_column_bytes(stmt_, column))) : std::string();
}
std::int64_t SqliteStatement::integer(int column) const { return sqlite3_column_int64(stmt_, column); }
bool SqliteStatement::is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

SqliteTransaction::SqliteTransaction(SqliteDatabase& db) : db_(db) { db_.exec("BEGIN IMMEDIATE"); }

SqliteTransaction::~SqliteTransaction() {
  if (!done_) {
    try {
      db_.exec("ROLLBACK");
    } catch (...) {
      // The transaction is already gone (the error that brought us here ended it).
    }
  }
}

void SqliteTransaction::commit() {
  db_.exec("COMMIT");
  done_ = true;
}

}  // namespace as::catalog
