// PostgreSQL's binary COPY forms read for ctx.duckdb.load (no server needed), and COPY's text
// rows written for ctx.duckdb.export.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <initializer_list>
#include <limits>
#include <thread>
#include <vector>

#include "duck/bounded_queue.h"
#include "datasources/datasource_error.h"
#include "datasources/postgres_binary.h"
#include "datasources/postgres_copy.h"

using namespace as;
using namespace as::datasources;
using namespace as::datasources::postgres;

namespace {

void put16(std::string& out, int value) {
  out += static_cast<char>((value >> 8) & 0xff);
  out += static_cast<char>(value & 0xff);
}

// numeric_send's form of a decimal text like "-12.50" (dscale = digits after the point).
std::string binary_numeric(std::string text) {
  bool negative = text.starts_with('-');
  if (negative) text.erase(0, 1);
  std::size_t point = text.find('.');
  std::string whole = text.substr(0, point);
  std::string fraction = point == std::string::npos ? "" : text.substr(point + 1);
  int scale = static_cast<int>(fraction.size());
  whole.insert(0, (4 - whole.size() % 4) % 4, '0');
  fraction.append((4 - fraction.size() % 4) % 4, '0');
  std::vector<int> groups;
  for (std::size_t i = 0; i < whole.size(); i += 4) groups.push_back(std::stoi(whole.substr(i, 4)));
  for (std::size_t i = 0; i < fraction.size(); i += 4) groups.push_back(std::stoi(fraction.substr(i, 4)));
  int weight = static_cast<int>(whole.size() / 4) - 1;
  while (!groups.empty() && groups.front() == 0) {
    groups.erase(groups.begin());
    --weight;
  }
  while (!groups.empty() && groups.back() == 0) groups.pop_back();
  if (groups.empty()) weight = 0;
  std::string out;
  put16(out, static_cast<int>(groups.size()));
  put16(out, weight);
  put16(out, negative ? 0x4000 : 0);
  put16(out, scale);
  for (int group : groups) put16(out, group);
  return out;
}

std::string special_numeric(int sign) {
  std::string out;
  put16(out, 0);
  put16(out, 0);
  put16(out, sign);
  put16(out, 0);
  return out;
}

}  // namespace

TEST(PostgresBinary, NumericsReadBackAsPostgresPrintsThem) {
  for (const char* text : {"12345.67", "-0.5", "0.00", "0", "0.0001", "100000000", "-100000000.000", "12345678901234567890.0123456789",
                           "9999.9999", "1.10", "-0.000000012345", "99999999999999.9"}) {
    EXPECT_EQ(numeric_text(binary_numeric(text)), text);
  }
  EXPECT_EQ(numeric_text(special_numeric(0xC000)), "NaN");
  EXPECT_EQ(numeric_text(special_numeric(0xD000)), "Infinity");
  EXPECT_EQ(numeric_text(special_numeric(0xF000)), "-Infinity");
  EXPECT_THROW(numeric_text("\x00\x01"), DatasourceError);
  EXPECT_THROW(numeric_text(std::string("\x00\x05\x00\x00\x00\x00\x00\x00", 8)), DatasourceError);  // 5 digits promised, none sent
}

// The decimal digits of a 128-bit integer, for comparing with the text.
static std::string digits_of(Int128 value) {
  if (value == 0) return "0";
  bool negative = value < 0;
  std::string out;
  for (; value != 0; value /= 10) out.insert(out.begin(), static_cast<char>('0' + static_cast<int>(negative ? -(value % 10) : value % 10)));
  return negative ? "-" + out : out;
}

TEST(PostgresBinary, NumericsBecomeExactScaledDecimals) {
  struct Case {
    const char* text;
    int precision, scale;
    const char* scaled;
  };
  for (const Case& c : std::initializer_list<Case>{{"12345.67", 12, 2, "1234567"},
                                                   {"-0.5", 12, 2, "-50"},
                                                   {"0.05", 4, 2, "5"},
                                                   {"0", 18, 0, "0"},
                                                   {"0.00", 10, 2, "0"},
                                                   {"100000000", 9, 0, "100000000"},
                                                   {"0.0001", 10, 4, "1"},
                                                   {"0.1", 5, 3, "100"},
                                                   {"9999999999999999.99", 18, 2, "999999999999999999"},
                                                   {"-0.000000012345", 15, 12, "-12345"},
                                                   {"12345678901234567890.0123456789", 38, 10, "123456789012345678900123456789"},
                                                   {"99999999999999999999999999999999999999", 38, 0, "99999999999999999999999999999999999999"}}) {
    EXPECT_EQ(digits_of(numeric_scaled(binary_numeric(c.text), c.precision, c.scale)), c.scaled) << c.text;
  }
  try {
    numeric_scaled(special_numeric(0xC000), 12, 2);
    ADD_FAILURE() << "NaN became a DECIMAL";
  } catch (const DatasourceError& e) {
    EXPECT_STREQ(e.what(),
                 "a numeric(12, 2) value is NaN, which DuckDB's DECIMAL(12, 2) cannot hold: cast the column to double precision in the "
                 "statement to load it");
  }
  EXPECT_THROW(numeric_scaled(binary_numeric("0.125"), 5, 2), DatasourceError);    // more fraction digits than the scale
  EXPECT_THROW(numeric_scaled(binary_numeric("123456"), 5, 0), DatasourceError);   // more digits than the precision
  EXPECT_THROW(numeric_scaled("\x00\x01", 5, 0), DatasourceError);
}

TEST(PostgresBinary, DatesAndTimestampsMoveFrom2000To1970AndKeepInfinity) {
  EXPECT_EQ(date_days(0), 10957);      // 2000-01-01
  EXPECT_EQ(date_days(-10957), 0);     // 1970-01-01
  EXPECT_EQ(date_days(std::numeric_limits<std::int32_t>::max()), std::numeric_limits<std::int32_t>::max());
  EXPECT_EQ(date_days(std::numeric_limits<std::int32_t>::min()), -std::numeric_limits<std::int32_t>::max());
  EXPECT_EQ(timestamp_micros(0), 946'684'800'000'000);
  EXPECT_EQ(timestamp_micros(-946'684'800'000'000), 0);
  EXPECT_EQ(timestamp_micros(std::numeric_limits<std::int64_t>::min()), -std::numeric_limits<std::int64_t>::max());
}

TEST(PostgresBinary, UuidsTakeDuckdbsFlippedTopBit) {
  const char bytes[] = "\xa0\xee\xbc\x99\x9c\x0b\x4e\xf8\xbb\x6d\x6b\xb9\xbd\x38\x0a\x11";
  duckdb_hugeint value = uuid_hugeint(bytes);
  EXPECT_EQ(static_cast<std::uint64_t>(value.upper), 0xa0eebc999c0b4ef8ull ^ (1ull << 63));
  EXPECT_EQ(value.lower, 0xbb6d6bb9bd380a11ull);
}

TEST(PostgresBinary, ColumnsTakeTheBinaryPathOnlyWhereTheTextPathHasAFixedType) {
  EXPECT_EQ(binary_column(23, -1)->duck, DuckColumn{DuckColumnType::BigInt});
  EXPECT_EQ(binary_column(1184, -1)->duck, DuckColumn{DuckColumnType::TimestampTz});
  EXPECT_EQ(binary_column(3802, -1)->kind, BinaryKind::Jsonb);
  EXPECT_EQ(binary_column(1700, (10 << 16 | 2) + 4)->duck, (DuckColumn{DuckColumnType::Decimal, 10, 2}));  // numeric(10, 2)
  EXPECT_EQ(binary_column(1700, (18 << 16 | 0) + 4)->duck, (DuckColumn{DuckColumnType::Decimal, 18, 0}));  // numeric(18)
  EXPECT_EQ(binary_column(1700, (38 << 16 | 6) + 4)->duck, (DuckColumn{DuckColumnType::Decimal, 38, 6}));  // numeric(38, 6)
  EXPECT_EQ(binary_column(1700, (39 << 16 | 2) + 4)->kind, BinaryKind::NumericText);                     // numeric(39, 2)
  EXPECT_EQ(duck_sql_type(binary_column(1700, (12 << 16 | 2) + 4)->duck), "DECIMAL(12,2)");
  EXPECT_EQ(duck_type(1700, (12 << 16 | 2) + 4), "DECIMAL(12,2)");  // the text path agrees
  EXPECT_EQ(duck_type(1700, -1), "");
  EXPECT_FALSE(binary_column(1700, -1));  // numeric: the values decide, on the text path
  EXPECT_FALSE(binary_column(1007, -1));  // integer[]
  EXPECT_FALSE(binary_column(1186, -1));  // interval
  EXPECT_FALSE(binary_column(1266, -1));  // timetz
  EXPECT_FALSE(binary_column(869, -1));   // inet
}

TEST(PostgresCopyText, RowsAreTabSeparatedWithEscapesAndBackslashNForNull) {
  std::string out;
  append_copy_text_row(out, {Value(nullptr), Value(true), Value(42.0), Value(0.25), Value(std::string("a\tb\nc\\d\re")),
                             Value(BigInt{"12345678901234567890"}), Value(Bytes{0x00, 0xff}), Value(std::string("héllo"))});
  EXPECT_EQ(out, "\\N\tt\t42\t0.25\ta\\tb\\nc\\\\d\\re\t12345678901234567890\t\\\\x00ff\théllo\n");
  out.clear();
  append_copy_text_row(out, {Value(std::nan("")), Value(-std::numeric_limits<double>::infinity())});
  EXPECT_EQ(out, "NaN\t-Infinity\n");
  EXPECT_THROW(append_copy_text_row(out, {Value(std::string("a\0b", 3))}), DatasourceError);
  EXPECT_THROW(append_copy_text_row(out, {Value(ValueArray{})}), DatasourceError);
}

TEST(BoundedQueue, HandsItemsOverInOrderAndCloseWakesBothSides) {
  duck::BoundedQueue<int> queue(2);
  std::vector<int> received;
  std::thread consumer([&] {
    while (auto item = queue.pop()) received.push_back(*item);
  });
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(queue.push(i));  // waits whenever 2 are queued
  queue.close();
  consumer.join();
  ASSERT_EQ(received.size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(received[static_cast<std::size_t>(i)], i);

  // A producer blocked on a full queue returns false once the consumer gives up.
  duck::BoundedQueue<int> full(1);
  ASSERT_TRUE(full.push(1));
  std::thread producer([&] { EXPECT_FALSE(full.push(2)); });
  full.close();
  producer.join();
  EXPECT_EQ(full.pop(), std::optional<int>(1));  // what was queued is still drained
  EXPECT_EQ(full.pop(), std::nullopt);
}
