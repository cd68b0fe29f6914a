#pragma once
// Text forms of DuckDB values that JS has no type for (documented in docs/duckdb.md):
// DATE as YYYY-MM-DD, TIME as HH:MM:SS[.fff[fff]], TIMESTAMP as ISO-8601 (UTC ones end in Z),
// UUID in canonical form, DECIMAL and 128-bit integers as exact decimal digits.
#include <duckdb.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "vector_view.h"

namespace as::duck {

__extension__ typedef __int128 Int128;            // HUGEINT, DECIMAL(>18)
__extension__ typedef unsigned __int128 UInt128;  // UHUGEINT

// A short value's text, built without touching the heap (the longest is a 128-bit decimal).
class ShortText {
 public:
  std::string_view view() const { return {data_, size_}; }
  void append(char c) { data_[size_++] = c; }
  void append(std::string_view text) {
    for (char c : text) append(c);
  }
  // `value` in decimal, zero-padded to at least `width` digits.
  void append_digits(std::uint64_t value, int width = 1);
  // `value` (< 100) as exactly two digits: months, days, hours, ... (the hot path of dates and times).
  void append_two_digits(unsigned value) {
    static constexpr char kPairs[] =
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
        "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
        "8081828384858687888990919293949596979899";
    data_[size_] = kPairs[2 * value];
    data_[size_ + 1] = kPairs[2 * value + 1];
    size_ = static_cast<std::uint8_t>(size_ + 2);
  }

 private:
  char data_[64];
  std::uint8_t size_ = 0;
};

enum class TimeUnit : std::int64_t { Seconds = 1, Millis = 1'000, Micros = 1'000'000, Nanos = 1'000'000'000 };

ShortText format_date(std::int32_t days_since_epoch);
// Time of day, `value` counted in `unit` since midnight (micros for TIME, nanos for TIME_NS).
ShortText format_time(std::int64_t value, TimeUnit unit);
ShortText format_time_tz(duckdb_time_tz value);
// `utc` adds the Z that marks an instant (TIMESTAMP WITH TIME ZONE); plain TIMESTAMPs are
// wall-clock times and carry no zone.
ShortText format_timestamp(std::int64_t value, TimeUnit unit, bool utc);
ShortText format_uuid(duckdb_hugeint value);
ShortText format_int128(Int128 value);
ShortText format_uint128(UInt128 value);
ShortText format_decimal(Int128 unscaled, std::uint8_t scale);

// BIT as '0'/'1' characters; BIGNUM as decimal digits (both are stored as strings).
std::string format_bits(StringBytes bits);
std::string format_bignum(StringBytes bignum);
// A BIGNUM's value when it fits in 64 bits.
bool bignum_to_int64(StringBytes bignum, std::int64_t& out);

inline Int128 to_int128(duckdb_hugeint value) {
  return static_cast<Int128>(static_cast<UInt128>(static_cast<std::uint64_t>(value.upper)) << 64 | value.lower);
}
inline UInt128 to_uint128(duckdb_uhugeint value) { return static_cast<UInt128>(value.upper) << 64 | value.lower; }

}  // namespace as::duck
