#include "http_json.h"

#include <charconv>

#include <fmt/format.h>

namespace as::server {

using service::ErrorCode;
using service::ServiceError;

Json body_object(const httplib::Request& request) {
  if (request.body.empty()) return Json::object();
  Json body = Json::parse(request.body, nullptr, false);
  if (body.is_discarded()) {
    throw ServiceError(ErrorCode::BadRequest, "the request body is not valid JSON", {{"body_bytes", request.body.size()}});
  }
  if (!body.is_object()) {
    throw ServiceError(ErrorCode::BadRequest, fmt::format("the request body must be a JSON object, got {}", body.type_name()));
  }
  return body;
}

std::string string_field(const Json& body, const char* key, bool required) {
  auto found = body.find(key);
  if (found == body.end() || found->is_null()) {
    if (required) throw ServiceError(ErrorCode::BadRequest, fmt::format("'{}' is required", key), {{"field", key}});
    return {};
  }
  if (!found->is_string()) {
    throw ServiceError(ErrorCode::BadRequest, fmt::format("'{}' must be a string, got {}", key, found->type_name()),
                       {{"field", key}});
  }
  return found->get<std::string>();
}

namespace {
std::optional<std::int64_t> parse_integer(const std::string& text) {
  std::int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}
}  // namespace

std::int64_t query_integer(const httplib::Request& request, const char* key, std::int64_t fallback, std::int64_t min,
                           std::int64_t max) {
  if (!request.has_param(key)) return fallback;
  std::string text = request.get_param_value(key);
  auto value = parse_integer(text);
  if (!value || *value < min || *value > max) {
    throw ServiceError(ErrorCode::BadRequest,
                       fmt::format("query parameter '{}' must be an integer from {} to {}, got '{}'", key, min, max, text),
                       {{"field", key}, {"value", text}});
  }
  return *value;
}

int path_integer(const std::string& text, const char* what) {
  auto value = parse_integer(text);
  if (!value || *value < 1 || *value > 1'000'000'000) {
    throw ServiceError(ErrorCode::BadRequest, fmt::format("{} must be a positive integer, got '{}'", what, text),
                       {{"field", what}, {"value", text}});
  }
  return static_cast<int>(*value);
}

void send_json(httplib::Response& response, int status, const Json& body) {
  response.status = status;
  response.set_content(body.dump(-1, ' ', false, Json::error_handler_t::replace), "application/json");
}

void send_error(httplib::Response& response, const ServiceError& error) {
  send_json(response, service::http_status(error.code()), error.to_json());
}

}  // namespace as::server
