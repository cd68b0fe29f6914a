#include "js_rows.h"

#include <climits>
#include <limits>
#include <utility>
#include <vector>

#include "sandbox/convert.h"
#include "sandbox/js_value.h"

namespace as::datasources {
namespace {

using sandbox::JsValue;

class Atoms {
 public:
  Atoms(JSContext* ctx, const std::vector<std::string>& names) : ctx_(ctx) {
    for (const auto& name : names) atoms_.push_back(JS_NewAtomLen(ctx, name.data(), name.size()));
  }
  Atoms(const Atoms&) = delete;
  Atoms& operator=(const Atoms&) = delete;
  ~Atoms() {
    for (JSAtom atom : atoms_) {
      if (atom != JS_ATOM_NULL) JS_FreeAtom(ctx_, atom);
    }
  }
  bool ok() const {
    for (JSAtom atom : atoms_) {
      if (atom == JS_ATOM_NULL) return false;
    }
    return true;
  }
  JSAtom operator[](std::size_t i) const { return atoms_[i]; }

 private:
  JSContext* ctx_;
  std::vector<JSAtom> atoms_;
};

// QuickJS shares an object layout between objects only while some object holds each
// intermediate step; keeping one object per step alive lets every row share one shape (as
// src/duck/js_rows.cpp does).
std::vector<JsValue> shape_steps(JSContext* ctx, const Atoms& atoms, std::size_t columns) {
  std::vector<JsValue> steps;
  for (std::size_t size = 1; size < columns; ++size) {
    JsValue step(ctx, JS_NewObject(ctx));
    if (step.is_exception()) break;
    for (std::size_t i = 0; i < size; ++i) JS_DefinePropertyValue(ctx, step.get(), atoms[i], JS_NULL, JS_PROP_C_W_E);
    steps.push_back(std::move(step));
  }
  return steps;
}

// Cycle collection can free nothing while fresh rows are built; it waits until they are done.
class CollectorPause {
 public:
  explicit CollectorPause(JSContext* ctx) : runtime_(JS_GetRuntime(ctx)), threshold_(JS_GetGCThreshold(runtime_)) {
    JS_SetGCThreshold(runtime_, std::numeric_limits<std::size_t>::max());
  }
  CollectorPause(const CollectorPause&) = delete;
  CollectorPause& operator=(const CollectorPause&) = delete;
  ~CollectorPause() { JS_SetGCThreshold(runtime_, threshold_); }

 private:
  JSRuntime* runtime_;
  std::size_t threshold_;
};

}  // namespace

JSValue rows_to_js(JSContext* ctx, const Rows& rows) {
  if (rows.rows.size() > static_cast<std::size_t>(INT_MAX)) return JS_ThrowRangeError(ctx, "too many rows for one JS array");
  Atoms atoms(ctx, rows.columns);
  if (!atoms.ok()) return JS_EXCEPTION;
  auto steps = shape_steps(ctx, atoms, rows.columns.size());
  CollectorPause pause(ctx);
  JsValue array(ctx, JS_NewArray(ctx));
  if (array.is_exception()) return JS_EXCEPTION;
  std::uint32_t index = 0;
  for (const auto& row : rows.rows) {
    JsValue object(ctx, JS_NewObject(ctx));
    if (object.is_exception()) return JS_EXCEPTION;
    for (std::size_t c = 0; c < row.size() && c < rows.columns.size(); ++c) {
      JSValue cell = sandbox::to_js(ctx, row[c]);
      if (JS_IsException(cell)) return JS_EXCEPTION;
      if (JS_DefinePropertyValue(ctx, object.get(), atoms[c], cell, JS_PROP_C_W_E) < 0) return JS_EXCEPTION;
    }
    if (JS_DefinePropertyValueUint32(ctx, array.get(), index++, object.release(), JS_PROP_C_W_E) < 0) return JS_EXCEPTION;
  }
  return array.release();
}

}  // namespace as::datasources
