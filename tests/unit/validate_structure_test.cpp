// validate_analysis: structure, parameters, schedule and dependencies; one test per rule with a
// script that breaks it, and scripts that pass.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "validate_test_support.h"

namespace as::testing {
namespace {

using validate::ValidationResult;

#define EXPECT_VALID(result) EXPECT_TRUE((result).valid) << all_messages(result)
#define EXPECT_PROBLEM(result, part)                                        \
  do {                                                                      \
    EXPECT_FALSE((result).valid);                                           \
    EXPECT_NE(find_problem((result), (part)), nullptr) << all_messages(result); \
  } while (0)

nlohmann::json metadata(const ValidationResult& result) { return nlohmann::json::parse(result.metadata_json); }

TEST(ValidateStructure, MinimalAnalysisIsValid) {
  auto result = validate_source("export default { title: 'Minimal', run: async function(ctx) { return {}; } };");
  EXPECT_VALID(result);
  EXPECT_EQ(validate::to_json(result),
            R"({"valid":true,"metadata":{"title":"Minimal","datasources":[],"analyses":[],"parameters":[]}})");
  EXPECT_EQ(result.metadata_json, R"({"dependencies":{"datasources":[],"analyses":[]},"parameters":{}})");
}

TEST(ValidateStructure, MissingDefaultExport) {
  EXPECT_PROBLEM(validate_source("export const x = 1;"), "Missing default export");
}

TEST(ValidateStructure, DefaultExportMustBeAnObject) {
  EXPECT_PROBLEM(validate_source("export default [1, 2];"), "must be an object with title and run, got an array");
  EXPECT_PROBLEM(validate_source("export default async function run() {}"), "got a function");
}

TEST(ValidateStructure, TitleIsARequiredNonEmptyString) {
  EXPECT_PROBLEM(validate_source("export default { run() { return {}; } };"), "Missing required 'title'");
  EXPECT_PROBLEM(validate_source("export default { title: '  ', run() { return {}; } };"), "'title' must be a non-empty string");
  EXPECT_PROBLEM(validate_source("export default { title: 42, run() { return {}; } };"), "got the number 42");
}

TEST(ValidateStructure, LongValuesAreShortenedInMessages) {
  auto result = validate_source("export default { title: 't', run: 'x'.repeat(100000) };");
  EXPECT_PROBLEM(result, "got a string of 100000 bytes starting \"xxxxxxxxxx");
  EXPECT_LT(result.errors[0].message.size(), 200u);
}

TEST(ValidateStructure, RunIsARequiredFunction) {
  EXPECT_PROBLEM(validate_source("export default { title: 't' };"), "Missing required 'run' function");
  auto result = validate_source("export default {\n  title: 't',\n  run: 'soon'\n};");
  EXPECT_PROBLEM(result, "'run' must be a function");
  EXPECT_EQ(find_problem(result, "'run' must")->line, 3);
  EXPECT_EQ(find_problem(result, "'run' must")->column, 3);
}

TEST(ValidateStructure, UnknownTopLevelKeyIsNamedWithASuggestion) {
  auto result = validate_source(analysis_with("  paramaters: {},"));
  EXPECT_PROBLEM(result, "Unknown key 'paramaters' in the default export (did you mean 'parameters'?)");
  EXPECT_EQ(find_problem(result, "paramaters")->line, 3);
}

TEST(ValidateStructure, ExportedThroughAVariableIsLocatedToo) {
  auto result = validate_source("const analysis = {\n  title: 't',\n  colour: 'red',\n  run() { return {}; }\n};\nexport default analysis;");
  EXPECT_PROBLEM(result, "Unknown key 'colour'");
  EXPECT_EQ(find_problem(result, "colour")->line, 3);
}

TEST(ValidateDependencies, ArraysOfStrings) {
  EXPECT_PROBLEM(validate_source(analysis_with("  dependencies: { datasources: 'postgres_main' },")),
                 "'dependencies.datasources' must be an array");
  EXPECT_PROBLEM(validate_source(analysis_with("  dependencies: { datasources: ['postgres_main', 7] },")),
                 "'dependencies.datasources[1]' must be a non-empty string");
  EXPECT_PROBLEM(validate_source(analysis_with("  dependencies: { analyses: {} },")), "'dependencies.analyses' must be an array");
  EXPECT_PROBLEM(validate_source(analysis_with("  dependencies: { datasource: [] },")), "(did you mean 'datasources'?)");
}

TEST(ValidateDependencies, DatasourcesMustExist) {
  auto result = validate_source(analysis_with("  dependencies: {\n    datasources: ['postgres_main', 'unknown_db']\n  },"));
  EXPECT_PROBLEM(result, "Datasource 'unknown_db' not found");
  EXPECT_EQ(find_problem(result, "unknown_db")->line, 4);
  EXPECT_EQ(find_problem(result, "unknown_db")->column, 36);
  EXPECT_VALID(validate_source(analysis_with("  dependencies: { datasources: ['postgres_main', 'clickhouse'] },")));
}

TEST(ValidateDependencies, AnalysesMustExistAndNotBeTheAnalysisItself) {
  EXPECT_PROBLEM(validate_source(analysis_with("  dependencies: { analyses: ['nope'] },")), "Analysis 'nope' not found");
  EXPECT_PROBLEM(validate_source(analysis_with("  dependencies: { analyses: ['monthly_report'] },")), "cannot depend on itself");
  EXPECT_VALID(validate_source(analysis_with("  dependencies: { analyses: ['customer_metrics'] },")));
  auto env = test_environment();
  env.analysis_exists = nullptr;  // no catalog: accept all
  EXPECT_VALID(validate_source(analysis_with("  dependencies: { analyses: ['anything'] },"), env));
}

TEST(ValidateDependencies, DatasourceUsedButNotDeclared) {
  auto result = validate_source(analysis_with("  dependencies: { datasources: ['postgres_main'] },",
                                              "await ctx.datasource.postgres_main.query('x');\n"
                                              "    const rows = await ctx.datasource[\"clickhouse\"].query('y');\n"
                                              "    return {};"));
  EXPECT_PROBLEM(result, "Datasource 'clickhouse' is used but not declared");
  EXPECT_EQ(find_problem(result, "clickhouse")->line, 6);
  EXPECT_EQ(result.errors.size(), 1u) << all_messages(result);
}

TEST(ValidateDependencies, AnalysisCalledButNotDeclared) {
  EXPECT_PROBLEM(validate_source(analysis_with("", "return await ctx.runAnalysis('customer_metrics', params);")),
                 "Analysis 'customer_metrics' is called with ctx.runAnalysis but not declared");
  EXPECT_PROBLEM(validate_source(analysis_with("", "return await ctx.runAnalysis('monthly_report', params);")), "cannot call itself");
}

TEST(ValidateParameters, EveryTypeWithAMatchingDefaultIsValid) {
  auto result = validate_source(analysis_with(R"JS(  parameters: {
    name: { type: "string", default: "abc", pattern: "^[a-z]+$", min: 1, max: 10, description: "A name" },
    notes: { type: "text" },
    limit: { type: "number", required: false, default: 10, min: 1, max: 100 },
    archived: { type: "boolean", default: false },
    day: { type: "date", default: "2024-01-15" },
    month: { type: "date", required: true, default: "current_month" },
    mode: { type: "select", default: "full", options: ["full", { value: "incremental", label: "Incremental" }] },
    tags: { type: "multiselect", default: [1, 3], options: [{ label: "Odd", options: [{ value: 1, label: "One" }, { value: 3, label: "Three" }] }] },
    range: { type: "object", default: { start: "week_start", end: "week_end" } },
  },)JS"));
  ASSERT_TRUE(result.valid) << all_messages(result);
  auto params = metadata(result)["parameters"];
  EXPECT_EQ(params["name"], nlohmann::json::parse(R"({"type":"string","required":false,"description":"A name","min":1,"max":10,"pattern":"^[a-z]+$","default":"abc"})"));
  EXPECT_EQ(params["month"]["default"], "current_month");
  EXPECT_EQ(params["month"]["required"], true);
  EXPECT_EQ(params["mode"]["options"], nlohmann::json::parse(R"([{"value":"full","label":"full"},{"value":"incremental","label":"Incremental"}])"));
  EXPECT_EQ(params["tags"]["options"][0]["label"], "Odd");
  EXPECT_EQ(params["tags"]["options"][0]["options"][1]["value"], 3);
  EXPECT_EQ(params["range"]["default"]["start"], "week_start");
  auto summary = nlohmann::json::parse(validate::to_json(result))["metadata"]["parameters"];
  EXPECT_EQ(summary, nlohmann::json::parse(R"(["name","notes","limit","archived","day","month","mode","tags","range"])"));
}

TEST(ValidateParameters, TypeMustBeKnown) {
  EXPECT_PROBLEM(validate_source(analysis_with("  parameters: { d: { type: 'datetime' } },")), "the type must be one of string, text");
  EXPECT_PROBLEM(validate_source(analysis_with("  parameters: { d: { required: true } },")), "needs a 'type'");
  EXPECT_PROBLEM(validate_source(analysis_with("  parameters: { d: 'date' },")), "must be an object such as");
}

TEST(ValidateParameters, RequiredAndDescriptionTypes) {
  EXPECT_PROBLEM(validate_source(analysis_with("  parameters: { d: { type: 'date', required: 'yes' } },")), "'required' must be true or false");
  EXPECT_PROBLEM(validate_source(analysis_with("  parameters: { d: { type: 'date', description: 5 } },")), "'description' must be a string");
}

TEST(ValidateParameters, UnknownParameterKey) {
  EXPECT_PROBLEM(validate_source(analysis_with("  parameters: { d: { type: 'date', defualt: 'today' } },")),
                 "Unknown key 'defualt' in parameter 'd' (did you mean 'default'?)");
}

TEST(ValidateParameters, DefaultsMustFitTheType) {
  EXPECT_PROBLEM(validate_source(analysis_with("  parameters: { n: { type: 'number', default: '10' } },")), "the default must be a finite number");
  EXPECT_PROBLEM(validate_source(analysis_with("  parameters: { n: { type: 'number', default: 0, min: 1 } },")), "at least 1 (min)");
  EXPECT_PROBLEM(validate_source(analysis_with("  parameters: { b: { type: 'boolean', default: 'true' } },")), "must be true or false");
  EXPECT_PROBLEM(validate_source(analysis_with("  parameters: { d: { type: 'date', default: 'tomorrow' } },")), "a date \"YYYY-MM-DD\"");
  EXPECT_PROBLEM(validate_source(analysis_with("  parameters: { d: { type: 'date', default: '2024-02-30' } },")), "a date \"YYYY-MM-DD\"");
  EXPECT_PROBLEM(validate_source(analysis_with("  parameters: { s: { type: 'string', default: 'ABC', pattern: '^[a-z]+$' } },")),
                 "does not match the pattern");
  EXPECT_PROBLEM(validate_source(analysis_with("  parameters: { s: { type: 'select', default: 'x', options: ['a', 'b'] } },")),
                 "one of the option values (\"a\", \"b\")");
  EXPECT_PROBLEM(validate_source(analysis_with("  parameters: { m: { type: 'multiselect', default: ['a', 'z'], options: ['a'] } },")),
                 "the default contains \"z\"");
  EXPECT_PROBLEM(validate_source(analysis_with("  parameters: { o: { type: 'object', default: [] } },")), "the default must be an object");
  EXPECT_PROBLEM(validate_source(analysis_with("  parameters: { o: { type: 'object', default: { when: new Date() } } },")),
                 "default.when is a Date");
  for (const char* special : {"today", "yesterday", "last_week", "last_month", "current_month", "week_start", "week_end", "2024-01"}) {
    EXPECT_VALID(validate_source(analysis_with(std::string("  parameters: { d: { type: 'date', default: '") + special + "' } },")));
  }
}

TEST(ValidateParameters, DynamicDefaultsAreNotCheckedAgainstOptions) {
  EXPECT_VALID(validate_source(analysis_with("  dependencies: { datasources: ['postgres_main'] },\n"
                                             "  parameters: { c: { type: 'select', default: 'all', options: async (ctx) => ctx.datasource.postgres_main.query('x') } },")));
}

TEST(ValidateParameters, OptionsRules) {
  EXPECT_PROBLEM(validate_source(analysis_with("  parameters: { s: { type: 'select' } },")), "needs 'options'");
  EXPECT_PROBLEM(validate_source(analysis_with("  parameters: { s: { type: 'string', options: ['a'] } },")), "'options' apply to select and multiselect");
  EXPECT_PROBLEM(validate_source(analysis_with("  parameters: { s: { type: 'select', options: 'a,b' } },")), "'options' must be an array or a function");
  EXPECT_PROBLEM(validate_source(analysis_with("  parameters: { s: { type: 'select', options: [{ label: 'no value' }] } },")), "needs a 'value'");
  EXPECT_PROBLEM(validate_source(analysis_with("  parameters: { s: { type: 'select', options: [true] } },")), "options[0] must be a value or { value, label }");
  EXPECT_PROBLEM(validate_source(analysis_with("  parameters: { s: { type: 'select', options: [{ label: 'G', options: 'x' }] } },")), "is an option group and needs 'options'");
}

TEST(ValidateParameters, MinMaxAndPattern) {
  EXPECT_PROBLEM(validate_source(analysis_with("  parameters: { n: { type: 'number', min: 10, max: 1 } },")), "min (10) is greater than max (1)");
  EXPECT_PROBLEM(validate_source(analysis_with("  parameters: { n: { type: 'number', min: '1' } },")), "'min' must be a number");
  EXPECT_PROBLEM(validate_source(analysis_with("  parameters: { n: { type: 'date', max: 3 } },")), "'max' applies to number");
  EXPECT_PROBLEM(validate_source(analysis_with("  parameters: { s: { type: 'string', pattern: '([a-z' } },")), "is not a valid regular expression");
  EXPECT_PROBLEM(validate_source(analysis_with("  parameters: { s: { type: 'string', pattern: /abc/ } },")), "'pattern' must be a string");
  EXPECT_PROBLEM(validate_source(analysis_with("  parameters: { n: { type: 'number', pattern: '^1$' } },")), "'pattern' applies to string and text");
}

TEST(ValidateParameters, DynamicOptionsAndDependsOn) {
  auto result = validate_source(analysis_with(R"JS(  dependencies: { datasources: ["postgres_main"] },
  parameters: {
    country: { type: "select", required: true, options: ["USA", "FR"] },
    month: { type: "date" },
    city: {
      type: "select",
      options: async (ctx, params) => {
        if (!params.country) return [{ value: "", label: "Select country first" }];
        return ctx.datasource.postgres_main.query("SELECT id as value FROM cities WHERE c = $1 AND m = $2", [params.country, params["month"], params.notAParameter]);
      }
    },
    category: { type: "multiselect", async options(ctx) { return []; } },
  },)JS"));
  ASSERT_TRUE(result.valid) << all_messages(result);
  auto params = metadata(result)["parameters"];
  EXPECT_EQ(params["city"]["has_dynamic_options"], true);
  EXPECT_EQ(params["city"]["depends_on"], nlohmann::json::parse(R"(["country","month"])"));
  EXPECT_EQ(params["category"]["has_dynamic_options"], true);
  EXPECT_EQ(params["category"]["depends_on"], nlohmann::json::array());
  EXPECT_FALSE(params["country"].contains("has_dynamic_options"));
}

TEST(ValidateSchedule, ValidScheduleIsStoredWithDefaults) {
  auto result = validate_source(analysis_with("  schedule: { cron: '0 9 * * 1-5', timezone: 'America/New_York' },"));
  ASSERT_TRUE(result.valid) << all_messages(result);
  EXPECT_EQ(metadata(result)["schedule"],
            nlohmann::json::parse(R"({"cron":"0 9 * * 1-5","timezone":"America/New_York","enabled":true,"retry_on_failure":false,"max_retries":3,"retry_delay_seconds":300})"));
  auto full = validate_source(analysis_with("  schedule: { cron: '@daily', enabled: false, retry_on_failure: true, max_retries: 0, retry_delay_seconds: 60, shouldRun: async (ctx) => true },"));
  ASSERT_TRUE(full.valid) << all_messages(full);
  EXPECT_EQ(metadata(full)["schedule"]["timezone"], "UTC");
  EXPECT_EQ(metadata(full)["schedule"]["has_should_run"], true);
}

TEST(ValidateSchedule, CronMustBeValid) {
  EXPECT_PROBLEM(validate_source(analysis_with("  schedule: { cron: '61 * * * *' },")), "minute field '61' is out of range 0-59");
  EXPECT_PROBLEM(validate_source(analysis_with("  schedule: { cron: '0 2 * *' },")), "has 4 fields");
  EXPECT_PROBLEM(validate_source(analysis_with("  schedule: { cron: '0 0 30 2 *' },")), "never fires");
  EXPECT_PROBLEM(validate_source(analysis_with("  schedule: { timezone: 'UTC' },")), "needs a 'cron' expression");
}

TEST(ValidateSchedule, TimezoneMustBeKnown) {
  EXPECT_PROBLEM(validate_source(analysis_with("  schedule: { cron: '0 2 * * *', timezone: 'Mars/Olympus' },")),
                 "'Mars/Olympus' is not a known IANA time zone");
}

TEST(ValidateSchedule, FlagsAndRetries) {
  EXPECT_PROBLEM(validate_source(analysis_with("  schedule: { cron: '0 2 * * *', enabled: 'yes' },")), "schedule.enabled must be true or false");
  EXPECT_PROBLEM(validate_source(analysis_with("  schedule: { cron: '0 2 * * *', max_retries: 11 },")), "max_retries must be a whole number from 0 to 10");
  EXPECT_PROBLEM(validate_source(analysis_with("  schedule: { cron: '0 2 * * *', retry_delay_seconds: -1 },")), "retry_delay_seconds must be a whole number");
  EXPECT_PROBLEM(validate_source(analysis_with("  schedule: { cron: '0 2 * * *', retryOnFailure: true },")),
                 "Unknown key 'retryOnFailure' in schedule (did you mean 'retry_on_failure'?)");
}

TEST(ValidateExecution, LimitsArePositiveWholeNumbers) {
  auto result = validate_source(analysis_with("  execution: { timeout_ms: 300000, memory_limit_mb: 512 },"));
  ASSERT_TRUE(result.valid) << all_messages(result);
  EXPECT_EQ(metadata(result)["execution"], nlohmann::json::parse(R"({"timeout_ms":300000,"memory_limit_mb":512})"));
  EXPECT_PROBLEM(validate_source(analysis_with("  execution: { timeout_ms: 0 },")), "execution.timeout_ms must be a whole number");
  EXPECT_PROBLEM(validate_source(analysis_with("  execution: { cpu: 1 },")), "Unknown key 'cpu' in execution");
}

TEST(ValidateAllAtOnce, EveryProblemIsReportedInOneResult) {
  auto result = validate_source(R"JS(export default {
  title: "",
  dependencies: { datasources: ["unknown_db"] },
  parameters: { d: { type: "datetime" }, n: { type: "number", default: "x" } },
  schedule: { cron: "99 * * * *", timezone: "Nowhere/City" },
  run: async function(ctx) {
    const r = eval("1");
    return await ctx.datasource.clickhouse.query("x");
  }
};)JS");
  EXPECT_FALSE(result.valid);
  for (const char* part : {"eval()", "'title' must be a non-empty string", "the type must be one of", "the default must be a finite number",
                           "minute field '99'", "'Nowhere/City'", "Datasource 'unknown_db' not found", "Datasource 'clickhouse' is used but not declared"}) {
    EXPECT_NE(find_problem(result, part), nullptr) << part << "\n" << all_messages(result);
  }
  auto json = nlohmann::json::parse(validate::to_json(result));
  EXPECT_EQ(json["valid"], false);
  EXPECT_EQ(json["errors"].size(), result.errors.size());
  EXPECT_EQ(json["error_details"][0]["line"], 7);
}

}  // namespace
}  // namespace as::testing
