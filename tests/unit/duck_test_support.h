#pragma once
// Shared by the duck_*_test files: a throw-away data directory and runs whose ctx has duckdb.
#include <chrono>
#include <filesystem>
#include <stop_token>
#include <thread>
#include <memory>
#include <string>

#include "duck/database_registry.h"
#include "sandbox/sandbox.h"
#include "sandbox/thread_pool.h"

namespace as::testing {

// A fresh directory under the system temp dir, removed with everything in it at scope exit.
class TempDir {
 public:
  TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Small enough for the shared test machine.
duck::DuckSettings test_settings();

// A registry over a fresh data directory (both live as long as the returned pointer).
struct DuckWorld {
  TempDir dir;
  std::shared_ptr<duck::DatabaseRegistry> databases;
  explicit DuckWorld(duck::DuckSettings settings = test_settings());
};

// Runs `export default { title: 't', async run(ctx, params) { <body> } }` with ctx.duckdb on
// `project` of `databases`.
sandbox::RunOutcome run_duck(const std::string& body, const std::shared_ptr<duck::DatabaseRegistry>& databases,
                             const std::string& project = "test", sandbox::RunRequest request = {});

// Runs `body` and expects it to complete; returns result_json (and fails the test otherwise).
std::string run_duck_ok(const std::string& body, const std::shared_ptr<duck::DatabaseRegistry>& databases,
                        const std::string& project = "test");

// Milliseconds from `since` to now (steady clock).
double ms_since(std::chrono::steady_clock::time_point since);

// Asks `source` to stop after `delay`, from a thread of its own (joined when this goes).
class StopLater {
 public:
  StopLater(std::stop_source& source, std::chrono::milliseconds delay);
  // When the stop was requested (waits for it).
  std::chrono::steady_clock::time_point stopped_at();

 private:
  std::chrono::steady_clock::time_point stopped_at_;
  std::jthread thread_;  // declared last: joined before stopped_at_ goes
};

// How long after `since` the one worker of `pool` is free again: whatever DuckDB statement a run
// left on it has returned (a probe task can only start after it).
double pool_free_after(sandbox::ThreadPool& pool, std::chrono::steady_clock::time_point since);

}  // namespace as::testing
