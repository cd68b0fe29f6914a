#pragma once
// Helpers for the validator tests: validate a script in a small environment and look for
// problems by a part of their message.
#include <string>

#include "validate/validator.h"

namespace as::testing {

// Datasources postgres_main, clickhouse, s3_reports; analyses "customer_metrics" and
// "sales_summary" exist; the analysis being saved is "monthly_report".
validate::ValidationEnvironment test_environment();

validate::ValidationResult validate_source(const std::string& source, const validate::ValidationEnvironment& env = test_environment());

// Wraps `members` in `export default { title: "t", <members>, run: async function(ctx, params) { <body> } }`.
std::string analysis_with(const std::string& members, const std::string& body = "return {};");

// The problem whose message contains `part`, or nullptr.
const validate::ValidationProblem* find_problem(const validate::ValidationResult& result, const std::string& part);
// Every message, one per line, for assertion output.
std::string all_messages(const validate::ValidationResult& result);

}  // namespace as::testing
