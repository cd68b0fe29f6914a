#include "options_json.h"

#include <fmt/format.h>

namespace as::server {
namespace {

using service::ErrorCode;
using service::ServiceError;

[[noreturn]] void refuse(const std::string& parameter, const std::string& where, const std::string& problem, const Json& value) {
  throw ServiceError(ErrorCode::Invalid,
                     fmt::format("the options function of parameter '{}' returned {} {}, got {}", parameter, where, problem,
                                 value.dump(-1, ' ', false, Json::error_handler_t::replace)),
                     {{"parameter", parameter}, {"entry", where}});
}

bool is_plain_value(const Json& value) { return value.is_string() || value.is_number(); }
std::string text_of(const Json& value) { return value.is_string() ? value.get<std::string>() : value.dump(); }

Json single_option(const Json& entry, const std::string& parameter, const std::string& where) {
  if (is_plain_value(entry)) return Json{{"value", entry}, {"label", text_of(entry)}};
  if (!entry.is_object()) refuse(parameter, where, "that must be a value or { value, label }", entry);
  for (const auto& [key, ignored] : entry.items()) {
    if (key != "value" && key != "label") refuse(parameter, where, fmt::format("with the unknown key '{}' (an option has value and label)", key), entry);
  }
  auto value = entry.find("value");
  if (value == entry.end() || !is_plain_value(*value)) refuse(parameter, where, "that needs a 'value' that is a string or a number", entry);
  auto label = entry.find("label");
  if (label != entry.end() && !label->is_null() && !label->is_string()) refuse(parameter, where, "whose 'label' must be a string", entry);
  return Json{{"value", *value}, {"label", label != entry.end() && label->is_string() ? label->get<std::string>() : text_of(*value)}};
}

Json option_group(const Json& entry, const std::string& parameter, const std::string& where) {
  auto label = entry.find("label");
  if (label == entry.end() || label->is_null()) label = entry.find("group");
  if (label == entry.end() || !label->is_string()) refuse(parameter, where, "that is an option group and needs a 'label' string", entry);
  auto inner = entry.find("options");
  if (inner == entry.end() || !inner->is_array()) refuse(parameter, where, "that is an option group and needs 'options': an array", entry);
  Json list = Json::array();
  for (std::size_t i = 0; i < inner->size(); ++i) list.push_back(single_option((*inner)[i], parameter, fmt::format("{}.options[{}]", where, i)));
  return Json{{"label", label->get<std::string>()}, {"options", std::move(list)}};
}

}  // namespace

Json normalize_options(const Json& returned, const std::string& parameter) {
  if (!returned.is_array()) refuse(parameter, "a result", "that must be an array", returned);
  Json list = Json::array();
  for (std::size_t i = 0; i < returned.size(); ++i) {
    const Json& entry = returned[i];
    std::string where = fmt::format("options[{}]", i);
    bool group = entry.is_object() && (entry.contains("options") || entry.contains("group"));
    list.push_back(group ? option_group(entry, parameter, where) : single_option(entry, parameter, where));
  }
  return list;
}

}  // namespace as::server
