#include "problem.h"

#include <fmt/format.h>

namespace as::validate {

ValidationProblem problem_at(std::string what, int line, int column) {
  if (line <= 0) return problem(std::move(what));
  std::string message = column > 0 ? fmt::format("{} (line {}, column {})", what, line, column) : fmt::format("{} (line {})", what, line);
  return ValidationProblem{std::move(message), line, column > 0 ? std::optional<int>(column) : std::nullopt};
}

ValidationProblem problem(std::string what) { return ValidationProblem{std::move(what), std::nullopt, std::nullopt}; }

}  // namespace as::validate
