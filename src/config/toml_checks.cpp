#include "toml_checks.h"

#include <algorithm>
#include <sstream>

#include <fmt/format.h>

namespace as::config {
namespace {

constexpr std::size_t kLongestQuotedValue = 80;

bool is_bare_key(std::string_view key) {
  if (key.empty()) return false;
  return std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> previous(b.size() + 1);
  std::vector<std::size_t> current(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) previous[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitution});
    }
    std::swap(previous, current);
  }
  return previous[b.size()];
}

std::string kind_of(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a floating-point number";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    default: return "a date or time";
  }
}

}  // namespace

std::string child_key(std::string_view parent, std::string_view key) {
  std::string quoted = is_bare_key(key) ? std::string(key) : fmt::format("\"{}\"", key);
  return parent.empty() ? quoted : fmt::format("{}.{}", parent, quoted);
}

std::string describe_value(const toml::node& node) {
  if (const auto* text = node.as_string()) {
    const std::string& value = text->get();
    if (value.size() > kLongestQuotedValue) return fmt::format("\"{}...\"", value.substr(0, kLongestQuotedValue));
    return fmt::format("\"{}\"", value);
  }
  if (node.is_table()) return "a table";
  if (node.is_array()) return "an array";
  std::ostringstream out;
  node.visit([&out](const auto& value) { out << value; });
  return out.str();
}

std::optional<std::string_view> closest_key(std::string_view key, const std::vector<std::string_view>& allowed) {
  std::optional<std::string_view> best;
  std::size_t best_distance = std::max<std::size_t>(2, key.size() / 3) + 1;
  for (std::string_view candidate : allowed) {
    std::size_t distance = edit_distance(key, candidate);
    if (distance < best_distance) {
      best = candidate;
      best_distance = distance;
    }
  }
  return best;
}

void TomlChecker::fail(const toml::source_region& where, const std::string& key, const std::string& problem) const {
  throw ConfigError(file_, static_cast<int>(where.begin.line), static_cast<int>(where.begin.column), key, problem);
}

void TomlChecker::check_keys(const toml::table& table, std::string_view path, const std::vector<std::string_view>& allowed,
                             std::string_view what) const {
  for (const auto& [key, value] : table) {
    if (std::find(allowed.begin(), allowed.end(), key.str()) != allowed.end()) continue;
    std::string expected;
    for (std::string_view name : allowed) expected += (expected.empty() ? "" : ", ") + std::string(name);
    std::optional<std::string_view> guess = closest_key(key.str(), allowed);
    std::string hint = guess ? fmt::format("did you mean '{}'? ", *guess) : "";
    fail(key.source(), child_key(path, key.str()),
         fmt::format("unknown key in {}; {}the keys allowed here are: {}", what, hint, expected));
  }
}

const toml::table& TomlChecker::table(const toml::node& node, const std::string& key) const {
  if (const auto* found = node.as_table()) return *found;
  fail(node, key, fmt::format("must be a table (got {})", describe_value(node)));
}

std::string TomlChecker::text(const toml::node& node, const std::string& key) const {
  const auto* found = node.as_string();
  if (!found) fail(node, key, fmt::format("must be a string (got {})", describe_value(node)));
  if (found->get().empty()) fail(node, key, "must not be empty");
  return found->get();
}

std::int64_t TomlChecker::integer(const toml::node& node, const std::string& key, std::int64_t min, std::int64_t max) const {
  const auto* found = node.as_integer();
  if (!found) {
    std::string hint = node.is_string() ? " (write it without quotes)" : "";
    fail(node, key, fmt::format("must be an integer from {} to {}, not {} (got {}){}", min, max, kind_of(node), describe_value(node), hint));
  }
  std::int64_t value = found->get();
  if (value < min || value > max) fail(node, key, fmt::format("must be from {} to {} (got {})", min, max, value));
  return value;
}

bool TomlChecker::flag(const toml::node& node, const std::string& key) const {
  const auto* found = node.as_boolean();
  if (!found) fail(node, key, fmt::format("must be true or false, not {} (got {})", kind_of(node), describe_value(node)));
  return found->get();
}

}  // namespace as::config
