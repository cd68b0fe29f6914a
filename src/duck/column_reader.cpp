#include "column_reader.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <string_view>
#include <utility>

#include "sandbox/convert.h"
#include "value_text.h"

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

Int128 decimal_at(const VectorView& view, const ColumnType& type, idx_t row) {
  switch (type.storage) {
    case DUCKDB_TYPE_SMALLINT: return view.at<std::int16_t>(row);
    case DUCKDB_TYPE_INTEGER: return view.at<std::int32_t>(row);
    case DUCKDB_TYPE_BIGINT: return view.at<std::int64_t>(row);
    default: return to_int128(view.at<duckdb_hugeint>(row));
  }
}

// Writes convert(row) for rows [0, count) to out[row * stride]; NULLs (by the validity mask)
// become JS null without calling convert. Stops at the first JS_EXCEPTION.
template <class Convert>
bool fill(const VectorView& view, idx_t count, JSValue* out, std::size_t stride, Convert&& convert) {
  if (!view.validity) {  // the common case: no NULL in this chunk's column
    for (idx_t row = 0; row < count; ++row, out += stride) {
      *out = convert(row);
      if (JS_IsException(*out)) return false;
    }
    return true;
  }
  for (idx_t row = 0; row < count; ++row, out += stride) {
    if (!view.is_valid(row)) {
      *out = JS_NULL;
      continue;
    }
    *out = convert(row);
    if (JS_IsException(*out)) return false;
  }
  return true;
}

}  // namespace

JSValue DateTexts::get(std::int32_t days) {
  if (texts_.empty()) {
    days_.assign(kSlots, 0);
    texts_.assign(kSlots, JS_UNDEFINED);
  }
  std::size_t slot = static_cast<std::uint32_t>(days) % kSlots;
  if (days_[slot] != days || JS_IsUndefined(texts_[slot])) {
    JSValue text = js_text(ctx_, format_date(days).view());
    if (JS_IsException(text)) return JS_EXCEPTION;
    JS_FreeValue(ctx_, texts_[slot]);
    texts_[slot] = text;
    days_[slot] = days;
  }
  return JS_DupValue(ctx_, texts_[slot]);
}

ColumnReader::ColumnReader(JSContext* ctx, const ColumnType& type) : ctx_(ctx), type_(&type), date_texts_(ctx) {
  for (const auto& child : type.children) children_.emplace_back(ctx, child);
  for (const auto& name : type.names) atoms_.emplace_back(ctx, name);
  if (type.id == DUCKDB_TYPE_INTERVAL) {
    for (const char* part : {"months", "days", "micros"}) atoms_.emplace_back(ctx, part);
  }
  if (type.id == DUCKDB_TYPE_STRUCT || type.id == DUCKDB_TYPE_INTERVAL) objects_.emplace(ctx, atoms_);
  enum_strings_.resize(type.dictionary.size());
}

ColumnReader::ColumnReader(ColumnReader&&) noexcept = default;
ColumnReader::~ColumnReader() = default;

bool ColumnReader::ok() const {
  for (const auto& atom : atoms_) {
    if (!atom.ok()) return false;
  }
  if (objects_ && !objects_->ok()) return false;
  for (const auto& child : children_) {
    if (!child.ok()) return false;
  }
  return true;
}

// Calls `visit` with the converter for this column's type: a callable from a row (known to
// hold a value) to a new JS value or JS_EXCEPTION. read() and read_all() share it, so each
// type's mapping is written once; read_all() gets one loop per type with the converter inlined.
template <class Visit>
auto ColumnReader::with_converter(const VectorView& view, Visit&& visit) {
  JSContext* ctx = ctx_;
  auto timestamps = [&view, ctx](TimeUnit unit, bool utc) {
    return [&view, ctx, unit, utc](idx_t row) { return js_text(ctx, format_timestamp(view.at<std::int64_t>(row), unit, utc).view()); };
  };
  switch (type_->id) {
    case DUCKDB_TYPE_BOOLEAN: return visit([&](idx_t row) { return JS_NewBool(ctx, view.at<bool>(row)); });
    case DUCKDB_TYPE_TINYINT: return visit([&](idx_t row) { return JS_NewInt32(ctx, view.at<std::int8_t>(row)); });
    case DUCKDB_TYPE_SMALLINT: return visit([&](idx_t row) { return JS_NewInt32(ctx, view.at<std::int16_t>(row)); });
    case DUCKDB_TYPE_INTEGER: return visit([&](idx_t row) { return JS_NewInt32(ctx, view.at<std::int32_t>(row)); });
    case DUCKDB_TYPE_BIGINT: return visit([&](idx_t row) { return js_integer(ctx, view.at<std::int64_t>(row)); });
    case DUCKDB_TYPE_UTINYINT: return visit([&](idx_t row) { return JS_NewInt32(ctx, view.at<std::uint8_t>(row)); });
    case DUCKDB_TYPE_USMALLINT: return visit([&](idx_t row) { return JS_NewInt32(ctx, view.at<std::uint16_t>(row)); });
    case DUCKDB_TYPE_UINTEGER: return visit([&](idx_t row) { return JS_NewUint32(ctx, view.at<std::uint32_t>(row)); });
    case DUCKDB_TYPE_UBIGINT: return visit([&](idx_t row) { return js_unsigned(ctx, view.at<std::uint64_t>(row)); });
    case DUCKDB_TYPE_HUGEINT: return visit([&](idx_t row) { return js_int128(ctx, to_int128(view.at<duckdb_hugeint>(row))); });
    case DUCKDB_TYPE_UHUGEINT: return visit([&](idx_t row) { return js_uint128(ctx, to_uint128(view.at<duckdb_uhugeint>(row))); });
    case DUCKDB_TYPE_FLOAT: return visit([&](idx_t row) { return js_float(ctx, view.at<float>(row)); });
    case DUCKDB_TYPE_DOUBLE: return visit([&](idx_t row) { return JS_NewFloat64(ctx, view.at<double>(row)); });
    case DUCKDB_TYPE_DECIMAL:
      return visit([&](idx_t row) { return js_decimal(ctx, decimal_at(view, *type_, row), type_->scale); });
    case DUCKDB_TYPE_VARCHAR:
      if (type_->is_json) return visit([&](idx_t row) { return parse_json(view, row); });
      return visit([&](idx_t row) { return string_at(view, row); });
    case DUCKDB_TYPE_BLOB:
      return visit([&](idx_t row) {
        StringBytes bytes = string_bytes(view.at<duckdb_string_t>(row));
        return JS_NewUint8ArrayCopy(ctx, reinterpret_cast<const std::uint8_t*>(bytes.data), bytes.size);
      });
    case DUCKDB_TYPE_BIT:
      return visit([&](idx_t row) { return js_text(ctx, format_bits(string_bytes(view.at<duckdb_string_t>(row)))); });
    case DUCKDB_TYPE_BIGNUM: return visit([&](idx_t row) { return bignum_at(view, row); });
    case DUCKDB_TYPE_DATE: return visit([&](idx_t row) { return date_texts_.get(view.at<duckdb_date>(row).days); });
    case DUCKDB_TYPE_TIME:
      return visit([&](idx_t row) { return js_text(ctx, format_time(view.at<duckdb_time>(row).micros, TimeUnit::Micros).view()); });
    case DUCKDB_TYPE_TIME_NS:
      return visit([&](idx_t row) { return js_text(ctx, format_time(view.at<std::int64_t>(row), TimeUnit::Nanos).view()); });
    case DUCKDB_TYPE_TIME_TZ:
      return visit([&](idx_t row) { return js_text(ctx, format_time_tz(view.at<duckdb_time_tz>(row)).view()); });
    case DUCKDB_TYPE_TIMESTAMP: return visit(timestamps(TimeUnit::Micros, false));
    case DUCKDB_TYPE_TIMESTAMP_S: return visit(timestamps(TimeUnit::Seconds, false));
    case DUCKDB_TYPE_TIMESTAMP_MS: return visit(timestamps(TimeUnit::Millis, false));
    case DUCKDB_TYPE_TIMESTAMP_NS: return visit(timestamps(TimeUnit::Nanos, false));
    case DUCKDB_TYPE_TIMESTAMP_TZ: return visit(timestamps(TimeUnit::Micros, true));
    case DUCKDB_TYPE_INTERVAL: return visit([&](idx_t row) { return interval_at(view, row); });
    case DUCKDB_TYPE_UUID: return visit([&](idx_t row) { return js_text(ctx, format_uuid(view.at<duckdb_hugeint>(row)).view()); });
    case DUCKDB_TYPE_ENUM: return visit([&](idx_t row) { return enum_at(view, row); });
    case DUCKDB_TYPE_LIST:
      return visit([&](idx_t row) {
        const auto& entry = view.at<duckdb_list_entry>(row);
        return array_of(view.children[0], entry.offset, entry.length);
      });
    case DUCKDB_TYPE_ARRAY:
      return visit([&](idx_t row) { return array_of(view.children[0], row * type_->array_size, type_->array_size); });
    case DUCKDB_TYPE_STRUCT: return visit([&](idx_t row) { return struct_at(view, row); });
    case DUCKDB_TYPE_MAP: return visit([&](idx_t row) { return map_at(view, row); });
    case DUCKDB_TYPE_UNION:
      return visit([&](idx_t row) {
        std::uint8_t tag = view.children[0].at<std::uint8_t>(row);
        return children_[tag].read(view.children[tag + 1u], row);
      });
    case DUCKDB_TYPE_SQLNULL: return visit([](idx_t) { return JS_NULL; });
    default:
      return visit([&](idx_t) { return JS_ThrowInternalError(ctx, "DuckDB type %s has no JS form", type_id_name(type_->id)); });
  }
}

JSValue ColumnReader::read(const VectorView& view, idx_t row) {
  if (!view.is_valid(row)) return JS_NULL;
  return with_converter(view, [row](auto&& convert) -> JSValue { return convert(row); });
}

bool ColumnReader::read_all(const VectorView& view, idx_t count, JSValue* out, std::size_t stride) {
  return with_converter(view, [&](auto&& convert) -> bool { return fill(view, count, out, stride, convert); });
}

JSValue ColumnReader::string_at(const VectorView& view, idx_t row) {
  StringBytes text = string_bytes(view.at<duckdb_string_t>(row));
  return JS_NewStringLen(ctx_, text.data, text.size);
}

JSValue ColumnReader::parse_json(const VectorView& view, idx_t row) {
  StringBytes text = string_bytes(view.at<duckdb_string_t>(row));
  json_text_.assign(text.data, text.size);  // JS_ParseJSON needs a terminating NUL
  return JS_ParseJSON(ctx_, json_text_.c_str(), json_text_.size(), "<duckdb JSON column>");
}

JSValue ColumnReader::bignum_at(const VectorView& view, idx_t row) {
  StringBytes bytes = string_bytes(view.at<duckdb_string_t>(row));
  std::int64_t small = 0;
  if (bignum_to_int64(bytes, small)) return js_integer(ctx_, small);
  return js_big_decimal_text(ctx_, format_bignum(bytes));
}

JSValue ColumnReader::interval_at(const VectorView& view, idx_t row) {
  const auto& interval = view.at<duckdb_interval>(row);
  JSValue parts[] = {JS_NewInt32(ctx_, interval.months), JS_NewInt32(ctx_, interval.days), js_integer(ctx_, interval.micros)};
  return object_of(parts, 3);
}

JSValue ColumnReader::enum_at(const VectorView& view, idx_t row) {
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

JSValue ColumnReader::array_of(const VectorView& elements, idx_t offset, idx_t length) {
  ValueList values(ctx_);
  values.reserve(length);
  for (idx_t i = 0; i < length; ++i) {
    JSValue element = children_[0].read(elements, offset + i);
    if (JS_IsException(element)) return JS_EXCEPTION;
    values.push(element);
  }
  return values.to_array();
}

// An object from one value per atom (INTERVAL parts); takes the values.
JSValue ColumnReader::object_of(JSValue* values, std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) {
    if (JS_IsException(values[i])) {
      for (std::size_t other = 0; other < count; ++other) JS_FreeValue(ctx_, values[other]);
      return JS_EXCEPTION;
    }
  }
  return objects_->make(values);
}

// Each reader has its own fields_: a field's value is read by a child reader, never by this one.
JSValue ColumnReader::struct_at(const VectorView& view, idx_t row) {
  fields_.clear();
  for (std::size_t i = 0; i < children_.size(); ++i) {
    JSValue field = children_[i].read(view.children[i], row);
    if (JS_IsException(field)) {
      for (JSValue taken : fields_) JS_FreeValue(ctx_, taken);
      fields_.clear();
      return JS_EXCEPTION;
    }
    fields_.push_back(field);
  }
  JSValue object = objects_->make(fields_.data());
  fields_.clear();  // taken over
  return object;
}

// Keys become property names by JS's own rule (String(key)); a later equal key wins.
JSValue ColumnReader::map_at(const VectorView& view, idx_t row) {
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

}  // namespace as::duck
