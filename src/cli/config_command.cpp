// The operator's commands for the configuration file (docs/configuration.md).
#include "config_command.h"

#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "config/config_file.h"
#include "config/redacted_json.h"
#include "config/secrets.h"
#include "config/tokens.h"
#include "duck/project_database.h"
#include "exit_codes.h"

namespace as::cli {
namespace {

struct CheckOptions {
  std::string config_file;
};

struct TokenOptions {
  std::string project;
  std::string role;
  std::string name;
  std::string config_file;
};

std::optional<std::filesystem::path> config_option(const std::string& value) {
  if (value.empty()) return std::nullopt;
  return std::filesystem::path(value);
}

int check(const CheckOptions& options) {
  config::Config loaded;
  try {
    loaded = config::load_config(config_option(options.config_file));
  } catch (const config::ConfigError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kBadInput;
  }
  std::cout << config::redacted_json(loaded) << "\n";
  // Not an error: the variable may be set where the server runs. A run that needs it fails then.
  for (const auto& line : config::unset_secrets(loaded)) std::cerr << "warning: " << line << "\n";
  return kSuccess;
}

int create_token(const TokenOptions& options) {
  if (!options.config_file.empty()) {
    try {
      config::Config loaded = config::load_config_file(options.config_file);
      if (!loaded.find_project(options.project)) {
        std::cerr << fmt::format("error: {} has no project \"{}\"\n", options.config_file, options.project);
        return kBadInput;
      }
    } catch (const config::ConfigError& e) {
      std::cerr << "error: " << e.what() << "\n";
      return kBadInput;
    }
  }
  std::string token = config::generate_token();
  std::string hash = config::sha256_hex(token);
  std::string name = options.name.empty() ? fmt::format("{}-{}-{}", options.project, options.role, hash.substr(0, 8)) : options.name;
  std::cout << fmt::format(
      "New {} token for project \"{}\". It is shown only this once: give it to its holder now.\n\n"
      "  {}\n\n"
      "Add these lines to the config file (they hold only the token's SHA-256, never the token):\n\n"
      "[[tokens]]\n"
      "name = \"{}\"\n"
      "sha256 = \"{}\"\n"
      "role = \"{}\"\n"
      "project = \"{}\"\n",
      options.role, options.project, token, name, hash, options.role, options.project);
  return kSuccess;
}

CLI::Validator checked_by(std::string description, bool (*accepts)(std::string_view)) {
  return CLI::Validator(
      [accepts, description](const std::string& value) {
        return accepts(value) ? std::string() : fmt::format("{} (got \"{}\")", description, value);
      },
      "", "");
}

bool is_project_name(std::string_view name) {
  try {
    duck::validate_project_name(name);
    return true;
  } catch (const std::invalid_argument&) {
    return false;
  }
}

}  // namespace

void add_config_commands(CLI::App& app, int& exit_code) {
  std::string lookup = fmt::format("Config file (default: ${}, else the embedded defaults)", config::kConfigFileVariable);

  CLI::App* config_cmd = app.add_subcommand("config", "Inspect the configuration (docs/configuration.md)");
  config_cmd->require_subcommand(1);
  auto check_options = std::make_shared<CheckOptions>();
  CLI::App* check_cmd = config_cmd->add_subcommand(
      "check", "Check the config file and print the effective configuration as JSON (secrets shown only as env var names)");
  check_cmd->add_option("--config", check_options->config_file, lookup);
  check_cmd->callback([check_options, &exit_code] { exit_code = check(*check_options); });

  CLI::App* token_cmd = app.add_subcommand("token", "Make API tokens");
  token_cmd->require_subcommand(1);
  auto token_options = std::make_shared<TokenOptions>();
  CLI::App* create_cmd = token_cmd->add_subcommand(
      "create", "Print a new random API token once, and the [[tokens]] lines (with only its hash) for the config file");
  create_cmd->add_option("--project", token_options->project, "The project the token gives access to")
      ->required()
      ->check(checked_by("a project name is letters, digits, '_' and '-'", is_project_name));
  create_cmd->add_option("--role", token_options->role, "user: run and read analyses; author: also create and change them")
      ->required()
      ->check(CLI::IsMember({"user", "author"}));
  create_cmd->add_option("--name", token_options->name, "Who holds the token (default: PROJECT-ROLE-<hash prefix>)")
      ->check(checked_by("a token name is letters, digits and _ - . @, at most 64 characters", config::is_token_name));
  create_cmd->add_option("--config", token_options->config_file, "Also check that this config file has the project");
  create_cmd->callback([token_options, &exit_code] { exit_code = create_token(*token_options); });
}

}  // namespace as::cli
