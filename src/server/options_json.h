#pragma once
// What an options function returned, in the shape validation stores static options in
// (docs/validation.md, "parameters"): every entry {value, label}, every group {label, options}.
#include <string>

#include "server/http_json.h"

namespace as::server {

// `returned` is the function's result (an array). Entries: a string or finite number (its text
// becomes the label), {value, label?}, or a group {label | group, options: [entries]}. Throws
// ServiceError(Invalid) naming the parameter, the entry and its value for anything else.
Json normalize_options(const Json& returned, const std::string& parameter);

}  // namespace as::server
