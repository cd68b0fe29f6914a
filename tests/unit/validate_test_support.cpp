#include "validate_test_support.h"

namespace as::testing {

validate::ValidationEnvironment test_environment() {
  validate::ValidationEnvironment env;
  env.datasources = {"postgres_main", "clickhouse", "s3_reports"};
  env.analysis_exists = [](const std::string& name) { return name == "customer_metrics" || name == "sales_summary"; };
  env.analysis_name = "monthly_report";
  return env;
}

validate::ValidationResult validate_source(const std::string& source, const validate::ValidationEnvironment& env) {
  return validate::validate_analysis(source, env);
}

std::string analysis_with(const std::string& members, const std::string& body) {
  return "export default {\n  title: \"t\",\n" + members + "\n  run: async function(ctx, params) {\n    " + body + "\n  }\n};\n";
}

const validate::ValidationProblem* find_problem(const validate::ValidationResult& result, const std::string& part) {
  for (const auto& problem : result.errors) {
    if (problem.message.find(part) != std::string::npos) return &problem;
  }
  return nullptr;
}

std::string all_messages(const validate::ValidationResult& result) {
  std::string out = result.valid ? "<valid>\n" : "";
  for (const auto& problem : result.errors) out += problem.message + "\n";
  return out;
}

}  // namespace as::testing
