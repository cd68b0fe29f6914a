#pragma once
// Turns fetched DuckDB rows into the JS value ctx.duckdb.query resolves with: an array of plain
// objects, one property per column in column order, each value mapped as docs/duckdb.md's
// table says. Built directly with the QuickJS C API from the chunks' vectors; no text in between.
#include <quickjs.h>

#include "fetched_rows.h"

namespace as::duck {

// Runs on the run's JS thread. Returns JS_EXCEPTION (pending) when the JS heap limit is hit
// or a JSON column holds text that is not JSON.
JSValue rows_to_js(JSContext* ctx, const FetchedRows& rows);

}  // namespace as::duck
