#include "value_text.h"

#include <algorithm>
#include <limits>
#include <vector>

namespace as::duck {
namespace {

// DuckDB's markers for +-infinity dates and timestamps.
constexpr std::int32_t kDateInfinity = std::numeric_limits<std::int32_t>::max();
constexpr std::int64_t kTimestampInfinity = std::numeric_limits<std::int64_t>::max();

std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// Proleptic Gregorian calendar from days since 1970-01-01 (Howard Hinnant's civil_from_days).
struct CivilDate {
  std::int64_t year;
  unsigned month;
  unsigned day;
};
CivilDate civil_from_days(std::int64_t days) {
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto day_of_era = static_cast<unsigned>(days - era * 146097);
  const unsigned year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const unsigned day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const unsigned shifted_month = (5 * day_of_year + 2) / 153;
  const unsigned day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
  const unsigned month = shifted_month < 10 ? shifted_month + 3 : shifted_month - 9;
  return {static_cast<std::int64_t>(year_of_era) + era * 400 + (month <= 2), month, day};
}

void append_date(ShortText& text, std::int64_t days) {
  CivilDate date = civil_from_days(days);
  if (date.year >= 0 && date.year <= 9999) {
    const auto year = static_cast<unsigned>(date.year);
    text.append_two_digits(year / 100);
    text.append_two_digits(year % 100);
  } else {
    // ISO-8601 expanded years (what JS Date reads): sign and at least six digits; year 0 is 1 BC.
    text.append(date.year < 0 ? '-' : '+');
    text.append_digits(static_cast<std::uint64_t>(date.year < 0 ? -date.year : date.year), 6);
  }
  text.append('-');
  text.append_two_digits(date.month);
  text.append('-');
  text.append_two_digits(date.day);
}

// Fraction of a second in nanoseconds: none when whole, else 3, 6 or 9 digits as needed.
void append_fraction(ShortText& text, std::uint64_t nanos) {
  if (nanos == 0) return;
  text.append('.');
  if (nanos % 1'000'000 == 0) {
    text.append_digits(nanos / 1'000'000, 3);
  } else if (nanos % 1'000 == 0) {
    text.append_digits(nanos / 1'000, 6);
  } else {
    text.append_digits(nanos, 9);
  }
}

void append_time_of_day(ShortText& text, std::int64_t nanos_of_day) {
  auto seconds = static_cast<std::uint64_t>(nanos_of_day / 1'000'000'000);
  text.append_digits(seconds / 3600, 2);
  text.append(':');
  text.append_two_digits(static_cast<unsigned>(seconds / 60 % 60));
  text.append(':');
  text.append_two_digits(static_cast<unsigned>(seconds % 60));
  append_fraction(text, static_cast<std::uint64_t>(nanos_of_day % 1'000'000'000));
}

void append_hex(ShortText& text, std::uint64_t value, int digits) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) text.append(kHex[(value >> shift) & 0xF]);
}

void append_uint128(ShortText& text, UInt128 value) {
  char digits[40];
  int count = 0;
  do {
    digits[count++] = static_cast<char>('0' + static_cast<int>(value % 10));
    value /= 10;
  } while (value != 0);
  while (count > 0) text.append(digits[--count]);
}

UInt128 magnitude(Int128 value) {
  // Negating in unsigned arithmetic is defined even for the most negative value.
  return value < 0 ? UInt128{0} - static_cast<UInt128>(value) : static_cast<UInt128>(value);
}

// A BIGNUM's magnitude, most significant byte first, and its sign. DuckDB stores a 3-byte
// header whose top bit is set for non-negative numbers, then the bytes, all inverted when negative.
std::vector<std::uint8_t> bignum_magnitude(StringBytes bignum, bool& negative) {
  std::vector<std::uint8_t> bytes;
  if (bignum.size < 4) {
    negative = false;
    return bytes;
  }
  const auto* data = reinterpret_cast<const std::uint8_t*>(bignum.data);
  negative = (data[0] & 0x80) == 0;
  bytes.reserve(bignum.size - 3);
  for (std::uint32_t i = 3; i < bignum.size; ++i) bytes.push_back(negative ? static_cast<std::uint8_t>(~data[i]) : data[i]);
  return bytes;
}

}  // namespace

void ShortText::append_digits(std::uint64_t value, int width) {
  if (width == 2 && value < 100) {
    append_two_digits(static_cast<unsigned>(value));
    return;
  }
  char digits[20];
  int count = 0;
  do {
    digits[count++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  for (int pad = count; pad < width; ++pad) append('0');
  while (count > 0) append(digits[--count]);
}

ShortText format_date(std::int32_t days_since_epoch) {
  ShortText text;
  if (days_since_epoch == kDateInfinity) {
    text.append("infinity");
    return text;
  }
  if (days_since_epoch == -kDateInfinity) {
    text.append("-infinity");
    return text;
  }
  append_date(text, days_since_epoch);
  return text;
}

ShortText format_time(std::int64_t value, TimeUnit unit) {
  ShortText text;
  append_time_of_day(text, value * (static_cast<std::int64_t>(TimeUnit::Nanos) / static_cast<std::int64_t>(unit)));
  return text;
}

ShortText format_time_tz(duckdb_time_tz value) {
  duckdb_time_tz_struct parts = duckdb_from_time_tz(value);
  std::int64_t micros = ((parts.time.hour * 60ll + parts.time.min) * 60 + parts.time.sec) * 1'000'000 + parts.time.micros;
  ShortText text = format_time(micros, TimeUnit::Micros);
  std::int32_t offset = parts.offset;  // seconds east of UTC
  text.append(offset < 0 ? '-' : '+');
  auto seconds = static_cast<std::uint64_t>(offset < 0 ? -static_cast<std::int64_t>(offset) : offset);
  text.append_digits(seconds / 3600, 2);
  text.append(':');
  text.append_digits(seconds / 60 % 60, 2);
  if (seconds % 60 != 0) {
    text.append(':');
    text.append_digits(seconds % 60, 2);
  }
  return text;
}

namespace {

// One template per unit so that the divisions below are by constants (the hot path of
// timestamp columns).
template <std::int64_t kPerSecond>
ShortText format_timestamp_in(std::int64_t value, bool utc) {
  constexpr std::int64_t kPerDay = 86'400 * kPerSecond;
  ShortText text;
  std::int64_t days = floor_div(value, kPerDay);
  std::int64_t of_day = value - days * kPerDay;
  append_date(text, days);
  text.append('T');
  append_time_of_day(text, of_day * (1'000'000'000 / kPerSecond));
  if (utc) text.append('Z');
  return text;
}

}  // namespace

ShortText format_timestamp(std::int64_t value, TimeUnit unit, bool utc) {
  if (value == kTimestampInfinity || value == -kTimestampInfinity) {
    ShortText text;
    text.append(value < 0 ? "-infinity" : "infinity");
    return text;
  }
  switch (unit) {
    case TimeUnit::Seconds: return format_timestamp_in<1>(value, utc);
    case TimeUnit::Millis: return format_timestamp_in<1'000>(value, utc);
    case TimeUnit::Micros: return format_timestamp_in<1'000'000>(value, utc);
    case TimeUnit::Nanos: break;
  }
  return format_timestamp_in<1'000'000'000>(value, utc);
}

ShortText format_uuid(duckdb_hugeint value) {
  // DuckDB flips the top bit so that UUIDs sort as their text does.
  auto high = static_cast<std::uint64_t>(value.upper) ^ (std::uint64_t{1} << 63);
  std::uint64_t low = value.lower;
  ShortText text;
  append_hex(text, high >> 32, 8);
  text.append('-');
  append_hex(text, (high >> 16) & 0xFFFF, 4);
  text.append('-');
  append_hex(text, high & 0xFFFF, 4);
  text.append('-');
  append_hex(text, low >> 48, 4);
  text.append('-');
  append_hex(text, low & 0xFFFF'FFFF'FFFF, 12);
  return text;
}

ShortText format_int128(Int128 value) {
  ShortText text;
  if (value < 0) text.append('-');
  append_uint128(text, magnitude(value));
  return text;
}

ShortText format_uint128(UInt128 value) {
  ShortText text;
  append_uint128(text, value);
  return text;
}

ShortText format_decimal(Int128 unscaled, std::uint8_t scale) {
  UInt128 divisor = 1;
  for (std::uint8_t i = 0; i < scale; ++i) divisor *= 10;
  UInt128 absolute = magnitude(unscaled);
  ShortText text;
  if (unscaled < 0) text.append('-');
  append_uint128(text, absolute / divisor);
  if (scale > 0) {
    text.append('.');
    ShortText fraction;
    append_uint128(fraction, absolute % divisor);
    for (std::size_t pad = fraction.view().size(); pad < scale; ++pad) text.append('0');
    text.append(fraction.view());
  }
  return text;
}

std::string format_bits(StringBytes bits) {
  std::string text;
  if (bits.size < 1) return text;
  const auto* data = reinterpret_cast<const std::uint8_t*>(bits.data);
  // The first byte counts the padding bits at the start of the second byte.
  unsigned padding = data[0];
  text.reserve((bits.size - 1) * 8);
  for (std::uint32_t byte = 1; byte < bits.size; ++byte) {
    for (unsigned bit = byte == 1 ? padding : 0; bit < 8; ++bit) text.push_back((data[byte] >> (7 - bit)) & 1 ? '1' : '0');
  }
  return text;
}

std::string format_bignum(StringBytes bignum) {
  bool negative = false;
  std::vector<std::uint8_t> bytes = bignum_magnitude(bignum, negative);
  // Base-10^9 limbs, least significant first: multiply by 256 and add each byte.
  std::vector<std::uint32_t> limbs{0};
  for (std::uint8_t byte : bytes) {
    std::uint64_t carry = byte;
    for (auto& limb : limbs) {
      std::uint64_t next = static_cast<std::uint64_t>(limb) * 256 + carry;
      limb = static_cast<std::uint32_t>(next % 1'000'000'000);
      carry = next / 1'000'000'000;
    }
    while (carry != 0) {
      limbs.push_back(static_cast<std::uint32_t>(carry % 1'000'000'000));
      carry /= 1'000'000'000;
    }
  }
  std::string text = negative && !(limbs.size() == 1 && limbs[0] == 0) ? "-" : "";
  text += std::to_string(limbs.back());
  for (auto limb = limbs.rbegin() + 1; limb != limbs.rend(); ++limb) {
    std::string digits = std::to_string(*limb);
    text.append(9 - digits.size(), '0');
    text += digits;
  }
  return text;
}

bool bignum_to_int64(StringBytes bignum, std::int64_t& out) {
  bool negative = false;
  std::vector<std::uint8_t> bytes = bignum_magnitude(bignum, negative);
  auto first = std::find_if(bytes.begin(), bytes.end(), [](std::uint8_t b) { return b != 0; });
  if (bytes.end() - first > 8) return false;
  std::uint64_t value = 0;
  for (auto it = first; it != bytes.end(); ++it) value = value << 8 | *it;
  if (value > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return false;
  out = negative ? -static_cast<std::int64_t>(value) : static_cast<std::int64_t>(value);
  return true;
}

}  // namespace as::duck
