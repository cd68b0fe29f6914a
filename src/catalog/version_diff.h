#pragma once
// Compares two versions of an analysis in the spec's diff_analysis_versions shape:
// dependencies added/removed, parameters added/removed/modified, script lines added/removed/modified.
#include <nlohmann/json.hpp>

#include "store.h"

namespace as::catalog {

struct LineChanges {
  int added = 0;
  int removed = 0;
  int modified = 0;  // a removed line replaced by an added one in the same place
};

LineChanges diff_lines(const std::string& before, const std::string& after);
nlohmann::ordered_json diff_versions(const AnalysisVersion& v1, const AnalysisVersion& v2);

}  // namespace as::catalog
