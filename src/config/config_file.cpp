#include "config_file.h"

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "byte_size.h"
#include "datasource_reader.h"
#include "duck/project_database.h"
#include "tokens.h"
#include "toml_checks.h"

static_assert(TOML_EXCEPTIONS, "the config reader expects toml++ to report parse errors as exceptions");

namespace as::config {
namespace {

constexpr std::string_view kEmbeddedDefaults = R"(# The embedded defaults: used when no config file is given.
data_dir = "data"

[projects.default.datasources.demo]
type = "sqlite"
path = "data/demo/demo.sqlite"
demo = true
description = "Bundled sample data: customers, products, orders and order_items"
)";

constexpr std::uint64_t kSmallestMemoryLimit = 1u << 20;

std::string lowercase(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

class ConfigReader {
 public:
  ConfigReader(std::string display_name, std::filesystem::path base_dir)
      : checker_(std::move(display_name)), base_dir_(std::move(base_dir)) {}

  Config read(const toml::table& root) {
    checker_.check_keys(root, "", {"data_dir", "server", "projects", "tokens"}, "the top level");
    Config config;
    config.data_dir = base_dir_ / "data";
    if (const toml::node* node = root.get("data_dir")) {
      std::filesystem::path dir = checker_.text(*node, "data_dir");
      config.data_dir = dir.is_relative() ? base_dir_ / dir : dir;
    }
    config.data_dir = config.data_dir.lexically_normal();
    if (const toml::node* node = root.get("server")) config.server = read_server(checker_.table(*node, "server"));
    const toml::node* projects = root.get("projects");
    if (!projects) {
      checker_.fail(toml::source_region{}, "projects",
                    "is missing; the config needs at least one project, e.g. [projects.default.datasources.NAME]");
    }
    read_projects(checker_.table(*projects, "projects"), config);
    if (const toml::node* node = root.get("tokens")) read_tokens(*node, config);
    return config;
  }

 private:
  ServerConfig read_server(const toml::table& table) {
    checker_.check_keys(table, "server", {"host", "port", "workers", "retain_freed_memory"}, "[server]");
    ServerConfig server;
    if (const toml::node* node = table.get("host")) {
      server.host = checker_.text(*node, "server.host");
      if (server.host.find_first_of(" \t/") != std::string::npos) {
        checker_.fail(*node, "server.host", fmt::format("must be a host name or IP address (got \"{}\")", server.host));
      }
    }
    if (const toml::node* node = table.get("port")) {
      server.port = static_cast<int>(checker_.integer(*node, "server.port", 0, 65535));
    }
    if (const toml::node* node = table.get("workers")) {
      server.workers = static_cast<int>(checker_.integer(*node, "server.workers", 1, 256));
    }
    if (const toml::node* node = table.get("retain_freed_memory")) {
      std::string text = checker_.text(*node, "server.retain_freed_memory");
      std::optional<std::uint64_t> bytes = parse_byte_size(text);
      if (!bytes || (*bytes != 0 && *bytes < kSmallestMemoryLimit) || *bytes > (std::uint64_t{2} << 30)) {
        checker_.fail(*node, "server.retain_freed_memory",
                      fmt::format("must be \"0MB\" (give freed memory back at once) or a size from 1MiB to 2GiB such as \"256MiB\" (got \"{}\")", text));
      }
      server.retain_freed_memory_bytes = *bytes;
    }
    return server;
  }

  void read_projects(const toml::table& projects, Config& config) {
    if (projects.empty()) checker_.fail(projects, "projects", "has no project; the config needs at least one");
    const duck::DuckSettings machine = duck::DuckSettings::for_this_machine();
    for (const auto& [name_key, value] : projects) {
      const std::string name(name_key.str());
      std::string path = child_key("projects", name);
      try {
        duck::validate_project_name(name);
      } catch (const std::invalid_argument&) {
        checker_.fail(name_key.source(), path, "is not a valid project name (letters, digits, '_' and '-' only)");
      }
      const toml::table& table = checker_.table(value, path);
      checker_.check_keys(table, path, {"duckdb", "dataframes", "datasources"}, "a project");
      ProjectConfig project{.name = name, .datasources = {}, .duckdb = machine};
      if (const toml::node* node = table.get("duckdb")) read_duckdb(checker_.table(*node, path + ".duckdb"), path + ".duckdb", project.duckdb);
      if (const toml::node* node = table.get("dataframes")) {
        read_dataframes(checker_.table(*node, path + ".dataframes"), path + ".dataframes", project);
      }
      if (const toml::node* node = table.get("datasources")) {
        read_datasources(checker_.table(*node, path + ".datasources"), path + ".datasources", project);
      }
      config.projects.emplace(name, std::move(project));
    }
  }

  // A size such as "512MB" or "1.5GiB", at least 1 MiB.
  std::uint64_t memory_size(const toml::node& node, const std::string& key) {
    std::string text = checker_.text(node, key);
    std::optional<std::uint64_t> bytes = parse_byte_size(text);
    if (!bytes || *bytes < kSmallestMemoryLimit) {
      checker_.fail(node, key, fmt::format("must be a size of at least 1MiB such as \"512MB\" or \"4GB\" (got \"{}\")", text));
    }
    return *bytes;
  }

  void read_dataframes(const toml::table& table, const std::string& path, ProjectConfig& project) {
    checker_.check_keys(table, path, {"memory_limit"}, "a project's dataframes table");
    if (const toml::node* node = table.get("memory_limit")) project.dataframe_memory_bytes = memory_size(*node, path + ".memory_limit");
  }

  void read_duckdb(const toml::table& table, const std::string& path, duck::DuckSettings& settings) {
    checker_.check_keys(table, path, {"memory_limit", "threads"}, "a project's duckdb table");
    if (const toml::node* node = table.get("memory_limit")) settings.memory_limit_bytes = memory_size(*node, path + ".memory_limit");
    if (const toml::node* node = table.get("threads")) {
      settings.threads = static_cast<unsigned>(checker_.integer(*node, path + ".threads", 1, 1024));
    }
  }

  void read_datasources(const toml::table& datasources, const std::string& path, ProjectConfig& project) {
    std::set<std::string> lowercase_names;
    for (const auto& [name_key, value] : datasources) {
      const std::string name(name_key.str());
      std::string ds_path = child_key(path, name);
      if (!is_datasource_name(name)) {
        checker_.fail(name_key.source(), ds_path,
                      "is not a valid datasource name: scripts use it as ctx.datasource.<name>, so it must be letters, "
                      "digits and '_' (not starting with a digit), at most 64 characters");
      }
      const toml::table& table = checker_.table(value, ds_path);
      project.datasources.emplace(name, read_datasource(checker_, table, ds_path, name, base_dir_));
    }
  }

  void read_tokens(const toml::node& node, Config& config) {
    const toml::array* tokens = node.as_array();
    if (!tokens || !tokens->is_array_of_tables()) {
      checker_.fail(node, "tokens", "must be written as [[tokens]] tables, each with name, sha256, role and project");
    }
    std::set<std::string> names;
    std::set<std::string> hashes;
    for (std::size_t i = 0; i < tokens->size(); ++i) {
      const toml::table& table = *tokens->get(i)->as_table();
      std::string path = fmt::format("tokens[{}]", i);
      checker_.check_keys(table, path, {"name", "sha256", "role", "project"}, "a [[tokens]] entry");
      TokenConfig token;
      token.name = required_text(table, path, "name");
      if (!is_token_name(token.name)) {
        checker_.fail(*table.get("name"), path + ".name",
                      fmt::format("must be letters, digits and _ - . @, at most 64 characters (got \"{}\")", token.name));
      }
      if (!names.insert(token.name).second) {
        checker_.fail(*table.get("name"), path + ".name", fmt::format("another token already has the name \"{}\"", token.name));
      }
      token.sha256_hex = read_token_hash(table, path);
      if (!hashes.insert(token.sha256_hex).second) {
        checker_.fail(*table.get("sha256"), path + ".sha256", "another token has the same hash (the same token twice)");
      }
      std::string role = required_text(table, path, "role");
      std::optional<Role> parsed = role_from_string(role);
      if (!parsed) checker_.fail(*table.get("role"), path + ".role", fmt::format("must be \"user\" or \"author\" (got \"{}\")", role));
      token.role = *parsed;
      token.project = required_text(table, path, "project");
      if (!config.find_project(token.project)) {
        checker_.fail(*table.get("project"), path + ".project", fmt::format("names no project of this config (got \"{}\")", token.project));
      }
      config.tokens.push_back(std::move(token));
    }
  }

  // The hash is public-ish but the value found here may be a pasted token: it is never quoted.
  std::string read_token_hash(const toml::table& table, const std::string& path) {
    const toml::node* node = table.get("sha256");
    std::string key = path + ".sha256";
    if (!node) checker_.fail(table, key, "is missing: the SHA-256 of the token, as `analysis-sandbox token create` prints it");
    const auto* text = node->as_string();
    if (text && looks_like_token(text->get())) {
      checker_.fail(*node, key,
                    "holds a token, not its hash: never put a token in the config file; put its SHA-256 here "
                    "(`analysis-sandbox token create` prints both; the value is not shown)");
    }
    if (!text || !is_sha256_hex(text->get())) {
      checker_.fail(*node, key, "must be the token's SHA-256 as 64 hex digits (the value is not shown)");
    }
    return lowercase(text->get());
  }

  std::string required_text(const toml::table& table, const std::string& path, std::string_view key) {
    const toml::node* node = table.get(key);
    if (!node) checker_.fail(table, child_key(path, key), "is missing");
    return checker_.text(*node, child_key(path, key));
  }

  TomlChecker checker_;
  std::filesystem::path base_dir_;
};

// toml++ quotes text at the error position ("saw 'h'", "unknown escape sequence '\q'"), which
// may be part of a secret written where it should not be. The line and column stay; the quoted
// text goes. Quoted keys ("cannot redefine existing table 'x'") are kept.
std::string without_quoted_values(std::string description) {
  struct Marker {
    std::string_view text;
    std::size_t erase_from;  // offset from the marker's start where erasing begins
  };
  for (Marker marker : {Marker{", saw '", 0}, Marker{" saw '", 0}, Marker{"interpret '", 9}, Marker{"sequence '", 8}}) {
    for (std::size_t at = description.find(marker.text); at != std::string::npos; at = description.find(marker.text)) {
      std::size_t open = at + marker.text.size() - 1;
      std::size_t close = description.find('\'', open + 2);
      std::size_t end = close == std::string::npos ? description.size() : close + 1;
      description.erase(at + marker.erase_from, end - at - marker.erase_from);
    }
  }
  return description;
}

Config parse_config_text(std::string_view text, const std::string& display_name, const std::filesystem::path& base_dir) {
  toml::table root;
  try {
    root = toml::parse(text, display_name);
  } catch (const toml::parse_error& e) {
    throw ConfigError(display_name, static_cast<int>(e.source().begin.line), static_cast<int>(e.source().begin.column), "",
                      fmt::format("not valid TOML: {}", without_quoted_values(std::string(e.description()))));
  }
  return ConfigReader(display_name, base_dir).read(root);
}

}  // namespace

Config load_config_file(const std::filesystem::path& file) {
  std::error_code ignored;
  if (std::filesystem::is_directory(file, ignored)) throw ConfigError(file.string(), 0, 0, "", "is a directory, not a config file");
  std::ifstream in(file, std::ios::binary);
  if (!in) throw ConfigError(file.string(), 0, 0, "", fmt::format("cannot read the config file: {}", std::strerror(errno)));
  std::ostringstream text;
  text << in.rdbuf();
  std::filesystem::path absolute = std::filesystem::absolute(file).lexically_normal();
  Config config = parse_config_text(text.str(), file.string(), absolute.parent_path());
  config.file = absolute;
  return config;
}

std::string_view embedded_defaults_toml() { return kEmbeddedDefaults; }

Config embedded_defaults(const std::filesystem::path& working_dir) {
  Config config = parse_config_text(kEmbeddedDefaults, "<embedded defaults>", std::filesystem::absolute(working_dir));
  config.embedded_defaults = true;
  return config;
}

Config load_config(const std::optional<std::filesystem::path>& explicit_file) {
  if (explicit_file) return load_config_file(*explicit_file);
  const char* named = std::getenv(kConfigFileVariable);
  if (named && *named) {
    try {
      return load_config_file(named);
    } catch (const ConfigError& e) {
      // A file that cannot be read: say where its name came from, since no option named it.
      if (e.line() > 0 || !e.key().empty()) throw;
      throw ConfigError(e.file(), 0, 0, "", fmt::format("{} (the file named by ${})", e.problem(), kConfigFileVariable));
    }
  }
  return embedded_defaults(std::filesystem::current_path());
}

std::string describe_source(const Config& config) {
  return config.file ? "file " + config.file->string() : std::string("embedded defaults");
}

}  // namespace as::config
