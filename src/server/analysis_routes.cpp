// User-facing analysis endpoints of the spec: list, get (with parameter metadata), dynamic
// parameter options, execute, run history, delete.
#include <fmt/format.h>

#include "api_server.h"
#include "route_patterns.h"
#include "jobs/job_service.h"
#include "service/analysis_service.h"

namespace as::server {

void add_analysis_routes(ApiServer& server, ApiServices services) {
  auto& analyses = services.analyses;
  std::string id = kAnalysisIdPattern;

  server.route("GET", "/api/analysis", Access::User, [&analyses](const auto&, auto& response, const Caller& caller) {
    response.status = 200;
    response.set_content(analyses.list_text(caller.project), "application/json");
  });

  server.route("GET", "/api/analysis/" + id, Access::User, [&analyses](const auto& request, auto& response, const Caller& caller) {
    send_json(response, 200, analyses.get(caller.project, request.matches[1], caller.role == config::Role::Author));
  });

  server.route("DELETE", "/api/analysis/" + id, Access::User, [&analyses](const auto& request, auto& response, const Caller& caller) {
    analyses.remove(caller.project, request.matches[1]);
    response.status = 204;
  });
  // execute, options and runs: see add_job_routes (they need the job service).
}

}  // namespace as::server
