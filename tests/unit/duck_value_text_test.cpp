// Text forms of DuckDB values JS has no type for: one test per row of docs/duckdb.md's table
// that produces text, including the edges (leap days, BC dates, infinities, fractions).
#include <gtest/gtest.h>

#include <limits>
#include <string>

#include "duck/value_text.h"

using namespace as::duck;

namespace {

std::string text(const ShortText& t) { return std::string(t.view()); }

// Days since 1970-01-01 of a proleptic Gregorian date, independently of the code under test.
std::int32_t days(int year, unsigned month, unsigned day) {
  year -= month <= 2;
  const int era = (year >= 0 ? year : year - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(year - era * 400);
  const unsigned doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int>(doe) - 719468;
}

StringBytes bytes_of(const std::string& s) { return {s.data(), static_cast<std::uint32_t>(s.size())}; }

}  // namespace

TEST(DuckValueText, DateIsYearMonthDay) {
  EXPECT_EQ(text(format_date(0)), "1970-01-01");
  EXPECT_EQ(text(format_date(days(2024, 2, 29))), "2024-02-29");
  EXPECT_EQ(text(format_date(days(1969, 12, 31))), "1969-12-31");
  EXPECT_EQ(text(format_date(days(1, 1, 1))), "0001-01-01");
  EXPECT_EQ(text(format_date(days(9999, 12, 31))), "9999-12-31");
}

TEST(DuckValueText, DateOutsideYears0To9999UsesExpandedIsoYears) {
  EXPECT_EQ(text(format_date(days(0, 1, 1))), "0000-01-01");  // 1 BC
  EXPECT_EQ(text(format_date(days(-43, 3, 15))), "-000043-03-15");  // 44 BC
  EXPECT_EQ(text(format_date(days(10000, 1, 1))), "+010000-01-01");
}

TEST(DuckValueText, InfiniteDatesAndTimestampsAreWords) {
  EXPECT_EQ(text(format_date(std::numeric_limits<std::int32_t>::max())), "infinity");
  EXPECT_EQ(text(format_date(-std::numeric_limits<std::int32_t>::max())), "-infinity");
  EXPECT_EQ(text(format_timestamp(std::numeric_limits<std::int64_t>::max(), TimeUnit::Micros, false)), "infinity");
  EXPECT_EQ(text(format_timestamp(-std::numeric_limits<std::int64_t>::max(), TimeUnit::Micros, true)), "-infinity");
}

TEST(DuckValueText, TimeShowsOnlyTheFractionDigitsItNeeds) {
  EXPECT_EQ(text(format_time(0, TimeUnit::Micros)), "00:00:00");
  EXPECT_EQ(text(format_time(((12 * 60 + 34) * 60 + 56) * 1'000'000ll + 789'000, TimeUnit::Micros)), "12:34:56.789");
  EXPECT_EQ(text(format_time(1, TimeUnit::Micros)), "00:00:00.000001");
  EXPECT_EQ(text(format_time(86'400'000'000ll, TimeUnit::Micros)), "24:00:00");
  EXPECT_EQ(text(format_time(1, TimeUnit::Nanos)), "00:00:00.000000001");
}

TEST(DuckValueText, TimestampIsIsoWithoutZoneAndTimestampTzEndsInZ) {
  std::int64_t micros = (static_cast<std::int64_t>(days(2024, 1, 2)) * 86'400 + 3 * 3600 + 4 * 60 + 5) * 1'000'000 + 123'456;
  EXPECT_EQ(text(format_timestamp(micros, TimeUnit::Micros, false)), "2024-01-02T03:04:05.123456");
  EXPECT_EQ(text(format_timestamp(micros, TimeUnit::Micros, true)), "2024-01-02T03:04:05.123456Z");
  EXPECT_EQ(text(format_timestamp(0, TimeUnit::Micros, true)), "1970-01-01T00:00:00Z");
}

TEST(DuckValueText, TimestampBeforeTheEpochCountsBackwards) {
  EXPECT_EQ(text(format_timestamp(-1, TimeUnit::Micros, false)), "1969-12-31T23:59:59.999999");
  EXPECT_EQ(text(format_timestamp(-1'500, TimeUnit::Millis, false)), "1969-12-31T23:59:58.500");
}

TEST(DuckValueText, TimestampUnitsSecondsMillisNanos) {
  EXPECT_EQ(text(format_timestamp(86'401, TimeUnit::Seconds, false)), "1970-01-02T00:00:01");
  EXPECT_EQ(text(format_timestamp(1'250, TimeUnit::Millis, false)), "1970-01-01T00:00:01.250");
  EXPECT_EQ(text(format_timestamp(1'000'000'001, TimeUnit::Nanos, false)), "1970-01-01T00:00:01.000000001");
}

TEST(DuckValueText, UuidIsCanonicalLowercase) {
  // DuckDB stores a UUID as a HUGEINT with the top bit flipped.
  duckdb_hugeint value{0xbb6d6bb9bd380a11ull, static_cast<std::int64_t>(0xa0eebc999c0b4ef8ull ^ (1ull << 63))};
  EXPECT_EQ(text(format_uuid(value)), "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
}

TEST(DuckValueText, DecimalKeepsEveryDigitAndItsScale) {
  EXPECT_EQ(text(format_decimal(12345, 2)), "123.45");
  EXPECT_EQ(text(format_decimal(-5, 3)), "-0.005");
  EXPECT_EQ(text(format_decimal(7, 0)), "7");
  Int128 wide = static_cast<Int128>(12345678901234567ll) * 100 + 12;
  EXPECT_EQ(text(format_decimal(wide, 2)), "12345678901234567.12");
}

TEST(DuckValueText, Int128ExtremesAreExact) {
  Int128 max = static_cast<Int128>((~UInt128{0}) >> 1);
  EXPECT_EQ(text(format_int128(max)), "170141183460469231731687303715884105727");
  EXPECT_EQ(text(format_int128(-max - 1)), "-170141183460469231731687303715884105728");
  EXPECT_EQ(text(format_uint128(~UInt128{0})), "340282366920938463463374607431768211455");
}

TEST(DuckValueText, BitStringSkipsItsPaddingBits) {
  // '101': 5 padding bits, then 101 in the low bits of the first data byte.
  std::string stored{static_cast<char>(5), static_cast<char>(0b11111101)};
  EXPECT_EQ(format_bits(bytes_of(stored)), "101");
  std::string two_bytes{static_cast<char>(0), static_cast<char>(0b10000000), static_cast<char>(0b00000001)};
  EXPECT_EQ(format_bits(bytes_of(two_bytes)), "1000000000000001");
}

TEST(DuckValueText, BignumDecodesSignAndMagnitude) {
  // Header: 3 bytes, top bit set for non-negative; the whole blob is inverted when negative.
  std::string five{static_cast<char>(0x80), 0, 1, 5};
  std::string minus_five;
  for (char c : five) minus_five += static_cast<char>(~c);
  std::int64_t value = 0;
  ASSERT_TRUE(bignum_to_int64(bytes_of(five), value));
  EXPECT_EQ(value, 5);
  ASSERT_TRUE(bignum_to_int64(bytes_of(minus_five), value));
  EXPECT_EQ(value, -5);
  EXPECT_EQ(format_bignum(bytes_of(minus_five)), "-5");
  // 2^72 = 4722366482869645213696: ten bytes, too wide for int64.
  std::string wide{static_cast<char>(0x80), 0, 10, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  EXPECT_FALSE(bignum_to_int64(bytes_of(wide), value));
  EXPECT_EQ(format_bignum(bytes_of(wide)), "4722366482869645213696");
}
