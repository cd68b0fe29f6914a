#include "parameter_values.h"

#include <charconv>
#include <cmath>
#include <optional>

#include <fmt/format.h>

#include "date_values.h"
#include "js_regex.h"

namespace as::validate {
namespace {

using Json = nlohmann::ordered_json;

Value from_json(const Json& j) {
  switch (j.type()) {
    case Json::value_t::boolean: return Value(j.get<bool>());
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float: return Value(j.get<double>());
    case Json::value_t::string: return Value(j.get<std::string>());
    case Json::value_t::array: {
      ValueArray array;
      for (const auto& e : j) array.push_back(from_json(e));
      return Value(std::move(array));
    }
    case Json::value_t::object: {
      ValueObject object;
      for (const auto& item : j.items()) object.emplace_back(item.key(), from_json(item.value()));
      return Value(std::move(object));
    }
    default: return Value(nullptr);
  }
}

std::string show(const Value& v) {
  std::string text = to_json(v);
  return text.size() > 80 ? text.substr(0, 77) + "..." : text;
}

// The text JS would give a number: 3 -> "3", 2.5 -> "2.5".
std::string number_text(double d) {
  if (std::floor(d) == d && std::fabs(d) < 1e21) return fmt::format("{:.0f}", d);
  return fmt::format("{}", d);
}

std::size_t characters(std::string_view text) {
  std::size_t n = 0;
  for (char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

// Strings inside an object default that name a special date become that date.
Value resolve_dates_inside(const Value& v, date::year_month_day today) {
  if (v.is<std::string>() && is_special_date(v.as<std::string>())) return Value(format_date(resolve_special_date(v.as<std::string>(), today)));
  if (v.is<ValueObject>()) {
    ValueObject out;
    for (const auto& [key, member] : v.as<ValueObject>()) out.emplace_back(key, resolve_dates_inside(member, today));
    return Value(std::move(out));
  }
  if (v.is<ValueArray>()) {
    ValueArray out;
    for (const auto& e : v.as<ValueArray>()) out.push_back(resolve_dates_inside(e, today));
    return Value(std::move(out));
  }
  return v;
}

class Resolver {
 public:
  Resolver(const ParameterContext& context, ParameterResolution& out) : context_(context), out_(out) {}

  std::optional<Value> coerce(const std::string& name, const Json& def, const Value& v, bool is_default) {
    name_ = name;
    origin_ = is_default ? "its default " : "";
    std::string type = def.value("type", "string");
    if (type == "string" || type == "text") return text(def, v);
    if (type == "number") return number(def, v);
    if (type == "boolean") return boolean(v);
    if (type == "date") return day(v);
    if (type == "select") return choice(def, v);
    if (type == "multiselect") return choices(def, v);
    if (type == "object") {
      if (!v.is<ValueObject>()) return fail(fmt::format("must be an object, got {}", show(v)));
      return is_default ? resolve_dates_inside(v, context_.today) : v;
    }
    return fail(fmt::format("has an unknown type '{}' in its stored metadata", type));
  }

 private:
  std::nullopt_t fail(const std::string& what) {
    out_.errors.push_back({name_, fmt::format("parameter '{}' {}{}", name_, origin_.empty() ? "" : "(" + origin_ + "value) ", what)});
    return std::nullopt;
  }

  std::optional<Value> text(const Json& def, const Value& v) {
    std::string s;
    if (v.is<std::string>()) s = v.as<std::string>();
    else if (v.is<double>() && std::isfinite(v.as<double>())) s = number_text(v.as<double>());
    else return fail(fmt::format("must be a string, got {}", show(v)));
    std::size_t length = characters(s);
    if (def.contains("min") && length < def["min"].get<double>()) return fail(fmt::format("must be at least {} characters long, got {} ({})", def["min"].dump(), length, show(Value(s))));
    if (def.contains("max") && length > def["max"].get<double>()) return fail(fmt::format("must be at most {} characters long, got {}", def["max"].dump(), length));
    if (def.contains("pattern") && def["pattern"].is_string()) {
      std::string pattern = def["pattern"].get<std::string>();
      std::string error;
      auto regex = JsRegex::compile(pattern, error);
      if (!regex) return fail(fmt::format("has a pattern /{}/ that is not valid: {}", pattern, error));
      switch (regex->test(s)) {
        case JsRegex::Match::Yes: break;
        case JsRegex::Match::No: return fail(fmt::format("must match the pattern /{}/, got {}", pattern, show(Value(s))));
        case JsRegex::Match::TimedOut: return fail(fmt::format("could not be checked against the pattern /{}/ in time (the pattern backtracks too much)", pattern));
      }
    }
    return Value(s);
  }

  std::optional<Value> number(const Json& def, const Value& v) {
    double d = 0;
    if (v.is<double>()) {
      d = v.as<double>();
    } else if (v.is<std::string>()) {
      const std::string& s = v.as<std::string>();
      auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
      if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return fail(fmt::format("must be a number, got {}", show(v)));
    } else {
      return fail(fmt::format("must be a number, got {}", show(v)));
    }
    if (!std::isfinite(d)) return fail(fmt::format("must be a finite number, got {}", show(v)));
    if (def.contains("min") && d < def["min"].get<double>()) return fail(fmt::format("must be at least {}, got {}", def["min"].dump(), number_text(d)));
    if (def.contains("max") && d > def["max"].get<double>()) return fail(fmt::format("must be at most {}, got {}", def["max"].dump(), number_text(d)));
    return Value(d);
  }

  std::optional<Value> boolean(const Value& v) {
    if (v.is<bool>()) return v;
    if (v.is<std::string>() && v.as<std::string>() == "true") return Value(true);
    if (v.is<std::string>() && v.as<std::string>() == "false") return Value(false);
    return fail(fmt::format("must be true or false, got {}", show(v)));
  }

  std::optional<Value> day(const Value& v) {
    if (v.is<std::string>()) {
      const std::string& s = v.as<std::string>();
      if (is_special_date(s)) return Value(format_date(resolve_special_date(s, context_.today)));
      if (auto parsed = parse_date(s)) return Value(format_date(*parsed));
    }
    return fail(fmt::format("must be a date YYYY-MM-DD (or YYYY-MM for the first of a month), got {}", show(v)));
  }

  static void flatten(const Json& options, std::vector<Json>& values) {
    if (!options.is_array()) return;
    for (const auto& option : options) {
      if (option.is_object() && option.contains("options")) flatten(option["options"], values);
      else if (option.is_object() && option.contains("value")) values.push_back(option["value"]);
    }
  }

  // The option value `v` names (a number option may be given as its text and vice versa).
  std::optional<Value> option(const Json& def, const Value& v) {
    if (!v.is<std::string>() && !(v.is<double>() && std::isfinite(v.as<double>()))) {
      return fail(fmt::format("must be one of the option values, got {}", show(v)));
    }
    if (def.value("has_dynamic_options", false)) return v;  // the options function decides; run() sees the value
    std::vector<Json> values;
    flatten(def.value("options", Json::array()), values);
    std::string given = v.is<std::string>() ? v.as<std::string>() : number_text(v.as<double>());
    std::string allowed;
    for (const auto& value : values) {
      std::string text = value.is_string() ? value.get<std::string>() : number_text(value.get<double>());
      if (text == given) return from_json(value);
      allowed += (allowed.empty() ? "" : ", ") + value.dump();
    }
    return fail(fmt::format("must be one of {}, got {}", allowed.empty() ? "the options (there are none)" : allowed, show(v)));
  }

  std::optional<Value> choice(const Json& def, const Value& v) { return option(def, v); }

  std::optional<Value> choices(const Json& def, const Value& v) {
    if (!v.is<ValueArray>()) return fail(fmt::format("must be an array of option values, got {}", show(v)));
    const auto& items = v.as<ValueArray>();
    if (def.contains("min") && items.size() < def["min"].get<double>()) return fail(fmt::format("needs at least {} selected values, got {}", def["min"].dump(), items.size()));
    if (def.contains("max") && items.size() > def["max"].get<double>()) return fail(fmt::format("allows at most {} selected values, got {}", def["max"].dump(), items.size()));
    ValueArray out;
    bool ok = true;
    for (const auto& item : items) {
      if (auto value = option(def, item)) out.push_back(std::move(*value));
      else ok = false;
    }
    if (!ok) return std::nullopt;
    return Value(std::move(out));
  }

  const ParameterContext& context_;
  ParameterResolution& out_;
  std::string name_;
  std::string origin_;
};

}  // namespace

ParameterResolution resolve_parameters(const Json& metadata, const Value& request, const ParameterContext& context) {
  ParameterResolution result;
  static const Json kNone = Json::object();
  const Json& parameters = metadata.is_object() && metadata.contains("parameters") && metadata["parameters"].is_object()
                               ? metadata["parameters"] : kNone;
  if (!request.is_null() && !request.is<ValueObject>()) {
    result.errors.push_back({"", fmt::format("parameters must be a JSON object of name: value, got {}", show(request))});
    return result;
  }
  if (request.is<ValueObject>()) {
    std::string names;
    for (const auto& item : parameters.items()) names += (names.empty() ? "" : ", ") + item.key();
    for (const auto& [name, value] : request.as<ValueObject>()) {
      if (!parameters.contains(name)) {
        result.errors.push_back({name, fmt::format("unknown parameter '{}' ({})", name,
                                                   names.empty() ? "this analysis has no parameters" : "this analysis has: " + names)});
      }
    }
  }
  ValueObject values;
  Resolver resolver(context, result);
  for (const auto& item : parameters.items()) {
    const std::string& name = item.key();
    const Json& def = item.value();
    if (!def.is_object()) {
      result.errors.push_back({name, fmt::format("parameter '{}' has no usable definition in the stored metadata", name)});
      continue;
    }
    const Value* given = request.is<ValueObject>() ? request.find(name) : nullptr;
    if (given && given->is_null()) given = nullptr;  // null means "not given"
    if (given) {
      if (auto value = resolver.coerce(name, def, *given, false)) values.emplace_back(name, std::move(*value));
    } else if (def.contains("default") && !def["default"].is_null()) {
      if (auto value = resolver.coerce(name, def, from_json(def["default"]), true)) values.emplace_back(name, std::move(*value));
    } else if (def.value("required", false)) {
      result.errors.push_back({name, fmt::format("parameter '{}' is required", name)});
    }
  }
  result.ok = result.errors.empty();
  if (result.ok) result.values = Value(std::move(values));
  return result;
}

ParameterResolution resolve_parameters(std::string_view metadata_json, const Value& request, const ParameterContext& context) {
  Json metadata = Json::parse(metadata_json.empty() ? std::string_view("{}") : metadata_json, nullptr, false);
  if (metadata.is_discarded()) {
    ParameterResolution result;
    result.errors.push_back({"", "the analysis's stored metadata is not valid JSON"});
    return result;
  }
  return resolve_parameters(metadata, request, context);
}

std::string to_json(const ParameterResolution& resolution) {
  Json out;
  if (resolution.ok) {
    out["parameters"] = Json::parse(as::to_json(resolution.values));
    return out.dump();
  }
  out["error"] = "invalid parameters";
  Json details = Json::array();
  for (const auto& e : resolution.errors) details.push_back({{"parameter", e.parameter}, {"message", e.message}});
  out["details"] = std::move(details);
  return out.dump();
}

}  // namespace as::validate
