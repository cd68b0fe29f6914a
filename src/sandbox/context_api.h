#pragma once
// The core of the `ctx` object every run gets: log, error, sleep, shouldStop, metadata.
// Datasources, DuckDB, DataFrames and runAnalysis are ContextExtensions added by their rooms.
#include <quickjs.h>

#include "run_scope.h"

namespace as::sandbox {

// Returns the new ctx object, or JS_EXCEPTION (pending) on failure.
JSValue make_core_context(RunScope& scope);

}  // namespace as::sandbox
