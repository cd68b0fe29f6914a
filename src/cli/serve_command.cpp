// `analysis-sandbox serve`: wires the configuration, the catalog, the project DuckDBs, the job
// workers and the REST API together and serves until SIGINT/SIGTERM.
#include "serve_command.h"

#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "catalog_context.h"
#include "config/config.h"
#include "config/demo_database.h"
#include "config/local_token.h"
#include "datasources/datasource_extension.h"
#include "datasources/duck_transfer.h"
#include "duck/duck_extension.h"
#include "frame/frame_extension.h"
#include "exit_codes.h"
#include "file_text.h"
#include "jobs/analysis_limits.h"
#include "jobs/job_service.h"
#include "sandbox/heap_retention.h"
#include "server/api_server.h"

namespace as::cli {
namespace {

struct ServeOptions {
  std::string config_file;
  std::string listen;  // HOST:PORT, overrides the config
  std::vector<std::string> seed_dirs;
  std::string seed_project = "default";
};

// Stores every DIR/*.js as an analysis named after the file, unless one of that name exists, so
// `make run` starts with the examples and a restart keeps whatever was changed since.
void seed_analyses(service::AnalysisService& analyses, const std::string& project, const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".js") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    std::string name = file.stem().string();
    if (analyses.store().find_analysis(project, name)) continue;
    try {
      analyses.create(project, name, read_text_file(file.string(), "example"), "seed");
      std::cerr << fmt::format("seeded analysis '{}' from {}\n", name, file.string());
    } catch (const std::runtime_error& error) {  // an unreadable file or a ServiceError
      std::cerr << fmt::format("warning: not seeding {}: {}\n", file.string(), error.what());
    }
  }
}

void parse_listen(const std::string& listen, config::ServerConfig& server) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos) throw std::invalid_argument(fmt::format("--listen must be HOST:PORT, got '{}'", listen));
  server.host = listen.substr(0, colon);
  try {
    std::size_t used = 0;
    server.port = std::stoi(listen.substr(colon + 1), &used);
    if (used != listen.size() - colon - 1 || server.port < 0 || server.port > 65535) throw std::invalid_argument("range");
  } catch (const std::exception&) {
    throw std::invalid_argument(fmt::format("--listen port must be 0-65535, got '{}'", listen.substr(colon + 1)));
  }
}

int serve(const ServeOptions& options) {
  // Signals are taken by a watcher thread, so every other thread must have them blocked.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  std::optional<CatalogContext> context;
  std::optional<std::string> local_token;
  try {
    context.emplace(options.config_file);
    if (!options.listen.empty()) parse_listen(options.listen, context->mutable_config().server);
    config::ensure_demo_datasources(context->config());
    local_token = config::ensure_local_author_token(context->mutable_config());
  } catch (const std::exception& error) {
    std::cerr << "error: " << error.what() << "\n";
    return kBadInput;
  }
  const config::Config& config = context->config();
  // Before the workers start allocating (sandbox/heap_retention.h says why).
  if (!sandbox::retain_freed_heap(static_cast<std::size_t>(config.server.retain_freed_memory_bytes))) {
    std::cerr << "warning: the allocator refused [server] retain_freed_memory; freed memory goes back to the system at once\n";
  }

  auto databases = std::make_shared<duck::DatabaseRegistry>(
      config.data_dir, [&config](const std::string& project) { return config::duck_settings_for(config, project); });
  auto datasource_registry = std::make_shared<datasources::DatasourceRegistry>(config);
  std::map<std::string, std::uint64_t> dataframe_memory;  // per project, from [projects.NAME.dataframes]
  for (const auto& [name, project] : config.projects) dataframe_memory[name] = project.dataframe_memory_bytes;
  jobs::RunEnvironmentFactory environment = [databases, datasource_registry, dataframe_memory](const catalog::Analysis& analysis) {
    jobs::RunEnvironment run;
    run.limits = jobs::limits_for_analysis(analysis.metadata_json);
    run.extensions.push_back(std::make_shared<duck::DuckExtension>(databases, analysis.project));
    // ctx.datasource: only what the analysis declares (docs/datasources.md).
    run.extensions.push_back(std::make_shared<datasources::DatasourceExtension>(
        datasource_registry, analysis.project, datasources::declared_datasources(analysis.metadata_json)));
    // ctx.duckdb.load / export, under the same declared-datasources rule.
    datasources::add_duck_transfer(run.extensions, datasource_registry, analysis.project,
                                   datasources::declared_datasources(analysis.metadata_json));
    auto budget = dataframe_memory.find(analysis.project);
    frame::add_frames(run.extensions, frame::FrameOptions{.memory_bytes = static_cast<std::size_t>(
                                          budget != dataframe_memory.end() ? budget->second : config::kDefaultDataframeMemoryBytes)});  // ctx.DataFrame, col, lit, ctx.duckdb.saveDataFrame / queryFrame
    return run;
  };
  jobs::JobService jobs(context->store(),
                        {.data_dir = config.data_dir, .workers = static_cast<std::size_t>(std::max(1, config.server.workers))},
                        environment);
  for (const auto& run_id : jobs.recovered_runs()) std::cerr << fmt::format("marked run {} failed: the server stopped while it ran\n", run_id);
  for (const auto& dir : options.seed_dirs) seed_analyses(context->analyses(), options.seed_project, dir);

  server::ApiServer api({config, context->analyses(), jobs, environment});
  int port = 0;
  try {
    port = api.bind(config.server.host, config.server.port);
  } catch (const std::exception& error) {
    std::cerr << "error: " << error.what() << "\n";
    return kBadInput;
  }
  std::cout << fmt::format("Analysis Sandbox listening on http://{}:{}/ (config: {}, data: {})\n", config.server.host, port,
                           config::describe_source(config), config.data_dir.string());
  if (local_token) {
    std::cout << fmt::format("Local author token (kept in {}):\n  {}\n", (config.data_dir / config::kLocalTokenFileName).string(),
                             *local_token);
    std::cout << fmt::format("Try: curl -H 'Authorization: Bearer {}' http://{}:{}/api/analysis\n", *local_token, config.server.host, port);
  }
  std::cout.flush();

  std::jthread stopper([&api, signals](std::stop_token done) {
    timespec tick{0, 100'000'000};
    while (!done.stop_requested()) {
      if (sigtimedwait(&signals, nullptr, &tick) > 0) {
        api.stop();
        return;
      }
    }
  });
  api.serve();
  std::cerr << "stopping\n";
  return kSuccess;
}

}  // namespace

void add_serve_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<ServeOptions>();
  CLI::App* cmd = app.add_subcommand("serve", "Serve the REST API and run jobs (stop with Ctrl-C)");
  cmd->add_option("--config", options->config_file, "Configuration file (default: $ANALYSIS_SANDBOX_CONFIG, else embedded defaults)");
  cmd->add_option("--listen", options->listen, "HOST:PORT to listen on, overriding the config (port 0: any free port)");
  cmd->add_option("--seed", options->seed_dirs, "Store every DIR/*.js as an analysis named after the file, unless it exists (repeatable)")
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--seed-project", options->seed_project, "Project the seeded analyses go to")->capture_default_str();
  cmd->callback([options, &exit_code] { exit_code = serve(*options); });
}

}  // namespace as::cli
