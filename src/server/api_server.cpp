#include "api_server.h"

#include <optional>
#include <set>

#include <fmt/format.h>

#include "config/tokens.h"
#include "service/service_error.h"

namespace as::server {

using service::ErrorCode;
using service::ServiceError;

namespace {
// Requests held open by ?wait_ms and /events each hold a thread; size the pool for many of them.
constexpr std::size_t kHttpThreads = 64;
constexpr std::size_t kMaxBodyBytes = 64u << 20;

// The methods httplib routes; it answers any other with 400 before a route sees it.
bool is_routed_method(const std::string& method) {
  static const std::set<std::string> kRouted = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};
  return kRouted.contains(method);
}

Json error_json(const char* code, const std::string& message) {
  return {{"error", {{"code", code}, {"message", message}, {"details", Json::object()}}}};
}

bool has_body(const httplib::Request& request) {
  return request.has_header("Content-Length") ||
         request.get_header_value("Transfer-Encoding").find("chunked") != std::string::npos;
}

// Reads the body through httplib's content reader, but only when the request says it has one:
// httplib 0.11 would otherwise wait for the client to close the connection. Multipart bodies
// are read and dropped (the API takes JSON only). When the body cannot be used, answers the
// request with the error and returns nothing.
std::optional<std::string> read_body(const httplib::Request& request, httplib::Response& response,
                                     const httplib::ContentReader& reader) {
  std::string body;
  if (!has_body(request)) return body;
  bool read = false;
  if (request.is_multipart_form_data()) {
    read = reader([](const httplib::MultipartFormData&) { return true; }, [](const char*, std::size_t) { return true; });
    if (read) {
      send_error(response, ServiceError(ErrorCode::BadRequest, "the request body must be JSON, not multipart/form-data"));
      return std::nullopt;
    }
  } else {
    read = reader([&body](const char* data, std::size_t length) {
      body.append(data, length);
      return true;
    });
    if (read) return body;
  }
  // What was not read is still on the connection: close it after answering.
  response.set_header("Connection", "close");
  if (response.status == 413) {
    send_json(response, 413, error_json("payload_too_large", fmt::format("the request body is larger than {} MB", kMaxBodyBytes >> 20)));
  } else {
    send_error(response, ServiceError(ErrorCode::BadRequest, "the request body could not be read (cut short, or a bad chunked encoding)"));
  }
  return std::nullopt;
}

}  // namespace

ApiServer::ApiServer(ApiServices services) : services_(services) {
  // httplib takes ownership of the queue it is given (its API hands over a raw pointer).
  http_.new_task_queue = [] { return new httplib::ThreadPool(kHttpThreads); };
  http_.set_keep_alive_max_count(100'000);
  // httplib writes a response's headers and body separately; with Nagle's algorithm the body
  // then waits for the client's delayed ACK (40 ms on Linux) on every kept-alive connection.
  http_.set_tcp_nodelay(true);
  http_.set_post_routing_handler([](const httplib::Request& request, httplib::Response& response) {
    // httplib reads the body of POST, PUT, PATCH and DELETE only; another request's body would
    // be taken for the next request on the connection: tell the client not to reuse it.
    static const std::set<std::string> kWithBody = {"POST", "PUT", "PATCH", "DELETE"};
    if (has_body(request) && !kWithBody.contains(request.method)) response.set_header("Connection", "close");
  });
  http_.set_payload_max_length(kMaxBodyBytes);
  http_.set_error_handler([this](const httplib::Request& request, httplib::Response& response) { answer_http_error(request, response); });
  add_meta_routes(*this, services_);
  add_analysis_routes(*this, services_);
  add_authoring_routes(*this, services_);
  add_job_routes(*this, services_);
  add_unrouted_handlers();
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

void ApiServer::stop() {
  stop_signal_->raise();
  http_.stop();
}

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

std::string ApiServer::allowed_methods(const std::string& path) const {
  std::string allowed;
  for (const auto& route : routes_) {
    if (!std::regex_match(path, route.pattern)) continue;
    if (allowed.find(route.method) != std::string::npos) continue;
    allowed += (allowed.empty() ? "" : ", ") + route.method;
  }
  return allowed;
}

void ApiServer::answer_unrouted(const httplib::Request& request, httplib::Response& response) const {
  // httplib leaves `path` empty when it refuses the method while parsing the request line; the
  // raw target (without its query) is all there is then.
  std::string path = request.path.empty() ? request.target.substr(0, request.target.find('?')) : request.path;
  std::string allowed = allowed_methods(path);
  if (allowed.empty()) {
    send_error(response, ServiceError(ErrorCode::NotFound, fmt::format("no such endpoint: {} {}", request.method, path)));
    return;
  }
  response.set_header("Allow", allowed);
  send_json(response, 405, error_json("method_not_allowed", fmt::format("{} is not allowed on {} (allowed: {})", request.method, path, allowed)));
}

void ApiServer::answer_http_error(const httplib::Request& request, httplib::Response& response) const {
  if (!response.body.empty()) return;
  if (response.status == 400 && !request.method.empty() && !is_routed_method(request.method)) {
    // A method no route has (QUERY, TRACE, ...): httplib did not read its body, so the
    // connection cannot carry another request.
    response.set_header("Connection", "close");
    answer_unrouted(request, response);
  } else if (response.status == 404) {
    answer_unrouted(request, response);
  } else if (response.status == 413) {
    send_json(response, 413, error_json("payload_too_large", fmt::format("the request body is larger than {} MB", kMaxBodyBytes >> 20)));
  } else if (response.status == 400) {
    send_json(response, 400, error_json("bad_request", "the request could not be read as HTTP"));
  } else {
    send_json(response, response.status, error_json("http_error", fmt::format("HTTP error {}", response.status)));
  }
}

void ApiServer::route(const char* method, const std::string& pattern, Access access, Handler handler) {
  routes_.push_back({method, std::regex(pattern)});
  auto run = [this, access, handler = std::move(handler)](const httplib::Request& request, httplib::Response& response) {
    try {
      handler(request, response, authenticate(request, access));
    } catch (const ServiceError& error) {
      send_error(response, error);
    } catch (const std::exception& error) {
      send_error(response, ServiceError(ErrorCode::Internal, fmt::format("internal error: {}", error.what())));
    }
  };
  // POST and PUT read the body themselves (read_body), then hand the routes a request that
  // holds it. The copy's `matches` still point into `request.path`, which outlives the call.
  auto with_body = [run](const httplib::Request& request, httplib::Response& response, const httplib::ContentReader& reader) {
    std::optional<std::string> body = read_body(request, response, reader);
    if (!body) return;
    httplib::Request complete = request;
    complete.body = std::move(*body);
    run(complete, response);
  };
  std::string_view verb = method;
  if (verb == "GET") {
    http_.Get(pattern, run);
  } else if (verb == "POST") {
    http_.Post(pattern, httplib::Server::HandlerWithContentReader(with_body));
  } else if (verb == "PUT") {
    http_.Put(pattern, httplib::Server::HandlerWithContentReader(with_body));
  } else if (verb == "DELETE") {
    http_.Delete(pattern, run);
  } else {
    throw std::logic_error(fmt::format("unsupported method {}", method));
  }
}

void ApiServer::add_unrouted_handlers() {
  auto unrouted = [this](const httplib::Request& request, httplib::Response& response, const httplib::ContentReader& reader) {
    // The path decides the answer, not the body: a body that cannot be read is answered as such.
    if (read_body(request, response, reader)) answer_unrouted(request, response);
  };
  const std::string everything = ".*";
  http_.Post(everything, httplib::Server::HandlerWithContentReader(unrouted));
  http_.Put(everything, httplib::Server::HandlerWithContentReader(unrouted));
  http_.Patch(everything, httplib::Server::HandlerWithContentReader(unrouted));
}

}  // namespace as::server
