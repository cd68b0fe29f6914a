#include "value.h"

#include <cmath>
#include <ctime>
#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace as {

namespace {
constexpr std::int64_t kMaxSafeInteger = (std::int64_t{1} << 53) - 1;
}

Value::Value(std::int64_t i) {
  if (i > kMaxSafeInteger || i < -kMaxSafeInteger) {
    data = BigInt{std::to_string(i)};
  } else {
    data = static_cast<double>(i);
  }
}

const Value* Value::find(std::string_view key) const {
  if (!is<ValueObject>()) return nullptr;
  for (const auto& [k, v] : as<ValueObject>()) {
    if (k == key) return &v;
  }
  return nullptr;
}

std::string iso8601_utc(double epoch_ms) {
  if (!std::isfinite(epoch_ms)) return "Invalid Date";
  auto ms_total = static_cast<std::int64_t>(std::floor(epoch_ms));
  std::int64_t secs = ms_total >= 0 ? ms_total / 1000 : -((-ms_total + 999) / 1000);
  int ms = static_cast<int>(ms_total - secs * 1000);
  std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
}

std::string base64_encode(const Bytes& bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    unsigned n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  if (i + 1 == bytes.size()) {
    unsigned n = bytes[i] << 16;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += "==";
  } else if (i + 2 == bytes.size()) {
    unsigned n = (bytes[i] << 16) | (bytes[i + 1] << 8);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += '=';
  }
  return out;
}

nlohmann::json to_json_document(const Value& value) {
  struct Visitor {
    nlohmann::json operator()(std::nullptr_t) const { return nullptr; }
    nlohmann::json operator()(bool b) const { return b; }
    nlohmann::json operator()(double d) const {
      if (!std::isfinite(d)) return nullptr;
      if (d == std::trunc(d) && std::fabs(d) <= static_cast<double>(kMaxSafeInteger)) {
        return static_cast<std::int64_t>(d);
      }
      return d;
    }
    nlohmann::json operator()(const std::string& s) const { return s; }
    nlohmann::json operator()(const BigInt& b) const { return b.decimal; }
    nlohmann::json operator()(const Timestamp& t) const {
      if (!std::isfinite(t.epoch_ms)) return nullptr;  // an Invalid Date, as JSON.stringify writes it
      return iso8601_utc(t.epoch_ms);
    }
    nlohmann::json operator()(const Bytes& b) const { return base64_encode(b); }
    nlohmann::json operator()(const ValueArray& a) const {
      auto out = nlohmann::json::array();
      for (const auto& v : a) out.push_back(to_json_document(v));
      return out;
    }
    nlohmann::json operator()(const ValueObject& o) const {
      nlohmann::json obj = nlohmann::json::object();
      for (const auto& [k, v] : o) obj[k] = to_json_document(v);
      return obj;
    }
  };
  return std::visit(Visitor{}, value.data);
}

namespace {
// Writes JSON directly (keeping object key order, which nlohmann::json would sort).
void write_json(std::string& out, const Value& value) {
  struct Visitor {
    std::string& out;
    void operator()(std::nullptr_t) const { out += "null"; }
    void operator()(bool b) const { out += b ? "true" : "false"; }
    void operator()(double d) const {
      if (!std::isfinite(d)) {
        out += "null";
      } else if (d == std::trunc(d) && std::fabs(d) <= static_cast<double>(kMaxSafeInteger)) {
        out += std::to_string(static_cast<std::int64_t>(d));
      } else {
        out += fmt::format("{}", d);  // shortest round-trip representation
      }
    }
    void operator()(const std::string& s) const { out += nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); }
    void operator()(const BigInt& b) const { (*this)(b.decimal); }
    void operator()(const Timestamp& t) const {
      if (!std::isfinite(t.epoch_ms)) {
        out += "null";  // an Invalid Date, as JSON.stringify writes it
      } else {
        (*this)(iso8601_utc(t.epoch_ms));
      }
    }
    void operator()(const Bytes& b) const { (*this)(base64_encode(b)); }
    void operator()(const ValueArray& a) const {
      out += '[';
      bool first = true;
      for (const auto& v : a) {
        if (!first) out += ',';
        first = false;
        write_json(out, v);
      }
      out += ']';
    }
    void operator()(const ValueObject& o) const {
      out += '{';
      bool first = true;
      for (const auto& [k, v] : o) {
        if (!first) out += ',';
        first = false;
        (*this)(k);
        out += ':';
        write_json(out, v);
      }
      out += '}';
    }
  };
  std::visit(Visitor{out}, value.data);
}
}  // namespace

std::string to_json(const Value& value) {
  std::string out;
  write_json(out, value);
  return out;
}

namespace {
template <class Json>
Value from_document(const Json& doc) {
  switch (doc.type()) {
    case nlohmann::json::value_t::null: return nullptr;
    case nlohmann::json::value_t::boolean: return doc.template get<bool>();
    case nlohmann::json::value_t::number_integer: return Value(doc.template get<std::int64_t>());
    case nlohmann::json::value_t::number_unsigned: {
      auto u = doc.template get<std::uint64_t>();
      return u > static_cast<std::uint64_t>(kMaxSafeInteger) ? Value(BigInt{std::to_string(u)}) : Value(static_cast<double>(u));
    }
    case nlohmann::json::value_t::number_float: return doc.template get<double>();
    case nlohmann::json::value_t::string: return doc.template get<std::string>();
    case nlohmann::json::value_t::array: {
      ValueArray a;
      a.reserve(doc.size());
      for (const auto& e : doc) a.push_back(from_document(e));
      return a;
    }
    case nlohmann::json::value_t::object: {
      ValueObject o;
      o.reserve(doc.size());
      for (const auto& [k, v] : doc.items()) o.emplace_back(k, from_document(v));
      return o;
    }
    default: return nullptr;
  }
}
}  // namespace

Value from_json_document(const nlohmann::json& doc) { return from_document(doc); }

Value parse_json(std::string_view text) {
  try {
    // ordered_json keeps the caller's key order.
    return from_document(nlohmann::ordered_json::parse(text));
  } catch (const nlohmann::json::parse_error& e) {
    throw std::invalid_argument(fmt::format("invalid JSON: {}", e.what()));
  }
}

}  // namespace as
