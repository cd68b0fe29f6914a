// `analysis-sandbox analyses ...`: the MCP/REST authoring operations from a shell. Every
// subcommand goes through service::AnalysisService, so it validates and answers exactly as the
// API does; --json prints the API's JSON, otherwise a short human form.
#include "analyses_command.h"

#include <fstream>
#include <iostream>
#include <sstream>

#include <fmt/format.h>

#include "catalog_context.h"
#include "exit_codes.h"
#include "file_text.h"
#include "service/analysis_service.h"

namespace as::cli {
namespace {

using service::Json;

struct AnalysesOptions {
  std::string config_file;
  std::string project = "default";
  bool json = false;
  std::string name;
  std::string file;
  std::string change_description;
  std::string reason;
  std::string by;
  int version = 0;
  int version2 = 0;
  bool with_script = false;
};

std::string read_script(const std::string& path) {
  try {
    return read_text_file(path, "analysis file");
  } catch (const std::runtime_error& e) {
    throw service::ServiceError(service::ErrorCode::BadRequest, e.what());
  }
}

std::string user_name(const std::string& given) {
  if (!given.empty()) return given;
  const char* user = std::getenv("USER");
  return fmt::format("cli:{}", user && *user ? user : "unknown");
}

void print_validation(const Json& report) {
  if (report.value("valid", false)) {
    const Json& metadata = report["metadata"];
    std::cout << fmt::format("valid: \"{}\"\n", metadata.value("title", ""));
    std::cout << "  datasources: " << metadata.value("datasources", Json::array()).dump() << "\n";
    std::cout << "  analyses:    " << metadata.value("analyses", Json::array()).dump() << "\n";
    std::cout << "  parameters:  " << metadata.value("parameters", Json::array()).dump() << "\n";
    return;
  }
  std::cout << "invalid:\n";
  for (const auto& error : report["errors"]) std::cout << "  - " << error.get<std::string>() << "\n";
}

void print_human(const std::string& command, const Json& out) {
  if (command == "list") {
    for (const auto& item : out) {
      std::cout << fmt::format("{:<32} v{:<4} {}  {}\n", item["id"].get<std::string>(), item["version"].get<int>(),
                               item["updated_at"].get<std::string>(), item["title"].get<std::string>());
    }
    if (out.empty()) std::cout << "(no analyses)\n";
  } else if (command == "versions") {
    for (const auto& item : out["versions"]) {
      std::string restored = item.contains("restored_from") ? fmt::format(" (restored from v{})", item["restored_from"].get<int>()) : "";
      std::cout << fmt::format("v{:<4} {}  {:<16} {}{}\n", item["version"].get<int>(), item["created_at"].get<std::string>(),
                               item["created_by"].get<std::string>(), item["change_description"].get<std::string>(), restored);
    }
  } else if (command == "version") {
    std::cout << fmt::format("// version {} ({}, {}): {}\n", out["version"].get<int>(), out["created_at"].get<std::string>(),
                             out["created_by"].get<std::string>(), out["change_description"].get<std::string>());
    std::cout << out["script"].get<std::string>();
  } else if (command == "validate") {
    print_validation(out);
  } else if (command == "create" || command == "update") {
    std::cout << fmt::format("{} is at version {}\n", out["id"].get<std::string>(), out["version"].get<int>());
  } else if (command == "restore") {
    std::cout << fmt::format("restored version {} as version {}\n", out["restored_from"].get<int>(), out["new_version"].get<int>());
  } else {
    std::cout << out.dump(2) << "\n";
  }
}

int execute(const std::string& command, const AnalysesOptions& options) {
  try {
    CatalogContext context(options.config_file);
    service::AnalysisService& analyses = context.analyses();
    const std::string& project = options.project;
    Json out;
    if (command == "create") {
      out = analyses.create(project, options.name, read_script(options.file), user_name(options.by));
    } else if (command == "update") {
      out = analyses.update(project, options.name, read_script(options.file), options.change_description, user_name(options.by));
    } else if (command == "list") {
      out = analyses.list(project);
    } else if (command == "show") {
      out = analyses.get(project, options.name, options.with_script);
    } else if (command == "versions") {
      out = analyses.versions(project, options.name);
    } else if (command == "version") {
      out = analyses.version(project, options.name, options.version);
    } else if (command == "diff") {
      out = analyses.diff(project, options.name, options.version, options.version2);
    } else if (command == "restore") {
      out = analyses.restore(project, options.name, options.version, options.reason, user_name(options.by));
    } else if (command == "validate") {
      out = analyses.validate(project, read_script(options.file), options.name);
    } else if (command == "delete") {
      analyses.remove(project, options.name);
      out = {{"deleted", options.name}};
    }
    if (options.json) {
      std::cout << out.dump() << "\n";
    } else {
      print_human(command, out);
    }
    if (command == "validate" && !out.value("valid", false)) return kScriptError;
    return kSuccess;
  } catch (const service::ServiceError& error) {
    if (options.json) {
      std::cout << error.to_json().dump() << "\n";
    } else {
      std::cerr << "error: " << error.what() << "\n";
      if (error.code() == service::ErrorCode::Invalid && error.details().contains("errors")) {
        for (const auto& line : error.details()["errors"]) std::cerr << "  - " << line.get<std::string>() << "\n";
      }
    }
    switch (error.code()) {
      case service::ErrorCode::Invalid: return kScriptError;
      case service::ErrorCode::Internal: return kInternalError;
      default: return kBadInput;
    }
  } catch (const std::exception& error) {
    std::cerr << "error: " << error.what() << "\n";
    return kBadInput;
  }
}

}  // namespace

void add_analyses_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<AnalysesOptions>();
  CLI::App* group = app.add_subcommand("analyses", "Create, change, inspect and validate stored analyses (the catalog)");
  group->require_subcommand(1);
  group->add_option("--config", options->config_file, "Configuration file (default: $ANALYSIS_SANDBOX_CONFIG, else embedded defaults)");
  group->add_option("--project", options->project, "Project the analyses belong to")->capture_default_str();
  group->add_flag("--json", options->json, "Print the API's JSON instead of the human form");

  auto add = [&](const char* name, const char* help) {
    CLI::App* cmd = group->add_subcommand(name, help);
    cmd->fallthrough();  // --json, --config and --project also work after the subcommand
    cmd->callback([options, &exit_code, command = std::string(name)] { exit_code = execute(command, *options); });
    return cmd;
  };
  auto name_arg = [&](CLI::App* cmd) { cmd->add_option("name", options->name, "Analysis name (its id in the API)")->required(); };
  auto by_option = [&](CLI::App* cmd) { cmd->add_option("--by", options->by, "Who makes the change (default cli:$USER)"); };

  CLI::App* create = add("create", "Validate FILE and store it as a new analysis NAME (version 1)");
  name_arg(create);
  create->add_option("file", options->file, "The analysis script")->required();
  by_option(create);

  CLI::App* update = add("update", "Validate FILE and store it as the next version of NAME");
  name_arg(update);
  update->add_option("file", options->file, "The analysis script")->required();
  update->add_option("-m,--message", options->change_description, "Change description recorded with the version");
  by_option(update);

  add("list", "List the project's analyses");

  CLI::App* show = add("show", "Show an analysis with its parameter metadata");
  name_arg(show);
  show->add_flag("--script", options->with_script, "Include the script and stored metadata");

  name_arg(add("versions", "List the versions of an analysis, newest first"));

  CLI::App* version = add("version", "Print one version's script (with --json: script, metadata, description)");
  name_arg(version);
  version->add_option("version", options->version, "Version number")->required()->check(CLI::PositiveNumber);

  CLI::App* diff = add("diff", "Compare two versions (dependencies, parameters, script lines)");
  name_arg(diff);
  diff->add_option("version1", options->version, "First version")->required()->check(CLI::PositiveNumber);
  diff->add_option("version2", options->version2, "Second version")->required()->check(CLI::PositiveNumber);

  CLI::App* restore = add("restore", "Make a new version with the script of an older one");
  name_arg(restore);
  restore->add_option("version", options->version, "Version to restore")->required()->check(CLI::PositiveNumber);
  restore->add_option("--reason", options->reason, "Why (recorded with the new version)")->required();
  by_option(restore);

  CLI::App* validate = add("validate", "Validate FILE against the project without storing it (exit 1 when invalid)");
  validate->add_option("file", options->file, "The analysis script")->required();
  validate->add_option("--name", options->name, "The name it would be saved under (checks self-dependency)");

  name_arg(add("delete", "Delete an analysis (soft: its versions and runs stay in the store)"));
}

}  // namespace as::cli
