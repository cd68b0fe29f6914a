#pragma once
// Turns the parameters of an execute request into the values run(ctx, params) receives,
// checked against the parameter metadata the validator stored (metadata_json "parameters").
// Rules: docs/parameters.md. Every bad parameter is reported, not just the first.
#include <string>
#include <string_view>
#include <vector>

#include <date/date.h>
#include <nlohmann/json.hpp>

#include "sandbox/value.h"

namespace as::validate {

struct ParameterError {
  std::string parameter;  // the parameter's name
  std::string message;    // names the parameter, the rule and the value
};

struct ParameterResolution {
  bool ok = false;
  Value values = ValueObject{};  // set when ok: an object in the analysis's parameter order
  std::vector<ParameterError> errors;
};

struct ParameterContext {
  // The date special defaults resolve against, e.g. today_in(schedule zone, now).
  date::year_month_day today;
};

// `metadata` is the whole stored metadata document (ordered: values keep the declared order) (its "parameters" member is used) or
// nullptr/{} for an analysis without parameters. `request` must be an object (or null: none).
ParameterResolution resolve_parameters(const nlohmann::ordered_json& metadata, const Value& request, const ParameterContext& context);
ParameterResolution resolve_parameters(std::string_view metadata_json, const Value& request, const ParameterContext& context);

// {"error":"invalid parameters","details":[{"parameter":...,"message":...}]}
std::string to_json(const ParameterResolution& resolution);

}  // namespace as::validate
