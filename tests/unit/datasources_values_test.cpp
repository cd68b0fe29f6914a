// PostgreSQL's text forms turned into the shared type table (no server needed).
#include <gtest/gtest.h>

#include <cmath>

#include "datasources/postgres_values.h"

using namespace as;
using namespace as::datasources::postgres;

TEST(PostgresValues, DatesUseIsoYearsWithExpandedFormsOutside0To9999) {
  EXPECT_EQ(normalize_date("2024-02-29"), "2024-02-29");
  EXPECT_EQ(normalize_date("0044-03-15 BC"), "-000043-03-15");
  EXPECT_EQ(normalize_date("0001-01-01 BC"), "0000-01-01");
  EXPECT_EQ(normalize_date("10000-01-01"), "+010000-01-01");
  EXPECT_EQ(normalize_date("infinity"), "infinity");
}

TEST(PostgresValues, TimestampsAreIsoWithFractionsOf3Or6DigitsAndZForInstants) {
  EXPECT_EQ(normalize_timestamp("2024-01-02 03:04:05", false), "2024-01-02T03:04:05");
  EXPECT_EQ(normalize_timestamp("2024-01-02 03:04:05.5", false), "2024-01-02T03:04:05.500");
  EXPECT_EQ(normalize_timestamp("2024-01-02 03:04:05.1234", false), "2024-01-02T03:04:05.123400");
  EXPECT_EQ(normalize_timestamp("2024-01-02 01:04:05.5+00", true), "2024-01-02T01:04:05.500Z");
  EXPECT_EQ(normalize_timestamp("-infinity", true), "-infinity");
}

TEST(PostgresValues, TimesKeepTheirZoneAsHoursAndMinutes) {
  EXPECT_EQ(normalize_time("12:34:56.789"), "12:34:56.789");
  EXPECT_EQ(normalize_time("12:00:00+05:30"), "12:00:00+05:30");
  EXPECT_EQ(normalize_time("12:00:00-03"), "12:00:00-03:00");
}

TEST(PostgresValues, NumericIsANumberWhenExactElseTheDigits) {
  EXPECT_EQ(decode_numeric("12345.67"), Value(12345.67));
  EXPECT_EQ(decode_numeric("-0.000100"), Value(-0.0001));
  EXPECT_EQ(decode_numeric("12345678901234.5000"), Value(12345678901234.5));  // 15 significant digits
  EXPECT_EQ(decode_numeric("123456789012345.1000"), Value("123456789012345.1000"));  // 16
  EXPECT_EQ(decode_numeric("12345678901234567890.0123456789"), Value("12345678901234567890.0123456789"));
  EXPECT_TRUE(std::isnan(decode_numeric("NaN").as<double>()));
}

TEST(PostgresValues, IntervalsBecomeMonthsDaysAndMicros) {
  EXPECT_EQ(decode_interval("P1Y2M3DT4H5M6.5S"),
            Value(ValueObject{{"months", Value(14)}, {"days", Value(3)}, {"micros", Value(std::int64_t{14'706'500'000})}}));
  EXPECT_EQ(decode_interval("P-1Y-2M3DT-4H-5M-6.25S"),
            Value(ValueObject{{"months", Value(-14)}, {"days", Value(3)}, {"micros", Value(std::int64_t{-14'706'250'000})}}));
  EXPECT_EQ(decode_interval("PT0S"), Value(ValueObject{{"months", Value(0)}, {"days", Value(0)}, {"micros", Value(0)}}));
}

TEST(PostgresValues, ArraysNestQuoteAndHoldNulls) {
  constexpr Oid kText = 25, kInt4 = 23;
  EXPECT_EQ(decode_array(kText, R"({x,"y z",NULL,"q\"uote","NULL"})"),
            Value(ValueArray{"x", "y z", nullptr, "q\"uote", "NULL"}));
  EXPECT_EQ(decode_array(kInt4, "{{1,2},{3,4}}"), Value(ValueArray{ValueArray{1, 2}, ValueArray{3, 4}}));
  EXPECT_EQ(decode_array(kInt4, "[0:1]={5,6}"), Value(ValueArray{5, 6}));
  EXPECT_EQ(decode_array(kInt4, "{}"), Value(ValueArray{}));
}

TEST(PostgresValues, ByteaHexBecomesBytes) {
  EXPECT_EQ(decode_bytea("\\xaa00ff"), (Bytes{0xaa, 0x00, 0xff}));
  EXPECT_EQ(decode_bytea("\\x"), Bytes{});
}

TEST(PostgresValues, BigIntegersBeyond2To53AreBigInts) {
  constexpr Oid kInt8 = 20;
  EXPECT_EQ(decode_text(kInt8, "9007199254740992"), Value(9007199254740992.0));
  EXPECT_EQ(decode_text(kInt8, "-9007199254740992"), Value(-9007199254740992.0));
  EXPECT_EQ(decode_text(kInt8, "9007199254740993"), Value(BigInt{"9007199254740993"}));
}
