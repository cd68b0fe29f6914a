// Cron parsing (every field form and its errors) and next-run times across DST changes.
#include <gtest/gtest.h>

#include <cstdio>

#include "schedule/cron_expression.h"

namespace as::schedule {
namespace {

using std::chrono::sys_seconds;

// "2024-01-15T10:00:00Z" (date::parse trips GCC 12's -Wmaybe-uninitialized, so read it by hand).
sys_seconds utc(const std::string& text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  EXPECT_EQ(std::sscanf(text.c_str(), "%d-%d-%dT%d:%d:%dZ", &y, &mo, &d, &h, &mi, &s), 6) << text;
  date::sys_days day{date::year{y} / date::month{static_cast<unsigned>(mo)} / date::day{static_cast<unsigned>(d)}};
  return day + std::chrono::hours{h} + std::chrono::minutes{mi} + std::chrono::seconds{s};
}

std::string iso(sys_seconds t) { return date::format("%Y-%m-%dT%H:%M:%SZ", t); }

std::string next(const std::string& cron, const std::string& after, const char* zone = "UTC") {
  auto n = CronExpression::parse(cron).next_after(utc(after), date::locate_zone(zone));
  return n ? iso(*n) : "never";
}

std::string parse_error(const std::string& cron) {
  try {
    CronExpression::parse(cron);
  } catch (const CronError& e) {
    return e.what();
  }
  return "<parsed>";
}

TEST(CronParse, FieldErrorsNameTheFieldAndTheValue) {
  EXPECT_EQ(parse_error("61 * * * *"), "minute field '61' is out of range 0-59");
  EXPECT_EQ(parse_error("0 24 * * *"), "hour field '24' is out of range 0-23");
  EXPECT_EQ(parse_error("0 0 0 * *"), "day-of-month field '0' is out of range 1-31");
  EXPECT_EQ(parse_error("0 0 * 13 *"), "month field '13' is out of range 1-12");
  EXPECT_EQ(parse_error("0 0 * * 8"), "day-of-week field '8' is out of range 0-7");
  EXPECT_EQ(parse_error("0 0 * FOO *"), "month field 'FOO' is not a number or a name (JAN-DEC)");
  EXPECT_EQ(parse_error("*/0 * * * *"), "minute field '*/0' needs a step of at least 1");
  EXPECT_EQ(parse_error("5-1 * * * *"), "minute field '5-1' is a range that runs backwards");
  EXPECT_EQ(parse_error("1,,2 * * * *"), "minute field '1,,2' has an empty list item");
  EXPECT_EQ(parse_error("x * * * *"), "minute field 'x' is not a number");
  EXPECT_EQ(parse_error("* * * *"), "cron expression '* * * *' has 4 fields; it needs 5: minute hour day-of-month month day-of-week");
  EXPECT_EQ(parse_error("@reboot"), "unknown cron macro '@reboot' (use @yearly, @monthly, @weekly, @daily or @hourly)");
  EXPECT_EQ(parse_error(""), "cron expression '' has 0 fields; it needs 5: minute hour day-of-month month day-of-week");
}

TEST(CronParse, SpecExamples) {
  EXPECT_EQ(next("0 9 * * *", "2024-01-15T10:00:00Z"), "2024-01-16T09:00:00Z");
  EXPECT_EQ(next("0 10 * * 1", "2024-01-15T10:00:00Z"), "2024-01-22T10:00:00Z");  // Mondays
  EXPECT_EQ(next("0 0 1 * *", "2024-01-15T10:00:00Z"), "2024-02-01T00:00:00Z");
  EXPECT_EQ(next("0 */4 * * *", "2024-01-15T10:00:00Z"), "2024-01-15T12:00:00Z");
  EXPECT_EQ(next("0 9 * * 1-5", "2024-01-19T09:00:00Z"), "2024-01-22T09:00:00Z");  // Friday -> Monday
  EXPECT_EQ(next("*/5 * * * *", "2024-01-15T10:02:30Z"), "2024-01-15T10:05:00Z");
}

TEST(CronParse, ListsRangesStepsAndNames) {
  EXPECT_EQ(next("15,45 * * * *", "2024-01-15T10:20:00Z"), "2024-01-15T10:45:00Z");
  EXPECT_EQ(next("0 1-5/2 * * *", "2024-01-15T01:00:00Z"), "2024-01-15T03:00:00Z");
  EXPECT_EQ(next("0 0 * JUN *", "2024-01-15T00:00:00Z"), "2024-06-01T00:00:00Z");
  EXPECT_EQ(next("0 0 * * sat", "2024-01-15T00:00:00Z"), "2024-01-20T00:00:00Z");
  EXPECT_EQ(next("0 0 * * MON-WED", "2024-01-17T00:00:00Z"), "2024-01-22T00:00:00Z");
  EXPECT_EQ(next("30 10/6 * * *", "2024-01-15T17:00:00Z"), "2024-01-15T22:30:00Z");
}

TEST(CronParse, ZeroAndSevenAreSunday) {
  EXPECT_EQ(next("0 0 * * 0", "2024-01-15T00:00:00Z"), "2024-01-21T00:00:00Z");
  EXPECT_EQ(next("0 0 * * 7", "2024-01-15T00:00:00Z"), "2024-01-21T00:00:00Z");
}

TEST(CronParse, DayOfMonthOrDayOfWeekWhenBothAreRestricted) {
  // The 13th or any Friday: after Mon 2024-01-15, Friday the 19th comes first.
  EXPECT_EQ(next("0 0 13 * 5", "2024-01-15T00:00:00Z"), "2024-01-19T00:00:00Z");
  // With a `*` day of week only the day of month counts.
  EXPECT_EQ(next("0 0 13 * *", "2024-01-15T00:00:00Z"), "2024-02-13T00:00:00Z");
}

TEST(CronParse, Macros) {
  EXPECT_EQ(next("@daily", "2024-01-15T10:00:00Z"), "2024-01-16T00:00:00Z");
  EXPECT_EQ(next("@hourly", "2024-01-15T10:00:00Z"), "2024-01-15T11:00:00Z");
  EXPECT_EQ(next("@weekly", "2024-01-15T10:00:00Z"), "2024-01-21T00:00:00Z");
  EXPECT_EQ(next("@monthly", "2024-01-15T10:00:00Z"), "2024-02-01T00:00:00Z");
  EXPECT_EQ(next("@yearly", "2024-01-15T10:00:00Z"), "2025-01-01T00:00:00Z");
}

TEST(CronNext, RareAndImpossibleDates) {
  EXPECT_EQ(next("0 0 29 2 *", "2024-03-01T00:00:00Z"), "2028-02-29T00:00:00Z");
  EXPECT_EQ(next("0 0 30 2 *", "2024-03-01T00:00:00Z"), "never");
}

TEST(CronNext, LocalTimeInAZone) {
  // 09:00 in New York is 14:00 UTC in winter (EST) and 13:00 UTC in summer (EDT).
  EXPECT_EQ(next("0 9 * * *", "2024-01-15T15:00:00Z", "America/New_York"), "2024-01-16T14:00:00Z");
  EXPECT_EQ(next("0 9 * * *", "2024-07-15T15:00:00Z", "America/New_York"), "2024-07-16T13:00:00Z");
}

TEST(CronNext, SkippedLocalTimeRunsOnceAtTheEndOfTheGap) {
  // 2024-03-10: New York clocks jump from 02:00 EST to 03:00 EDT (07:00 UTC); 02:30 never happens.
  EXPECT_EQ(next("30 2 * * *", "2024-03-10T05:00:00Z", "America/New_York"), "2024-03-10T07:00:00Z");
  EXPECT_EQ(next("30 2 * * *", "2024-03-10T07:00:00Z", "America/New_York"), "2024-03-11T06:30:00Z");
  // Every minute through the gap: 01:59 EST, then 03:00 EDT once (the skipped minutes fold into it).
  EXPECT_EQ(next("* * * * *", "2024-03-10T06:59:00Z", "America/New_York"), "2024-03-10T07:00:00Z");
  EXPECT_EQ(next("* * * * *", "2024-03-10T07:00:00Z", "America/New_York"), "2024-03-10T07:01:00Z");
}

TEST(CronNext, RepeatedLocalTimeRunsOnceAtItsFirstOccurrence) {
  // 2024-11-03: New York clocks fall back from 02:00 EDT to 01:00 EST; 01:30 happens twice
  // (05:30 UTC and 06:30 UTC). It runs at the first only.
  EXPECT_EQ(next("30 1 * * *", "2024-11-03T04:00:00Z", "America/New_York"), "2024-11-03T05:30:00Z");
  EXPECT_EQ(next("30 1 * * *", "2024-11-03T05:30:00Z", "America/New_York"), "2024-11-04T06:30:00Z");
  // 02:00 EST comes after the repeated hour.
  EXPECT_EQ(next("0 2 * * *", "2024-11-03T05:30:00Z", "America/New_York"), "2024-11-03T07:00:00Z");
}

TEST(CronNext, SouthernHemisphereZone) {
  // Sydney, 2024-10-06: 02:00 AEST -> 03:00 AEDT (16:00 UTC the day before).
  EXPECT_EQ(next("30 2 * * *", "2024-10-05T15:00:00Z", "Australia/Sydney"), "2024-10-05T16:00:00Z");
}

}  // namespace
}  // namespace as::schedule
