// Figures of docs/performance.md (section "The project DuckDB"):
//  1. ctx.duckdb.query of ROWS rows x 6 mixed columns (BIGINT, DOUBLE, VARCHAR, DATE, BOOLEAN,
//     TIMESTAMP) into JS rows, in rows/s, against DuckDB materialising the same result through
//     the C API with no JS (every value read, string bytes copied out), in the same process and on the same database file.
//  2. Where the ctx.duckdb.query time goes: fetching the chunks (pool thread) and building the
//     JS rows (JS thread), timed apart, one after the other (inside ctx.duckdb.query the two
//     overlap: the JS thread builds chunk n while the pool thread fetches chunk n + 1).
//  3. For reference, QuickJS itself building the same rows from JS object literals.
//  4. Per-run connection set-up (ProjectDatabase::connect, i.e. duckdb_connect) and tear-down.
//
//   duck_bench [--rows=1000000] [--reps=5] [--connects=2000] [--build-only=0] [--retain-heap-mb=256]
//
// --retain-heap-mb sets the process's freed-heap policy as `serve` does ([server]
// retain_freed_memory, default 256 MiB; sandbox/heap_retention.h); 0 = glibc's defaults. Both the
// raw C API and the JS side run under it.
//
// --build-only=1 times only the JS-row building (rows_to_js), --reps times, for a profiler; it also
// prints the building thread's kernel time and page faults (fresh JS heap memory).
// query() refuses results over 10 MB (max_query_result_bytes); 1,000,000 rows are ~60 MB, so
// this benchmark raises that project setting to 4 GB, and the run's JS heap limit to 3 GB.
#include <duckdb.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "bench_support.h"
#include "duck/database_registry.h"
#include "duck/duck_extension.h"
#include "duck/duck_session.h"
#include "duck/js_rows.h"
#include "duck/vector_view.h"
#include "sandbox/heap_retention.h"
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

// Reads every value of a chunk as a C consumer of the result would: fixed-width values from
// the vectors, string bytes copied out, NULL masks checked. Without this the baseline would only
// fetch chunks and leave the string data untouched.
std::uint64_t read_every_value(duckdb_data_chunk chunk) {
  static std::vector<char> copy(64);
  std::uint64_t checksum = 0;
  const idx_t rows = duckdb_data_chunk_get_size(chunk);
  for (idx_t col = 0; col < duckdb_data_chunk_get_column_count(chunk); ++col) {
    duckdb_vector vector = duckdb_data_chunk_get_vector(chunk, col);
    as::duck::LogicalType type(duckdb_vector_get_column_type(vector));
    const std::uint64_t* validity = duckdb_vector_get_validity(vector);
    const void* data = duckdb_vector_get_data(vector);
    // Inline reads (no C API call per value), as the conversion under test reads them.
    auto valid = [&](idx_t row) { return !validity || ((validity[row >> 6] >> (row & 63)) & 1u); };
    switch (duckdb_get_type_id(type.get())) {
      case DUCKDB_TYPE_VARCHAR: {
        const auto* strings = static_cast<const duckdb_string_t*>(data);
        for (idx_t row = 0; row < rows; ++row) {
          if (!valid(row)) continue;
          // Copied out (the cheapest way to touch every byte), as a consumer keeping the rows would.
          as::duck::StringBytes bytes = as::duck::string_bytes(strings[row]);
          if (bytes.size > copy.size()) copy.resize(bytes.size);
          std::memcpy(copy.data(), bytes.data, bytes.size);
          checksum += bytes.size + static_cast<unsigned char>(copy[bytes.size / 2]);
        }
        break;
      }
      case DUCKDB_TYPE_BOOLEAN:
        for (idx_t row = 0; row < rows; ++row) checksum += valid(row) && static_cast<const bool*>(data)[row];
        break;
      case DUCKDB_TYPE_DATE:
        for (idx_t row = 0; row < rows; ++row) checksum += valid(row) ? static_cast<std::uint32_t>(static_cast<const std::int32_t*>(data)[row]) : 0;
        break;
      case DUCKDB_TYPE_BIGINT:
      case DUCKDB_TYPE_DOUBLE:
      case DUCKDB_TYPE_TIMESTAMP:
        for (idx_t row = 0; row < rows; ++row) checksum += valid(row) ? static_cast<const std::uint64_t*>(data)[row] : 0;
        break;
      default: throw std::runtime_error("read_every_value: unexpected column type");
    }
  }
  return checksum;
}

// DuckDB alone: duckdb_query materialises the result, then every chunk is fetched and every
// value read.
double raw_materialised_ms(duckdb_connection connection, std::size_t& rows, std::uint64_t& checksum) {
  auto started = Clock::now();
  QueryResult result;
  if (duckdb_query(connection, kSelect, result.out()) != DuckDBSuccess) throw std::runtime_error(duckdb_result_error(result.get()));
  rows = 0;
  while (DataChunk chunk{duckdb_fetch_chunk(*result.get())}) {
    rows += duckdb_data_chunk_get_size(chunk.get());
    checksum += read_every_value(chunk.get());
  }
  return ms_since(started);
}

// The earlier baseline, kept for comparison: chunks fetched, values not read.
double raw_fetch_only_ms(duckdb_connection connection) {
  auto started = Clock::now();
  QueryResult result;
  if (duckdb_query(connection, kSelect, result.out()) != DuckDBSuccess) throw std::runtime_error(duckdb_result_error(result.get()));
  while (DataChunk chunk{duckdb_fetch_chunk(*result.get())}) {
  }
  return ms_since(started);
}

// DuckDB alone, streaming (what ctx.duckdb.query uses to stop early at its size limit), every
// value read.
double raw_streaming_ms(duckdb_connection connection, std::size_t& rows, std::uint64_t& checksum) {
  auto started = Clock::now();
  as::duck::PreparedStatement statement;
  if (duckdb_prepare(connection, kSelect, statement.out()) != DuckDBSuccess) throw std::runtime_error("prepare failed");
  as::duck::PendingResult pending;
  if (duckdb_pending_prepared_streaming(statement.get(), pending.out()) != DuckDBSuccess) throw std::runtime_error("pending failed");
  QueryResult result;
  if (duckdb_execute_pending(pending.get(), result.out()) != DuckDBSuccess) throw std::runtime_error(duckdb_result_error(result.get()));
  rows = 0;
  while (DataChunk chunk{duckdb_fetch_chunk(*result.get())}) {
    rows += duckdb_data_chunk_get_size(chunk.get());
    checksum += read_every_value(chunk.get());
  }
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
  double build_cpu_ms;     // CPU time of the building thread: less sensitive to other work on the machine
  double build_kernel_ms;  // of which in the kernel (mostly page faults on memory new to the process)
  long build_page_faults;  // minor page faults of the building thread
};

rusage thread_usage() {
  rusage usage{};
  getrusage(RUSAGE_THREAD, &usage);
  return usage;
}

double kernel_ms(const rusage& usage) { return usage.ru_stime.tv_sec * 1e3 + usage.ru_stime.tv_usec / 1e3; }

double thread_cpu_ms() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return now.tv_sec * 1e3 + now.tv_nsec / 1e6;
}

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
  double cpu_started = thread_cpu_ms();
  rusage usage_started = thread_usage();
  JSValue array = as::duck::rows_to_js(context, rows);
  double build_ms = ms_since(started);
  double build_cpu_ms = thread_cpu_ms() - cpu_started;
  rusage usage_done = thread_usage();
  bool failed = JS_IsException(array);
  JS_FreeValue(context, array);
  JS_FreeContext(context);
  JS_FreeRuntime(runtime);
  if (failed) throw std::runtime_error("rows_to_js failed");
  return {fetch_ms, build_ms, build_cpu_ms, kernel_ms(usage_done) - kernel_ms(usage_started), usage_done.ru_minflt - usage_started.ru_minflt};
}

}  // namespace

int main(int argc, char** argv) {
  const long rows_wanted = as::bench::option(argc, argv, "rows", 1'000'000);
  const int reps = static_cast<int>(as::bench::option(argc, argv, "reps", 5));
  const int connects = static_cast<int>(as::bench::option(argc, argv, "connects", 2000));
  const bool build_only = as::bench::option(argc, argv, "build-only", 0) != 0;
  const long retain_heap_mb = as::bench::option(argc, argv, "retain-heap-mb", static_cast<long>(as::sandbox::kDefaultRetainedHeapBytes >> 20));
  if (!as::sandbox::retain_freed_heap(static_cast<std::size_t>(retain_heap_mb) << 20)) std::fprintf(stderr, "retain_freed_heap refused\n");

  as::bench::TempDir dir("duck-bench");
  as::duck::DuckSettings settings = as::duck::DuckSettings::for_this_machine();
  settings.max_query_result_bytes = std::size_t{4} << 30;  // see the header comment
  auto databases = std::make_shared<as::duck::DatabaseRegistry>(dir.path(), settings);
  auto database = databases->open("bench");
  std::printf("DuckDB %s, memory_limit %.1f GB, threads %u, rows %ld, reps %d (median reported), freed heap kept %ld MiB\n",
              duckdb_library_version(), settings.memory_limit_bytes / 1073741824.0, settings.threads, rows_wanted, reps, retain_heap_mb);

  {
    as::duck::DuckSession setup([&] { return database; });
    setup.execute("CREATE TABLE bench_rows AS SELECT i::BIGINT AS id, (i * 0.25)::DOUBLE AS amount, 'customer_' || (i % 10000) AS name, "
                  "DATE '2020-01-01' + (i % 1500)::INTEGER AS day, i % 3 = 0 AS flag, "
                  "TIMESTAMP '2024-01-01' + to_seconds(i) AS at FROM range(" + std::to_string(rows_wanted) + ") t(i); CHECKPOINT;",
                  std::stop_source().get_token());
  }

  if (build_only) {
    for (int rep = 0; rep < reps; ++rep) {
      SplitTimes split = split_times(databases);
      std::printf("rows_to_js: %.1f ms (thread CPU %.1f ms, of which kernel %.1f ms; %ld page faults)\n", split.build_ms,
                  split.build_cpu_ms, split.build_kernel_ms, split.build_page_faults);
    }
    return 0;
  }

  auto connection = database->connect();
  std::vector<double> raw, fetch_only, streaming, ctx, fetch, build, literals;
  std::size_t rows = 0;
  std::uint64_t checksum = 0;
  for (int rep = 0; rep < reps; ++rep) {
    raw.push_back(raw_materialised_ms(connection.get(), rows, checksum));
    fetch_only.push_back(raw_fetch_only_ms(connection.get()));
    streaming.push_back(raw_streaming_ms(connection.get(), rows, checksum));
    ctx.push_back(ctx_query_ms(databases, rows));
    SplitTimes split = split_times(databases);
    fetch.push_back(split.fetch_ms);
    build.push_back(split.build_ms);
    literals.push_back(js_literals_ms(rows_wanted));
  }
  auto rate = [&](double ms) { return static_cast<double>(rows) / (ms / 1000.0); };
  double raw_ms = median(raw), ctx_ms = median(ctx);
  std::string heading = std::to_string(rows) + " rows x 6 columns";
  std::printf("\n| %-68s | %10s | %14s |\n", heading.c_str(), "median ms", "rows/s");
  std::printf("|%s|%s|%s|\n", std::string(70, '-').c_str(), std::string(12, '-').c_str(), std::string(16, '-').c_str());
  std::printf("| %-68s | %10.1f | %14.0f |\n", "DuckDB C API, materialised (duckdb_query + fetch + read values)", raw_ms, rate(raw_ms));
  std::printf("| %-68s | %10.1f | %14.0f |\n", "  the same without reading the values (the earlier baseline)", median(fetch_only),
              rate(median(fetch_only)));
  std::printf("| %-68s | %10.1f | %14.0f |\n", "DuckDB C API, streaming (pending_prepared_streaming + fetch + read)", median(streaming), rate(median(streaming)));
  std::printf("| %-68s | %10.1f | %14.0f |\n", "ctx.duckdb.query into JS rows (timed in the script)", ctx_ms, rate(ctx_ms));
  std::printf("| %-68s | %10.1f | %14s |\n", "  apart: fetch + measure chunks (DuckSession::query)", median(fetch), "");
  std::printf("| %-68s | %10.1f | %14s |\n", "  apart: build JS rows (rows_to_js; overlaps the fetch in the query)", median(build), "");
  std::printf("| %-68s | %10.1f | %14.0f |\n", "reference: QuickJS building the same rows from JS object literals", median(literals),
              rate(median(literals)));
  std::printf("\nctx.duckdb.query rate / raw materialised rate: %.1f%% (target >= 40%%)  [checksum %llu]\n", 100.0 * raw_ms / ctx_ms,
              static_cast<unsigned long long>(checksum));

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
