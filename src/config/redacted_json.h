#pragma once
// The effective configuration as JSON for operators (`analysis-sandbox config check`) and for
// logs. Secrets appear only as the name of their environment variable and whether it is set:
// {"env": "PG_PASSWORD", "set": true}. Token hashes are cut to their first 12 hex digits.
#include <string>

#include <nlohmann/json.hpp>

#include "config.h"

namespace as::config {

nlohmann::ordered_json to_redacted_json(const Config& config);
// to_redacted_json(config) indented by two spaces.
std::string redacted_json(const Config& config);

}  // namespace as::config
