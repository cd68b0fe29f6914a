#pragma once
// Helpers for building many JS objects fast from native data (query rows, DataFrame rows):
// atoms made once, value lists handed to QuickJS in one go, and a paused cycle collector while
// the rows are built (the shared object layout is object_template.h). Used by js_rows.cpp,
// src/datasources and src/frame.
#include <quickjs.h>

#include <climits>
#include <limits>
#include <string_view>
#include <utility>
#include <vector>

#include "sandbox/js_value.h"

namespace as::duck {

// One owner for an atom (property name) made once per result and used for every row.
class JsAtom {
 public:
  JsAtom(JSContext* ctx, std::string_view name) : ctx_(ctx), atom_(JS_NewAtomLen(ctx, name.data(), name.size())) {}
  JsAtom(const JsAtom&) = delete;
  JsAtom& operator=(const JsAtom&) = delete;
  JsAtom(JsAtom&& other) noexcept : ctx_(other.ctx_), atom_(std::exchange(other.atom_, JS_ATOM_NULL)) {}
  ~JsAtom() {
    if (atom_ != JS_ATOM_NULL) JS_FreeAtom(ctx_, atom_);
  }
  JSAtom get() const { return atom_; }
  bool ok() const { return atom_ != JS_ATOM_NULL; }

 private:
  JSContext* ctx_;
  JSAtom atom_;
};

// Values made for an array or the rows, freed unless handed over to QuickJS.
class ValueList {
 public:
  explicit ValueList(JSContext* ctx) : ctx_(ctx) {}
  ValueList(const ValueList&) = delete;
  ValueList& operator=(const ValueList&) = delete;
  ~ValueList() {
    for (JSValue value : values_) JS_FreeValue(ctx_, value);
  }
  void reserve(std::size_t size) { values_.reserve(size); }
  void push(JSValue value) { values_.push_back(value); }
  // A JS array that takes the values over.
  JSValue to_array() {
    if (values_.size() > static_cast<std::size_t>(INT_MAX)) return JS_ThrowRangeError(ctx_, "too many rows for one JS array");
    JSValue array = JS_NewArrayFrom(ctx_, static_cast<int>(values_.size()), values_.data());
    values_.clear();  // JS_NewArrayFrom owns them now, even when it fails
    return array;
  }

 private:
  JSContext* ctx_;
  std::vector<JSValue> values_;
};

// Cycle collection while rows are built can free nothing (the rows are new, acyclic and held
// only by us) yet rescans every row built so far each time it runs; it waits until the rows
// are done. The memory limit still applies: it lives in the allocator, not in the collector.
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

}  // namespace as::duck
