// Figures of docs/performance.md (section "The project DuckDB"):
//  1. ctx.duckdb.query of ROWS rows x 6 mixed columns (BIGINT, DOUBLE, VARCHAR, DATE, BOOLEAN,
//     TIMESTAMP) into JS rows, in rows/s, against DuckDB materialising the same result through
//     the C API with no JS, in the same process and on the same database file.
//  2. Where the ctx.duckdb.query time goes: fetching the chunks (pool thread) and building the
//     JS rows (JS thread), timed apart.
//  3. For reference, QuickJS itself building the same rows from JS object literals.
//  4. Per-run connection set-up (ProjectDatabase::connect, i.e. duckdb_connect) and tear-down.
//
//   duck_bench [--rows=1000000] [--reps=5] [--connects=2000]
//
// query() refuses results over 10 MB (max_query_result_bytes); 1,000,000 rows are ~60 MB, so
// this benchmark raises that project setting to 4 GB, and the run's JS heap limit to 3 GB.
#include <duckdb.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "duck/database_registry.h"
#include "duck/duck_extension.h"
#include "duck/duck_session.h"
#include "duck/js_rows.h"
#include "sandbox/sandbox.h"

namespace {

using Clock = std::chrono::steady_clock;
using as::duck::DataChunk;
using as::duck::QueryResult;

constexpr const char* kSelect = "SELECT * FROM bench_rows";

double ms_since(Clock::time_point since) { return std::chrono::duration<double, std::milli>(Clock::now() - since).count(); }

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  std::size_t mid = values.size() / 2;
  return values.size() % 2 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

long option(int argc, char** argv, std::string_view name, long fallback) {
  std::string prefix = "--" + std::string(name) + "=";
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg.starts_with(prefix)) return std::stol(std::string(arg.substr(prefix.size())));
  }
  return fallback;
}

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "duck-bench-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// DuckDB alone: duckdb_query materialises the result, then every chunk is fetched.
double raw_materialised_ms(duckdb_connection connection, std::size_t& rows) {
  auto started = Clock::now();
  QueryResult result;
  if (duckdb_query(connection, kSelect, result.out()) != DuckDBSuccess) throw std::runtime_error(duckdb_result_error(result.get()));
  rows = 0;
  while (DataChunk chunk{duckdb_fetch_chunk(*result.get())}) rows += duckdb_data_chunk_get_size(chunk.get());
  return ms_since(started);
}

// DuckDB alone, streaming: what ctx.duckdb.query uses to stop early at its size limit.
double raw_streaming_ms(duckdb_connection connection, std::size_t& rows) {
  auto started = Clock::now();
  as::duck::PreparedStatement statement;
  if (duckdb_prepare(connection, kSelect, statement.out()) != DuckDBSuccess) throw std::runtime_error("prepare failed");
  as::duck::PendingResult pending;
  if (duckdb_pending_prepared_streaming(statement.get(), pending.out()) != DuckDBSuccess) throw std::runtime_error("pending failed");
  QueryResult result;
  if (duckdb_execute_pending(pending.get(), result.out()) != DuckDBSuccess) throw std::runtime_error(duckdb_result_error(result.get()));
  rows = 0;
  while (DataChunk chunk{duckdb_fetch_chunk(*result.get())}) rows += duckdb_data_chunk_get_size(chunk.get());
  return ms_since(started);
}

// The whole ctx.duckdb.query call as a script sees it, timed inside the script.
double ctx_query_ms(const std::shared_ptr<as::duck::DatabaseRegistry>& databases, std::size_t& rows) {
  as::sandbox::RunRequest request;
  request.source =
      "export default { title: 'duck bench', async run(ctx) {\n"
      "  const started = Date.now();\n"
      "  const rows = await ctx.duckdb.query('SELECT * FROM bench_rows');\n"
      "  const ms = Date.now() - started;\n"
      "  return { ms, n: rows.length, sample: rows[rows.length - 1] };\n"
      "} };\n";
  request.limits.memory_bytes = std::size_t{3} << 30;
  request.limits.timeout = std::chrono::minutes(10);
  request.extensions.push_back(std::make_shared<as::duck::DuckExtension>(databases, "bench"));
  auto outcome = as::sandbox::run_analysis(request);
  if (outcome.status != as::sandbox::RunStatus::Completed) throw std::runtime_error("ctx.duckdb.query run failed: " + outcome.failure->message);
  as::Value result = as::parse_json(outcome.result_json);
  rows = static_cast<std::size_t>(result.find("n")->as<double>());
  return result.find("ms")->as<double>();
}

// Reference point for the engine itself: the same rows (same value types, strings of the same
// lengths) built by QuickJS from JS object literals, no DuckDB involved.
double js_literals_ms(long rows) {
  as::sandbox::RunRequest request;
  request.source =
      "export default { title: 'literal rows', async run(ctx, params) {\n"
      "  const n = params.rows, rows = new Array(n), started = Date.now();\n"
      "  for (let i = 0; i < n; i++) rows[i] = { id: i, amount: i * 0.25, name: 'customer_' + (i % 10000),\n"
      "    day: '2020-01-01', flag: i % 3 === 0, at: '2024-01-01T00:00:00' };\n"
      "  return { ms: Date.now() - started };\n"
      "} };\n";
  request.params = as::ValueObject{{"rows", static_cast<double>(rows)}};
  request.limits.memory_bytes = std::size_t{3} << 30;
  request.limits.timeout = std::chrono::minutes(10);
  auto outcome = as::sandbox::run_analysis(request);
  if (outcome.status != as::sandbox::RunStatus::Completed) throw std::runtime_error("literal run failed: " + outcome.failure->message);
  return as::parse_json(outcome.result_json).find("ms")->as<double>();
}

struct SplitTimes {
  double fetch_ms;
  double build_ms;
};

// The two halves of ctx.duckdb.query: DuckSession::query (pool thread) and rows_to_js (JS thread).
SplitTimes split_times(const std::shared_ptr<as::duck::DatabaseRegistry>& databases) {
  as::duck::DuckSession session([&] { return databases->open("bench"); });
  std::stop_source never;
  auto started = Clock::now();
  as::duck::FetchedRows rows = session.query(kSelect, {}, never.get_token());
  double fetch_ms = ms_since(started);
  JSRuntime* runtime = JS_NewRuntime();
  JSContext* context = JS_NewContext(runtime);
  started = Clock::now();
  JSValue array = as::duck::rows_to_js(context, rows);
  double build_ms = ms_since(started);
  bool failed = JS_IsException(array);
  JS_FreeValue(context, array);
  JS_FreeContext(context);
  JS_FreeRuntime(runtime);
  if (failed) throw std::runtime_error("rows_to_js failed");
  return {fetch_ms, build_ms};
}

}  // namespace

int main(int argc, char** argv) {
  const long rows_wanted = option(argc, argv, "rows", 1'000'000);
  const int reps = static_cast<int>(option(argc, argv, "reps", 5));
  const int connects = static_cast<int>(option(argc, argv, "connects", 2000));

  TempDir dir;
  as::duck::DuckSettings settings = as::duck::DuckSettings::for_this_machine();
  settings.max_query_result_bytes = std::size_t{4} << 30;  // see the header comment
  auto databases = std::make_shared<as::duck::DatabaseRegistry>(dir.path(), settings);
  auto database = databases->open("bench");
  std::printf("DuckDB %s, memory_limit %.1f GB, threads %u, rows %ld, reps %d (median reported)\n", duckdb_library_version(),
              settings.memory_limit_bytes / 1073741824.0, settings.threads, rows_wanted, reps);

  {
    as::duck::DuckSession setup([&] { return database; });
    setup.execute("CREATE TABLE bench_rows AS SELECT i::BIGINT AS id, i * 0.25 AS amount, 'customer_' || (i % 10000) AS name, "
                  "DATE '2020-01-01' + (i % 1500)::INTEGER AS day, i % 3 = 0 AS flag, "
                  "TIMESTAMP '2024-01-01' + to_seconds(i) AS at FROM range(" + std::to_string(rows_wanted) + ") t(i); CHECKPOINT;",
                  std::stop_source().get_token());
  }

  auto connection = database->connect();
  std::vector<double> raw, streaming, ctx, fetch, build, literals;
  std::size_t rows = 0;
  for (int rep = 0; rep < reps; ++rep) {
    raw.push_back(raw_materialised_ms(connection.get(), rows));
    streaming.push_back(raw_streaming_ms(connection.get(), rows));
    ctx.push_back(ctx_query_ms(databases, rows));
    SplitTimes split = split_times(databases);
    fetch.push_back(split.fetch_ms);
    build.push_back(split.build_ms);
    literals.push_back(js_literals_ms(rows_wanted));
  }
  auto rate = [&](double ms) { return static_cast<double>(rows) / (ms / 1000.0); };
  double raw_ms = median(raw), ctx_ms = median(ctx);
  std::printf("\n| %-62s | %10s | %14s |\n", "1,000,000 rows x 6 columns", "median ms", "rows/s");
  std::printf("|%s|%s|%s|\n", std::string(64, '-').c_str(), std::string(12, '-').c_str(), std::string(16, '-').c_str());
  std::printf("| %-62s | %10.1f | %14.0f |\n", "DuckDB C API, materialised (duckdb_query + duckdb_fetch_chunk)", raw_ms, rate(raw_ms));
  std::printf("| %-62s | %10.1f | %14.0f |\n", "DuckDB C API, streaming (pending_prepared_streaming + fetch)", median(streaming), rate(median(streaming)));
  std::printf("| %-62s | %10.1f | %14.0f |\n", "ctx.duckdb.query into JS rows (timed in the script)", ctx_ms, rate(ctx_ms));
  std::printf("| %-62s | %10.1f | %14s |\n", "  of which: fetch + measure chunks (DuckSession::query)", median(fetch), "");
  std::printf("| %-62s | %10.1f | %14s |\n", "  of which: build JS rows (rows_to_js)", median(build), "");
  std::printf("| %-62s | %10.1f | %14.0f |\n", "reference: QuickJS building the same rows from JS object literals", median(literals),
              rate(median(literals)));
  std::printf("\nctx.duckdb.query rate / raw materialised rate: %.0f%% (target >= 40%%)\n", 100.0 * raw_ms / ctx_ms);

  std::vector<double> connect_ms, disconnect_ms;
  for (int i = 0; i < connects; ++i) {
    auto started = Clock::now();
    std::optional<as::duck::ProjectConnection> made(database->connect());
    connect_ms.push_back(ms_since(started));
    started = Clock::now();
    made.reset();
    disconnect_ms.push_back(ms_since(started));
  }
  double connect_median = median(connect_ms);
  std::sort(connect_ms.begin(), connect_ms.end());
  double connect_p99 = connect_ms[connect_ms.size() * 99 / 100];
  std::printf("\nPer-run connection (n=%d): connect median %.4f ms (target <= 0.2 ms), p99 %.4f ms; disconnect median %.4f ms\n",
              connects, connect_median, connect_p99, median(disconnect_ms));
  return 0;
}
