// Request parameters -> the values run(ctx, params) receives (docs/parameters.md).
#include <gtest/gtest.h>

#include "validate/date_values.h"
#include "validate/parameter_values.h"

namespace as::validate {
namespace {

using namespace date::literals;

// Wednesday 2024-03-13.
const ParameterContext kWednesday{2024_y / date::March / 13};

const char* kMetadata = R"({
  "dependencies": {"datasources": [], "analyses": []},
  "parameters": {
    "name": {"type": "string", "required": false, "pattern": "^[a-z]+$", "min": 2, "max": 8},
    "limit": {"type": "number", "required": false, "min": 1, "max": 100, "default": 10},
    "archived": {"type": "boolean", "required": false},
    "day": {"type": "date", "required": true},
    "mode": {"type": "select", "required": false, "options": [{"value": "full", "label": "Full"}, {"value": 2, "label": "Two"}]},
    "tags": {"type": "multiselect", "required": false, "max": 2,
             "options": [{"label": "G", "options": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}, {"value": "c", "label": "C"}]}]},
    "city": {"type": "select", "required": false, "has_dynamic_options": true, "depends_on": []},
    "range": {"type": "object", "required": false, "default": {"start": "week_start", "end": "week_end", "n": 1}}
  }
})";

ParameterResolution resolve(const std::string& request_json, const char* metadata = kMetadata) {
  return resolve_parameters(std::string_view(metadata), parse_json(request_json), kWednesday);
}

std::string errors(const ParameterResolution& r) {
  std::string out;
  for (const auto& e : r.errors) out += e.message + "\n";
  return out;
}

TEST(ParameterValues, CoercesAndAppliesDefaultsInDeclaredOrder) {
  auto r = resolve(R"({"archived": "true", "day": "2024-02", "limit": "25", "mode": "2", "tags": ["c", "a"], "name": "abc", "city": "nyc"})");
  ASSERT_TRUE(r.ok) << errors(r);
  EXPECT_EQ(to_json(r.values),
            R"({"name":"abc","limit":25,"archived":true,"day":"2024-02-01","mode":2,"tags":["c","a"],"city":"nyc",)"
            R"("range":{"start":"2024-03-11","end":"2024-03-17","n":1}})");
}

TEST(ParameterValues, RequiredMissing) {
  auto r = resolve("{}");
  ASSERT_FALSE(r.ok);
  ASSERT_EQ(r.errors.size(), 1u) << errors(r);
  EXPECT_EQ(r.errors[0].parameter, "day");
  EXPECT_EQ(r.errors[0].message, "parameter 'day' is required");
  EXPECT_FALSE(resolve(R"({"day": null})").ok);  // null counts as not given
}

TEST(ParameterValues, UnknownParameter) {
  auto r = resolve(R"({"day": "2024-01-01", "colour": "red"})");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].message.rfind("unknown parameter 'colour' (this analysis has: name, limit, ", 0), 0u) << errors(r);
  auto none = resolve(R"({"x": 1})", R"({"parameters": {}})");
  EXPECT_EQ(none.errors[0].message, "unknown parameter 'x' (this analysis has no parameters)");
}

TEST(ParameterValues, RequestMustBeAnObject) {
  EXPECT_EQ(resolve("[1]").errors[0].message, "parameters must be a JSON object of name: value, got [1]");
  EXPECT_TRUE(resolve("null", R"({"parameters": {}})").ok);
}

TEST(ParameterValues, Numbers) {
  EXPECT_EQ(errors(resolve(R"({"day": "2024-01-01", "limit": "ten"})")), "parameter 'limit' must be a number, got \"ten\"\n");
  EXPECT_EQ(errors(resolve(R"({"day": "2024-01-01", "limit": "5x"})")), "parameter 'limit' must be a number, got \"5x\"\n");
  EXPECT_EQ(errors(resolve(R"({"day": "2024-01-01", "limit": 0})")), "parameter 'limit' must be at least 1, got 0\n");
  EXPECT_EQ(errors(resolve(R"({"day": "2024-01-01", "limit": 101})")), "parameter 'limit' must be at most 100, got 101\n");
  EXPECT_EQ(errors(resolve(R"({"day": "2024-01-01", "limit": true})")), "parameter 'limit' must be a number, got true\n");
  EXPECT_TRUE(resolve(R"({"day": "2024-01-01", "limit": "2.5e1"})").ok);
}

TEST(ParameterValues, Booleans) {
  EXPECT_TRUE(resolve(R"({"day": "2024-01-01", "archived": false})").ok);
  EXPECT_TRUE(resolve(R"({"day": "2024-01-01", "archived": "false"})").ok);
  EXPECT_EQ(errors(resolve(R"({"day": "2024-01-01", "archived": "yes"})")), "parameter 'archived' must be true or false, got \"yes\"\n");
  EXPECT_EQ(errors(resolve(R"({"day": "2024-01-01", "archived": 1})")), "parameter 'archived' must be true or false, got 1\n");
}

TEST(ParameterValues, Dates) {
  for (const char* bad : {"2024-13-01", "2024-02-30", "24-01-01", "2024-1-1", "2024-01-15T10:00:00Z", "tomorrow"}) {
    auto r = resolve(std::string(R"({"day": ")") + bad + "\"}");
    EXPECT_EQ(errors(r), std::string("parameter 'day' must be a date YYYY-MM-DD (or YYYY-MM for the first of a month), got \"") + bad + "\"\n");
  }
  EXPECT_EQ(to_json(*resolve(R"({"day": "2024-02-29"})").values.find("day")), "\"2024-02-29\"");
  EXPECT_EQ(to_json(*resolve(R"({"day": "yesterday"})").values.find("day")), "\"2024-03-12\"");
}

TEST(ParameterValues, SpecialDateDefaults) {
  auto today = 2024_y / date::March / 13;  // a Wednesday
  auto resolved = [&](const char* name) { return format_date(resolve_special_date(name, today)); };
  EXPECT_EQ(resolved("today"), "2024-03-13");
  EXPECT_EQ(resolved("yesterday"), "2024-03-12");
  EXPECT_EQ(resolved("last_week"), "2024-03-04");      // Monday of the previous week
  EXPECT_EQ(resolved("week_start"), "2024-03-11");     // Monday of this week
  EXPECT_EQ(resolved("week_end"), "2024-03-17");       // Sunday of this week
  EXPECT_EQ(resolved("current_month"), "2024-03-01");
  EXPECT_EQ(resolved("last_month"), "2024-02-01");
  EXPECT_EQ(format_date(resolve_special_date("last_month", 2024_y / date::January / 31)), "2023-12-01");
  EXPECT_EQ(format_date(resolve_special_date("yesterday", 2024_y / date::March / 1)), "2024-02-29");
  EXPECT_EQ(format_date(resolve_special_date("week_start", 2024_y / date::March / 17)), "2024-03-11");  // Sunday
  EXPECT_EQ(format_date(resolve_special_date("week_start", 2024_y / date::March / 11)), "2024-03-11");  // Monday

  auto r = resolve_parameters(std::string_view(R"({"parameters": {"d": {"type": "date", "required": true, "default": "last_month"}}})"),
                              parse_json("{}"), kWednesday);
  ASSERT_TRUE(r.ok) << errors(r);
  EXPECT_EQ(to_json(r.values), R"({"d":"2024-02-01"})");
}

TEST(ParameterValues, TodayInATimeZone) {
  // 2024-03-13 02:00 UTC is still the 12th in New York.
  auto now = date::sys_days{2024_y / date::March / 13} + std::chrono::hours(2);
  EXPECT_EQ(format_date(today_in(nullptr, now)), "2024-03-13");
  EXPECT_EQ(format_date(today_in(date::locate_zone("America/New_York"), now)), "2024-03-12");
}

TEST(ParameterValues, StringsPatternAndLength) {
  EXPECT_TRUE(resolve(R"({"day": "2024-01-01", "name": "abc"})").ok);
  EXPECT_EQ(errors(resolve(R"({"day": "2024-01-01", "name": "ABC"})")), "parameter 'name' must match the pattern /^[a-z]+$/, got \"ABC\"\n");
  EXPECT_EQ(errors(resolve(R"({"day": "2024-01-01", "name": "a"})")), "parameter 'name' must be at least 2 characters long, got 1 (\"a\")\n");
  EXPECT_EQ(errors(resolve(R"({"day": "2024-01-01", "name": "abcdefghi"})")), "parameter 'name' must be at most 8 characters long, got 9\n");
  EXPECT_EQ(errors(resolve(R"({"day": "2024-01-01", "name": ["a"]})")), "parameter 'name' must be a string, got [\"a\"]\n");
}

TEST(ParameterValues, PatternWithCatastrophicBacktrackingGivesUp) {
  auto r = resolve_parameters(std::string_view(R"({"parameters": {"s": {"type": "string", "pattern": "^(a+)+$"}}})"),
                              parse_json(R"({"s": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab"})"),
                              kWednesday);
  ASSERT_FALSE(r.ok);
  EXPECT_NE(r.errors[0].message.find("in time"), std::string::npos) << errors(r);
}

TEST(ParameterValues, SelectMustBeAnOption) {
  EXPECT_EQ(errors(resolve(R"({"day": "2024-01-01", "mode": "partial"})")), "parameter 'mode' must be one of \"full\", 2, got \"partial\"\n");
  EXPECT_TRUE(resolve(R"({"day": "2024-01-01", "mode": "full"})").ok);
  EXPECT_TRUE(resolve(R"({"day": "2024-01-01", "city": "anything"})").ok);  // dynamic options
  EXPECT_EQ(errors(resolve(R"({"day": "2024-01-01", "city": {"x": 1}})")), "parameter 'city' must be one of the option values, got {\"x\":1}\n");
}

TEST(ParameterValues, MultiselectEachMustBeAnOption) {
  EXPECT_EQ(errors(resolve(R"({"day": "2024-01-01", "tags": ["a", "z"]})")), "parameter 'tags' must be one of \"a\", \"b\", \"c\", got \"z\"\n");
  EXPECT_EQ(errors(resolve(R"({"day": "2024-01-01", "tags": "a"})")), "parameter 'tags' must be an array of option values, got \"a\"\n");
  EXPECT_EQ(errors(resolve(R"({"day": "2024-01-01", "tags": ["a", "b", "c"]})")), "parameter 'tags' allows at most 2 selected values, got 3\n");
}

TEST(ParameterValues, ObjectsAndEveryErrorAtOnce) {
  auto r = resolve(R"({"range": "week", "limit": "x", "archived": "maybe", "extra": 1})");
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.errors.size(), 5u) << errors(r);  // extra, limit, archived, day (required), range
  EXPECT_NE(errors(r).find("parameter 'range' must be an object, got \"week\""), std::string::npos) << errors(r);
}

TEST(ParameterValues, BadStoredMetadataIsAnErrorNotACrash) {
  auto r = resolve_parameters(std::string_view("{not json"), parse_json("{}"), kWednesday);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.errors[0].message, "the analysis's stored metadata is not valid JSON");
}

}  // namespace
}  // namespace as::validate
