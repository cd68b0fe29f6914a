// Our side of the PostgreSQL figures of docs/performance.md (section "PostgreSQL into DuckDB
// and JS"); bench/pg_load.sh runs it interleaved with the baselines and takes the medians.
//   --mode=load   ctx.duckdb.load('pg', 'SELECT * FROM <table>', 'loaded') into a fresh project
//                 DuckDB (a file, as in production), timed inside the script.
//   --mode=query  ctx.datasource.pg.query('SELECT * FROM <table> WHERE id <= <rows>') into JS
//                 rows, timed inside the script.
//   --mode=export ctx.duckdb.export of the loaded table back into PostgreSQL (COPY FROM STDIN).
// Prints one line: "<mode> rows=<n> ms=<t> rows_per_s=<r>".
//
//   pg_load_bench --mode=load|query|export [--table=big] [--rows=100000] [--retain-heap-mb=256]
// --retain-heap-mb sets the process's freed-heap policy as `serve` does ([server]
// retain_freed_memory, default 256 MiB; sandbox/heap_retention.h); 0 = glibc's defaults.
//
// The server comes from AS_TEST_PG_HOST / _PORT / _DATABASE / _USER / _PASSWORD (as the tests:
// `scripts/test-services env`).
#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

#include "datasources/datasource_extension.h"
#include "datasources/datasource_registry.h"
#include "datasources/duck_transfer.h"
#include "bench_support.h"
#include "duck/database_registry.h"
#include "duck/duck_extension.h"
#include "sandbox/heap_retention.h"
#include "sandbox/sandbox.h"

namespace {

std::string env(const char* name, const char* fallback) {
  const char* value = std::getenv(name);
  return value && *value ? value : fallback;
}

as::config::Config bench_config(bool allow_writes) {
  as::config::DatasourceConfig ds;
  ds.name = "pg";
  ds.type = as::config::DatasourceType::Postgres;
  ds.allow_writes = allow_writes;
  ds.settings["host"] = env("AS_TEST_PG_HOST", "127.0.0.1");
  ds.settings["port"] = static_cast<std::int64_t>(std::stoll(env("AS_TEST_PG_PORT", "54329")));
  ds.settings["database"] = env("AS_TEST_PG_DATABASE", "as_test");
  ds.settings["user"] = env("AS_TEST_PG_USER", "as_test");
  ds.settings["sslmode"] = std::string("disable");
  ds.settings["statement_timeout_ms"] = std::int64_t{600'000};
  ds.secrets["password"] = as::config::SecretRef{"AS_TEST_PG_PASSWORD"};
  as::config::Config config;
  as::config::ProjectConfig project;
  project.name = "bench";
  project.datasources["pg"] = std::move(ds);
  config.projects["bench"] = std::move(project);
  return config;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = as::bench::text_option(argc, argv, "mode", "load");
  const std::string table = as::bench::text_option(argc, argv, "table", "big");
  const std::string rows = as::bench::text_option(argc, argv, "rows", "100000");
  const long retain_heap_mb = as::bench::option(argc, argv, "retain-heap-mb", static_cast<long>(as::sandbox::kDefaultRetainedHeapBytes >> 20));
  if (!as::sandbox::retain_freed_heap(static_cast<std::size_t>(retain_heap_mb) << 20)) std::fprintf(stderr, "retain_freed_heap refused\n");
  std::string body;
  if (mode == "load") {
    body = "const r = await ctx.duckdb.load('pg', 'SELECT * FROM " + table + "', 'loaded'); const n = r.rows;";
  } else if (mode == "query") {
    body = "const r = await ctx.datasource.pg.query('SELECT * FROM " + table + " WHERE id <= " + rows + "'); const n = r.length;";
  } else if (mode == "export") {
    body = "const r = await ctx.duckdb.export('loaded', 'pg', 'pg_load_bench_export'); const n = r.rows;";
  } else {
    std::fprintf(stderr, "pg_load_bench: --mode must be load, query or export, got '%s'\n", mode.c_str());
    return 2;
  }
  try {
    as::bench::TempDir dir("pg-load-bench");
    as::duck::DuckSettings settings = as::duck::DuckSettings::for_this_machine();
    auto databases = std::make_shared<as::duck::DatabaseRegistry>(dir.path(), settings);
    auto registry = std::make_shared<as::datasources::DatasourceRegistry>(bench_config(mode == "export"));
    auto run = [&](const std::string& script_body) {
      as::sandbox::RunRequest request;
      request.source = "export default { title: 'pg bench', async run(ctx) {\n" + script_body + "\n} };\n";
      request.limits.memory_bytes = std::size_t{3} << 30;
      request.limits.timeout = std::chrono::minutes(10);
      request.extensions.push_back(std::make_shared<as::duck::DuckExtension>(databases, "bench"));
      request.extensions.push_back(std::make_shared<as::datasources::DatasourceExtension>(registry, "bench", std::vector<std::string>{"pg"}));
      as::datasources::add_duck_transfer(request.extensions, registry, "bench", {"pg"});
      auto outcome = as::sandbox::run_analysis(request);
      if (outcome.status != as::sandbox::RunStatus::Completed) throw std::runtime_error(mode + " run failed: " + outcome.failure->message);
      return as::parse_json(outcome.result_json);
    };
    if (mode == "export") {
      // The table to export, loaded first (untimed); the destination is dropped before and after.
      run("await ctx.duckdb.load('pg', 'SELECT * FROM " + table + " WHERE id <= " + rows + "', 'loaded');"
          "await ctx.datasource.pg.execute('DROP TABLE IF EXISTS pg_load_bench_export'); return {};");
    }
    as::Value result = run("const started = Date.now();\n" + body + "\nreturn { ms: Date.now() - started, n };");
    if (mode == "export") run("await ctx.datasource.pg.execute('DROP TABLE IF EXISTS pg_load_bench_export'); return {};");
    double ms = result.find("ms")->as<double>();
    double n = result.find("n")->as<double>();
    std::printf("%s rows=%.0f ms=%.0f rows_per_s=%.0f\n", mode.c_str(), n, ms, n / (ms / 1000.0));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "pg_load_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
