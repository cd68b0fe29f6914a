#include "run_command.h"

#include <csignal>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "config/config_file.h"
#include "datasources/datasource_extension.h"
#include "datasources/duck_transfer.h"
#include "duck/duck_extension.h"
#include "frame/frame_extension.h"
#include "duckdb_command.h"
#include "exit_codes.h"
#include "file_text.h"
#include "sandbox/sandbox.h"
#include "validate/validator.h"

namespace as::cli {
namespace {

struct RunOptions {
  std::string file;
  std::string params = "{}";
  std::int64_t timeout_ms = 30'000;
  std::int64_t memory_mb = 256;
  std::int64_t stack_kb = 1024;
  std::int64_t max_log_lines = 10'000;
  std::int64_t max_log_bytes = 1 << 20;
  std::int64_t max_result_mb = 10;
  std::int64_t frame_memory_mb = 1024;
  std::string project = "default";
  std::string data_dir = "data";
  bool data_dir_given = false;  // --data-dir on the command line wins over the config's data_dir
  std::string config_file;      // --config: the project's datasources become reachable
};

class BadInput : public std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::string read_file(const std::string& path, const char* what) {
  try {
    return read_text_file(path, what);
  } catch (const std::runtime_error& e) {
    throw BadInput(e.what());
  }
}

Value parse_params(const std::string& option) {
  std::string text = option.starts_with('@') ? read_file(option.substr(1), "params file") : option;
  Value params;
  try {
    params = parse_json(text);
  } catch (const std::invalid_argument& e) {
    throw BadInput(fmt::format("--params is not valid JSON: {}", e.what()));
  }
  if (!params.is<ValueObject>()) throw BadInput("--params must be a JSON object such as '{\"month\": \"2024-01\"}'");
  return params;
}

class ScriptInvalid : public std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The datasources the script declares (dependencies.datasources), after validating it against
// `project` of `config` as the catalog would: the same rule as a stored analysis run by the server.
std::vector<std::string> declared_datasources_of(const std::string& source, const config::Config& config, const std::string& project) {
  auto found = config.projects.find(project);
  if (found == config.projects.end()) {
    std::string known;
    for (const auto& [name, _] : config.projects) known += (known.empty() ? "" : ", ") + name;
    throw BadInput(fmt::format("project '{}' is not configured in {} (configured: {})", project, config::describe_source(config), known));
  }
  validate::ValidationEnvironment environment;
  for (const auto& [name, _] : found->second.datasources) environment.datasources.insert(name);
  validate::ValidationResult validation = validate::validate_analysis(source, environment);
  if (!validation.valid) {
    std::string problems;
    for (const auto& problem : validation.errors) problems += (problems.empty() ? "" : "; ") + problem.message;
    throw ScriptInvalid(fmt::format("the analysis is not valid for project '{}': {}", project, problems));
  }
  return datasources::declared_datasources(validation.metadata_json);
}

// SIGINT/SIGTERM cancel the run (it then ends with exit code 4) instead of killing the process.
class SignalCanceller {
 public:
  explicit SignalCanceller(std::stop_source& source) {
    sigemptyset(&signals_);
    sigaddset(&signals_, SIGINT);
    sigaddset(&signals_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals_, nullptr);
    watcher_ = std::jthread([this, &source](std::stop_token done) {
      timespec tick{0, 50'000'000};
      while (!done.stop_requested()) {
        if (sigtimedwait(&signals_, nullptr, &tick) > 0) source.request_stop();
      }
    });
  }

 private:
  sigset_t signals_{};
  std::jthread watcher_;
};

void print_log(const sandbox::LogEntry& entry) {
  std::cerr << fmt::format("[{}] {}: {}\n", iso8601_utc(entry.timestamp_ms), sandbox::to_string(entry.level), entry.message);
}

int exit_code_for(const sandbox::RunOutcome& outcome) {
  if (outcome.status == sandbox::RunStatus::Completed) return kSuccess;
  switch (outcome.failure->kind) {
    case sandbox::FailureKind::Script: return kScriptError;
    case sandbox::FailureKind::Limit: return kLimitExceeded;
    case sandbox::FailureKind::Cancelled: return kCancelled;
    case sandbox::FailureKind::Internal: return kInternalError;
  }
  return kInternalError;
}

int run(const RunOptions& options) {
  sandbox::RunRequest request;
  try {
    request.source = read_file(options.file, "analysis file");
    request.params = parse_params(options.params);
  } catch (const BadInput& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kBadInput;
  }
  request.filename = std::filesystem::path(options.file).filename().string();
  request.limits.timeout = std::chrono::milliseconds(options.timeout_ms);
  request.limits.memory_bytes = static_cast<std::size_t>(options.memory_mb) << 20;
  request.limits.stack_bytes = static_cast<std::size_t>(options.stack_kb) << 10;
  request.limits.max_log_lines = static_cast<std::size_t>(options.max_log_lines);
  request.limits.max_log_bytes = static_cast<std::size_t>(options.max_log_bytes);
  request.limits.max_result_bytes = static_cast<std::size_t>(options.max_result_mb) << 20;
  request.on_log = print_log;
  // The project's DuckDB opens on the first ctx.duckdb call, so runs that never use it leave no files.
  std::optional<config::Config> config;
  std::vector<std::string> declared;
  if (!options.config_file.empty()) {
    try {
      config = config::load_config(std::filesystem::path(options.config_file));
      declared = declared_datasources_of(request.source, *config, options.project);
    } catch (const BadInput& e) {
      std::cerr << "error: " << e.what() << "\n";
      return kBadInput;
    } catch (const config::ConfigError& e) {
      std::cerr << "error: " << e.what() << "\n";
      return kBadInput;
    } catch (const ScriptInvalid& e) {
      std::cerr << "error: script_error: " << e.what() << "\n";
      return kScriptError;
    }
  }
  std::filesystem::path data_dir = config && !options.data_dir_given ? config->data_dir : std::filesystem::path(options.data_dir);
  auto databases = config ? std::make_shared<duck::DatabaseRegistry>(
                                data_dir, [&config](const std::string& project) { return config::duck_settings_for(*config, project); })
                          : std::make_shared<duck::DatabaseRegistry>(data_dir, duck::DuckSettings::for_this_machine());
  request.extensions.push_back(std::make_shared<duck::DuckExtension>(databases, options.project));
  if (config) {
    // ctx.datasource and ctx.duckdb.load / export, as in the server: only what the analysis declares.
    auto registry = std::make_shared<datasources::DatasourceRegistry>(*config);
    request.extensions.push_back(std::make_shared<datasources::DatasourceExtension>(registry, options.project, declared));
    datasources::add_duck_transfer(request.extensions, registry, options.project, declared);
  }
  frame::add_frames(request.extensions, frame::FrameOptions{.memory_bytes = static_cast<std::size_t>(options.frame_memory_mb) << 20});  // ctx.DataFrame, col, lit, ctx.duckdb.saveDataFrame / queryFrame

  std::stop_source cancel;
  request.cancel = cancel.get_token();
  SignalCanceller canceller(cancel);
  sandbox::RunOutcome outcome = sandbox::run_analysis(request);

  if (outcome.status == sandbox::RunStatus::Completed) {
    std::cout << outcome.result_json << "\n";
  } else {
    const auto& failure = *outcome.failure;
    // Syntax errors already name their location in the message.
    std::string location = fmt::format("{}:{}:{}", request.filename, failure.line, failure.column);
    std::string where = failure.line > 0 && failure.message.find(location) == std::string::npos ? " (" + location + ")" : "";
    std::cerr << fmt::format("error: {}: {}{}\n", sandbox::to_string(failure.kind), failure.message, where);
    if (!failure.stack.empty()) std::cerr << failure.stack << (failure.stack.ends_with('\n') ? "" : "\n");
  }
  return exit_code_for(outcome);
}

}  // namespace

void add_run_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<RunOptions>();
  CLI::App* cmd = app.add_subcommand("run", "Run one analysis file: result JSON on stdout, logs on stderr");
  cmd->add_option("file", options->file, "The analysis (an ES module with `export default { title, run }`)")->required();
  cmd->add_option("--params", options->params, "Parameters as a JSON object, or @FILE to read them from a file");
  cmd->add_option("--timeout-ms", options->timeout_ms, "Wall-time limit of the run")->check(CLI::Range(1, 86'400'000))->capture_default_str();
  cmd->add_option("--memory-mb", options->memory_mb, "JS heap limit of the run")->check(CLI::Range(1, 65'536))->capture_default_str();
  cmd->add_option("--stack-kb", options->stack_kb, "JS stack limit")->check(CLI::Range(64, 65'536))->capture_default_str();
  cmd->add_option("--max-log-lines", options->max_log_lines, "Log lines kept before truncation")->check(CLI::Range(1, 10'000'000))->capture_default_str();
  cmd->add_option("--max-log-bytes", options->max_log_bytes, "Log bytes kept before truncation")->check(CLI::Range(1, 1'073'741'824))->capture_default_str();
  cmd->add_option("--max-result-mb", options->max_result_mb, "Largest result, as JSON")->check(CLI::Range(1, 1024))->capture_default_str();
  cmd->add_option("--frame-memory-mb", options->frame_memory_mb, "Native memory the run's DataFrames may hold at once")
      ->check(CLI::Range(1, 1'048'576))
      ->capture_default_str();
  add_project_options(*cmd, options->project, options->data_dir);
  cmd->add_option("--config", options->config_file,
                  "Configuration file: the run reaches the datasources of --project that the analysis declares "
                  "(ctx.datasource, ctx.duckdb.load / export), and the project DuckDB lives in its data_dir");
  cmd->callback([options, cmd, &exit_code] {
    options->data_dir_given = cmd->get_option("--data-dir")->count() > 0;
    exit_code = run(*options);
  });
}

}  // namespace as::cli
