#pragma once
// Turns fetched DuckDB rows into the JS value ctx.duckdb.query resolves with: an array of plain
// objects, one property per column in column order, each value mapped as docs/duckdb.md's
// table says. Built directly with the QuickJS C API from the chunks' vectors; no text in between.
#include <quickjs.h>

#include <memory>
#include <string>
#include <vector>

#include "fetched_rows.h"

namespace as::duck {

// Builds the rows a chunk at a time, so chunks can be added while later ones are still being
// fetched. Runs on the run's JS thread; cycle collection waits while it lives (see
// CollectorPause). Every call that returns false / JS_EXCEPTION leaves the exception pending: the
// JS heap limit was hit, or a JSON column holds text that is not JSON.
class RowBuilder {
 public:
  // `names` (unique) and `types` must outlive the builder.
  RowBuilder(JSContext* ctx, const std::vector<std::string>& names, const std::vector<ColumnType>& types, std::size_t expected_rows = 0);
  RowBuilder(const RowBuilder&) = delete;
  RowBuilder& operator=(const RowBuilder&) = delete;
  ~RowBuilder();

  bool ok() const { return ok_; }
  // Appends the chunk's rows, in order.
  bool add(duckdb_data_chunk chunk);
  // The array of every row added; the builder is empty afterwards.
  JSValue finish();

 private:
  struct Parts;
  std::unique_ptr<Parts> parts_;
  bool ok_ = false;
};

// Every row of `rows` (RowBuilder over all its chunks).
JSValue rows_to_js(JSContext* ctx, const FetchedRows& rows);

}  // namespace as::duck
