#pragma once
// Checks the shape of an analysis's default export (spec "Analysis Script Structure",
// "Parameter Types", "Scheduling") and extracts what the catalog stores about it.
// Every problem found is reported; checking never stops at the first.
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "export_locator.h"
#include "export_snapshot.h"
#include "problem.h"

namespace as::validate {

struct AnalysisShape {
  std::string title;
  std::vector<std::string> datasources;   // dependencies.datasources, as declared
  std::vector<std::string> analyses;      // dependencies.analyses
  nlohmann::ordered_json parameters = nlohmann::ordered_json::object();  // name -> metadata
  std::optional<nlohmann::ordered_json> schedule;   // with the catalog's defaults filled in
  std::optional<nlohmann::ordered_json> execution;
};

// The keys each block accepts (for docs and messages).
const std::vector<std::string>& analysis_keys();
const std::vector<std::string>& parameter_keys();
const std::vector<std::string>& parameter_types();
const std::vector<std::string>& schedule_keys();

std::vector<ValidationProblem> check_structure(const JsNode& exported, const ExportLocator& where, AnalysisShape& shape);

// The parameters an options function reads from its second argument (`params.x`,
// `params["x"]`, `const { x } = params`, `(ctx, { x }) => ...`), in order of first use.
std::vector<std::string> parameters_read_by(const std::string& function_source);

}  // namespace as::validate
