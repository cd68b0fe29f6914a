#include "cron_expression.h"

#include <array>
#include <cctype>
#include <vector>

#include <fmt/format.h>

namespace as::schedule {
namespace {

struct FieldSpec {
  const char* name;
  int min;
  int max;
  const char* const* names;  // index 0 names the value `min`, or nullptr
  int name_count;
};

constexpr const char* kMonthNames[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
constexpr const char* kDayNames[] = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

constexpr FieldSpec kFields[] = {
    {"minute", 0, 59, nullptr, 0},
    {"hour", 0, 23, nullptr, 0},
    {"day-of-month", 1, 31, nullptr, 0},
    {"month", 1, 12, kMonthNames, 12},
    {"day-of-week", 0, 7, kDayNames, 7},
};

std::string upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

int parse_number(const FieldSpec& field, std::string_view text, std::string_view part) {
  if (text.empty()) throw CronError(fmt::format("{} field '{}' has an empty value", field.name, part));
  std::string name = upper(text);
  for (int i = 0; i < field.name_count; ++i) {
    if (name == field.names[i]) return field.min + i;
  }
  int n = 0;
  for (char c : text) {
    if (c < '0' || c > '9') {
      throw CronError(field.names ? fmt::format("{} field '{}' is not a number or a name ({}-{})", field.name, part,
                                                field.names[0], field.names[field.name_count - 1])
                                  : fmt::format("{} field '{}' is not a number", field.name, part));
    }
    n = n * 10 + (c - '0');
    if (n > 1000) break;
  }
  if (n < field.min || n > field.max) {
    throw CronError(fmt::format("{} field '{}' is out of range {}-{}", field.name, part, field.min, field.max));
  }
  return n;
}

// Sets the values one comma-separated part selects.
void parse_part(const FieldSpec& field, std::string_view part, std::vector<bool>& out) {
  std::string_view range = part;
  int step = 1;
  if (auto slash = part.find('/'); slash != std::string_view::npos) {
    range = part.substr(0, slash);
    std::string_view step_text = part.substr(slash + 1);
    step = 0;
    for (char c : step_text) {
      if (c < '0' || c > '9') throw CronError(fmt::format("{} field '{}' has a step that is not a number", field.name, part));
      step = step * 10 + (c - '0');
      if (step > 1000) break;
    }
    if (step_text.empty() || step == 0) throw CronError(fmt::format("{} field '{}' needs a step of at least 1", field.name, part));
  }
  int low = field.min;
  int high = field.max;
  if (range != "*") {
    if (auto dash = range.find('-'); dash != std::string_view::npos) {
      low = parse_number(field, range.substr(0, dash), part);
      high = parse_number(field, range.substr(dash + 1), part);
      if (low > high) throw CronError(fmt::format("{} field '{}' is a range that runs backwards", field.name, part));
    } else {
      low = parse_number(field, range, part);
      if (step == 1 || part.find('/') == std::string_view::npos) high = low;  // `5` alone; `5/15` runs to the end
    }
  }
  for (int v = low; v <= high; v += step) out[static_cast<std::size_t>(v)] = true;
}

std::vector<bool> parse_field(const FieldSpec& field, std::string_view text) {
  std::vector<bool> values(static_cast<std::size_t>(field.max) + 1, false);
  std::size_t start = 0;
  while (true) {
    std::size_t comma = text.find(',', start);
    std::string_view part = text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    if (part.empty()) throw CronError(fmt::format("{} field '{}' has an empty list item", field.name, text));
    parse_part(field, part, values);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return values;
}

std::string_view expand_macro(std::string_view text) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 7> kMacros = {{
      {"@yearly", "0 0 1 1 *"},
      {"@annually", "0 0 1 1 *"},
      {"@monthly", "0 0 1 * *"},
      {"@weekly", "0 0 * * 0"},
      {"@daily", "0 0 * * *"},
      {"@midnight", "0 0 * * *"},
      {"@hourly", "0 * * * *"},
  }};
  for (const auto& [name, expansion] : kMacros) {
    if (text == name) return expansion;
  }
  throw CronError(fmt::format("unknown cron macro '{}' (use @yearly, @monthly, @weekly, @daily or @hourly)", text));
}

}  // namespace

CronExpression CronExpression::parse(std::string_view text) {
  CronExpression cron;
  cron.text_ = std::string(text);
  std::string_view body = text;
  while (!body.empty() && std::isspace(static_cast<unsigned char>(body.front()))) body.remove_prefix(1);
  while (!body.empty() && std::isspace(static_cast<unsigned char>(body.back()))) body.remove_suffix(1);
  if (!body.empty() && body.front() == '@') body = expand_macro(body);

  std::vector<std::string_view> fields;
  std::size_t i = 0;
  while (i < body.size()) {
    while (i < body.size() && std::isspace(static_cast<unsigned char>(body[i]))) ++i;
    std::size_t start = i;
    while (i < body.size() && !std::isspace(static_cast<unsigned char>(body[i]))) ++i;
    if (i > start) fields.push_back(body.substr(start, i - start));
  }
  if (fields.size() != 5) {
    throw CronError(fmt::format("cron expression '{}' has {} field{}; it needs 5: minute hour day-of-month month day-of-week",
                                text, fields.size(), fields.size() == 1 ? "" : "s"));
  }
  auto minutes = parse_field(kFields[0], fields[0]);
  auto hours = parse_field(kFields[1], fields[1]);
  auto days = parse_field(kFields[2], fields[2]);
  auto months = parse_field(kFields[3], fields[3]);
  auto weekdays = parse_field(kFields[4], fields[4]);
  for (std::size_t v = 0; v < 60; ++v) cron.minutes_[v] = minutes[v];
  for (std::size_t v = 0; v < 24; ++v) cron.hours_[v] = hours[v];
  for (std::size_t v = 1; v <= 31; ++v) cron.days_[v] = days[v];
  for (std::size_t v = 1; v <= 12; ++v) cron.months_[v] = months[v];
  for (std::size_t v = 0; v <= 7; ++v) {
    if (weekdays[v]) cron.weekdays_[v % 7] = true;  // 7 is Sunday too
  }
  cron.day_of_month_star_ = fields[2].front() == '*';
  cron.day_of_week_star_ = fields[4].front() == '*';
  return cron;
}

bool CronExpression::matches_day(date::year_month_day day) const {
  if (!months_[static_cast<unsigned>(day.month())]) return false;
  bool dom = days_[static_cast<unsigned>(day.day())];
  bool dow = weekdays_[date::weekday{date::sys_days{day}}.c_encoding()];
  if (!day_of_month_star_ && !day_of_week_star_) return dom || dow;
  return dom && dow;
}

std::optional<std::chrono::sys_seconds> CronExpression::next_after(std::chrono::sys_seconds after,
                                                                   const date::time_zone* zone) const {
  using namespace std::chrono;
  // Every candidate is a local wall time; map it to an instant with the DST rules above.
  auto to_instant = [zone](date::local_seconds local) -> sys_seconds {
    if (!zone) return sys_seconds{local.time_since_epoch()};
    date::local_info info = zone->get_info(local);
    switch (info.result) {
      case date::local_info::unique: return sys_seconds{local.time_since_epoch()} - info.first.offset;
      case date::local_info::nonexistent: return info.first.end;  // the gap's end: clocks jump here
      case date::local_info::ambiguous: return sys_seconds{local.time_since_epoch()} - info.first.offset;  // first occurrence
    }
    return sys_seconds{local.time_since_epoch()} - info.first.offset;
  };
  date::local_seconds local_after = zone ? zone->to_local(after) : date::local_seconds{after.time_since_epoch()};
  // Start a day early: around a DST change the previous local day can still hold the answer.
  date::local_days day = date::floor<date::days>(local_after) - date::days{1};
  const date::local_days last = day + date::days{366 * 28 + 7};
  for (; day <= last; day += date::days{1}) {
    if (!matches_day(date::year_month_day{day})) continue;
    for (int h = 0; h < 24; ++h) {
      if (!hours_[static_cast<std::size_t>(h)]) continue;
      for (int m = 0; m < 60; ++m) {
        if (!minutes_[static_cast<std::size_t>(m)]) continue;
        sys_seconds instant = to_instant(date::local_seconds{day} + hours{h} + minutes{m});
        if (instant > after) return instant;
      }
    }
  }
  return std::nullopt;
}

}  // namespace as::schedule
