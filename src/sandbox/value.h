#pragma once
// Host-side value that crosses the C++ <-> JS boundary: JSON-like values plus the few types JSON
// lacks (Date, BigInt, bytes). Conversion to and from JSValue lives in convert.h.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace as {

struct Value;
using ValueArray = std::vector<Value>;
// Objects keep insertion order, as JS objects do.
using ValueObject = std::vector<std::pair<std::string, Value>>;
// Arbitrary-precision integer as its decimal text (covers int64, HUGEINT, ...).
struct BigInt {
  std::string decimal;
  bool operator==(const BigInt&) const = default;
};
// A point in time, milliseconds since the Unix epoch (a JS Date).
struct Timestamp {
  double epoch_ms = 0;
  bool operator==(const Timestamp&) const = default;
};
using Bytes = std::vector<std::uint8_t>;

struct Value {
  using Storage = std::variant<std::nullptr_t, bool, double, std::string, BigInt, Timestamp, Bytes, ValueArray, ValueObject>;
  Storage data;

  Value() : data(nullptr) {}
  Value(std::nullptr_t) : data(nullptr) {}
  Value(bool b) : data(b) {}
  Value(double d) : data(d) {}
  Value(int i) : data(static_cast<double>(i)) {}
  Value(std::int64_t i);  // a BigInt when |i| > 2^53, else a number
  Value(const char* s) : data(std::string(s)) {}
  Value(std::string s) : data(std::move(s)) {}
  Value(BigInt b) : data(std::move(b)) {}
  Value(Timestamp t) : data(t) {}
  Value(Bytes b) : data(std::move(b)) {}
  Value(ValueArray a) : data(std::move(a)) {}
  Value(ValueObject o) : data(std::move(o)) {}

  bool is_null() const { return std::holds_alternative<std::nullptr_t>(data); }
  template <class T> bool is() const { return std::holds_alternative<T>(data); }
  template <class T> const T& as() const { return std::get<T>(data); }
  template <class T> T& as() { return std::get<T>(data); }
  // Member of an object value, or nullptr when absent or not an object.
  const Value* find(std::string_view key) const;

  bool operator==(const Value&) const = default;
};

// JSON text of a value. Dates become ISO-8601 UTC strings, BigInts decimal strings, bytes
// base64 strings, non-finite numbers null (as JSON.stringify does).
std::string to_json(const Value& value);
// The same value as an nlohmann::json document (same mapping as to_json).
nlohmann::json to_json_document(const Value& value);
// Parses JSON text; throws std::invalid_argument naming the position on malformed input.
Value parse_json(std::string_view text);
Value from_json_document(const nlohmann::json& doc);

std::string iso8601_utc(double epoch_ms);
std::string base64_encode(const Bytes& bytes);

}  // namespace as
