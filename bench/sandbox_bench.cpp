// Cold-start latency of one trivial analysis, against bare QuickJS-ng measured in the same process.
//
// Every case times each single run itself (steady_clock around one run), so besides Google
// Benchmark's own figures it reports the median and the p99 of single runs (counters p50_us and
// p99_us), and prints a summary with the ratios against the bare-QuickJS baselines at the end.
//
//   sandbox_bench [--runs=N] [--warmup=N] [google-benchmark flags...]
//
// --runs: timed runs per case (default 2000); --warmup: untimed runs before them (default 100).
// See docs/performance.md for the method and the figures.
#include <benchmark/benchmark.h>
#include <quickjs.h>

#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "sandbox/lockdown.h"
#include "sandbox/memory_budget.h"
#include "sandbox/sandbox.h"
#include "sandbox/script_compiler.h"
#include "trivial_analysis.h"

namespace {

using Clock = std::chrono::steady_clock;
namespace sb = as::sandbox;

using as::bench::kTrivialSource;
constexpr std::string_view kExpectedJson = as::bench::kTrivialJson;

int g_runs = 2000;
int g_warmup = 100;

struct Summary {
  std::string label;
  double median_us = 0;
  double p99_us = 0;
  double min_us = 0;
  double max_us = 0;
  double mean_us = 0;
  double cpu_median_us = 0;  // thread CPU time: what the run cost without the scheduler's waits
  double cpu_p99_us = 0;
  std::size_t samples = 0;
};
std::map<std::string, Summary> g_summaries;  // by case name, filled as the cases run

double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  // Nearest-rank percentile: the smallest sample with at least p% of the samples at or below it.
  auto rank = static_cast<std::size_t>(p / 100.0 * static_cast<double>(sorted.size()) + 0.999999);
  rank = std::clamp<std::size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

[[noreturn]] void die(const std::string& message) {
  std::fprintf(stderr, "sandbox_bench: %s\n", message.c_str());
  std::exit(1);
}

double thread_cpu_us() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

// Runs `once` g_warmup times untimed, then once per benchmark iteration, timing each call: wall
// time (steady_clock, the figure reported) and this thread's CPU time (which leaves out the time
// the run waited for a CPU while other processes had it: it shows whether a slow p99 is the run
// or the machine).
template <class F>
void timed_runs(benchmark::State& state, const char* key, const char* label, F&& once) {
  for (int i = 0; i < g_warmup; ++i) once();
  std::vector<double> sorted, cpu;
  sorted.reserve(static_cast<std::size_t>(state.max_iterations));
  cpu.reserve(static_cast<std::size_t>(state.max_iterations));
  for (auto _ : state) {
    double cpu_started = thread_cpu_us();
    auto started = Clock::now();
    once();
    double seconds = std::chrono::duration<double>(Clock::now() - started).count();
    cpu.push_back(thread_cpu_us() - cpu_started);
    state.SetIterationTime(seconds);
    sorted.push_back(seconds * 1e6);
  }
  std::sort(sorted.begin(), sorted.end());
  std::sort(cpu.begin(), cpu.end());
  Summary s;
  s.label = label;
  s.samples = sorted.size();
  s.median_us = percentile(sorted, 50);
  s.p99_us = percentile(sorted, 99);
  s.min_us = sorted.empty() ? 0 : sorted.front();
  s.max_us = sorted.empty() ? 0 : sorted.back();
  double total = 0;
  for (double v : sorted) total += v;
  s.mean_us = sorted.empty() ? 0 : total / static_cast<double>(sorted.size());
  s.cpu_median_us = percentile(cpu, 50);
  s.cpu_p99_us = percentile(cpu, 99);
  state.counters["p50_us"] = s.median_us;
  state.counters["p99_us"] = s.p99_us;
  state.counters["cpu_p99_us"] = s.cpu_p99_us;
  g_summaries[key] = s;
}

// ---- Bare QuickJS-ng: the named baselines ----

// JS_NewRuntime + JS_NewContext + JS_FreeContext + JS_FreeRuntime, nothing else.
void bare_lifecycle_once() {
  JSRuntime* rt = JS_NewRuntime();
  JSContext* ctx = JS_NewContext(rt);
  if (!ctx) die("JS_NewContext failed");
  JS_FreeContext(ctx);
  JS_FreeRuntime(rt);
}

// The lifecycle plus JS_Eval of the trivial module (parse + compile + link + evaluate).
void bare_module_eval_once() {
  JSRuntime* rt = JS_NewRuntime();
  JSContext* ctx = JS_NewContext(rt);
  JSValue v = JS_Eval(ctx, kTrivialSource.data(), kTrivialSource.size(), "analysis.js", JS_EVAL_TYPE_MODULE);
  if (JS_IsException(v)) die("bare module eval threw");
  JS_FreeValue(ctx, v);
  JS_FreeContext(ctx);
  JS_FreeRuntime(rt);
}

// What a run does, with bare QuickJS and nothing of ours: one runtime + full context, compile
// the module, evaluate it, call default.run(), JSON.stringify the result. Not a named target,
// but it separates "QuickJS doing the same work" from "our per-run overhead".
void bare_module_run_json_once() {
  JSRuntime* rt = JS_NewRuntime();
  JSContext* ctx = JS_NewContext(rt);
  JSValue module = JS_Eval(ctx, kTrivialSource.data(), kTrivialSource.size(), "analysis.js",
                           JS_EVAL_TYPE_MODULE | JS_EVAL_FLAG_COMPILE_ONLY);
  if (JS_IsException(module)) die("bare compile threw");
  auto* def = static_cast<JSModuleDef*>(JS_VALUE_GET_PTR(module));
  JSValue evaluated = JS_EvalFunction(ctx, module);
  if (JS_IsException(evaluated)) die("bare evaluate threw");
  JS_FreeValue(ctx, evaluated);
  JSValue ns = JS_GetModuleNamespace(ctx, def);
  JSValue analysis = JS_GetPropertyStr(ctx, ns, "default");
  JSValue run = JS_GetPropertyStr(ctx, analysis, "run");
  JSValue args[] = {JS_NewObject(ctx), JS_NewObject(ctx)};
  JSValue result = JS_Call(ctx, run, analysis, 2, args);
  if (JS_IsException(result)) die("bare run() threw");
  JSValue json = JS_JSONStringify(ctx, result, JS_UNDEFINED, JS_UNDEFINED);
  std::size_t length = 0;
  const char* text = JS_ToCStringLen(ctx, &length, json);
  if (!text || length == 0) die("bare JSON.stringify failed");
  benchmark::DoNotOptimize(text[0]);
  JS_FreeCString(ctx, text);
  for (JSValue v : {json, result, args[0], args[1], run, analysis, ns}) JS_FreeValue(ctx, v);
  JS_FreeContext(ctx);
  JS_FreeRuntime(rt);
}

// ---- Pieces of our run, to see where the time goes (mirror sandbox.cpp's create_runtime) ----

bool add_run_intrinsics(JSContext* ctx) {  // the list in sandbox.cpp's add_intrinsics
  return JS_AddIntrinsicBaseObjects(ctx) >= 0 && JS_AddIntrinsicDate(ctx) >= 0 && JS_AddIntrinsicRegExp(ctx) >= 0 &&
         JS_AddIntrinsicJSON(ctx) >= 0 && JS_AddIntrinsicProxy(ctx) >= 0 && JS_AddIntrinsicMapSet(ctx) >= 0 &&
         JS_AddIntrinsicTypedArrays(ctx) >= 0 && JS_AddIntrinsicPromise(ctx) >= 0 && JS_AddIntrinsicBigInt(ctx) >= 0 &&
         JS_AddIntrinsicWeakRef(ctx) >= 0;
}

// Budgeted runtime + raw context + the run's intrinsics (+ the lockdown prelude when asked).
void run_context_once(bool lockdown) {
  sb::MemoryBudget budget;
  budget.limit = 256u << 20;
  JSRuntime* rt = JS_NewRuntime2(&sb::MemoryBudget::allocator(), &budget);
  JS_SetMaxStackSize(rt, 1u << 20);
  JSContext* ctx = JS_NewContextRaw(rt);
  if (!ctx || !add_run_intrinsics(ctx)) die("could not build the run context");
  if (lockdown && !sb::lock_down_dynamic_code(ctx)) die("lock_down_dynamic_code failed");
  JS_FreeContext(ctx);
  JS_FreeRuntime(rt);
}

void compile_once() {
  auto script = sb::compile_module(kTrivialSource, "analysis.js");
  benchmark::DoNotOptimize(script->bytecode.data());
}

// ---- Our cold start: run_analysis ----

void run_analysis_once(sb::BytecodeCache* cache) {
  sb::RunRequest request;
  request.source = std::string(kTrivialSource);
  request.cache = cache;
  sb::RunOutcome outcome = sb::run_analysis(request);
  if (outcome.status != sb::RunStatus::Completed) {
    die("the trivial analysis did not complete: " + (outcome.failure ? outcome.failure->message : std::string("?")));
  }
  if (outcome.result_json != kExpectedJson) die("unexpected result " + outcome.result_json);
}

void BM_BareLifecycle(benchmark::State& state) {
  timed_runs(state, "bare_lifecycle", "bare QuickJS: NewRuntime+NewContext+Free (baseline)", bare_lifecycle_once);
}
void BM_BareModuleEval(benchmark::State& state) {
  timed_runs(state, "bare_module_eval", "bare QuickJS: lifecycle + JS_Eval(trivial module)", bare_module_eval_once);
}
void BM_BareModuleRunJson(benchmark::State& state) {
  timed_runs(state, "bare_module_run_json", "bare QuickJS: lifecycle + module + run() + JSON", bare_module_run_json_once);
}
void BM_RunContext(benchmark::State& state) {
  timed_runs(state, "run_context", "ours: budgeted runtime + run context (no lockdown)", [] { run_context_once(false); });
}
void BM_RunContextLockdown(benchmark::State& state) {
  timed_runs(state, "run_context_lockdown", "ours: budgeted runtime + run context + lockdown",
             [] { run_context_once(true); });
}
void BM_CompileModule(benchmark::State& state) {
  timed_runs(state, "compile_module", "ours: compile_module() alone", compile_once);
}
void BM_RunAnalysisNoCache(benchmark::State& state) {
  timed_runs(state, "run_nocache", "ours: run_analysis, no cache (cold start)", [] { run_analysis_once(nullptr); });
}
void BM_RunAnalysisCached(benchmark::State& state) {
  sb::BytecodeCache cache;
  timed_runs(state, "run_cached", "ours: run_analysis, bytecode cache hit", [&cache] { run_analysis_once(&cache); });
}

void register_all() {
  auto add = [](const char* name, void (*fn)(benchmark::State&)) {
    benchmark::RegisterBenchmark(name, fn)
        ->Iterations(g_runs)
        ->Repetitions(1)
        ->UseManualTime()
        ->Unit(benchmark::kMicrosecond);
  };
  add("bare/lifecycle", BM_BareLifecycle);
  add("bare/module_eval", BM_BareModuleEval);
  add("bare/module_run_json", BM_BareModuleRunJson);
  add("parts/run_context", BM_RunContext);
  add("parts/run_context_lockdown", BM_RunContextLockdown);
  add("parts/compile_module", BM_CompileModule);
  add("sandbox/run_analysis_nocache", BM_RunAnalysisNoCache);
  add("sandbox/run_analysis_cached", BM_RunAnalysisCached);
}

void print_summary() {
  auto find = [](const char* key) -> const Summary* {
    auto it = g_summaries.find(key);
    return it == g_summaries.end() ? nullptr : &it->second;
  };
  const Summary* lifecycle = find("bare_lifecycle");
  const Summary* bare_run = find("bare_module_run_json");
  std::printf("\nPer-run latency, %d timed runs per case after %d untimed warm-up runs (microseconds)\n", g_runs, g_warmup);
  std::printf("%-56s %9s %9s %9s %9s %9s %9s %12s %12s\n", "case", "median", "p99", "min", "max", "cpu med",
              "cpu p99", "med/bare_lc", "med/bare_run");
  const char* order[] = {"bare_lifecycle", "bare_module_eval", "bare_module_run_json", "run_context",
                         "run_context_lockdown", "compile_module", "run_nocache", "run_cached"};
  for (const char* key : order) {
    const Summary* s = find(key);
    if (!s) continue;
    auto ratio = [&](const Summary* base) -> std::string {
      if (!base || base->median_us <= 0) return "-";
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.2fx", s->median_us / base->median_us);
      return buf;
    };
    std::printf("%-56s %9.1f %9.1f %9.1f %9.1f %9.1f %9.1f %12s %12s\n", s->label.c_str(), s->median_us, s->p99_us,
                s->min_us, s->max_us, s->cpu_median_us, s->cpu_p99_us, ratio(lifecycle).c_str(), ratio(bare_run).c_str());
  }
  std::printf("\n(median/p99/min/max: wall time of single runs; cpu med/p99: the same runs' thread CPU time;\n"
              " med/bare_lc: median over the bare QuickJS lifecycle's median; med/bare_run: over bare lifecycle+module+run+JSON)\n");
  std::printf("\nTarget: cold start median <= 500 us\n");
  for (const char* key : {"run_nocache", "run_cached"}) {
    const Summary* s = find(key);
    if (!s) continue;
    std::printf("  %-44s median %7.1f us  p99 %7.1f us  -> %s", s->label.c_str(), s->median_us, s->p99_us,
                s->median_us <= 500 ? "MET" : "MISSED");
    if (lifecycle) std::printf("  (%.2fx the bare QuickJS lifecycle)", s->median_us / lifecycle->median_us);
    std::printf("\n");
  }
}

// Takes our own flags out of argv before Google Benchmark sees it.
void parse_own_flags(int& argc, char** argv) {
  int out = 1;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg.starts_with("--runs=")) {
      g_runs = std::atoi(argv[i] + 7);
    } else if (arg.starts_with("--warmup=")) {
      g_warmup = std::atoi(argv[i] + 9);
    } else {
      argv[out++] = argv[i];
    }
  }
  argc = out;
  if (g_runs < 1) die("--runs must be at least 1");
  if (g_warmup < 0) die("--warmup must be at least 0");
}

}  // namespace

int main(int argc, char** argv) {
  parse_own_flags(argc, argv);
  register_all();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  print_summary();
  return 0;
}
