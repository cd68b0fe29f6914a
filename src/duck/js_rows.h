#pragma once
// Turns fetched DuckDB rows into the JS value ctx.duckdb.query resolves with: an array of plain
// objects, one property per column in column order, each value mapped as docs/duckdb.md's
// table says. Built directly with the QuickJS C API from the chunks' vectors; no text in between.
#include <quickjs.h>

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "fetched_rows.h"

namespace as::duck {

// Builds that array chunk by chunk, so the chunks can be converted as they arrive. Lives and
// dies on the run's JS thread (it holds the rows built so far).
class RowsBuilder {
 public:
  RowsBuilder(JSContext* ctx, const std::vector<std::string>& names, const std::vector<ColumnType>& types);
  RowsBuilder(const RowsBuilder&) = delete;
  RowsBuilder& operator=(const RowsBuilder&) = delete;
  ~RowsBuilder();

  // false: a JS exception is pending (set once; every later call fails too, without one).
  bool ok() const { return ok_; }
  void reserve(std::size_t rows);
  // Appends the chunk's rows; false when a JS exception is pending.
  bool add(const DataChunk& chunk);
  // The array of every row added (JS_EXCEPTION when a step failed).
  JSValue finish();

 private:
  struct Parts;
  JSContext* ctx_;
  std::vector<ColumnType> types_;
  std::unique_ptr<Parts> parts_;
  bool ok_ = false;
};

// Runs on the run's JS thread. Returns JS_EXCEPTION (pending) when the JS heap limit is hit
// or a JSON column holds text that is not JSON.
JSValue rows_to_js(JSContext* ctx, const FetchedRows& rows);

}  // namespace as::duck
