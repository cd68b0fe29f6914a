#include "mysql_values.h"

#include <fmt/format.h>

#include "rows.h"

namespace as::datasources::mysql {
namespace {

// A fraction of 3 or 6 digits, only when there is one (as the PostgreSQL driver writes them).
std::string fraction(unsigned long micros) {
  if (micros == 0) return "";
  if (micros % 1000 == 0) return fmt::format(".{:03}", micros / 1000);
  return fmt::format(".{:06}", micros);
}

}  // namespace

std::string format_date(const TimeParts& t) { return fmt::format("{:04}-{:02}-{:02}", t.year, t.month, t.day); }

std::string format_datetime(const TimeParts& t, bool utc_zone) {
  return fmt::format("{}T{:02}:{:02}:{:02}{}{}", format_date(t), t.hour, t.minute, t.second, fraction(t.micros), utc_zone ? "Z" : "");
}

std::string format_time(const TimeParts& t) {
  // The binary protocol may carry whole days separately; a TIME value counts them in hours.
  unsigned hours = t.day * 24 + t.hour;
  return fmt::format("{}{:02}:{:02}:{:02}{}", t.negative ? "-" : "", hours, t.minute, t.second, fraction(t.micros));
}

Value decode_bits(std::string_view bytes) {
  std::uint64_t value = 0;
  for (unsigned char byte : bytes) value = (value << 8) | byte;
  if (value > static_cast<std::uint64_t>(INT64_MAX)) return Value(BigInt{std::to_string(value)});
  return integer_cell(static_cast<std::int64_t>(value));
}

}  // namespace as::datasources::mysql
