#pragma once
// One owner type for every DuckDB C API handle we hold: each is destroyed exactly once, by the
// function the C API names for it, even when the call that filled it failed (the C API asks
// for that for prepared statements, pending results and extracted statements).
#include <duckdb.h>

#include <memory>
#include <string>
#include <utility>

namespace as::duck {

// A handle of pointer type `Handle` released with `Destroy(&handle)`.
template <class Handle, void (*Destroy)(Handle*)>
class UniqueHandle {
 public:
  UniqueHandle() = default;
  explicit UniqueHandle(Handle handle) : handle_(handle) {}
  UniqueHandle(const UniqueHandle&) = delete;
  UniqueHandle& operator=(const UniqueHandle&) = delete;
  UniqueHandle(UniqueHandle&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
  UniqueHandle& operator=(UniqueHandle&& other) noexcept {
    if (this != &other) {
      reset();
      handle_ = std::exchange(other.handle_, nullptr);
    }
    return *this;
  }
  ~UniqueHandle() { reset(); }

  Handle get() const { return handle_; }
  // For C calls that fill a handle: releases the current one and exposes the slot.
  Handle* out() {
    reset();
    return &handle_;
  }
  void reset() {
    if (handle_) Destroy(&handle_);
    handle_ = nullptr;
  }
  explicit operator bool() const { return handle_ != nullptr; }

 private:
  Handle handle_ = nullptr;
};

using DatabaseHandle = UniqueHandle<duckdb_database, duckdb_close>;
using ConnectionHandle = UniqueHandle<duckdb_connection, duckdb_disconnect>;
using ConfigHandle = UniqueHandle<duckdb_config, duckdb_destroy_config>;
using PreparedStatement = UniqueHandle<duckdb_prepared_statement, duckdb_destroy_prepare>;
using ExtractedStatements = UniqueHandle<duckdb_extracted_statements, duckdb_destroy_extracted>;
using PendingResult = UniqueHandle<duckdb_pending_result, duckdb_destroy_pending>;
using DataChunk = UniqueHandle<duckdb_data_chunk, duckdb_destroy_data_chunk>;
using LogicalType = UniqueHandle<duckdb_logical_type, duckdb_destroy_logical_type>;
using TableFunction = UniqueHandle<duckdb_table_function, duckdb_destroy_table_function>;
using ValueHandle = UniqueHandle<duckdb_value, duckdb_destroy_value>;

// duckdb_result is a struct filled in place, not a pointer; it must be destroyed even after a
// failed query (that is where the error message lives).
class QueryResult {
 public:
  QueryResult() = default;
  QueryResult(const QueryResult&) = delete;
  QueryResult& operator=(const QueryResult&) = delete;
  ~QueryResult() { duckdb_destroy_result(&result_); }

  duckdb_result* get() { return &result_; }
  duckdb_result* out() {
    duckdb_destroy_result(&result_);  // zeroes it, so this is safe on a fresh result too
    return &result_;
  }

 private:
  duckdb_result result_{};
};

// Text DuckDB allocated for us (names, aliases, error messages): released with duckdb_free.
struct DuckFree {
  void operator()(const void* text) const { duckdb_free(const_cast<void*>(text)); }
};
using DuckText = std::unique_ptr<const char, DuckFree>;

inline std::string take_text(const char* text) {
  DuckText owned(text);
  return owned ? std::string(owned.get()) : std::string();
}

// An error message the C API returned (owned by DuckDB), or "unknown error" when it gave none.
inline std::string error_text(const char* error) { return error && *error ? error : "unknown error"; }

}  // namespace as::duck
