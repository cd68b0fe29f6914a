#pragma once
// The OpenAPI 3.1 description of the REST API: src/server/openapi.json, compiled into the binary.
#include <string_view>

namespace as::server {
std::string_view openapi_document();
}
