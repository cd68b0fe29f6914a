// What the jobs layer adds on top of a sandbox run: submit → completed latency of the trivial
// analysis through JobService (catalog rows, worker hand-off, result file, wake-up of the
// waiter), and throughput with many concurrent submitters. The HTTP figures sit on top of this.
//
//   jobs_bench [--runs=N] [--warmup=N] [--submitters=N] [--per-submitter=N] [--workers=N] [--dir=PATH]
//
// Defaults: 1000 timed runs after 50 warm-up runs; 16 submitters x 50 runs; workers = nproc.
// The catalog is a SQLite file (WAL) in --dir (default: a fresh directory under /tmp), as in a
// real deployment; it is deleted afterwards.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "catalog/ids.h"
#include "catalog/sqlite_store.h"
#include "jobs/job_service.h"
#include "trivial_analysis.h"

namespace {

using Clock = std::chrono::steady_clock;
using namespace as;

struct Options {
  int runs = 1000;
  int warmup = 50;
  int submitters = 16;
  int per_submitter = 50;
  int workers = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::string dir;
};

bool read_int(std::string_view arg, std::string_view name, int& out) {
  if (!arg.starts_with(name)) return false;
  out = std::atoi(std::string(arg.substr(name.size())).c_str());
  return true;
}

Options parse(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (read_int(arg, "--runs=", options.runs) || read_int(arg, "--warmup=", options.warmup) ||
        read_int(arg, "--submitters=", options.submitters) || read_int(arg, "--per-submitter=", options.per_submitter) ||
        read_int(arg, "--workers=", options.workers)) {
      continue;
    }
    if (arg.starts_with("--dir=")) {
      options.dir = std::string(arg.substr(6));
      continue;
    }
    std::fprintf(stderr, "jobs_bench: unknown argument '%s'\n", argv[i]);
    std::exit(2);
  }
  if (options.runs < 1 || options.submitters < 1 || options.per_submitter < 1 || options.workers < 1) {
    std::fprintf(stderr, "jobs_bench: --runs, --submitters, --per-submitter and --workers must be at least 1\n");
    std::exit(2);
  }
  return options;
}

double ms_since(Clock::time_point start) { return std::chrono::duration<double, std::milli>(Clock::now() - start).count(); }

double percentile(std::vector<double> values, double p) {
  std::sort(values.begin(), values.end());
  auto index = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1) + 0.5);
  return values[std::min(index, values.size() - 1)];
}

void add_trivial(catalog::Store& store, const std::string& name) {
  catalog::NewAnalysis analysis;
  analysis.project = "bench";
  analysis.name = name;
  analysis.title = "trivial";
  analysis.script = std::string(bench::kTrivialSource);
  store.create_analysis(analysis);
}

// One submit, then wait for the end; fails loudly if the run did not complete as expected.
double submit_and_wait(jobs::JobService& service, const std::string& analysis) {
  auto start = Clock::now();
  std::string id = service.submit("bench", analysis, ValueObject{}, catalog::RunTrigger::Api, "bench");
  jobs::JobStatus done = service.wait(id, std::chrono::seconds(60));
  double ms = ms_since(start);
  if (done.run.state != catalog::RunState::Completed || done.result_json != bench::kTrivialJson) {
    std::fprintf(stderr, "jobs_bench: run %s ended %s: %s\n", id.c_str(), catalog::to_string(done.run.state),
                 done.run.error.value_or("").c_str());
    std::exit(1);
  }
  return ms;
}

// The parts without the sandbox: the catalog's queue round trip and the result file.
void print_breakdown(catalog::Store& store, const std::filesystem::path& dir, int runs) {
  catalog::Analysis analysis = store.get_analysis("bench", "latency");
  std::vector<double> catalog_ms;
  std::vector<double> file_ms;
  jobs::ResultStore results(dir);
  std::string stamp = catalog::now_iso8601();
  for (int i = 0; i < runs; ++i) {
    auto start = Clock::now();
    catalog::NewRun run;
    run.analysis_id = analysis.id;
    run.executed_by = "bench";
    std::string id = store.enqueue_run(run).id;
    auto claimed = store.claim_next_run();
    catalog::RunFinish finish;
    finish.completed_at = stamp;
    store.finish_run(claimed->id, finish);
    catalog_ms.push_back(ms_since(start));
    start = Clock::now();
    results.write_result(id, bench::kTrivialJson, stamp);
    file_ms.push_back(ms_since(start));
  }
  std::printf("parts, %d times each: catalog enqueue + claim + finish median %.3f ms (p99 %.3f); result file write median %.3f ms (p99 %.3f)\n",
              runs, percentile(catalog_ms, 0.5), percentile(catalog_ms, 0.99), percentile(file_ms, 0.5), percentile(file_ms, 0.99));
}

}  // namespace

int main(int argc, char** argv) {
  Options options = parse(argc, argv);
  std::filesystem::path dir = options.dir.empty()
                                  ? std::filesystem::temp_directory_path() / ("as-jobs-bench-" + std::to_string(getpid()))
                                  : std::filesystem::path(options.dir);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  {
    catalog::SqliteStore store((dir / "catalog.db").string());
    add_trivial(store, "latency");
    for (int s = 0; s < options.submitters; ++s) add_trivial(store, "throughput_" + std::to_string(s));
    jobs::JobServiceOptions service_options;
    service_options.data_dir = dir;
    service_options.workers = static_cast<std::size_t>(options.workers);
    jobs::JobService service(store, service_options);

    // Latency: one submitter, one run in flight at a time.
    for (int i = 0; i < options.warmup; ++i) submit_and_wait(service, "latency");
    std::vector<double> latencies;
    latencies.reserve(static_cast<std::size_t>(options.runs));
    for (int i = 0; i < options.runs; ++i) latencies.push_back(submit_and_wait(service, "latency"));
    std::printf("submit -> completed, trivial analysis, %d runs (%d warm-up), %d workers\n", options.runs, options.warmup,
                options.workers);
    std::printf("  median %.3f ms   p90 %.3f ms   p99 %.3f ms   min %.3f ms   max %.3f ms\n", percentile(latencies, 0.5),
                percentile(latencies, 0.9), percentile(latencies, 0.99), percentile(latencies, 0.0), percentile(latencies, 1.0));

    // Throughput: every submitter has its own analysis (runs of one analysis never overlap),
    // submits and waits in a loop, all at once.
    std::vector<std::vector<double>> per_thread(static_cast<std::size_t>(options.submitters));
    auto start = Clock::now();
    {
      std::vector<std::jthread> submitters;
      for (int s = 0; s < options.submitters; ++s) {
        submitters.emplace_back([&, s] {
          auto& mine = per_thread[static_cast<std::size_t>(s)];
          for (int i = 0; i < options.per_submitter; ++i) mine.push_back(submit_and_wait(service, "throughput_" + std::to_string(s)));
        });
      }
    }
    double seconds = ms_since(start) / 1000.0;
    std::vector<double> all;
    for (const auto& mine : per_thread) all.insert(all.end(), mine.begin(), mine.end());
    std::printf("%d concurrent submitters x %d runs (each its own analysis), %d workers\n", options.submitters,
                options.per_submitter, options.workers);
    std::printf("  %zu runs in %.2f s = %.0f runs/s; per-run submit -> completed median %.3f ms, p99 %.3f ms\n", all.size(),
                seconds, static_cast<double>(all.size()) / seconds, percentile(all, 0.5), percentile(all, 0.99));
  }
  {
    // The service is gone (its workers would claim these rows); the catalog stays.
    catalog::SqliteStore store((dir / "catalog.db").string());
    print_breakdown(store, dir / "breakdown", std::min(options.runs, 500));
  }
  std::filesystem::remove_all(dir);
  return 0;
}
