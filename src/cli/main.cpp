#include <CLI/CLI.hpp>

#include "analyses_command.h"
#include "config_command.h"
#include "duckdb_command.h"
#include "exit_codes.h"
#include "run_command.h"
#include "serve_command.h"

int main(int argc, char** argv) {
  CLI::App app{"analysis-sandbox: keep and run JavaScript data analyses in a QuickJS-ng sandbox"};
  app.require_subcommand(1);
  app.footer(
      "Exit codes: 0 success, 1 script error, 2 bad input, 3 limit exceeded, 4 cancelled, 5 internal error.\n"
      "Run `analysis-sandbox SUBCOMMAND --help` for the options of a subcommand.");
  int exit_code = as::cli::kSuccess;
  as::cli::add_run_command(app, exit_code);
  as::cli::add_duckdb_command(app, exit_code);
  as::cli::add_config_commands(app, exit_code);
  as::cli::add_analyses_command(app, exit_code);
  as::cli::add_serve_command(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return as::cli::kBadInput;
  }
  return exit_code;
}
