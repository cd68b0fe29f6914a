#pragma once
// One thing wrong with an analysis, with where it is when a place applies.
#include <optional>
#include <string>

namespace as::validate {

struct ValidationProblem {
  std::string message;        // one line, names the problem and the value (location included)
  std::optional<int> line;    // 1-based
  std::optional<int> column;  // 1-based
};

// "<what> (line L, column C)" when a location is known, else just `what`.
ValidationProblem problem_at(std::string what, int line, int column);
ValidationProblem problem(std::string what);

}  // namespace as::validate
