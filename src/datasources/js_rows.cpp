#include "js_rows.h"

#include <climits>
#include <utility>
#include <vector>

#include "duck/js_building.h"
#include "sandbox/convert.h"
#include "sandbox/js_value.h"

namespace as::datasources {

// The row-building helpers of src/duck (atoms made once, one shared object layout, the cycle
// collector paused while fresh rows are built) serve datasource rows too.
JSValue rows_to_js(JSContext* ctx, const Rows& rows) {
  if (rows.rows.size() > static_cast<std::size_t>(INT_MAX)) return JS_ThrowRangeError(ctx, "too many rows for one JS array");
  std::vector<duck::JsAtom> atoms;
  atoms.reserve(rows.columns.size());
  for (const auto& name : rows.columns) {
    atoms.emplace_back(ctx, name);
    if (!atoms.back().ok()) return JS_EXCEPTION;
  }
  duck::ShapeChain shapes(ctx, atoms);
  if (!shapes.ok()) return JS_EXCEPTION;
  duck::CollectorPause pause(ctx);
  duck::ValueList out(ctx);
  out.reserve(rows.rows.size());
  for (const auto& row : rows.rows) {
    sandbox::JsValue object(ctx, JS_NewObject(ctx));
    if (object.is_exception()) return JS_EXCEPTION;
    for (std::size_t c = 0; c < row.size() && c < atoms.size(); ++c) {
      JSValue cell = sandbox::to_js(ctx, row[c]);
      if (JS_IsException(cell)) return JS_EXCEPTION;
      if (JS_DefinePropertyValue(ctx, object.get(), atoms[c].get(), cell, JS_PROP_C_W_E) < 0) return JS_EXCEPTION;
    }
    out.push(object.release());
  }
  return out.to_array();
}

}  // namespace as::datasources
