#pragma once
// Turns the values of one result column into JS values, as docs/duckdb.md's table says; nested
// values (LIST, STRUCT, MAP, UNION, ...) through one reader per child. Runs on the JS thread.
#include <duckdb.h>
#include <quickjs.h>

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "column_type.h"
#include "js_building.h"
#include "object_template.h"
#include "sandbox/js_value.h"
#include "vector_view.h"

namespace as::duck {

// The JS strings of recently seen DATE values, so rows with the same day share one string
// (JS strings are immutable: sharing is invisible to scripts). A date column holds few distinct
// days; the slots, indexed by the day number, cover any 4,096 consecutive days (11 years).
// Saves an allocation and 32 bytes of JS heap per repeated date.
class DateTexts {
 public:
  explicit DateTexts(JSContext* ctx) : ctx_(ctx) {}
  DateTexts(DateTexts&& other) noexcept
      : ctx_(other.ctx_), days_(std::move(other.days_)), texts_(std::exchange(other.texts_, {})) {}
  DateTexts& operator=(DateTexts&&) = delete;
  ~DateTexts() {
    for (JSValue text : texts_) JS_FreeValue(ctx_, text);
  }
  // A new reference to the text of `days` (since 1970-01-01), or JS_EXCEPTION.
  JSValue get(std::int32_t days);

 private:
  static constexpr std::size_t kSlots = 4096;
  JSContext* ctx_;
  std::vector<std::int32_t> days_;  // the day each slot holds; slots are made on first use
  std::vector<JSValue> texts_;      // JS_UNDEFINED: an empty slot
};

class ColumnReader {
 public:
  ColumnReader(JSContext* ctx, const ColumnType& type);
  ColumnReader(ColumnReader&&) noexcept;
  ColumnReader& operator=(ColumnReader&&) = delete;
  ~ColumnReader();
  // False when making the reader's atoms or shapes failed (the exception is pending).
  bool ok() const;

  // The value of `row`: a new JS value, or JS_EXCEPTION with the exception pending.
  JSValue read(const VectorView& view, idx_t row);

  // The values of rows [0, count) into out[0], out[stride], out[2 * stride], ...: the column's
  // type is looked at once per call, not once per value. Returns false with the exception
  // pending; the failed value's slot then holds JS_EXCEPTION and the values before it stay in
  // `out` for the caller to free.
  bool read_all(const VectorView& view, idx_t count, JSValue* out, std::size_t stride);

 private:
  template <class Visit>
  auto with_converter(const VectorView& view, Visit&& visit);
  JSValue string_at(const VectorView& view, idx_t row);
  JSValue parse_json(const VectorView& view, idx_t row);
  JSValue bignum_at(const VectorView& view, idx_t row);
  JSValue interval_at(const VectorView& view, idx_t row);
  JSValue enum_at(const VectorView& view, idx_t row);
  JSValue array_of(const VectorView& elements, idx_t offset, idx_t length);
  JSValue object_of(JSValue* values, std::size_t count);
  JSValue struct_at(const VectorView& view, idx_t row);
  JSValue map_at(const VectorView& view, idx_t row);

  JSContext* ctx_;
  const ColumnType* type_;
  std::vector<ColumnReader> children_;
  std::vector<JsAtom> atoms_;              // STRUCT field names, or INTERVAL's part names
  std::optional<ObjectTemplate> objects_;  // makes the objects with those names
  std::vector<JSValue> fields_;            // a STRUCT value's fields until its object takes them
  std::vector<sandbox::JsValue> enum_strings_;  // made on first use
  std::string json_text_;                  // reused for every JSON value
  DateTexts date_texts_;                   // DATE: the text of recently seen days
};

}  // namespace as::duck
