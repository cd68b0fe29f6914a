#pragma once
// MySQL/MariaDB values as the binary protocol delivers them turned into the shared type table
// of docs/datasources.md. Pure functions, so they are tested without a server.
#include <cstdint>
#include <string>
#include <string_view>

#include "sandbox/value.h"

namespace as::datasources::mysql {

// The parts of a MYSQL_TIME the formatting needs (kept free of the client's headers).
struct TimeParts {
  unsigned year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  unsigned long micros = 0;
  bool negative = false;
};

std::string format_date(const TimeParts& t);                      // "2024-02-29"
std::string format_datetime(const TimeParts& t, bool utc_zone);   // "2024-01-02T03:04:05.123456", "...05.500Z"
std::string format_time(const TimeParts& t);                      // "-838:59:59", "12:34:56.789"
// BIT(n) bytes (big-endian) as an integer cell.
Value decode_bits(std::string_view bytes);

}  // namespace as::datasources::mysql
