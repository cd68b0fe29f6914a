// The spec's example analyses (validate_spec_examples/, see its README) validate.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "validate_test_support.h"

namespace as::testing {
namespace {

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

validate::ValidationEnvironment spec_environment() {
  validate::ValidationEnvironment env;
  env.datasources = {"postgres_main", "clickhouse", "clickhouse_events", "mysql_orders", "raw_data", "s3_reports", "s3_logs",
                     "api_crm", "api_monitoring", "graphql_analytics", "production_db", "analytics_db"};
  env.analysis_exists = [](const std::string& name) { return name == "customer_metrics" || name == "sales_summary"; };
  return env;
}

TEST(ValidateSpecExamples, EveryExampleValidates) {
  std::filesystem::path dir = VALIDATE_SPEC_EXAMPLES_DIR;
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".js") continue;
    ++count;
    auto result = validate_source(read_file(entry.path()), spec_environment());
    EXPECT_TRUE(result.valid) << entry.path().filename() << "\n" << all_messages(result);
  }
  EXPECT_EQ(count, 9);
}

TEST(ValidateSpecExamples, ScriptStructureExampleMetadata) {
  auto result = validate_source(read_file(std::filesystem::path(VALIDATE_SPEC_EXAMPLES_DIR) / "analysis_script_structure.js"), spec_environment());
  ASSERT_TRUE(result.valid) << all_messages(result);
  EXPECT_EQ(to_json(result.summary),
            R"({"title":"Monthly customer report","datasources":["postgres_main","clickhouse"],"analyses":["customer_metrics","sales_summary"],"parameters":["month","category"]})");
  EXPECT_EQ(result.metadata_json,
            R"({"dependencies":{"datasources":["postgres_main","clickhouse"],"analyses":["customer_metrics","sales_summary"]},)"
            R"("parameters":{"month":{"type":"date","required":true,"default":"current_month"},)"
            R"("category":{"type":"select","required":true,"has_dynamic_options":true,"default":"all","depends_on":[]}},)"
            R"("schedule":{"cron":"0 2 * * *","timezone":"UTC","enabled":true,"retry_on_failure":false,"max_retries":3,"retry_delay_seconds":300}})");
}

TEST(ValidateSpecExamples, VerbatimExamplesThatUseUndeclaredDatasourcesNameThem) {
  std::filesystem::path dir = std::filesystem::path(VALIDATE_SPEC_EXAMPLES_DIR) / "verbatim";
  const std::map<std::string, std::vector<std::string>> expected = {
      {"regular_analysis.js", {"postgres_main"}},
      {"etl_persistent_duckdb.js", {"raw_data"}},
      {"cross_datasource.js", {"postgres_main", "clickhouse_events", "mysql_orders"}},
      {"polars_duckdb.js", {"postgres_main"}},
  };
  for (const auto& [file, names] : expected) {
    auto result = validate_source(read_file(dir / file), spec_environment());
    ASSERT_EQ(result.errors.size(), names.size()) << file << "\n" << all_messages(result);
    for (std::size_t i = 0; i < names.size(); ++i) {
      EXPECT_EQ(result.errors[i].message.rfind("Datasource '" + names[i] + "' is used but not declared", 0), 0u) << all_messages(result);
    }
  }
}

}  // namespace
}  // namespace as::testing
