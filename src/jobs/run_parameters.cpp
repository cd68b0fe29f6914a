#include "run_parameters.h"

#include <chrono>
#include <string_view>

#include <fmt/format.h>

#include "validate/date_values.h"

namespace as::jobs {
namespace {

std::string summary(const std::vector<validate::ParameterError>& errors) {
  std::string first = errors.empty() ? "the parameters were refused" : errors.front().message;
  if (errors.size() > 1) return fmt::format("invalid parameters: {} (and {} more)", first, errors.size() - 1);
  return fmt::format("invalid parameters: {}", first);
}

}  // namespace

InvalidParameters::InvalidParameters(std::vector<validate::ParameterError> errors)
    : std::invalid_argument(summary(errors)), errors_(std::move(errors)) {}

Value resolve_run_parameters(const catalog::Analysis& analysis, const Value& given) {
  auto today = validate::today_in(nullptr, std::chrono::system_clock::now());
  validate::ParameterResolution resolved =
      validate::resolve_parameters(std::string_view(analysis.metadata_json), given, validate::ParameterContext{.today = today});
  if (!resolved.ok) throw InvalidParameters(std::move(resolved.errors));
  return std::move(resolved.values);
}

}  // namespace as::jobs
