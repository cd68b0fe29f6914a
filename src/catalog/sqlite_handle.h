#pragma once
// RAII owners for sqlite3 connections and prepared statements, with errors as exceptions that
// carry SQLite's own message.
#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>

namespace as::catalog {

class SqliteError : public std::runtime_error {
 public:
  SqliteError(const std::string& what, int sqlite_code) : std::runtime_error(what), code(sqlite_code) {}
  int code;
};

class SqliteStatement;

class SqliteDatabase {
 public:
  // Opens (creating if needed) the database file; ":memory:" for a private in-memory one.
  explicit SqliteDatabase(const std::string& path);
  SqliteDatabase(const SqliteDatabase&) = delete;
  SqliteDatabase& operator=(const SqliteDatabase&) = delete;
  ~SqliteDatabase();

  void exec(const std::string& sql);  // one or more statements, no results
  // A prepared statement for `sql`. Statements are kept for reuse when they go out of scope, so
  // the same SQL is compiled once per connection (the catalog runs a few dozen distinct texts
  // on every request). Not thread-safe, like the connection itself.
  SqliteStatement prepare(std::string_view sql);
  std::int64_t changes() const { return sqlite3_changes64(db_); }
  sqlite3* handle() const { return db_; }

 private:
  friend class SqliteStatement;
  void keep_for_reuse(std::string sql, sqlite3_stmt* statement);

  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, sqlite3_stmt*> idle_statements_;  // reset, ready to bind
};

class SqliteStatement {
 public:
  SqliteStatement(sqlite3* db, std::string_view sql);  // a one-off statement, finalized at the end
  SqliteStatement(SqliteStatement&& other) noexcept;
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;
  ~SqliteStatement();

  // Binds by 1-based position; returns *this to chain.
  SqliteStatement& bind(int index, std::string_view text);
  SqliteStatement& bind(int index, std::int64_t number);
  SqliteStatement& bind(int index, std::nullopt_t);
  SqliteStatement& bind(int index, const std::optional<std::int64_t>& number);

  bool step();  // true while a row is available
  void run();   // steps to completion
  void reset();

  std::string text(int column) const;
  std::int64_t integer(int column) const;
  bool is_null(int column) const;

 private:
  friend class SqliteDatabase;
  SqliteStatement(SqliteDatabase& owner, std::string sql, sqlite3_stmt* statement);

  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  SqliteDatabase* owner_ = nullptr;  // set: handed back to it for reuse instead of finalized
  std::string sql_;
};

// BEGIN IMMEDIATE ... COMMIT, rolled back if the scope is left by an exception.
class SqliteTransaction {
 public:
  explicit SqliteTransaction(SqliteDatabase& db);
  SqliteTransaction(const SqliteTransaction&) = delete;
  SqliteTransaction& operator=(const SqliteTransaction&) = delete;
  ~SqliteTransaction();
  void commit();

 private:
  SqliteDatabase& db_;
  bool done_ = false;
};

}  // namespace as::catalog
