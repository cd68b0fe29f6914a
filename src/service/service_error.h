#pragma once
// The one error type of the service layer. The REST API turns it into
// {"error": {"code", "message", "details"}} with the HTTP status of its code; MCP and the CLI
// print the same message, so every front end reports a problem the same way.
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

namespace as::service {

enum class ErrorCode {
  BadRequest,     // 400: the request itself is malformed (bad JSON, wrong field type)
  Unauthorized,   // 401: no or unknown token
  Forbidden,      // 403: the token's role may not do this
  NotFound,       // 404: unknown analysis, version, job, parameter
  Conflict,       // 409: e.g. a name already taken
  Invalid,        // 422: a script or parameter set that fails validation; details say why
  Internal,       // 500
};

const char* code_name(ErrorCode code);  // "bad_request", "not_found", ...
int http_status(ErrorCode code);

class ServiceError : public std::runtime_error {
 public:
  ServiceError(ErrorCode code, const std::string& message, nlohmann::ordered_json details = nlohmann::ordered_json::object())
      : std::runtime_error(message), code_(code), details_(std::move(details)) {}

  ErrorCode code() const { return code_; }
  const nlohmann::ordered_json& details() const { return details_; }
  nlohmann::ordered_json to_json() const {
    return {{"error", {{"code", code_name(code_)}, {"message", what()}, {"details", details_}}}};
  }

 private:
  ErrorCode code_;
  nlohmann::ordered_json details_;
};

}  // namespace as::service
