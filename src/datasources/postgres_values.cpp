#include "postgres_values.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>

#include <fmt/format.h>

#include "datasource_error.h"
#include "postgres_binary.h"
#include "rows.h"

namespace as::datasources::postgres {
namespace {

// pg_type OIDs of the built-in types the table maps (they never change).
enum : Oid {
  kBool = 16, kBytea = 17, kChar = 18, kName = 19, kInt8 = 20, kInt2 = 21, kInt4 = 23, kText = 25, kOid = 26,
  kJson = 114, kFloat4 = 700, kFloat8 = 701, kBpchar = 1042, kVarchar = 1043, kDate = 1082, kTime = 1083,
  kTimestamp = 1114, kTimestamptz = 1184, kInterval = 1186, kTimetz = 1266, kNumeric = 1700, kUuid = 2950, kJsonb = 3802,
};

std::int64_t parse_int(std::string_view text) {
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    throw DatasourceError(fmt::format("PostgreSQL sent '{}' for an integer column", text));
  }
  return value;
}

double parse_double(std::string_view text) {
  if (text == "NaN") return std::numeric_limits<double>::quiet_NaN();
  if (text == "Infinity") return std::numeric_limits<double>::infinity();
  if (text == "-Infinity") return -std::numeric_limits<double>::infinity();
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    throw DatasourceError(fmt::format("PostgreSQL sent '{}' for a floating-point column", text));
  }
  return value;
}

// A fraction of a second as the shared table prints it: none, 3 or 6 digits.
std::string fraction(std::string_view digits) {
  if (digits.empty()) return "";
  std::string padded(digits);
  padded.resize(digits.size() <= 3 ? 3 : digits.size() <= 6 ? 6 : 9, '0');
  return "." + padded;
}

// "HH:MM:SS[.f...]" with its fraction normalized; `rest` receives what follows (a zone).
std::string clock_part(std::string_view text, std::string_view& rest) {
  std::size_t end = 0;
  while (end < text.size() && (std::isdigit(static_cast<unsigned char>(text[end])) || text[end] == ':')) ++end;
  std::string out(text.substr(0, end));
  if (end < text.size() && text[end] == '.') {
    std::size_t start = ++end;
    while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end]))) ++end;
    out += fraction(text.substr(start, end - start));
  }
  rest = text.substr(end);
  return out;
}

// "+05" -> "+05:00"; "+05:30" stays.
std::string zone_offset(std::string_view zone) {
  std::string out(zone);
  if (out.size() == 3) out += ":00";
  return out;
}

// The date part ("YYYY-MM-DD", years beyond 9999 with more digits) with its era applied.
std::string date_part(std::string_view ymd, bool bc) {
  std::size_t dash = ymd.find('-');
  if (dash == std::string_view::npos) return std::string(ymd);
  std::int64_t year = parse_int(ymd.substr(0, dash));
  std::string_view month_day = ymd.substr(dash);  // "-MM-DD"
  if (bc) year = 1 - year;                        // 1 BC is year 0, 2 BC is -1 (ISO 8601)
  if (year >= 0 && year <= 9999) return fmt::format("{:04}{}", year, month_day);
  return fmt::format("{}{:06}{}", year < 0 ? '-' : '+', year < 0 ? -year : year, month_day);
}

struct Cursor {
  std::string_view text;
  std::size_t at = 0;
  bool done() const { return at >= text.size(); }
  char peek() const { return text[at]; }
};

Value parse_array_level(Oid element, Cursor& in);

Value array_element(Oid element, Cursor& in) {
  if (in.peek() == '{') return parse_array_level(element, in);
  if (in.peek() == '"') {
    std::string value;
    ++in.at;
    while (!in.done() && in.peek() != '"') {
      if (in.peek() == '\\' && in.at + 1 < in.text.size()) ++in.at;
      value += in.text[in.at++];
    }
    ++in.at;  // the closing quote
    return decode_text(element, value);
  }
  std::size_t start = in.at;
  while (!in.done() && in.peek() != ',' && in.peek() != '}') ++in.at;
  std::string_view raw = in.text.substr(start, in.at - start);
  if (raw == "NULL") return Value(nullptr);
  return decode_text(element, raw);
}

Value parse_array_level(Oid element, Cursor& in) {
  ValueArray items;
  ++in.at;  // '{'
  if (!in.done() && in.peek() == '}') {
    ++in.at;
    return Value(std::move(items));
  }
  while (!in.done()) {
    items.push_back(array_element(element, in));
    if (in.done()) break;
    char separator = in.text[in.at++];
    if (separator == '}') return Value(std::move(items));
  }
  throw DatasourceError(fmt::format("PostgreSQL sent an array this sandbox cannot read: {}", in.text));
}

}  // namespace

Oid array_element_type(Oid type) {
  switch (type) {
    case 1000: return kBool;
    case 1001: return kBytea;
    case 1002: return kChar;
    case 1003: return kName;
    case 1005: return kInt2;
    case 1007: return kInt4;
    case 1009: return kText;
    case 1014: return kBpchar;
    case 1015: return kVarchar;
    case 1016: return kInt8;
    case 1021: return kFloat4;
    case 1022: return kFloat8;
    case 1028: return kOid;
    case 1115: return kTimestamp;
    case 1182: return kDate;
    case 1183: return kTime;
    case 1185: return kTimestamptz;
    case 1187: return kInterval;
    case 1231: return kNumeric;
    case 1270: return kTimetz;
    case 199: return kJson;
    case 2951: return kUuid;
    case 3807: return kJsonb;
    default: return 0;
  }
}

std::string normalize_date(std::string_view text) {
  if (text == "infinity" || text == "-infinity") return std::string(text);
  bool bc = text.ends_with(" BC");
  if (bc) text.remove_suffix(3);
  return date_part(text, bc);
}

std::string normalize_timestamp(std::string_view text, bool with_zone) {
  if (text == "infinity" || text == "-infinity") return std::string(text);
  bool bc = text.ends_with(" BC");
  if (bc) text.remove_suffix(3);
  std::size_t space = text.find(' ');
  if (space == std::string_view::npos) return std::string(text);
  std::string_view zone;
  std::string out = date_part(text.substr(0, space), bc) + "T" + clock_part(text.substr(space + 1), zone);
  if (with_zone) {
    // The session's TimeZone is UTC, so the offset is +00: the instant in UTC, marked Z.
    out += (zone.empty() || zone == "+00") ? std::string("Z") : zone_offset(zone);
  }
  return out;
}

std::string normalize_time(std::string_view text) {
  std::string_view zone;
  std::string out = clock_part(text, zone);
  if (!zone.empty()) out += zone_offset(zone);
  return out;
}

Value decode_numeric(std::string_view text) {
  if (text == "NaN" || text == "Infinity" || text == "-Infinity") return Value(parse_double(text));
  // Significant digits: leading zeros and the fraction's trailing zeros do not count.
  std::string_view digits = text;
  if (!digits.empty() && (digits[0] == '-' || digits[0] == '+')) digits.remove_prefix(1);
  std::size_t point = digits.find('.');
  if (point != std::string_view::npos) {
    while (!digits.empty() && digits.back() == '0') digits.remove_suffix(1);
    if (!digits.empty() && digits.back() == '.') digits.remove_suffix(1);
  }
  int significant = 0;
  bool leading = true;
  for (char c : digits) {
    if (c == '.') continue;
    if (leading && c == '0') continue;
    leading = false;
    ++significant;
  }
  if (significant <= 15) return Value(parse_double(text));
  return Value(std::string(text));
}

Value decode_interval(std::string_view text) {
  std::int64_t months = 0, days = 0, micros = 0;
  if (!text.starts_with('P')) throw DatasourceError(fmt::format("PostgreSQL sent an interval this sandbox cannot read: {}", text));
  bool time = false;
  std::size_t at = 1;
  while (at < text.size()) {
    if (text[at] == 'T') {
      time = true;
      ++at;
      continue;
    }
    std::size_t start = at;
    if (text[at] == '-' || text[at] == '+') ++at;
    while (at < text.size() && (std::isdigit(static_cast<unsigned char>(text[at])) || text[at] == '.')) ++at;
    if (at >= text.size()) throw DatasourceError(fmt::format("PostgreSQL sent an interval this sandbox cannot read: {}", text));
    std::string_view number = text.substr(start, at - start);
    char unit = text[at++];
    if (time && unit == 'S') {
      // Seconds may carry a fraction: count them exactly in microseconds.
      bool negative = number.starts_with('-');
      if (negative || number.starts_with('+')) number.remove_prefix(1);
      std::size_t point = number.find('.');
      std::int64_t whole = parse_int(number.substr(0, point));
      std::int64_t part = 0;
      if (point != std::string_view::npos) {
        std::string digits(number.substr(point + 1));
        digits.resize(6, '0');
        part = parse_int(digits);
      }
      std::int64_t value = whole * 1'000'000 + part;
      micros += negative ? -value : value;
      continue;
    }
    std::int64_t value = parse_int(number.starts_with('+') ? number.substr(1) : number);
    if (!time && unit == 'Y') months += value * 12;
    else if (!time && unit == 'M') months += value;
    else if (!time && unit == 'W') days += value * 7;
    else if (!time && unit == 'D') days += value;
    else if (time && unit == 'H') micros += value * 3'600'000'000LL;
    else if (time && unit == 'M') micros += value * 60'000'000LL;
    else throw DatasourceError(fmt::format("PostgreSQL sent an interval this sandbox cannot read: {}", text));
  }
  return Value(ValueObject{{"months", integer_cell(months)}, {"days", integer_cell(days)}, {"micros", integer_cell(micros)}});
}

Value decode_array(Oid element_type, std::string_view text) {
  // Arrays whose lower bound is not 1 start with their dimensions: "[0:1]={1,2}".
  if (text.starts_with('[')) {
    std::size_t equals = text.find('=');
    if (equals != std::string_view::npos) text.remove_prefix(equals + 1);
  }
  if (!text.starts_with('{')) throw DatasourceError(fmt::format("PostgreSQL sent an array this sandbox cannot read: {}", text));
  Cursor in{text};
  return parse_array_level(element_type, in);
}

Bytes decode_bytea(std::string_view text) {
  if (!text.starts_with("\\x")) throw DatasourceError("PostgreSQL sent bytea in escape format; the sandbox sets bytea_output = hex");
  text.remove_prefix(2);
  Bytes bytes;
  bytes.reserve(text.size() / 2);
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (std::size_t i = 0; i + 1 < text.size(); i += 2) {
    int high = nibble(text[i]), low = nibble(text[i + 1]);
    if (high < 0 || low < 0) throw DatasourceError("PostgreSQL sent bytea that is not hexadecimal");
    bytes.push_back(static_cast<std::uint8_t>(high << 4 | low));
  }
  return bytes;
}

Value decode_text(Oid type, std::string_view text) {
  switch (type) {
    case kBool: return Value(text == "t");
    case kInt2:
    case kInt4:
    case kInt8:
    case kOid: return integer_cell(parse_int(text));
    case kFloat4:
    case kFloat8: return Value(parse_double(text));
    case kNumeric: return decode_numeric(text);
    case kJson:
    case kJsonb:
      try {
        return parse_json(text);
      } catch (const std::invalid_argument& e) {
        throw DatasourceError(fmt::format("PostgreSQL sent JSON this sandbox cannot parse: {}", e.what()));
      }
    case kBytea: return Value(decode_bytea(text));
    case kDate: return Value(normalize_date(text));
    case kTimestamp: return Value(normalize_timestamp(text, false));
    case kTimestamptz: return Value(normalize_timestamp(text, true));
    case kTime:
    case kTimetz: return Value(normalize_time(text));
    case kInterval: return decode_interval(text);
    default:
      if (Oid element = array_element_type(type)) return decode_array(element, text);
      return Value(std::string(text));
  }
}

std::string duck_type(Oid type, int typmod) {
  switch (type) {
    case kNumeric: {
      auto column = binary_column(type, typmod);  // the binary COPY path's choice, so both paths agree
      return column && column->kind == BinaryKind::Decimal ? duck_sql_type(column->duck) : "";
    }
    case 20: case 21: case 23: case 26: return "BIGINT";  // int8, int2, int4, oid
    case 700: case 701: return "DOUBLE";                  // float4, float8
    case 16: return "BOOLEAN";
    case 17: return "BLOB";                               // bytea
    case 18: case 19: case 25: case 1042: case 1043: return "VARCHAR";  // char, name, text, bpchar, varchar
    case 114: case 3802: return kJsonText;                // json, jsonb: their JSON text
    case 2950: return "UUID";
    case 1082: return "DATE";
    case 1083: return "TIME";
    case 1114: return "TIMESTAMP";
    case 1184: return "TIMESTAMPTZ";
    default: return "";
  }
}

}  // namespace as::datasources::postgres
