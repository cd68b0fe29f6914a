#pragma once
// The one place a run's parameters are checked against the analysis's declared parameters and
// given their defaults (docs/parameters.md), for every way a run starts: the REST execute
// route and the CLI through JobService::submit, ctx.runAnalysis, and later the scheduler.
#include <stdexcept>
#include <string>
#include <vector>

#include "catalog/store.h"
#include "sandbox/value.h"
#include "validate/parameter_values.h"

namespace as::jobs {

// The parameters do not fit the analysis: one entry per bad parameter, each naming the
// parameter, the rule and the value. what() is "invalid parameters: <first> (and N more)".
class InvalidParameters : public std::invalid_argument {
 public:
  explicit InvalidParameters(std::vector<validate::ParameterError> errors);
  const std::vector<validate::ParameterError>& errors() const { return errors_; }

 private:
  std::vector<validate::ParameterError> errors_;
};

// The values run(ctx, params) receives, in declared order, with defaults applied ("today" and
// friends resolve against today's date in UTC). Throws InvalidParameters.
Value resolve_run_parameters(const catalog::Analysis& analysis, const Value& given);

}  // namespace as::jobs
