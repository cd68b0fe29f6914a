// Authoring endpoints (role `author`): the REST mirror of the MCP operations create, update,
// versions, version, diff, restore and validate. They call AnalysisService, as MCP will.
#include "api_server.h"
#include "route_patterns.h"
#include "service/analysis_service.h"

namespace as::server {

void add_authoring_routes(ApiServer& server, ApiServices services) {
  auto& analyses = services.analyses;
  std::string id = kAnalysisIdPattern;
  std::string segment = kSegmentPattern;

  server.route("POST", "/api/analysis", Access::Author, [&analyses](const auto& request, auto& response, const Caller& caller) {
    Json body = body_object(request);
    send_json(response, 201,
              analyses.create(caller.project, string_field(body, "name", true), string_field(body, "script", true), caller.name));
  });

  server.route("POST", "/api/analysis/validate", Access::Author, [&analyses](const auto& request, auto& response, const Caller& caller) {
    Json body = body_object(request);
    send_json(response, 200, analyses.validate(caller.project, string_field(body, "script", true), string_field(body, "name", false)));
  });

  server.route("PUT", "/api/analysis/" + id, Access::Author, [&analyses](const auto& request, auto& response, const Caller& caller) {
    Json body = body_object(request);
    send_json(response, 200,
              analyses.update(caller.project, request.matches[1], string_field(body, "script", true),
                              string_field(body, "change_description", false), caller.name));
  });

  server.route("GET", "/api/analysis/" + id + "/versions", Access::Author, [&analyses](const auto& request, auto& response, const Caller& caller) {
    send_json(response, 200, analyses.versions(caller.project, request.matches[1]));
  });

  server.route("GET", "/api/analysis/" + id + "/versions/" + segment, Access::Author,
               [&analyses](const auto& request, auto& response, const Caller& caller) {
                 send_json(response, 200, analyses.version(caller.project, request.matches[1], path_integer(request.matches[2], "version")));
               });

  server.route("POST", "/api/analysis/" + id + "/versions/" + segment + "/restore", Access::Author,
               [&analyses](const auto& request, auto& response, const Caller& caller) {
                 Json body = body_object(request);
                 send_json(response, 200,
                           analyses.restore(caller.project, request.matches[1], path_integer(request.matches[2], "version"),
                                            string_field(body, "reason", true), caller.name));
               });

  server.route("GET", "/api/analysis/" + id + "/diff", Access::Author, [&analyses](const auto& request, auto& response, const Caller& caller) {
    auto first = query_integer(request, "version1", 0, 1, 1'000'000'000);
    auto second = query_integer(request, "version2", 0, 1, 1'000'000'000);
    if (first == 0 || second == 0) {
      throw service::ServiceError(service::ErrorCode::BadRequest, "query parameters 'version1' and 'version2' are required");
    }
    send_json(response, 200, analyses.diff(caller.project, request.matches[1], static_cast<int>(first), static_cast<int>(second)));
  });
}

}  // namespace as::server
