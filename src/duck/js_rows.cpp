#include "js_rows.h"

#include <charconv>
#include <climits>
#include <limits>
#include <memory>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "sandbox/convert.h"
#include "sandbox/js_value.h"
#include "js_building.h"
#include "value_text.h"
#include "vector_view.h"

namespace as::duck {
namespace {

using sandbox::JsValue;

constexpr std::int64_t kMaxSafeInteger = std::int64_t{1} << 53;

// Integers within +-2^53 are numbers; wider ones BigInts.
JSValue js_integer(JSContext* ctx, std::int64_t value) {
  if (value >= -kMaxSafeInteger && value <= kMaxSafeInteger) return JS_NewInt64(ctx, value);
  return JS_NewBigInt64(ctx, value);
}

JSValue js_unsigned(JSContext* ctx, std::uint64_t value) {
  if (value <= static_cast<std::uint64_t>(kMaxSafeInteger)) return JS_NewInt64(ctx, static_cast<std::int64_t>(value));
  return JS_NewBigUint64(ctx, value);
}

JSValue js_text(JSContext* ctx, std::string_view text) { return JS_NewStringLen(ctx, text.data(), text.size()); }

JSValue js_big_decimal_text(JSContext* ctx, std::string_view digits) {
  return sandbox::to_js(ctx, Value(BigInt{std::string(digits)}));
}

JSValue js_int128(JSContext* ctx, Int128 value) {
  if (value >= INT64_MIN && value <= INT64_MAX) return js_integer(ctx, static_cast<std::int64_t>(value));
  return js_big_decimal_text(ctx, format_int128(value).view());
}

JSValue js_uint128(JSContext* ctx, UInt128 value) {
  if (value <= UINT64_MAX) return js_unsigned(ctx, static_cast<std::uint64_t>(value));
  return js_big_decimal_text(ctx, format_uint128(value).view());
}

// A DECIMAL is a number when it has at most 15 significant digits: every such decimal survives
// the trip through a double and prints back the same. Wider values stay exact as strings (with
// the column's scale, e.g. "123456789012345678.10").
JSValue js_decimal(JSContext* ctx, Int128 unscaled, std::uint8_t scale) {
  constexpr Int128 kExactLimit = 1'000'000'000'000'000;  // 10^15
  // Trailing zeros of the fraction are not significant: 1.5 as DECIMAL(38,30) is still 1.5.
  Int128 significant = unscaled;
  std::uint8_t significant_scale = scale;
  while ((significant <= -kExactLimit || significant >= kExactLimit) && significant_scale > 0 && significant % 10 == 0) {
    significant /= 10;
    --significant_scale;
  }
  if (significant > -kExactLimit && significant < kExactLimit) {
    unscaled = significant;
    scale = significant_scale;
    static constexpr double kPowersOfTen[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                              1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    // Both operands are exact doubles up to 10^22, so the quotient is correctly rounded.
    if (scale <= 22) return JS_NewNumber(ctx, static_cast<double>(static_cast<std::int64_t>(unscaled)) / kPowersOfTen[scale]);
    ShortText text = format_decimal(unscaled, scale);
    double value = 0;
    std::from_chars(text.view().data(), text.view().data() + text.view().size(), value);
    return JS_NewNumber(ctx, value);
  }
  return js_text(ctx, format_decimal(unscaled, scale).view());
}

// A FLOAT as the double its shortest text names (0.1f reads as 0.1, not 0.10000000149011612).
JSValue js_float(JSContext* ctx, float value) {
  if (!std::isfinite(value)) return JS_NewFloat64(ctx, value);
  char text[32];
  auto written = std::to_chars(text, text + sizeof text, value);
  double shortest = value;
  std::from_chars(text, written.ptr, shortest);
  return JS_NewFloat64(ctx, shortest);
}

// Reads one column's values (and, recursively, nested values) as JS values.
class ColumnReader {
 public:
  ColumnReader(JSContext* ctx, const ColumnType& type) : ctx_(ctx), type_(&type) {
    for (const auto& child : type.children) children_.emplace_back(ctx, child);
    for (const auto& name : type.names) atoms_.emplace_back(ctx, name);
    if (type.id == DUCKDB_TYPE_INTERVAL) {
      for (const char* part : {"months", "days", "micros"}) atoms_.emplace_back(ctx, part);
    }
    if (!atoms_.empty()) shapes_ = std::make_unique<ShapeChain>(ctx, atoms_);
    enum_strings_.resize(type.dictionary.size());
  }
  bool ok() const {
    for (const auto& atom : atoms_) {
      if (!atom.ok()) return false;
    }
    if (shapes_ && !shapes_->ok()) return false;
    for (const auto& child : children_) {
      if (!child.ok()) return false;
    }
    return true;
  }

  // A new value, or JS_EXCEPTION with the exception pending.
  JSValue read(const VectorView& view, idx_t row) {
    if (!view.is_valid(row)) return JS_NULL;
    switch (type_->id) {
      case DUCKDB_TYPE_BOOLEAN: return JS_NewBool(ctx_, view.at<bool>(row));
      case DUCKDB_TYPE_TINYINT: return JS_NewInt32(ctx_, view.at<std::int8_t>(row));
      case DUCKDB_TYPE_SMALLINT: return JS_NewInt32(ctx_, view.at<std::int16_t>(row));
      case DUCKDB_TYPE_INTEGER: return JS_NewInt32(ctx_, view.at<std::int32_t>(row));
      case DUCKDB_TYPE_BIGINT: return js_integer(ctx_, view.at<std::int64_t>(row));
      case DUCKDB_TYPE_UTINYINT: return JS_NewInt32(ctx_, view.at<std::uint8_t>(row));
      case DUCKDB_TYPE_USMALLINT: return JS_NewInt32(ctx_, view.at<std::uint16_t>(row));
      case DUCKDB_TYPE_UINTEGER: return JS_NewUint32(ctx_, view.at<std::uint32_t>(row));
      case DUCKDB_TYPE_UBIGINT: return js_unsigned(ctx_, view.at<std::uint64_t>(row));
      case DUCKDB_TYPE_HUGEINT: return js_int128(ctx_, to_int128(view.at<duckdb_hugeint>(row)));
      case DUCKDB_TYPE_UHUGEINT: return js_uint128(ctx_, to_uint128(view.at<duckdb_uhugeint>(row)));
      case DUCKDB_TYPE_FLOAT: return js_float(ctx_, view.at<float>(row));
      case DUCKDB_TYPE_DOUBLE: return JS_NewFloat64(ctx_, view.at<double>(row));
      case DUCKDB_TYPE_DECIMAL: return js_decimal(ctx_, decimal_at(view, row), type_->scale);
      case DUCKDB_TYPE_VARCHAR: return type_->is_json ? parse_json(view, row) : string_at(view, row);
      case DUCKDB_TYPE_BLOB: {
        StringBytes bytes = string_bytes(view.at<duckdb_string_t>(row));
        return JS_NewUint8ArrayCopy(ctx_, reinterpret_cast<const std::uint8_t*>(bytes.data), bytes.size);
      }
      case DUCKDB_TYPE_BIT: return js_text(ctx_, format_bits(string_bytes(view.at<duckdb_string_t>(row))));
      case DUCKDB_TYPE_BIGNUM: return bignum_at(view, row);
      case DUCKDB_TYPE_DATE: return js_text(ctx_, format_date(view.at<duckdb_date>(row).days).view());
      case DUCKDB_TYPE_TIME: return js_text(ctx_, format_time(view.at<duckdb_time>(row).micros, TimeUnit::Micros).view());
      case DUCKDB_TYPE_TIME_NS: return js_text(ctx_, format_time(view.at<std::int64_t>(row), TimeUnit::Nanos).view());
      case DUCKDB_TYPE_TIME_TZ: return js_text(ctx_, format_time_tz(view.at<duckdb_time_tz>(row)).view());
      case DUCKDB_TYPE_TIMESTAMP: return timestamp_at(view, row, TimeUnit::Micros, false);
      case DUCKDB_TYPE_TIMESTAMP_S: return timestamp_at(view, row, TimeUnit::Seconds, false);
      case DUCKDB_TYPE_TIMESTAMP_MS: return timestamp_at(view, row, TimeUnit::Millis, false);
      case DUCKDB_TYPE_TIMESTAMP_NS: return timestamp_at(view, row, TimeUnit::Nanos, false);
      case DUCKDB_TYPE_TIMESTAMP_TZ: return timestamp_at(view, row, TimeUnit::Micros, true);
      case DUCKDB_TYPE_INTERVAL: return interval_at(view, row);
      case DUCKDB_TYPE_UUID: return js_text(ctx_, format_uuid(view.at<duckdb_hugeint>(row)).view());
      case DUCKDB_TYPE_ENUM: return enum_at(view, row);
      case DUCKDB_TYPE_LIST: {
        const auto& entry = view.at<duckdb_list_entry>(row);
        return array_of(view.children[0], entry.offset, entry.length);
      }
      case DUCKDB_TYPE_ARRAY: return array_of(view.children[0], row * type_->array_size, type_->array_size);
      case DUCKDB_TYPE_STRUCT: return struct_at(view, row);
      case DUCKDB_TYPE_MAP: return map_at(view, row);
      case DUCKDB_TYPE_UNION: {
        std::uint8_t tag = view.children[0].at<std::uint8_t>(row);
        return children_[tag].read(view.children[tag + 1u], row);
      }
      case DUCKDB_TYPE_SQLNULL: return JS_NULL;
      default: return JS_ThrowInternalError(ctx_, "DuckDB type %s has no JS form", type_id_name(type_->id));
    }
  }

 private:
  JSValue string_at(const VectorView& view, idx_t row) {
    StringBytes text = string_bytes(view.at<duckdb_string_t>(row));
    return JS_NewStringLen(ctx_, text.data, text.size);
  }

  JSValue parse_json(const VectorView& view, idx_t row) {
    StringBytes text = string_bytes(view.at<duckdb_string_t>(row));
    json_text_.assign(text.data, text.size);  // JS_ParseJSON needs a terminating NUL
    return JS_ParseJSON(ctx_, json_text_.c_str(), json_text_.size(), "<duckdb JSON column>");
  }

  Int128 decimal_at(const VectorView& view, idx_t row) const {
    switch (type_->storage) {
      case DUCKDB_TYPE_SMALLINT: return view.at<std::int16_t>(row);
      case DUCKDB_TYPE_INTEGER: return view.at<std::int32_t>(row);
      case DUCKDB_TYPE_BIGINT: return view.at<std::int64_t>(row);
      default: return to_int128(view.at<duckdb_hugeint>(row));
    }
  }

  JSValue bignum_at(const VectorView& view, idx_t row) {
    StringBytes bytes = string_bytes(view.at<duckdb_string_t>(row));
    std::int64_t small = 0;
    if (bignum_to_int64(bytes, small)) return js_integer(ctx_, small);
    return js_big_decimal_text(ctx_, format_bignum(bytes));
  }

  JSValue timestamp_at(const VectorView& view, idx_t row, TimeUnit unit, bool utc) {
    return js_text(ctx_, format_timestamp(view.at<std::int64_t>(row), unit, utc).view());
  }

  JSValue interval_at(const VectorView& view, idx_t row) {
    const auto& interval = view.at<duckdb_interval>(row);
    JSValue parts[] = {JS_NewInt32(ctx_, interval.months), JS_NewInt32(ctx_, interval.days), js_integer(ctx_, interval.micros)};
    return object_of(parts, 3);
  }

  JSValue enum_at(const VectorView& view, idx_t row) {
    std::uint32_t index = type_->storage == DUCKDB_TYPE_UTINYINT    ? view.at<std::uint8_t>(row)
                          : type_->storage == DUCKDB_TYPE_USMALLINT ? view.at<std::uint16_t>(row)
                                                                    : view.at<std::uint32_t>(row);
    if (index >= enum_strings_.size()) return JS_ThrowInternalError(ctx_, "ENUM value %u is outside its dictionary", index);
    JsValue& cached = enum_strings_[index];
    if (!cached.context()) {
      cached = JsValue(ctx_, js_text(ctx_, type_->dictionary[index]));
      if (cached.is_exception()) return JS_EXCEPTION;
    }
    return cached.dup();
  }

  JSValue array_of(const VectorView& elements, idx_t offset, idx_t length) {
    ValueList values(ctx_);
    values.reserve(length);
    for (idx_t i = 0; i < length; ++i) {
      JSValue element = children_[0].read(elements, offset + i);
      if (JS_IsException(element)) return JS_EXCEPTION;
      values.push(element);
    }
    return values.to_array();
  }

  // An object from one value per atom (struct fields, interval parts); takes the values.
  JSValue object_of(JSValue* values, std::size_t count) {
    JsValue object(ctx_, JS_NewObject(ctx_));
    for (std::size_t i = 0; i < count; ++i) {
      if (object.is_exception() || JS_IsException(values[i])) {
        for (std::size_t rest = i; rest < count; ++rest) JS_FreeValue(ctx_, values[rest]);
        return JS_EXCEPTION;
      }
      // Defined, not assigned: a field named __proto__ becomes a plain property.
      if (JS_DefinePropertyValue(ctx_, object.get(), atoms_[i].get(), values[i], JS_PROP_C_W_E) < 0) {
        for (std::size_t rest = i + 1; rest < count; ++rest) JS_FreeValue(ctx_, values[rest]);
        return JS_EXCEPTION;
      }
    }
    return object.release();
  }

  JSValue struct_at(const VectorView& view, idx_t row) {
    JsValue object(ctx_, JS_NewObject(ctx_));
    if (object.is_exception()) return JS_EXCEPTION;
    for (std::size_t i = 0; i < children_.size(); ++i) {
      JSValue field = children_[i].read(view.children[i], row);
      if (JS_IsException(field)) return JS_EXCEPTION;
      if (JS_DefinePropertyValue(ctx_, object.get(), atoms_[i].get(), field, JS_PROP_C_W_E) < 0) return JS_EXCEPTION;
    }
    return object.release();
  }

  // Keys become property names by JS's own rule (String(key)); a later equal key wins.
  JSValue map_at(const VectorView& view, idx_t row) {
    const auto& entry = view.at<duckdb_list_entry>(row);
    JsValue object(ctx_, JS_NewObject(ctx_));
    if (object.is_exception()) return JS_EXCEPTION;
    for (idx_t i = entry.offset; i < entry.offset + entry.length; ++i) {
      JsValue key(ctx_, children_[0].read(view.children[0], i));
      if (key.is_exception()) return JS_EXCEPTION;
      JSAtom name = JS_ValueToAtom(ctx_, key.get());
      if (name == JS_ATOM_NULL) return JS_EXCEPTION;
      JSValue value = children_[1].read(view.children[1], i);
      int defined = JS_IsException(value) ? -1 : JS_DefinePropertyValue(ctx_, object.get(), name, value, JS_PROP_C_W_E);
      JS_FreeAtom(ctx_, name);
      if (defined < 0) return JS_EXCEPTION;
    }
    return object.release();
  }

  JSContext* ctx_;
  const ColumnType* type_;
  std::vector<ColumnReader> children_;
  std::vector<JsAtom> atoms_;              // STRUCT field names, or INTERVAL's part names
  std::unique_ptr<ShapeChain> shapes_;     // for the objects made from atoms_
  std::vector<JsValue> enum_strings_;      // made on first use
  std::string json_text_;                  // reused for every JSON value
};

}  // namespace

JSValue rows_to_js(JSContext* ctx, const FetchedRows& rows) {
  const std::size_t columns = rows.types.size();
  std::vector<JsAtom> names;
  std::vector<ColumnReader> readers;
  names.reserve(columns);
  readers.reserve(columns);
  for (std::size_t col = 0; col < columns; ++col) {
    names.emplace_back(ctx, rows.names[col]);
    readers.emplace_back(ctx, rows.types[col]);
    if (!names.back().ok() || !readers.back().ok()) return JS_EXCEPTION;
  }
  ShapeChain shapes(ctx, names);
  if (!shapes.ok()) return JS_EXCEPTION;
  CollectorPause pause(ctx);
  ValueList out(ctx);
  out.reserve(rows.row_count);
  std::vector<VectorView> views(columns);
  for (const DataChunk& chunk : rows.chunks) {
    for (std::size_t col = 0; col < columns; ++col) {
      views[col] = VectorView::of(duckdb_data_chunk_get_vector(chunk.get(), col), rows.types[col]);
    }
    idx_t size = duckdb_data_chunk_get_size(chunk.get());
    for (idx_t row = 0; row < size; ++row) {
      JsValue object(ctx, JS_NewObject(ctx));
      if (object.is_exception()) return JS_EXCEPTION;
      for (std::size_t col = 0; col < columns; ++col) {
        JSValue value = readers[col].read(views[col], row);
        if (JS_IsException(value)) return JS_EXCEPTION;
        if (JS_DefinePropertyValue(ctx, object.get(), names[col].get(), value, JS_PROP_C_W_E) < 0) return JS_EXCEPTION;
      }
      out.push(object.release());
    }
  }
  return out.to_array();
}

}  // namespace as::duck
