// Endpoints about the API itself, open without a token: health and the OpenAPI document.
#include "api_server.h"
#include "server/openapi_document.h"

namespace as::server {

void add_meta_routes(ApiServer& server, ApiServices /*services*/) {
  server.route("GET", "/api/health", Access::Public, [](const auto&, auto& response, const Caller&) {
    send_json(response, 200, {{"status", "ok"}});
  });
  server.route("GET", "/api/openapi.json", Access::Public, [](const auto&, auto& response, const Caller&) {
    response.set_content(std::string(openapi_document()), "application/json");
  });
}

}  // namespace as::server
