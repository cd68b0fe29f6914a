// `analysis-sandbox duckdb PROJECT "SQL"`: runs one SQL text on a project's DuckDB and prints the
// rows. It goes through ctx.duckdb.query in a one-off sandbox run, so operators see exactly the
// values and the sandbox rules scripts get, with larger size limits.
#include "duckdb_command.h"

#include <algorithm>
#include <iostream>
#include <memory>

#include <fmt/format.h>

#include "duck/duck_extension.h"
#include "exit_codes.h"
#include "sandbox/sandbox.h"

namespace as::cli {
namespace {

struct DuckdbOptions {
  std::string project;
  std::string sql;
  std::string data_dir = "data";
  std::string format = "json";
  std::int64_t timeout_ms = 3'600'000;
};

constexpr const char* kOperatorQuery = R"(export default {
  title: "analysis-sandbox duckdb",
  async run(ctx, params) { return { rows: await ctx.duckdb.query(params.sql) }; }
};
)";

CLI::Validator project_name_check() {
  return CLI::Validator(
      [](const std::string& name) {
        try {
          duck::validate_project_name(name);
          return std::string();
        } catch (const std::invalid_argument& e) {
          return std::string(e.what());
        }
      },
      "PROJECT", "project name");
}

// A cell of the table format: text as it is, NULL for null, JSON for everything else.
std::string cell_text(const Value& value) {
  if (value.is_null()) return "NULL";
  if (value.is<std::string>()) return value.as<std::string>();
  return to_json(value);
}

void print_table(const ValueArray& rows) {
  if (rows.empty()) {
    std::cout << "(0 rows)\n";
    return;
  }
  std::vector<std::string> columns;
  for (const auto& [name, _] : rows.front().as<ValueObject>()) columns.push_back(name);
  std::vector<std::vector<std::string>> cells;
  std::vector<std::size_t> widths;
  for (const auto& name : columns) widths.push_back(name.size());
  for (const auto& row : rows) {
    auto& line = cells.emplace_back();
    for (std::size_t col = 0; col < columns.size(); ++col) {
      const Value* value = row.find(columns[col]);
      line.push_back(value ? cell_text(*value) : "");
      widths[col] = std::max(widths[col], line.back().size());
    }
  }
  auto print_line = [&](const std::vector<std::string>& texts) {
    for (std::size_t col = 0; col < texts.size(); ++col) {
      std::cout << (col ? " | " : "") << fmt::format("{:<{}}", texts[col], widths[col]);
    }
    std::cout << "\n";
  };
  print_line(columns);
  std::vector<std::string> rule;
  for (auto width : widths) rule.emplace_back(width, '-');
  print_line(rule);
  for (const auto& line : cells) print_line(line);
  std::cout << fmt::format("({} row{})\n", rows.size(), rows.size() == 1 ? "" : "s");
}

int run_duckdb(const DuckdbOptions& options) {
  // Operators inspect whole tables: the script limits (10 MB) would get in the way here.
  duck::DuckSettings settings = duck::DuckSettings::for_this_machine();
  settings.max_query_result_bytes = 256u << 20;
  auto databases = std::make_shared<duck::DatabaseRegistry>(options.data_dir, settings);

  sandbox::RunRequest request;
  request.source = kOperatorQuery;
  request.filename = "duckdb-command.js";
  request.params = ValueObject{{"sql", options.sql}};
  request.limits.timeout = std::chrono::milliseconds(options.timeout_ms);
  request.limits.memory_bytes = std::size_t{2} << 30;
  request.limits.max_result_bytes = std::size_t{1} << 30;
  request.extensions.push_back(std::make_shared<duck::DuckExtension>(databases, options.project));
  sandbox::RunOutcome outcome = sandbox::run_analysis(request);
  if (outcome.status != sandbox::RunStatus::Completed) {
    // The message comes from a JS Error ("Error: ctx.duckdb.query: ..."); operators need only the rest.
    std::string message = outcome.failure->message;
    if (message.starts_with("Error: ")) message.erase(0, 7);
    std::cerr << "error: " << message << "\n";
    return outcome.failure->kind == sandbox::FailureKind::Limit ? kLimitExceeded : kScriptError;
  }
  Value result = parse_json(outcome.result_json);
  const ValueArray& rows = result.find("rows")->as<ValueArray>();
  if (options.format == "table") {
    print_table(rows);
  } else {
    for (const auto& row : rows) std::cout << to_json(row) << "\n";
  }
  return kSuccess;
}

}  // namespace

void add_project_options(CLI::App& command, std::string& project, std::string& data_dir) {
  command.add_option("--project", project, "Project whose DuckDB ctx.duckdb uses")->check(project_name_check())->capture_default_str();
  command.add_option("--data-dir", data_dir, "Data directory (project DuckDB files live in DIR/projects/NAME/)")->capture_default_str();
}

void add_duckdb_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<DuckdbOptions>();
  CLI::App* cmd = app.add_subcommand("duckdb", "Run SQL on a project's DuckDB and print the rows (JSON lines or a table)");
  cmd->add_option("project", options->project, "Project name ([A-Za-z0-9_-]+)")->required()->check(project_name_check());
  cmd->add_option("sql", options->sql, "SQL text; the rows of its last statement are printed")->required();
  cmd->add_option("--data-dir", options->data_dir, "Data directory (project DuckDB files live in DIR/projects/NAME/)")->capture_default_str();
  cmd->add_option("--format", options->format, "json: one JSON object per row; table: aligned columns")
      ->check(CLI::IsMember({"json", "table"}))
      ->capture_default_str();
  cmd->add_option("--timeout-ms", options->timeout_ms, "Wall-time limit")->check(CLI::Range(1, 86'400'000))->capture_default_str();
  cmd->callback([options, &exit_code] { exit_code = run_duckdb(*options); });
}

}  // namespace as::cli
