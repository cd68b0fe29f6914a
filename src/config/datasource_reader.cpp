#include "datasource_reader.h"

#include <algorithm>
#include <cctype>
#include <set>

#include <fmt/format.h>

#include "datasource_schema.h"
#include "secrets.h"

namespace as::config {
namespace {

constexpr std::size_t kLongestName = 64;

std::string joined(const std::vector<std::string_view>& names, std::string_view separator = ", ") {
  std::string text;
  for (std::string_view name : names) text += (text.empty() ? "" : std::string(separator)) + std::string(name);
  return text;
}

std::string lowercase(std::string_view text) {
  std::string lower;
  for (char c : text) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

bool is_header_name(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

// The environment variable a misguided "${NAME}" or "$NAME" string names, to suggest the right form.
std::optional<std::string> env_var_in_placeholder(std::string_view text) {
  if (text.starts_with("${") && text.ends_with("}")) text = text.substr(2, text.size() - 3);
  else if (text.starts_with("$")) text.remove_prefix(1);
  else return std::nullopt;
  if (!is_env_var_name(text)) return std::nullopt;
  return std::string(text);
}

class DatasourceReader {
 public:
  DatasourceReader(const TomlChecker& checker, const std::string& path, const std::filesystem::path& base_dir)
      : checker_(checker), path_(path), base_dir_(base_dir) {}

  DatasourceConfig read(const toml::table& table, const std::string& name) {
    DatasourceConfig datasource;
    datasource.name = name;
    datasource.type = read_type(table);
    const TypeSchema& schema = schema_for(datasource.type);
    std::vector<std::string_view> allowed(std::begin(kCommonDatasourceKeys), std::end(kCommonDatasourceKeys));
    for (const auto& spec : schema.settings) allowed.push_back(spec.key);
    checker_.check_keys(table, path_, allowed, fmt::format("a datasource of type {}", to_string(datasource.type)));

    if (const toml::node* node = table.get("allow_writes")) {
      datasource.allow_writes = checker_.flag(*node, child_key(path_, "allow_writes"));
    }
    if (const toml::node* node = table.get("description")) {
      datasource.settings["description"] = checker_.text(*node, child_key(path_, "description"));
    }
    for (const auto& spec : schema.settings) {
      const toml::node* node = table.get(spec.key);
      if (node) {
        read_setting(spec, *node, datasource);
      } else if (spec.required) {
        checker_.fail(table, child_key(path_, spec.key),
                      fmt::format("is required for a datasource of type {} and missing", to_string(datasource.type)));
      } else if (spec.default_value) {
        datasource.settings.emplace(std::string(spec.key), *spec.default_value);
      }
    }
    check_key_rules(table, schema);
    return datasource;
  }

 private:
  DatasourceType read_type(const toml::table& table) {
    std::vector<std::string_view> names;
    for (DatasourceType type : all_datasource_types()) names.push_back(to_string(type));
    const toml::node* node = table.get("type");
    std::string key = child_key(path_, "type");
    if (!node) checker_.fail(table, key, fmt::format("is missing; every datasource needs a type, one of: {}", joined(names)));
    std::string text = checker_.text(*node, key);
    std::optional<DatasourceType> type = datasource_type_from_string(text);
    if (!type) checker_.fail(*node, key, fmt::format("unknown datasource type (got \"{}\"); the types are: {}", text, joined(names)));
    return *type;
  }

  void read_setting(const SettingSpec& spec, const toml::node& node, DatasourceConfig& datasource) {
    std::string key = child_key(path_, spec.key);
    std::string setting(spec.key);
    switch (spec.kind) {
      case SettingKind::Text: datasource.settings[setting] = checker_.text(node, key); break;
      case SettingKind::Url: datasource.settings[setting] = read_url(node, key); break;
      case SettingKind::Path: datasource.settings[setting] = read_path(node, key); break;
      case SettingKind::Integer: datasource.settings[setting] = checker_.integer(node, key, spec.min, spec.max); break;
      case SettingKind::Flag: datasource.settings[setting] = checker_.flag(node, key); break;
      case SettingKind::Choice: datasource.settings[setting] = read_choice(spec, node, key); break;
      case SettingKind::Secret: datasource.secrets[setting] = read_secret(node, key, spec.key); break;
      case SettingKind::Headers: read_headers(node, key, datasource); break;
    }
  }

  std::string read_url(const toml::node& node, const std::string& key) {
    std::string url = checker_.text(node, key);
    std::string lower = lowercase(url);
    std::string_view rest = lower;
    if (rest.starts_with("https://")) rest.remove_prefix(8);
    else if (rest.starts_with("http://")) rest.remove_prefix(7);
    else checker_.fail(node, key, fmt::format("must be an http:// or https:// URL (got \"{}\")", url));
    std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
    // Credentials in a URL would be printed wherever the URL is; they belong in secret keys.
    if (authority.find('@') != std::string_view::npos) {
      checker_.fail(node, key,
                    "must not contain credentials (user:password@host); put the user in the user/username key and "
                    "the password in password = { env = \"NAME\" } (the value is not shown)");
    }
    if (authority.empty()) checker_.fail(node, key, fmt::format("has no host (got \"{}\")", url));
    if (std::any_of(url.begin(), url.end(), [](unsigned char c) { return std::isspace(c) || std::iscntrl(c); })) {
      checker_.fail(node, key, fmt::format("must not contain spaces or control characters (got \"{}\")", url));
    }
    return url;
  }

  std::string read_path(const toml::node& node, const std::string& key) {
    std::filesystem::path path = checker_.text(node, key);
    if (path.is_relative()) path = base_dir_ / path;
    return path.lexically_normal().string();
  }

  std::string read_choice(const SettingSpec& spec, const toml::node& node, const std::string& key) {
    std::string value = checker_.text(node, key);
    if (std::find(spec.choices.begin(), spec.choices.end(), value) == spec.choices.end()) {
      checker_.fail(node, key, fmt::format("must be one of {} (got \"{}\")", joined(spec.choices), value));
    }
    return value;
  }

  // `key = { env = "NAME" }`. A secret's value is never quoted in an error, whatever its type.
  SecretRef read_secret(const toml::node& node, const std::string& key, std::string_view short_key) {
    std::string how = fmt::format("write it as {} = {{ env = \"NAME\" }} and set NAME in the server's environment", short_key);
    if (const auto* text = node.as_string()) {
      if (std::optional<std::string> named = env_var_in_placeholder(text->get())) {
        checker_.fail(node, key, fmt::format("is a secret: name its environment variable as {} = {{ env = \"{}\" }} "
                                             "(strings are not expanded)", short_key, *named));
      }
      checker_.fail(node, key, fmt::format("is a secret and must not be written in the config file; {} (the value is not shown)", how));
    }
    const auto* table = node.as_table();
    if (!table) checker_.fail(node, key, fmt::format("is a secret; {} (the value is not shown)", how));
    const toml::node* env = table->get("env");
    if (!env || table->size() != 1) checker_.fail(node, key, fmt::format("must be {{ env = \"NAME\" }} and nothing else; {}", how));
    const auto* name = env->as_string();
    if (!name || !is_env_var_name(name->get())) {
      checker_.fail(*env, child_key(key, "env"),
                    fmt::format("must name an environment variable ([A-Za-z_][A-Za-z0-9_]*) (got {})", describe_value(*env)));
    }
    return SecretRef{name->get()};
  }

  void read_headers(const toml::node& node, const std::string& key, DatasourceConfig& datasource) {
    const toml::table& headers = checker_.table(node, key);
    std::set<std::string> seen;
    for (const auto& [name_key, value] : headers) {
      const std::string name(name_key.str());
      std::string header_key = child_key(key, name);
      if (!is_header_name(name)) {
        checker_.fail(name_key.source(), header_key, "is not an HTTP header name (letters, digits, '-' and '_' only)");
      }
      if (!seen.insert(lowercase(name)).second) {
        checker_.fail(name_key.source(), header_key, "is given twice (header names are case-insensitive)");
      }
      std::string setting = "headers." + name;
      if (value.is_table() || is_sensitive_header(name)) {
        datasource.secrets[setting] = read_secret(value, header_key, child_key("headers", name));
      } else {
        datasource.settings[setting] = checker_.text(value, header_key);
      }
    }
  }

  void check_key_rules(const toml::table& table, const TypeSchema& schema) {
    auto present = [&table](const std::vector<std::string_view>& keys) {
      std::vector<std::string_view> found;
      for (std::string_view key : keys) {
        if (table.contains(key)) found.push_back(key);
      }
      return found;
    };
    std::string type(to_string(schema.type));
    for (const auto& keys : schema.exactly_one_of) {
      auto found = present(keys);
      if (found.empty()) {
        checker_.fail(table, path_, fmt::format("a datasource of type {} needs one of: {}", type, joined(keys)));
      }
      if (found.size() > 1) {
        checker_.fail(*table.get(found[1]), child_key(path_, found[1]), fmt::format("give only one of: {}", joined(keys)));
      }
    }
    for (const auto& keys : schema.at_most_one_of) {
      auto found = present(keys);
      if (found.size() > 1) {
        checker_.fail(*table.get(found[1]), child_key(path_, found[1]),
                      fmt::format("cannot be used together with {}; give at most one of: {}", found[0], joined(keys)));
      }
    }
    for (const auto& keys : schema.all_or_none) {
      auto found = present(keys);
      if (!found.empty() && found.size() < keys.size()) {
        std::vector<std::string_view> missing;
        for (std::string_view key : keys) {
          if (!table.contains(key)) missing.push_back(key);
        }
        checker_.fail(*table.get(found[0]), child_key(path_, found[0]),
                      fmt::format("needs {} as well (give all of {} or none)", joined(missing, " and "), joined(keys)));
      }
    }
  }

  const TomlChecker& checker_;
  const std::string& path_;
  const std::filesystem::path& base_dir_;
};

}  // namespace

bool is_datasource_name(std::string_view name) {
  if (name.empty() || name.size() > kLongestName || (name[0] >= '0' && name[0] <= '9')) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

DatasourceConfig read_datasource(const TomlChecker& checker, const toml::table& table, const std::string& path,
                                 const std::string& name, const std::filesystem::path& base_dir) {
  return DatasourceReader(checker, path, base_dir).read(table, name);
}

}  // namespace as::config
