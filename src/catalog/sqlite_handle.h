#pragma once
// RAII owners for sqlite3 connections and prepared statements, with errors as exceptions that
// carry SQLite's own message.
#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

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
  SqliteStatement prepare(std::string_view sql);
  std::int64_t changes() const { return sqlite3_changes64(db_); }
  sqlite3* handle() const { return db_; }

 private:
  sqlite3* db_ = nullptr;
};

class SqliteStatement {
 public:
  SqliteStatement(sqlite3* db, std::string_view sql);
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
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
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
