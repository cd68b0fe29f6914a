#pragma once
// The REST API (docs/api.md, /api/openapi.json): cpp-httplib serves it; every route goes through
// one wrapper that authenticates the bearer token, checks the role and turns every error into
// {"error": {"code", "message", "details"}}. Routes call the service layer only.
#include <functional>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include <httplib.h>

#include "config/config.h"
#include "jobs/job_types.h"
#include "server/stop_signal.h"

namespace as::jobs {
class JobService;
}
#include "server/http_json.h"

namespace as::service {
class AnalysisService;
}

namespace as::server {

// Who is calling: decided by the bearer token alone.
struct Caller {
  std::string project;
  config::Role role = config::Role::User;
  std::string name;  // the token's name, recorded as executed_by / created_by
};

// What a route needs: `author` routes create or change analyses; the rest are open to `user`.
enum class Access { Public, User, Author };

struct ApiServices {
  const config::Config& config;
  service::AnalysisService& analyses;
  jobs::JobService& jobs;
  // The extensions and limits a run of an analysis gets; options functions get the same.
  jobs::RunEnvironmentFactory environment;
};

class ApiServer {
 public:
  using Handler = std::function<void(const httplib::Request&, httplib::Response&, const Caller&)>;

  explicit ApiServer(ApiServices services);
  ~ApiServer();

  // Binds (port 0 picks a free one) and returns the port; throws naming the address on failure.
  int bind(const std::string& host, int port);
  void serve();  // blocks until stop()
  void stop();    // raises stop_signal() first, so held-open responses end at once
  // Raised when stop() begins; responses held open (?wait_ms, /events) watch it.
  std::shared_ptr<StopSignal> stop_signal() const { return stop_signal_; }

  // Routes are matched in the order they are added. POST and PUT handlers see the whole body in
  // request.body; a request without Content-Length has an empty body (RFC 9112 6.3).
  void route(const char* method, const std::string& pattern, Access access, Handler handler);

 private:
  struct Route {
    std::string method;
    std::regex pattern;
  };

  Caller authenticate(const httplib::Request& request, Access access) const;
  // "GET, DELETE": the methods of the routes whose pattern matches `path`; empty when none does.
  std::string allowed_methods(const std::string& path) const;
  // 404 (no such path) or 405 (the path exists, the method does not), as a JSON error.
  void answer_unrouted(const httplib::Request& request, httplib::Response& response) const;
  // Answers what httplib could not route or read, unless a route already answered.
  void answer_http_error(const httplib::Request& request, httplib::Response& response) const;
  // Catch-all POST, PUT and PATCH routes, added last: they read and drop the body of an unrouted
  // request (so the connection stays usable) and answer 404 or 405. Other methods reach
  // answer_http_error instead.
  void add_unrouted_handlers();

  ApiServices services_;
  std::shared_ptr<StopSignal> stop_signal_ = std::make_shared<StopSignal>();
  httplib::Server http_;
  std::vector<Route> routes_;
};

// Route groups, one file each.
void add_analysis_routes(ApiServer& server, ApiServices services);
void add_authoring_routes(ApiServer& server, ApiServices services);
void add_job_routes(ApiServer& server, ApiServices services);
void add_meta_routes(ApiServer& server, ApiServices services);

}  // namespace as::server
