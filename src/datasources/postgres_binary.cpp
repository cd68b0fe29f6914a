#include "postgres_binary.h"

#include <charconv>
#include <cstring>
#include <limits>

#include <fmt/format.h>

#include "datasource_error.h"

namespace as::datasources::postgres {
namespace {

constexpr std::int64_t kEpochMicros = 946'684'800'000'000;  // 2000-01-01 - 1970-01-01
constexpr std::int32_t kEpochDays = 10'957;

// numeric's sign word (numeric.c).
constexpr std::uint16_t kNumericNegative = 0x4000;
constexpr std::uint16_t kNumericNaN = 0xC000;
constexpr std::uint16_t kNumericPositiveInfinity = 0xD000;
constexpr std::uint16_t kNumericNegativeInfinity = 0xF000;

}  // namespace

std::optional<BinaryColumn> binary_column(Oid type, int typmod) {
  using K = BinaryKind;
  using D = DuckColumnType;
  switch (type) {
    case 16: return BinaryColumn{K::Bool, D::Boolean};
    case 21: return BinaryColumn{K::Int2, D::BigInt};
    case 23: return BinaryColumn{K::Int4, D::BigInt};
    case 20: return BinaryColumn{K::Int8, D::BigInt};
    case 26: return BinaryColumn{K::ObjectId, D::BigInt};
    case 700: return BinaryColumn{K::Float4, D::Double};
    case 701: return BinaryColumn{K::Float8, D::Double};
    case 18: case 19: case 25: case 1042: case 1043: return BinaryColumn{K::Text, D::Varchar};
    case 114: return BinaryColumn{K::Json, D::Varchar};
    case 3802: return BinaryColumn{K::Jsonb, D::Varchar};
    case 17: return BinaryColumn{K::Bytea, D::Blob};
    case 2950: return BinaryColumn{K::Uuid, D::Uuid};
    case 1082: return BinaryColumn{K::Date, D::Date};
    case 1114: return BinaryColumn{K::Timestamp, D::Timestamp};
    case 1184: return BinaryColumn{K::TimestampTz, D::TimestampTz};
    case 1083: return BinaryColumn{K::Time, D::Time};
    case 1700: {
      // typmod = ((precision << 16) | scale) + 4; below 4 the column has no precision, and its
      // values decide the type on the text path (a double when exact, else text).
      if (typmod < 4) return std::nullopt;
      int precision = ((typmod - 4) >> 16) & 0xffff;
      return precision <= 15 ? BinaryColumn{K::NumericDouble, D::Double} : BinaryColumn{K::NumericText, D::Varchar};
    }
    default: return std::nullopt;
  }
}

std::string numeric_text(std::string_view binary) {
  if (binary.size() < 8) throw DatasourceError(fmt::format("PostgreSQL sent a binary numeric of {} bytes", binary.size()));
  const char* at = binary.data();
  int digits = read_int16(at);
  int weight = read_int16(at + 2);
  auto sign = static_cast<std::uint16_t>(read_int16(at + 4));
  int scale = read_int16(at + 6);
  if (sign == kNumericNaN) return "NaN";
  if (sign == kNumericPositiveInfinity) return "Infinity";
  if (sign == kNumericNegativeInfinity) return "-Infinity";
  if (digits < 0 || scale < 0 || binary.size() != 8 + 2 * static_cast<std::size_t>(digits)) {
    throw DatasourceError("PostgreSQL sent a binary numeric this sandbox cannot read");
  }
  // Base-10000 digits; group i is worth 10000^(weight - i); groups outside [0, digits) are 0.
  auto group = [&](int i) -> int { return i >= 0 && i < digits ? read_int16(at + 8 + 2 * i) : 0; };
  std::string out;
  out.reserve(static_cast<std::size_t>(4 * (weight + 2) + scale + 2));
  if (sign == kNumericNegative) out += '-';
  if (weight < 0) {
    out += '0';
  } else {
    char buffer[8];
    auto end = std::to_chars(buffer, buffer + sizeof buffer, group(0)).ptr;
    out.append(buffer, end);
    for (int i = 1; i <= weight; ++i) out += fmt::format("{:04}", group(i));
  }
  if (scale > 0) {
    out += '.';
    std::size_t fraction_start = out.size();
    for (int i = weight + 1; out.size() - fraction_start < static_cast<std::size_t>(scale); ++i) out += fmt::format("{:04}", group(i));
    out.resize(fraction_start + static_cast<std::size_t>(scale));
  }
  return out;
}

double numeric_double(std::string_view binary) {
  if (binary.size() >= 8) {
    auto sign = static_cast<std::uint16_t>(read_int16(binary.data() + 4));
    if (sign == kNumericNaN) return std::numeric_limits<double>::quiet_NaN();
    if (sign == kNumericPositiveInfinity) return std::numeric_limits<double>::infinity();
    if (sign == kNumericNegativeInfinity) return -std::numeric_limits<double>::infinity();
  }
  // Exactly, when the digits make an integer below 2^53: that integer divided (or multiplied)
  // by an exact power of ten is one correctly rounded IEEE operation, the same double as parsing
  // the server's text gives.
  if (binary.size() >= 8) {
    const char* at = binary.data();
    int digits = read_int16(at);
    int weight = read_int16(at + 2);
    if (digits >= 0 && digits <= 4 && binary.size() == 8 + 2 * static_cast<std::size_t>(digits)) {
      static constexpr double kPowers[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                           1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
      std::uint64_t integer = 0;  // the value times 10000^(digits - 1 - weight); below 10^16
      for (int i = 0; i < digits; ++i) integer = integer * 10000 + static_cast<std::uint64_t>(read_int16(at + 8 + 2 * i));
      int exponent = 4 * (digits - 1 - weight);  // value = integer / 10^exponent
      if (integer < (std::uint64_t(1) << 53) && exponent >= -22 && exponent <= 22) {
        double value = static_cast<double>(integer);
        value = exponent >= 0 ? value / kPowers[exponent] : value * kPowers[-exponent];
        return static_cast<std::uint16_t>(read_int16(at + 4)) == kNumericNegative ? -value : value;
      }
    }
  }
  // Else through the decimal text: one correctly rounded conversion, the same double the text
  // path gets from the server's text.
  std::string text = numeric_text(binary);
  double value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

std::int64_t timestamp_micros(std::int64_t postgres_micros) {
  constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
  if (postgres_micros == kMax) return kMax;                                     // infinity
  if (postgres_micros == std::numeric_limits<std::int64_t>::min()) return -kMax;  // -infinity
  return postgres_micros + kEpochMicros;
}

std::int32_t date_days(std::int32_t postgres_days) {
  constexpr auto kMax = std::numeric_limits<std::int32_t>::max();
  if (postgres_days == kMax) return kMax;
  if (postgres_days == std::numeric_limits<std::int32_t>::min()) return -kMax;
  return postgres_days + kEpochDays;
}

duckdb_hugeint uuid_hugeint(const char* bytes) {
  auto high = static_cast<std::uint64_t>(read_int64(bytes)) ^ (std::uint64_t(1) << 63);
  return duckdb_hugeint{static_cast<std::uint64_t>(read_int64(bytes + 8)), static_cast<std::int64_t>(high)};
}

}  // namespace as::datasources::postgres
