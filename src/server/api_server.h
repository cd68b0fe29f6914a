#pragma once
// The REST API (docs/api.md, /api/openapi.json): cpp-httplib serves it; every route goes through
// one wrapper that authenticates the bearer token, checks the role and turns every error into
// {"error": {"code", "message", "details"}}. Routes call the service layer only.
#include <functional>
#include <memory>
#include <string>

#include <httplib.h>

#include "config/config.h"
#include "jobs/job_types.h"

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
  void stop();

  void route(const char* method, const std::string& pattern, Access access, Handler handler);

 private:
  Caller authenticate(const httplib::Request& request, Access access) const;

  ApiServices services_;
  httplib::Server http_;
};

// Route groups, one file each.
void add_analysis_routes(ApiServer& server, ApiServices services);
void add_authoring_routes(ApiServer& server, ApiServices services);
void add_job_routes(ApiServer& server, ApiServices services);
void add_meta_routes(ApiServer& server, ApiServices services);

}  // namespace as::server
