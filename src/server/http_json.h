#pragma once
// Small helpers every route uses: read a JSON body, answer JSON, read path and query values.
#include <optional>
#include <string>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "service/service_error.h"

namespace as::server {

using Json = nlohmann::ordered_json;

// The request body as a JSON object; an empty body is {}. Anything else is a 400 naming the problem.
Json body_object(const httplib::Request& request);
// body[key] as a string, or a 400 naming the key when it is missing (if required) or not a string.
std::string string_field(const Json& body, const char* key, bool required);
// A query parameter as an integer within [min, max], or `fallback` when absent; 400 otherwise.
std::int64_t query_integer(const httplib::Request& request, const char* key, std::int64_t fallback, std::int64_t min,
                           std::int64_t max);
// A path segment captured by the route's regex as a positive integer (versions), or a 400.
int path_integer(const std::string& text, const char* what);

void send_json(httplib::Response& response, int status, const Json& body);
void send_error(httplib::Response& response, const service::ServiceError& error);

}  // namespace as::server
