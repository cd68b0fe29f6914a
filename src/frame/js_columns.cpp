#include "js_columns.h"

#include <charconv>
#include <cmath>
#include <unordered_map>

#include <fmt/format.h>

#include "js_errors.h"
#include "sandbox/convert.h"
#include "sandbox/js_value.h"

namespace as::frame {
namespace {

using sandbox::JsCString;
using sandbox::JsValue;

constexpr double kMaxSafeInteger = 9007199254740992.0;  // 2^53

// Own enumerable string-keyed properties of an object, freed on scope exit.
class PropertyNames {
 public:
  PropertyNames(JSContext* ctx, JSValueConst object) : ctx_(ctx) {
    if (JS_GetOwnPropertyNames(ctx, &props_, &count_, object, JS_GPN_STRING_MASK | JS_GPN_ENUM_ONLY) < 0) {
      throw PendingException{};
    }
  }
  PropertyNames(const PropertyNames&) = delete;
  PropertyNames& operator=(const PropertyNames&) = delete;
  ~PropertyNames() { JS_FreePropertyEnum(ctx_, props_, count_); }
  std::uint32_t size() const { return count_; }
  JSAtom operator[](std::uint32_t i) const { return props_[i].atom; }

 private:
  JSContext* ctx_;
  JSPropertyEnum* props_ = nullptr;
  std::uint32_t count_ = 0;
};

// Atoms we keep past the property list they came from.
class AtomList {
 public:
  explicit AtomList(JSContext* ctx) : ctx_(ctx) {}
  AtomList(const AtomList&) = delete;
  AtomList& operator=(const AtomList&) = delete;
  ~AtomList() {
    for (JSAtom atom : atoms_) JS_FreeAtom(ctx_, atom);
  }
  void push(JSAtom atom) { atoms_.push_back(JS_DupAtom(ctx_, atom)); }
  std::size_t size() const { return atoms_.size(); }
  JSAtom operator[](std::size_t i) const { return atoms_[i]; }

 private:
  JSContext* ctx_;
  std::vector<JSAtom> atoms_;
};

std::string atom_name(JSContext* ctx, JSAtom atom) {
  const char* text = JS_AtomToCString(ctx, atom);
  if (!text) throw PendingException{};
  std::string name(text);
  JS_FreeCString(ctx, text);
  return name;
}

std::int64_t bigint_value(JSContext* ctx, JSValueConst value, const std::string& column, std::size_t row) {
  std::string decimal = JsCString(ctx, value).str();
  std::int64_t out = 0;
  auto [end, ec] = std::from_chars(decimal.data(), decimal.data() + decimal.size(), out);
  if (ec != std::errc() || end != decimal.data() + decimal.size()) {
    throw ArgumentError(fmt::format("ctx.DataFrame: column '{}' row {} holds the BigInt {}n, which does not fit in a 64-bit integer",
                                    column, row, decimal));
  }
  return out;
}

}  // namespace

ColumnBuilder::ColumnBuilder(std::string name, std::size_t leading_nulls) : name_(std::move(name)) {
  for (std::size_t i = 0; i < leading_nulls; ++i) add_null();
}

const char* ColumnBuilder::kind_name(Kind kind) {
  switch (kind) {
    case Kind::Null: return "null";
    case Kind::Bool: return "a boolean";
    case Kind::Int:
    case Kind::Float: return "a number";
    case Kind::String: return "a string";
    case Kind::Timestamp: return "a Date";
  }
  return "a value";
}

void ColumnBuilder::clash(Kind got, std::size_t row, const std::string& shown) const {
  throw ArgumentError(fmt::format(
      "ctx.DataFrame: column '{}' mixes types: row {} is {} ({}) but row {} is {} ({}); convert the values to one type first "
      "(e.g. String(v) or Number(v))",
      name_, first_row_, kind_name(kind_), first_shown_, row, kind_name(got), shown));
}

void ColumnBuilder::push_slot() {
  switch (kind_) {
    case Kind::Null: break;
    case Kind::Bool: bools_.push_back(0); break;
    case Kind::Int:
    case Kind::Timestamp: ints_.push_back(0); break;
    case Kind::Float: floats_.push_back(0); break;
    case Kind::String: offsets_.push_back(static_cast<std::int64_t>(bytes_.size())); break;
  }
}

void ColumnBuilder::add_null() {
  validity_.push_back(0);
  any_null_ = true;
  push_slot();
}

void ColumnBuilder::become(Kind kind, std::size_t row, const std::string& shown) {
  // Every row so far was null: give them slots of the new kind.
  kind_ = kind;
  first_row_ = row;
  first_shown_ = shown;
  const std::size_t nulls = validity_.size();
  for (std::size_t i = 0; i < nulls; ++i) push_slot();
}

void ColumnBuilder::add(JSContext* ctx, JSValueConst value, std::size_t row) {
  if (JS_IsNull(value) || JS_IsUndefined(value)) return add_null();
  if (JS_IsBool(value)) {
    if (kind_ == Kind::Null) become(Kind::Bool, row, JS_ToBool(ctx, value) ? "true" : "false");
    if (kind_ != Kind::Bool) clash(Kind::Bool, row, JS_ToBool(ctx, value) ? "true" : "false");
    bools_.push_back(JS_ToBool(ctx, value) ? 1 : 0);
  } else if (JS_IsNumber(value)) {
    double number = 0;
    JS_ToFloat64(ctx, &number, value);
    const bool integral = std::isfinite(number) && number == std::trunc(number) && std::fabs(number) <= kMaxSafeInteger;
    if (kind_ == Kind::Null) become(integral ? Kind::Int : Kind::Float, row, describe_js(ctx, value));
    if (kind_ == Kind::Int && !integral) {
      // A fraction after integers: the column is float64 after all.
      floats_.assign(ints_.begin(), ints_.end());
      ints_.clear();
      kind_ = Kind::Float;
    }
    if (kind_ == Kind::Int) {
      ints_.push_back(static_cast<std::int64_t>(number));
    } else if (kind_ == Kind::Float) {
      floats_.push_back(number);
    } else {
      clash(Kind::Float, row, describe_js(ctx, value));
    }
  } else if (JS_IsBigInt(value)) {
    std::int64_t integer = bigint_value(ctx, value, name_, row);
    if (kind_ == Kind::Null) become(Kind::Int, row, std::to_string(integer) + "n");
    if (kind_ == Kind::Int) {
      ints_.push_back(integer);
    } else if (kind_ == Kind::Float) {
      floats_.push_back(static_cast<double>(integer));
    } else {
      clash(Kind::Int, row, std::to_string(integer) + "n");
    }
  } else if (JS_IsString(value)) {
    JsCString text(ctx, value);
    if (!text.ok()) throw PendingException{};
    if (kind_ == Kind::Null) become(Kind::String, row, describe_js(ctx, value));
    if (kind_ != Kind::String) clash(Kind::String, row, describe_js(ctx, value));
    bytes_.append(text.view());
    offsets_.push_back(static_cast<std::int64_t>(bytes_.size()));
  } else if (JS_IsDate(value)) {
    Value host;
    try {
      host = sandbox::to_host(ctx, value);
    } catch (const sandbox::ConversionError&) {
      throw PendingException{};
    }
    double ms = host.is<Timestamp>() ? host.as<Timestamp>().epoch_ms : NAN;
    if (!std::isfinite(ms)) return add_null();  // an Invalid Date
    if (kind_ == Kind::Null) become(Kind::Timestamp, row, "a Date");
    if (kind_ != Kind::Timestamp) clash(Kind::Timestamp, row, "a Date");
    ints_.push_back(static_cast<std::int64_t>(ms));
  } else {
    throw ArgumentError(fmt::format(
        "ctx.DataFrame: column '{}' row {} holds {}; DataFrame columns hold numbers, strings, booleans, Dates, BigInts "
        "or null (turn nested values into text first, e.g. JSON.stringify(v))",
        name_, row, describe_js(ctx, value)));
  }
  validity_.push_back(1);
}

frame_column ColumnBuilder::view() const {
  frame_column column{};
  column.name = name_.c_str();
  column.length = validity_.size();
  column.validity = any_null_ ? validity_.data() : nullptr;
  switch (kind_) {
    case Kind::Null: column.type = FRAME_COL_NULL; break;
    case Kind::Bool: column.type = FRAME_COL_BOOL, column.values = bools_.data(); break;
    case Kind::Int: column.type = FRAME_COL_INT64, column.values = ints_.data(); break;
    case Kind::Timestamp: column.type = FRAME_COL_TIMESTAMP_MS, column.values = ints_.data(); break;
    case Kind::Float: column.type = FRAME_COL_FLOAT64, column.values = floats_.data(); break;
    case Kind::String:
      column.type = FRAME_COL_UTF8;
      column.values = bytes_.data();
      column.offsets = offsets_.data();
      break;
  }
  return column;
}

JsColumns JsColumns::read(JSContext* ctx, JSValueConst data) {
  JsColumns columns;
  if (JS_IsArray(data)) {
    columns.read_rows(ctx, data);
  } else if (JS_IsObject(data) && !JS_IsFunction(ctx, data)) {
    columns.read_column_object(ctx, data);
  } else {
    throw ArgumentError(fmt::format("ctx.DataFrame(data) needs an array of row objects ([{{ id: 1, name: 'a' }}]) or an object "
                                    "of column arrays ({{ id: [1, 2], name: ['a', 'b'] }}), got {}",
                                    describe_js(ctx, data)));
  }
  return columns;
}

void JsColumns::read_rows(JSContext* ctx, JSValueConst rows) {
  std::int64_t length = 0;
  if (JS_GetLength(ctx, rows, &length) < 0) throw PendingException{};
  AtomList atoms(ctx);
  std::unordered_map<JSAtom, std::size_t> index;
  for (std::int64_t i = 0; i < length; ++i) {
    const auto row_number = static_cast<std::size_t>(i);
    JsValue row(ctx, check_js(JS_GetPropertyInt64(ctx, rows, i)));
    if (!row.is_object() || JS_IsArray(row.get()) || row.is_function()) {
      throw ArgumentError(fmt::format("ctx.DataFrame(rows): rows[{}] is {}; each row must be an object such as {{ id: 1, name: 'a' }}",
                                      i, describe_js(ctx, row.get())));
    }
    PropertyNames props(ctx, row.get());
    for (std::uint32_t k = 0; k < props.size(); ++k) {
      JSAtom atom = props[k];
      std::size_t col = k;
      if (k >= atoms.size() || atoms[k] != atom) {  // rows of one shape take the fast path
        auto found = index.find(atom);
        if (found == index.end()) {
          col = columns_.size();
          columns_.emplace_back(atom_name(ctx, atom), row_number);
          atoms.push(atom);
          index.emplace(atoms[col], col);
        } else {
          col = found->second;
        }
      }
      JsValue value(ctx, check_js(JS_GetProperty(ctx, row.get(), atom)));
      columns_[col].add(ctx, value.get(), row_number);
    }
    for (ColumnBuilder& column : columns_) {
      if (column.length() == row_number) column.add_null();  // a row without this key
    }
  }
  rows_ = static_cast<std::size_t>(length);
}

void JsColumns::read_column_object(JSContext* ctx, JSValueConst object) {
  PropertyNames props(ctx, object);
  std::string first_name;
  for (std::uint32_t k = 0; k < props.size(); ++k) {
    std::string name = atom_name(ctx, props[k]);
    JsValue values(ctx, check_js(JS_GetProperty(ctx, object, props[k])));
    if (!JS_IsArray(values.get()) && JS_GetTypedArrayType(values.get()) < 0) {
      throw ArgumentError(fmt::format("ctx.DataFrame({{ column: values }}): column '{}' must be an array of values, got {}", name,
                                      describe_js(ctx, values.get())));
    }
    std::int64_t length = 0;
    if (JS_GetLength(ctx, values.get(), &length) < 0) throw PendingException{};
    if (k == 0) {
      rows_ = static_cast<std::size_t>(length);
      first_name = name;
    } else if (static_cast<std::size_t>(length) != rows_) {
      throw ArgumentError(fmt::format("ctx.DataFrame({{ column: values }}): column '{}' has {} values but '{}' has {}; every column needs "
                                      "the same length",
                                      name, length, first_name, rows_));
    }
    ColumnBuilder column(name);
    for (std::int64_t i = 0; i < length; ++i) {
      JsValue value(ctx, check_js(JS_GetPropertyInt64(ctx, values.get(), i)));
      column.add(ctx, value.get(), static_cast<std::size_t>(i));
    }
    columns_.push_back(std::move(column));
  }
}

std::vector<frame_column> JsColumns::views() const {
  std::vector<frame_column> out;
  out.reserve(columns_.size());
  for (const ColumnBuilder& column : columns_) out.push_back(column.view());
  return out;
}

}  // namespace as::frame
