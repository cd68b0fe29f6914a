#include "postgres_binary.h"

#include <algorithm>
#include <array>
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

// 10^n for n in 0..38, the limits of DECIMAL(n, s) (looked up: numeric_scaled runs per cell).
Int128 power_of_ten(int n) {
  static const auto kTable = [] {
    std::array<Int128, 39> table{};
    table[0] = 1;
    for (std::size_t i = 1; i < table.size(); ++i) table[i] = table[i - 1] * 10;
    return table;
  }();
  return kTable[static_cast<std::size_t>(std::clamp(n, 0, 38))];
}

}  // namespace

std::optional<BinaryColumn> binary_column(Oid type, int typmod) {
  using K = BinaryKind;
  using D = DuckColumnType;
  switch (type) {
    case 16: return BinaryColumn{K::Bool, {D::Boolean}};
    case 21: return BinaryColumn{K::Int2, {D::BigInt}};
    case 23: return BinaryColumn{K::Int4, {D::BigInt}};
    case 20: return BinaryColumn{K::Int8, {D::BigInt}};
    case 26: return BinaryColumn{K::ObjectId, {D::BigInt}};
    case 700: return BinaryColumn{K::Float4, {D::Double}};
    case 701: return BinaryColumn{K::Float8, {D::Double}};
    case 18: case 19: case 25: case 1042: case 1043: return BinaryColumn{K::Text, {D::Varchar}};
    case 114: return BinaryColumn{K::Json, {D::Varchar}};
    case 3802: return BinaryColumn{K::Jsonb, {D::Varchar}};
    case 17: return BinaryColumn{K::Bytea, {D::Blob}};
    case 2950: return BinaryColumn{K::Uuid, {D::Uuid}};
    case 1082: return BinaryColumn{K::Date, {D::Date}};
    case 1114: return BinaryColumn{K::Timestamp, {D::Timestamp}};
    case 1184: return BinaryColumn{K::TimestampTz, {D::TimestampTz}};
    case 1083: return BinaryColumn{K::Time, {D::Time}};
    case 1700: {
      // typmod = ((precision << 16) | scale) + 4; below 4 the column has no precision, and its
      // values decide the type on the text path (a double when exact, else text).
      if (typmod < 4) return std::nullopt;
      int precision = ((typmod - 4) >> 16) & 0xffff;
      int scale = (typmod - 4) & 0xffff;
      // DuckDB's DECIMAL holds up to 38 digits, and no negative scale (PostgreSQL 15's
      // numeric(2, -3)) or scale above the precision.
      if (precision >= 1 && precision <= 38 && scale <= precision) {
        return BinaryColumn{K::Decimal, {D::Decimal, static_cast<std::uint8_t>(precision), static_cast<std::uint8_t>(scale)}};
      }
      return BinaryColumn{K::NumericText, {D::Varchar}};
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

Int128 numeric_scaled(std::string_view binary, int precision, int scale) {
  if (binary.size() < 8) throw DatasourceError(fmt::format("PostgreSQL sent a binary numeric of {} bytes", binary.size()));
  const char* at = binary.data();
  int digits = read_int16(at);
  int weight = read_int16(at + 2);
  auto sign = static_cast<std::uint16_t>(read_int16(at + 4));
  if (sign == kNumericNaN || sign == kNumericPositiveInfinity || sign == kNumericNegativeInfinity) {
    throw DatasourceError(fmt::format("a numeric({}, {}) value is {}, which DuckDB's DECIMAL({}, {}) cannot hold: cast the column to "
                                      "double precision in the statement to load it",
                                      precision, scale, numeric_text(binary), precision, scale));
  }
  if (digits < 0 || binary.size() != 8 + 2 * static_cast<std::size_t>(digits) || (sign != 0 && sign != kNumericNegative)) {
    throw DatasourceError("PostgreSQL sent a binary numeric this sandbox cannot read");
  }
  auto too_wide = [&] {
    return DatasourceError(fmt::format("PostgreSQL sent the numeric {} for a numeric({}, {}) column, which DECIMAL({}, {}) cannot hold",
                                       numeric_text(binary), precision, scale, precision, scale));
  };
  // Base-10000 digits; group i is worth 10000^(weight - i), so 10^(4 * (weight - i) + scale)
  // once scaled. Groups up to `last` are worth a whole power of ten (>= 10^0): they are summed in
  // base 10000, then the sum is moved to 10^0; of the next group only its leading digits count,
  // and nothing may remain below them.
  auto group = [&](int i) -> int { return i >= 0 && i < digits ? read_int16(at + 8 + 2 * i) : 0; };
  static constexpr std::int64_t kPowers[] = {1, 10, 100, 1000, 10000};
  const Int128 limit = power_of_ten(precision);  // |scaled| < 10^precision
  int last = weight + scale / 4;
  Int128 scaled = 0;
  for (int i = 0; i <= last; ++i) {
    scaled = scaled * 10000 + group(i);
    if (scaled >= limit) throw too_wide();
  }
  int shift = 4 * (weight - last) + scale;  // 0-3: the power of ten of group `last`
  scaled *= kPowers[shift];
  int next = group(last + 1);
  scaled += next / kPowers[4 - shift];
  bool remainder = next % kPowers[4 - shift] != 0;
  for (int i = std::max(last + 2, 0); i < digits; ++i) remainder = remainder || group(i) != 0;
  if (remainder) {
    throw DatasourceError(fmt::format("PostgreSQL sent the numeric {} for a numeric({}, {}) column: more fraction digits than its scale",
                                      numeric_text(binary), precision, scale));
  }
  if (scaled >= limit) throw too_wide();
  return sign == kNumericNegative ? -scaled : scaled;
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
