#pragma once
// validate_analysis (spec "MCP Operations > Validation"): everything wrong with an analysis
// script, all at once, before it is saved; and, when it is valid, the metadata the catalog
// stores for it. Rules and limits: docs/validation.md.
//
// Order of work: tokens (static security and name checks, source locations) -> compile with
// QuickJS-ng (syntax) -> load the module in the sandbox and copy its default export (run is
// never called, no ctx exists) -> structure, parameters, schedule -> dependencies.
#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "problem.h"
#include "sandbox/limits.h"
#include "sandbox/value.h"

namespace as::validate {

// The sandbox limits used while loading a module to read its default export: the run
// defaults (memory, stack) with a 2 s time limit, because top-level code should only define
// the analysis.
sandbox::RunLimits default_validation_limits();

struct ValidationEnvironment {
  std::set<std::string> datasources;                        // datasources configured in the project
  std::function<bool(const std::string&)> analysis_exists;  // catalog lookup (empty: accept all)
  std::string analysis_name;                                // name being saved ("" if unknown): self-dependency check
  sandbox::RunLimits limits = default_validation_limits();
};

struct ValidationResult {
  bool valid = false;
  std::vector<ValidationProblem> errors;  // every problem, in the order: syntax/security, structure, dependencies
  // The spec's success "metadata": { title, datasources, analyses, parameters: [names] }.
  Value summary;
  // What the catalog stores (spec "Metadata Structure"): { dependencies: { datasources,
  // analyses }, parameters: { name: {...} }, schedule?, execution? }. Empty unless valid.
  std::string metadata_json;
  std::string title;  // the analysis's title (empty unless valid)
};

ValidationResult validate_analysis(std::string_view source, const ValidationEnvironment& env);

// {"valid":true,"metadata":{...}} or
// {"valid":false,"errors":["Syntax error at line 15, column 3: ...", ...],
//  "error_details":[{"message":...,"line":15,"column":3}, ...]} (line/column null when none applies).
std::string to_json(const ValidationResult& result);

}  // namespace as::validate
