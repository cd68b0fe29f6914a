#pragma once
// Dates as parameters carry them: `YYYY-MM-DD` (or `YYYY-MM`, meaning the first of that month)
// and the special default values of the spec's "Parameter Defaults for Scheduling". The
// meaning of each special value is documented in docs/parameters.md; weeks start on Monday.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <date/date.h>
#include <date/tz.h>

namespace as::validate {

// today, yesterday, last_week, last_month, current_month, week_start, week_end.
const std::vector<std::string>& special_date_names();
bool is_special_date(std::string_view text);

// A real calendar date written `YYYY-MM-DD`, or `YYYY-MM` (the first of the month).
std::optional<date::year_month_day> parse_date(std::string_view text);
std::string format_date(date::year_month_day day);

// The date a special value stands for on `today`. Precondition: is_special_date(name).
date::year_month_day resolve_special_date(std::string_view name, date::year_month_day today);

// The calendar date at `now` in `zone` (UTC when zone is nullptr).
date::year_month_day today_in(const date::time_zone* zone, std::chrono::system_clock::time_point now);

}  // namespace as::validate
