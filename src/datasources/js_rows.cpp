#include "js_rows.h"

#include <climits>
#include <vector>

#include "duck/js_building.h"
#include "duck/object_template.h"
#include "sandbox/convert.h"

namespace as::datasources {

// The row-building helpers of src/duck (atoms made once, one object template for every row,
// the cycle collector paused while fresh rows are built) serve datasource rows too.
JSValue rows_to_js(JSContext* ctx, const Rows& rows) {
  if (rows.rows.size() > static_cast<std::size_t>(INT_MAX)) return JS_ThrowRangeError(ctx, "too many rows for one JS array");
  std::vector<duck::JsAtom> atoms;
  atoms.reserve(rows.columns.size());
  for (const auto& name : rows.columns) {
    atoms.emplace_back(ctx, name);
    if (!atoms.back().ok()) return JS_EXCEPTION;
  }
  duck::ObjectTemplate row_template(ctx, atoms);
  if (!row_template.ok()) return JS_EXCEPTION;
  duck::CollectorPause pause(ctx);
  duck::ValueList out(ctx);
  out.reserve(rows.rows.size());
  std::vector<JSValue> cells;
  cells.reserve(atoms.size());
  for (const auto& row : rows.rows) {
    if (row.size() != atoms.size()) {
      return JS_ThrowInternalError(ctx, "datasource row has %zu cells for %zu columns", row.size(), atoms.size());
    }
    cells.clear();
    for (const Value& cell : row) {
      JSValue value = sandbox::to_js(ctx, cell);
      if (JS_IsException(value)) {
        for (JSValue made : cells) JS_FreeValue(ctx, made);
        return JS_EXCEPTION;
      }
      cells.push_back(value);
    }
    JSValue object = row_template.make(cells.data());
    if (JS_IsException(object)) return JS_EXCEPTION;
    out.push(object);
  }
  return out.to_array();
}

}  // namespace as::datasources
