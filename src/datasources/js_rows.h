#pragma once
// Rows of a SQL datasource as the JS value ctx.datasource.<name>.query() resolves with: an
// array of plain objects, one property per column in column order.
#include <quickjs.h>

#include "rows.h"

namespace as::datasources {

// Runs on the run's JS thread. JS_EXCEPTION (pending) when the JS heap limit is hit.
JSValue rows_to_js(JSContext* ctx, const Rows& rows);

}  // namespace as::datasources
