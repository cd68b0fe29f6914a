#include "structure_check.h"

#include <algorithm>
#include <cmath>
#include <set>

#include <fmt/format.h>

#include "date_values.h"
#include "js_regex.h"
#include "js_tokens.h"
#include "schedule/cron_expression.h"
#include "token_walk.h"

namespace as::validate {
namespace {

using Kind = JsNode::Kind;
using Json = nlohmann::ordered_json;

constexpr int kMaxRetries = 10;
constexpr int kMaxRetryDelaySeconds = 86'400;

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

bool contains(const std::vector<std::string>& items, std::string_view item) {
  return std::find(items.begin(), items.end(), item) != items.end();
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t above = row[j];
      char ca = static_cast<char>(std::tolower(static_cast<unsigned char>(a[i - 1])));
      char cb = static_cast<char>(std::tolower(static_cast<unsigned char>(b[j - 1])));
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (ca == cb ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// " (did you mean 'x'?)" for a near miss, including camelCase for snake_case.
std::string suggestion(std::string_view key, const std::vector<std::string>& allowed) {
  std::string snake;
  for (char c : key) {
    if (std::isupper(static_cast<unsigned char>(c))) {
      snake += '_';
      snake += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else {
      snake += c;
    }
  }
  for (const auto& candidate : allowed) {
    if (candidate == snake || edit_distance(key, candidate) <= 2) return fmt::format(" (did you mean '{}'?)", candidate);
  }
  return "";
}

bool is_integer(const JsNode& node) {
  return node.is(Kind::Number) && std::isfinite(node.number) && std::floor(node.number) == node.number;
}

Json number_json(double d) {
  if (std::isfinite(d) && std::floor(d) == d && std::fabs(d) < 9.007199254740992e15) return static_cast<std::int64_t>(d);
  return d;
}

// JSON form of a value written in the script; sets `bad` to "<path> is <what>" for the first
// part that has none (a function, a Date, ...).
Json to_json(const JsNode& node, const std::string& path, std::string& bad) {
  switch (node.kind) {
    case Kind::Null: return nullptr;
    case Kind::Boolean: return node.boolean;
    case Kind::Number:
      if (!std::isfinite(node.number) && bad.empty()) bad = path + " is " + describe(node);
      return number_json(node.number);
    case Kind::String: return node.text;
    case Kind::Array: {
      Json array = Json::array();
      for (const auto& [index, element] : node.members) array.push_back(to_json(element, path + "[" + index + "]", bad));
      return array;
    }
    case Kind::Object: {
      Json object = Json::object();
      for (const auto& [key, member] : node.members) {
        if (member.is(Kind::Undefined)) continue;
        object[key] = to_json(member, path + "." + key, bad);
      }
      return object;
    }
    default:
      if (bad.empty()) bad = path + " is " + describe(node);
      return nullptr;
  }
}

class Checker {
 public:
  Checker(const ExportLocator& where, AnalysisShape& shape) : where_(where), shape_(shape) {}

  std::vector<ValidationProblem> run(const JsNode& exported) {
    if (exported.is(Kind::Undefined)) {
      error("", "Missing default export: write `export default { title: \"...\", run: async function(ctx, params) { ... } }`");
      return std::move(problems_);
    }
    if (!exported.is(Kind::Object)) {
      error("", fmt::format("The default export must be an object with title and run, got {}", describe(exported)));
      return std::move(problems_);
    }
    for (const auto& [key, value] : exported.members) {
      if (!contains(analysis_keys(), key)) {
        error(key, fmt::format("Unknown key '{}' in the default export{}; allowed keys: {}", key,
                               suggestion(key, analysis_keys()), join(analysis_keys())));
      }
    }
    title(exported.find("title"));
    if (const JsNode* description = exported.find("description"); description && !description->is(Kind::String)) {
      error("description", fmt::format("'description' must be a string, got {}", describe(*description)));
    }
    run_function(exported.find("run"));
    dependencies(exported.find("dependencies"));
    parameters(exported.find("parameters"));
    schedule(exported.find("schedule"));
    execution(exported.find("execution"));
    return std::move(problems_);
  }

 private:
  void error(const std::string& path, std::string message) {
    SourceLocation at = where_.locate(path);
    problems_.push_back(problem_at(std::move(message), at.line, at.column));
  }

  static bool absent(const JsNode* node) { return !node || node->is(Kind::Undefined); }

  void title(const JsNode* node) {
    if (absent(node)) return error("title", "Missing required 'title' (a non-empty string naming the analysis)");
    bool blank = node->is(Kind::String) && node->text.find_first_not_of(" \t\r\n") == std::string::npos;
    if (!node->is(Kind::String) || blank) {
      return error("title", fmt::format("'title' must be a non-empty string, got {}", describe(*node)));
    }
    shape_.title = node->text;
  }

  void run_function(const JsNode* node) {
    if (absent(node)) return error("run", "Missing required 'run' function: run: async function(ctx, params) { ... }");
    if (!node->is(Kind::Function)) error("run", fmt::format("'run' must be a function run(ctx, params), got {}", describe(*node)));
  }

  std::vector<std::string> string_list(const JsNode* node, const std::string& path) {
    std::vector<std::string> items;
    if (absent(node)) return items;
    if (!node->is(Kind::Array)) {
      error(path, fmt::format("'{}' must be an array of names, got {}", path, describe(*node)));
      return items;
    }
    for (const auto& [index, element] : node->members) {
      std::string at = path + "." + index;
      if (!element.is(Kind::String) || element.text.empty()) {
        error(at, fmt::format("'{}[{}]' must be a non-empty string, got {}", path, index, describe(element)));
      } else if (contains(items, element.text)) {
        error(at, fmt::format("'{}' lists '{}' twice", path, element.text));
      } else {
        items.push_back(element.text);
      }
    }
    return items;
  }

  void dependencies(const JsNode* node) {
    if (absent(node)) return;
    if (!node->is(Kind::Object)) {
      return error("dependencies", fmt::format("'dependencies' must be an object {{ datasources: [...], analyses: [...] }}, got {}", describe(*node)));
    }
    static const std::vector<std::string> keys = {"datasources", "analyses"};
    for (const auto& [key, value] : node->members) {
      if (!contains(keys, key)) {
        error("dependencies." + key, fmt::format("Unknown key '{}' in dependencies{}; allowed keys: datasources, analyses", key, suggestion(key, keys)));
      }
    }
    shape_.datasources = string_list(node->find("datasources"), "dependencies.datasources");
    shape_.analyses = string_list(node->find("analyses"), "dependencies.analyses");
  }

  void parameters(const JsNode* node) {
    if (absent(node)) return;
    if (!node->is(Kind::Object)) {
      return error("parameters", fmt::format("'parameters' must be an object mapping names to definitions, got {}", describe(*node)));
    }
    std::vector<std::pair<std::string, const JsNode*>> dynamic;
    for (const auto& [name, definition] : node->members) {
      Json meta = parameter(name, definition);
      if (const JsNode* options = definition.find("options"); options && options->is(Kind::Function)) {
        dynamic.emplace_back(name, options);
      }
      shape_.parameters[name] = std::move(meta);
    }
    // depends_on needs every parameter name first.
    for (const auto& [name, options] : dynamic) {
      Json depends_on = Json::array();
      for (const auto& read : parameters_read_by(options->text)) {
        if (read != name && node->find(read)) depends_on.push_back(read);
      }
      shape_.parameters[name]["depends_on"] = depends_on;
    }
  }

  Json parameter(const std::string& name, const JsNode& definition) {
    std::string path = "parameters." + name;
    std::string label = "parameter '" + name + "'";
    Json meta = Json::object();
    if (!definition.is(Kind::Object)) {
      error(path, fmt::format("{} must be an object such as {{ type: \"string\", required: true }}, got {}", label, describe(definition)));
      return meta;
    }
    for (const auto& [key, value] : definition.members) {
      if (!contains(parameter_keys(), key)) {
        error(path + "." + key, fmt::format("Unknown key '{}' in {}{}; allowed keys: {}", key, label,
                                            suggestion(key, parameter_keys()), join(parameter_keys())));
      }
    }
    const JsNode* type = definition.find("type");
    std::string type_name;
    if (absent(type)) {
      error(path, fmt::format("{} needs a 'type': one of {}", label, join(parameter_types())));
    } else if (!type->is(Kind::String) || !contains(parameter_types(), type->text)) {
      error(path + ".type", fmt::format("{} has type {}; the type must be one of {}", label, describe(*type), join(parameter_types())));
    } else {
      type_name = type->text;
      meta["type"] = type_name;
    }

    const JsNode* required = definition.find("required");
    if (!absent(required) && !required->is(Kind::Boolean)) {
      error(path + ".required", fmt::format("{}: 'required' must be true or false, got {}", label, describe(*required)));
    }
    meta["required"] = !absent(required) && required->is(Kind::Boolean) && required->boolean;

    if (const JsNode* description = definition.find("description"); !absent(description)) {
      if (description->is(Kind::String)) {
        meta["description"] = description->text;
      } else {
        error(path + ".description", fmt::format("{}: 'description' must be a string, got {}", label, describe(*description)));
      }
    }

    bounds(definition, path, label, type_name, meta);
    std::optional<JsRegex> pattern = pattern_of(definition, path, label, type_name, meta);
    std::vector<Json> option_values = options(definition, path, label, type_name, meta);
    default_value(definition, path, label, type_name, meta, pattern, option_values);
    return meta;
  }

  void bounds(const JsNode& definition, const std::string& path, const std::string& label, const std::string& type, Json& meta) {
    std::optional<double> low;
    std::optional<double> high;
    for (const char* key : {"min", "max"}) {
      const JsNode* bound = definition.find(key);
      if (absent(bound)) continue;
      if (!bound->is(Kind::Number) || !std::isfinite(bound->number)) {
        error(path + "." + key, fmt::format("{}: '{}' must be a number, got {}", label, key, describe(*bound)));
        continue;
      }
      if (!type.empty() && type != "number" && type != "string" && type != "text" && type != "multiselect") {
        error(path + "." + key, fmt::format("{}: '{}' applies to number (value), string/text (length) and multiselect (count), not {}", label, key, type));
        continue;
      }
      if (type != "number" && (bound->number < 0 || !is_integer(*bound))) {
        error(path + "." + key, fmt::format("{}: '{}' of a {} is a length or count and must be a whole number >= 0, got {}", label, key, type, describe(*bound)));
        continue;
      }
      (std::string(key) == "min" ? low : high) = bound->number;
      meta[key] = number_json(bound->number);
    }
    if (low && high && *low > *high) {
      error(path + ".min", fmt::format("{}: min ({}) is greater than max ({})", label, *low, *high));
    }
  }

  std::optional<JsRegex> pattern_of(const JsNode& definition, const std::string& path, const std::string& label, const std::string& type, Json& meta) {
    const JsNode* pattern = definition.find("pattern");
    if (absent(pattern)) return std::nullopt;
    if (!pattern->is(Kind::String)) {
      error(path + ".pattern", fmt::format("{}: 'pattern' must be a string holding a regular expression (such as \"^[A-Z]{{3}}$\"), got {}", label, describe(*pattern)));
      return std::nullopt;
    }
    if (!type.empty() && type != "string" && type != "text") {
      error(path + ".pattern", fmt::format("{}: 'pattern' applies to string and text parameters, not {}", label, type));
      return std::nullopt;
    }
    std::string message;
    auto regex = JsRegex::compile(pattern->text, message);
    if (!regex) {
      error(path + ".pattern", fmt::format("{}: 'pattern' /{}/ is not a valid regular expression: {}", label, pattern->text, message));
      return std::nullopt;
    }
    meta["pattern"] = pattern->text;
    return regex;
  }

  // Checks `options`, stores the static ones, and returns the values they allow.
  std::vector<Json> options(const JsNode& definition, const std::string& path, const std::string& label, const std::string& type, Json& meta) {
    std::vector<Json> values;
    const JsNode* options = definition.find("options");
    bool choice = type == "select" || type == "multiselect";
    if (absent(options)) {
      if (choice) error(path, fmt::format("{} is a {} and needs 'options': an array of {{ value, label }} or a function (ctx, params) => [...]", label, type));
      return values;
    }
    if (!type.empty() && !choice) {
      error(path + ".options", fmt::format("{}: 'options' apply to select and multiselect parameters, not {}", label, type));
      return values;
    }
    if (options->is(Kind::Function)) {
      meta["has_dynamic_options"] = true;
      return values;
    }
    if (!options->is(Kind::Array)) {
      error(path + ".options", fmt::format("{}: 'options' must be an array or a function (ctx, params) => [...], got {}", label, describe(*options)));
      return values;
    }
    Json list = Json::array();
    for (const auto& [index, entry] : options->members) {
      std::string at = path + ".options." + index;
      std::string name = fmt::format("{}: options[{}]", label, index);
      if (entry.is(Kind::Object) && (entry.find("options") || entry.find("group"))) {
        list.push_back(option_group(entry, at, name, values));
      } else if (auto option = single_option(entry, at, name)) {
        values.push_back((*option)["value"]);
        list.push_back(std::move(*option));
      }
    }
    meta["options"] = std::move(list);
    return values;
  }

  // A value, or { value, label }; normalised to { value, label }.
  std::optional<Json> single_option(const JsNode& entry, const std::string& at, const std::string& name) {
    auto text_of = [](const JsNode& v) { return v.is(Kind::String) ? v.text : number_json(v.number).dump(); };
    if (entry.is(Kind::String) || (entry.is(Kind::Number) && std::isfinite(entry.number))) {
      return Json{{"value", entry.is(Kind::String) ? Json(entry.text) : number_json(entry.number)}, {"label", text_of(entry)}};
    }
    if (!entry.is(Kind::Object)) {
      error(at, fmt::format("{} must be a value or {{ value, label }}, got {}", name, describe(entry)));
      return std::nullopt;
    }
    const JsNode* value = entry.find("value");
    const JsNode* text = entry.find("label");
    bool ok = true;
    if (absent(value) || !(value->is(Kind::String) || (value->is(Kind::Number) && std::isfinite(value->number)))) {
      error(at, fmt::format("{} needs a 'value' that is a string or a number, got {}", name, absent(value) ? "none" : describe(*value)));
      ok = false;
    }
    if (!absent(text) && !text->is(Kind::String)) {
      error(at + ".label", fmt::format("{}: 'label' must be a string, got {}", name, describe(*text)));
      ok = false;
    }
    for (const auto& [key, ignored] : entry.members) {
      if (key != "value" && key != "label") {
        error(at + "." + key, fmt::format("{}: unknown key '{}' (an option has value and label)", name, key));
        ok = false;
      }
    }
    if (!ok) return std::nullopt;
    Json v = value->is(Kind::String) ? Json(value->text) : number_json(value->number);
    return Json{{"value", v}, {"label", absent(text) ? text_of(*value) : text->text}};
  }

  // { label, options: [...] } (`group` is accepted for label); normalised to { label, options }.
  Json option_group(const JsNode& entry, const std::string& at, const std::string& name, std::vector<Json>& values) {
    const JsNode* text = entry.find("label");
    if (absent(text)) text = entry.find("group");
    if (absent(text) || !text->is(Kind::String)) {
      error(at, fmt::format("{} is an option group and needs a 'label' string", name));
    }
    const JsNode* inner = entry.find("options");
    Json list = Json::array();
    if (absent(inner) || !inner->is(Kind::Array)) {
      error(at, fmt::format("{} is an option group and needs 'options': an array of {{ value, label }}", name));
    } else {
      for (const auto& [index, option] : inner->members) {
        if (auto single = single_option(option, at + ".options." + index, fmt::format("{}.options[{}]", name, index))) {
          values.push_back((*single)["value"]);
          list.push_back(std::move(*single));
        }
      }
    }
    return Json{{"label", !absent(text) && text->is(Kind::String) ? text->text : ""}, {"options", std::move(list)}};
  }

  void default_value(const JsNode& definition, const std::string& path, const std::string& label, const std::string& type, Json& meta,
                     const std::optional<JsRegex>& pattern, const std::vector<Json>& option_values) {
    const JsNode* node = definition.find("default");
    if (absent(node) || node->is(Kind::Null)) return;
    std::string at = path + ".default";
    std::string bad;
    Json value = to_json(*node, "default", bad);
    if (!bad.empty()) {
      return error(at, fmt::format("{}: the default must be plain data (JSON), but {}", label, bad));
    }
    auto wrong = [&](const std::string& expected) {
      error(at, fmt::format("{}: the default must be {}, got {}", label, expected, describe(*node)));
    };
    bool dynamic = meta.contains("has_dynamic_options");
    auto among_options = [&](const Json& v) {
      return dynamic || std::find(option_values.begin(), option_values.end(), v) != option_values.end();
    };
    if (type == "string" || type == "text") {
      if (!node->is(Kind::String)) return wrong("a string");
      if (pattern && pattern->test(node->text) == JsRegex::Match::No) {
        return error(at, fmt::format("{}: the default \"{}\" does not match the pattern /{}/", label, node->text, meta.value("pattern", "")));
      }
    } else if (type == "number") {
      if (!node->is(Kind::Number) || !std::isfinite(node->number)) return wrong("a finite number");
      if (meta.contains("min") && node->number < meta["min"].get<double>()) return wrong(fmt::format("at least {} (min)", meta["min"].dump()));
      if (meta.contains("max") && node->number > meta["max"].get<double>()) return wrong(fmt::format("at most {} (max)", meta["max"].dump()));
    } else if (type == "boolean") {
      if (!node->is(Kind::Boolean)) return wrong("true or false");
    } else if (type == "date") {
      if (!node->is(Kind::String) || (!is_special_date(node->text) && !parse_date(node->text))) {
        return wrong(fmt::format("a date \"YYYY-MM-DD\" (or \"YYYY-MM\") or one of {}", join(special_date_names())));
      }
    } else if (type == "select") {
      if (!node->is(Kind::String) && !node->is(Kind::Number)) return wrong("one of the option values");
      if (!among_options(value)) return wrong(fmt::format("one of the option values ({})", option_list(option_values)));
    } else if (type == "multiselect") {
      if (!node->is(Kind::Array)) return wrong("an array of option values");
      for (const auto& element : value) {
        if (!among_options(element)) {
          return error(at, fmt::format("{}: the default contains {}, which is not one of the option values ({})", label, element.dump(), option_list(option_values)));
        }
      }
    } else if (type == "object") {
      if (!node->is(Kind::Object)) return wrong("an object");
    }
    meta["default"] = std::move(value);
  }

  static std::string option_list(const std::vector<Json>& values) {
    std::string out;
    for (const auto& v : values) out += (out.empty() ? "" : ", ") + v.dump();
    return out;
  }

  void schedule(const JsNode* node) {
    if (absent(node)) return;
    if (!node->is(Kind::Object)) {
      return error("schedule", fmt::format("'schedule' must be an object {{ cron, timezone, enabled }}, got {}", describe(*node)));
    }
    for (const auto& [key, value] : node->members) {
      if (!contains(schedule_keys(), key)) {
        error("schedule." + key, fmt::format("Unknown key '{}' in schedule{}; allowed keys: {}", key, suggestion(key, schedule_keys()), join(schedule_keys())));
      }
    }
    Json meta = Json::object();
    const date::time_zone* zone = nullptr;
    const JsNode* timezone = node->find("timezone");
    std::string zone_name = "UTC";
    if (!absent(timezone)) {
      if (!timezone->is(Kind::String)) {
        error("schedule.timezone", fmt::format("schedule.timezone must be an IANA time zone name such as \"Europe/Paris\", got {}", describe(*timezone)));
      } else {
        zone_name = timezone->text;
      }
    }
    try {
      zone = date::locate_zone(zone_name);
    } catch (const std::exception&) {
      error("schedule.timezone", fmt::format("schedule.timezone '{}' is not a known IANA time zone (such as \"UTC\" or \"America/New_York\")", zone_name));
    }
    const JsNode* cron = node->find("cron");
    if (absent(cron)) {
      error("schedule", "schedule needs a 'cron' expression such as \"0 2 * * *\" (minute hour day-of-month month day-of-week)");
    } else if (!cron->is(Kind::String)) {
      error("schedule.cron", fmt::format("schedule.cron must be a string such as \"0 2 * * *\", got {}", describe(*cron)));
    } else {
      try {
        auto expression = schedule::CronExpression::parse(cron->text);
        auto now = date::floor<std::chrono::seconds>(std::chrono::system_clock::now());
        if (zone && !expression.next_after(now, zone)) {
          error("schedule.cron", fmt::format("schedule.cron '{}' never fires: no date matches it", cron->text));
        }
      } catch (const schedule::CronError& e) {
        error("schedule.cron", fmt::format("schedule.cron '{}' is invalid: {}", cron->text, e.what()));
      }
      meta["cron"] = cron->text;
    }
    meta["timezone"] = zone_name;
    meta["enabled"] = flag(node, "enabled", true);
    meta["retry_on_failure"] = flag(node, "retry_on_failure", false);
    meta["max_retries"] = whole_number(node, "max_retries", 3, 0, kMaxRetries);
    meta["retry_delay_seconds"] = whole_number(node, "retry_delay_seconds", 300, 0, kMaxRetryDelaySeconds);
    if (const JsNode* should_run = node->find("shouldRun"); !absent(should_run)) {
      if (should_run->is(Kind::Function)) {
        meta["has_should_run"] = true;
      } else {
        error("schedule.shouldRun", fmt::format("schedule.shouldRun must be a function async (ctx) => true/false, got {}", describe(*should_run)));
      }
    }
    shape_.schedule = std::move(meta);
  }

  bool flag(const JsNode* block, const char* key, bool fallback) {
    const JsNode* node = block->find(key);
    if (absent(node)) return fallback;
    if (!node->is(Kind::Boolean)) {
      error(std::string("schedule.") + key, fmt::format("schedule.{} must be true or false, got {}", key, describe(*node)));
      return fallback;
    }
    return node->boolean;
  }

  std::int64_t whole_number(const JsNode* block, const char* key, std::int64_t fallback, std::int64_t low, std::int64_t high) {
    const JsNode* node = block->find(key);
    if (absent(node)) return fallback;
    if (!is_integer(*node) || node->number < static_cast<double>(low) || node->number > static_cast<double>(high)) {
      error(std::string("schedule.") + key, fmt::format("schedule.{} must be a whole number from {} to {}, got {}", key, low, high, describe(*node)));
      return fallback;
    }
    return static_cast<std::int64_t>(node->number);
  }

  void execution(const JsNode* node) {
    if (absent(node)) return;
    if (!node->is(Kind::Object)) {
      return error("execution", fmt::format("'execution' must be an object {{ timeout_ms, memory_limit_mb }}, got {}", describe(*node)));
    }
    Json meta = Json::object();
    static const std::vector<std::string> keys = {"timeout_ms", "memory_limit_mb"};
    for (const auto& [key, value] : node->members) {
      std::string at = "execution." + key;
      if (!contains(keys, key)) {
        error(at, fmt::format("Unknown key '{}' in execution{}; allowed keys: timeout_ms, memory_limit_mb", key, suggestion(key, keys)));
      } else if (!is_integer(value) || value.number < 1 || value.number > 1e12) {
        error(at, fmt::format("execution.{} must be a whole number of at least 1, got {}", key, describe(value)));
      } else {
        meta[key] = number_json(value.number);
      }
    }
    shape_.execution = std::move(meta);
  }

  const ExportLocator& where_;
  AnalysisShape& shape_;
  std::vector<ValidationProblem> problems_;
};

// Top-level items of the parenthesised list starting at `open`, as [first, last) index pairs.
std::vector<std::pair<std::size_t, std::size_t>> list_items(const std::vector<Token>& t, std::size_t open) {
  std::vector<std::pair<std::size_t, std::size_t>> items;
  std::size_t close = matching_close(t, open);
  std::size_t start = open + 1;
  for (std::size_t i = open + 1; i <= close && i < t.size(); ++i) {
    if (i == close || is_punctuator(t[i], ",")) {
      if (i > start) items.emplace_back(start, i);
      start = i + 1;
    } else if (is_punctuator(t[i], "(") || is_punctuator(t[i], "[") || is_punctuator(t[i], "{")) {
      i = matching_close(t, i);
      if (i >= close) {
        items.emplace_back(start, close);
        break;
      }
    }
  }
  return items;
}

}  // namespace

const std::vector<std::string>& analysis_keys() {
  static const std::vector<std::string> keys = {"title", "description", "schedule", "dependencies", "parameters", "execution", "run"};
  return keys;
}
const std::vector<std::string>& parameter_keys() {
  static const std::vector<std::string> keys = {"type", "required", "default", "description", "options", "min", "max", "pattern"};
  return keys;
}
const std::vector<std::string>& parameter_types() {
  static const std::vector<std::string> types = {"string", "text", "number", "boolean", "date", "select", "multiselect", "object"};
  return types;
}
const std::vector<std::string>& schedule_keys() {
  static const std::vector<std::string> keys = {"cron", "timezone", "enabled", "retry_on_failure", "max_retries", "retry_delay_seconds", "shouldRun"};
  return keys;
}

std::vector<ValidationProblem> check_structure(const JsNode& exported, const ExportLocator& where, AnalysisShape& shape) {
  return Checker(where, shape).run(exported);
}

std::vector<std::string> parameters_read_by(const std::string& function_source) {
  std::vector<Token> t = tokenize(function_source);
  std::vector<std::string> names;
  auto add = [&names](const std::string& name) {
    if (!contains(names, name)) names.push_back(name);
  };
  // The parameter list: the first `(` (a one-parameter arrow `ctx => ...` has no params argument).
  std::size_t open = 0;
  while (open < t.size() && !is_punctuator(t[open], "(")) {
    if (is_punctuator(t[open], "=>")) return names;
    ++open;
  }
  if (open >= t.size()) return names;
  auto items = list_items(t, open);
  if (items.size() < 2) return names;
  auto [first, last] = items[1];
  if (is_punctuator(t[first], "{")) {
    for (const Token* key : pattern_names(t, first, true)) add(key->value);
    return names;
  }
  if (t[first].kind != TokenKind::Identifier) return names;
  const std::string params = t[first].value;
  std::size_t body = matching_close(t, open) + 1;
  for (std::size_t i = body; i < t.size(); ++i) {
    if (!is_identifier(t[i], params) || is_property_name(t, i)) continue;
    if (i + 2 < t.size() && (is_punctuator(t[i + 1], ".") || is_punctuator(t[i + 1], "?.")) && t[i + 2].kind == TokenKind::Identifier) {
      add(t[i + 2].value);
    } else if (i + 3 < t.size() && is_punctuator(t[i + 1], "[") && t[i + 2].kind == TokenKind::String && is_punctuator(t[i + 3], "]")) {
      add(t[i + 2].value);
    } else if (i + 4 < t.size() && is_punctuator(t[i + 1], "?.") && is_punctuator(t[i + 2], "[") && t[i + 3].kind == TokenKind::String) {
      add(t[i + 3].value);
    } else if (i >= 2 && is_punctuator(t[i - 1], "=") && is_punctuator(t[i - 2], "}")) {
      // const { a, b } = params
      int depth = 0;
      for (std::size_t k = i - 1; k-- > 0;) {
        if (is_punctuator(t[k], "}")) ++depth;
        if (is_punctuator(t[k], "{") && --depth == 0) {
          for (const Token* key : pattern_names(t, k, true)) add(key->value);
          break;
        }
      }
    }
  }
  return names;
}

}  // namespace as::validate
