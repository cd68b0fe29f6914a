#include "date_values.h"

#include <algorithm>
#include <stdexcept>

namespace as::validate {
namespace {

using date::days;
using date::sys_days;

bool digits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int to_int(std::string_view text) {
  int n = 0;
  for (char c : text) n = n * 10 + (c - '0');
  return n;
}

// Monday of the week that contains `day` (ISO 8601 weeks start on Monday).
sys_days monday_of(sys_days day) {
  date::weekday wd{day};
  return day - days{(wd.c_encoding() + 6) % 7};
}

}  // namespace

const std::vector<std::string>& special_date_names() {
  static const std::vector<std::string> names = {"today",      "yesterday",     "last_week", "last_month",
                                                  "current_month", "week_start", "week_end"};
  return names;
}

bool is_special_date(std::string_view text) {
  const auto& names = special_date_names();
  return std::find(names.begin(), names.end(), text) != names.end();
}

std::optional<date::year_month_day> parse_date(std::string_view text) {
  if (text.size() != 10 && text.size() != 7) return std::nullopt;
  if (!digits(text.substr(0, 4)) || text[4] != '-' || !digits(text.substr(5, 2))) return std::nullopt;
  int day = 1;
  if (text.size() == 10) {
    if (text[7] != '-' || !digits(text.substr(8, 2))) return std::nullopt;
    day = to_int(text.substr(8, 2));
  }
  date::year_month_day ymd{date::year{to_int(text.substr(0, 4))}, date::month{static_cast<unsigned>(to_int(text.substr(5, 2)))},
                           date::day{static_cast<unsigned>(day)}};
  if (!ymd.ok()) return std::nullopt;
  return ymd;
}

std::string format_date(date::year_month_day day) { return date::format("%F", sys_days{day}); }

date::year_month_day resolve_special_date(std::string_view name, date::year_month_day today) {
  sys_days t{today};
  if (name == "today") return today;
  if (name == "yesterday") return date::year_month_day{t - days{1}};
  if (name == "last_week") return date::year_month_day{monday_of(t) - days{7}};
  if (name == "week_start") return date::year_month_day{monday_of(t)};
  if (name == "week_end") return date::year_month_day{monday_of(t) + days{6}};
  date::year_month first_of_month = today.year() / today.month();
  if (name == "current_month") return first_of_month / date::day{1};
  if (name == "last_month") return (first_of_month - date::months{1}) / date::day{1};
  throw std::invalid_argument("not a special date value: " + std::string(name));
}

date::year_month_day today_in(const date::time_zone* zone, std::chrono::system_clock::time_point now) {
  auto seconds = date::floor<std::chrono::seconds>(now);
  if (!zone) return date::year_month_day{date::floor<days>(seconds)};
  auto local = zone->to_local(seconds);
  return date::year_month_day{date::floor<days>(local)};
}

}  // namespace as::validate
