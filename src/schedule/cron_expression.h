#pragma once
// Standard 5-field cron: minute hour day-of-month month day-of-week.
// Each field: `*`, a value, a range `a-b`, a step `*/n` or `a-b/n` or `a/n` (from a to the end),
// and comma lists of these. Months JAN-DEC and days SUN-SAT by name (any case); day of week
// 0-7 where 0 and 7 are Sunday. Macros: @yearly (@annually), @monthly, @weekly, @daily
// (@midnight), @hourly.
// Day rule (as Vixie cron): when both day-of-month and day-of-week are restricted (neither
// field starts with `*`), a day matches if EITHER matches; otherwise both must.
#include <bitset>
#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <date/tz.h>

namespace as::schedule {

// Names the field and the bad value: "minute field '61' is out of range 0-59".
class CronError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

class CronExpression {
 public:
  static CronExpression parse(std::string_view text);  // throws CronError

  // The first time strictly after `after` whose local wall time in `zone` matches.
  // DST: a local time the clocks skip runs once, at the first instant after the gap (the
  // transition); a local time that happens twice runs once, at its first occurrence.
  // nullopt when the expression never matches (e.g. "0 0 30 2 *") within the next 28 years.
  std::optional<std::chrono::sys_seconds> next_after(std::chrono::sys_seconds after, const date::time_zone* zone) const;

  bool matches_day(date::year_month_day day) const;
  bool matches_time(int hour, int minute) const { return hours_[hour] && minutes_[minute]; }
  const std::string& text() const { return text_; }

 private:
  std::string text_;
  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> days_;      // 1-31
  std::bitset<13> months_;    // 1-12
  std::bitset<7> weekdays_;   // 0 = Sunday
  bool day_of_month_star_ = false;
  bool day_of_week_star_ = false;
};

}  // namespace as::schedule
