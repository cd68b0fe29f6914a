// What validate_analysis costs for a realistic analysis of about 200 lines
// (bench/validate_analysis.js: 12 helper functions, 8 parameters of every kind including grouped
// and dynamic options, a schedule in a named time zone, dependencies, a 40-line run()), and its
// parts. Target (issue 3): median <= 2 ms for the whole validation. docs/performance.md.
//
//   validate_bench [google-benchmark flags...]   (reports mean, median and stddev of 10 repetitions)
#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "sandbox/script_compiler.h"
#include "validate/js_tokens.h"
#include "validate/validator.h"

namespace {

const std::string& analysis_source() {
  static const std::string source = [] {
    std::ifstream in(VALIDATE_BENCH_ANALYSIS);
    if (!in) throw std::runtime_error("cannot read " VALIDATE_BENCH_ANALYSIS);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }();
  return source;
}

as::validate::ValidationEnvironment environment() {
  as::validate::ValidationEnvironment env;
  env.datasources = {"postgres_main", "clickhouse"};
  env.analysis_exists = [](const std::string& name) { return name == "customer_metrics"; };
  env.analysis_name = "monthly_sales";
  return env;
}

void validate_whole(benchmark::State& state) {
  const auto env = environment();
  if (!as::validate::validate_analysis(analysis_source(), env).valid) {
    state.SkipWithError("the bench analysis does not validate");
    return;
  }
  for (auto _ : state) {
    auto result = as::validate::validate_analysis(analysis_source(), env);
    benchmark::DoNotOptimize(result);
  }
}

void tokenize_only(benchmark::State& state) {
  for (auto _ : state) {
    auto tokens = as::validate::tokenize(analysis_source());
    benchmark::DoNotOptimize(tokens);
  }
}

void compile_only(benchmark::State& state) {
  for (auto _ : state) {
    auto compiled = as::sandbox::compile_module(analysis_source(), "analysis.js");
    benchmark::DoNotOptimize(compiled);
  }
}

BENCHMARK(validate_whole)->Unit(benchmark::kMicrosecond)->Repetitions(10)->ReportAggregatesOnly(true);
BENCHMARK(tokenize_only)->Unit(benchmark::kMicrosecond)->Repetitions(10)->ReportAggregatesOnly(true);
BENCHMARK(compile_only)->Unit(benchmark::kMicrosecond)->Repetitions(10)->ReportAggregatesOnly(true);

}  // namespace

BENCHMARK_MAIN();
