#include "api_server.h"

#include <fmt/format.h>

#include "config/tokens.h"
#include "service/service_error.h"

namespace as::server {

using service::ErrorCode;
using service::ServiceError;

namespace {
// Requests held open by ?wait_ms and /events each hold a thread; size the pool for many of them.
constexpr std::size_t kHttpThreads = 64;
}  // namespace

ApiServer::ApiServer(ApiServices services) : services_(services) {
  // httplib takes ownership of the queue it is given (its API hands over a raw pointer).
  http_.new_task_queue = [] { return new httplib::ThreadPool(kHttpThreads); };
  http_.set_keep_alive_max_count(100'000);
  // Without it a response written in two parts waits for the peer's delayed ACK (40 ms).
  http_.set_tcp_nodelay(true);
  http_.set_payload_max_length(64u << 20);
  http_.set_error_handler([](const httplib::Request& request, httplib::Response& response) {
    if (!response.body.empty()) return;
    if (response.status == 404) {
      send_error(response, ServiceError(ErrorCode::NotFound, fmt::format("no such endpoint: {} {}", request.method, request.path)));
    } else if (response.status == 405) {
      send_json(response, 405, {{"error", {{"code", "method_not_allowed"}, {"message", fmt::format("{} is not allowed on {}", request.method, request.path)}, {"details", Json::object()}}}});
    } else if (response.status == 413) {
      send_json(response, 413, {{"error", {{"code", "payload_too_large"}, {"message", "the request body is larger than 64 MB"}, {"details", Json::object()}}}});
    } else {
      send_json(response, response.status, {{"error", {{"code", "http_error"}, {"message", fmt::format("HTTP error {}", response.status)}, {"details", Json::object()}}}});
    }
  });
  add_meta_routes(*this, services_);
  add_analysis_routes(*this, services_);
  add_authoring_routes(*this, services_);
  add_job_routes(*this, services_);
}

ApiServer::~ApiServer() { stop(); }

int ApiServer::bind(const std::string& host, int port) {
  int bound = port == 0 ? http_.bind_to_any_port(host) : (http_.bind_to_port(host, port) ? port : -1);
  if (bound <= 0) {
    throw std::runtime_error(fmt::format("cannot listen on {}:{} (address in use or not available)", host, port));
  }
  return bound;
}

void ApiServer::serve() { http_.listen_after_bind(); }

void ApiServer::stop() { http_.stop(); }

Caller ApiServer::authenticate(const httplib::Request& request, Access access) const {
  if (access == Access::Public) return {};
  std::string header = request.get_header_value("Authorization");
  constexpr std::string_view kBearer = "Bearer ";
  if (header.empty()) {
    throw ServiceError(ErrorCode::Unauthorized, "missing 'Authorization: Bearer <token>' header");
  }
  if (!std::string_view(header).starts_with(kBearer)) {
    throw ServiceError(ErrorCode::Unauthorized, "the Authorization header must be 'Bearer <token>'");
  }
  auto token = config::authenticate(services_.config, std::string_view(header).substr(kBearer.size()));
  if (!token) throw ServiceError(ErrorCode::Unauthorized, "unknown or revoked token");
  if (access == Access::Author && token->role != config::Role::Author) {
    throw ServiceError(ErrorCode::Forbidden, fmt::format("token '{}' has role 'user'; this operation needs role 'author'", token->name));
  }
  return {token->project, token->role, token->name};
}

void ApiServer::route(const char* method, const std::string& pattern, Access access, Handler handler) {
  auto wrapped = [this, access, handler = std::move(handler)](const httplib::Request& request, httplib::Response& response) {
    try {
      handler(request, response, authenticate(request, access));
    } catch (const ServiceError& error) {
      send_error(response, error);
    } catch (const std::exception& error) {
      send_error(response, ServiceError(ErrorCode::Internal, fmt::format("internal error: {}", error.what())));
    }
  };
  std::string_view verb = method;
  if (verb == "GET") {
    http_.Get(pattern, wrapped);
  } else if (verb == "POST") {
    http_.Post(pattern, wrapped);
  } else if (verb == "PUT") {
    http_.Put(pattern, wrapped);
  } else if (verb == "DELETE") {
    http_.Delete(pattern, wrapped);
  } else {
    throw std::logic_error(fmt::format("unsupported method {}", method));
  }
}

}  // namespace as::server
