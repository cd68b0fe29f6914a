#pragma once
// Shared pieces of the jobs tests: a catalog in a temporary directory, analyses from a run()
// body, and TestHooks, a real ctx extension that lets a test see where a run is (ctx.signal)
// and hold it inside a host call (ctx.waitForGate).
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "catalog/sqlite_store.h"
#include "jobs/job_service.h"

namespace as::testing {

// ctx.signal(name): records `name` and returns at once.
// ctx.waitForGate(): a host call (runs on the pool) that resolves when the test opens the gate
// or the run is stopped; it resolves to true when the gate opened.
class TestHooks : public sandbox::ContextExtension {
 public:
  bool install(sandbox::RunScope& scope, JSValueConst ctx_object) override;

  // Waits until a run called ctx.signal(name); false if that does not happen within `limit`
  // (a safety net so a broken build fails instead of hanging, not a timing assertion).
  bool wait_for_signal(const std::string& name, std::chrono::milliseconds limit = std::chrono::seconds(30));
  void open_gate();
  // Waits until `count` waitForGate calls ended because their run stopped (safety net as above).
  bool wait_for_stopped_host_calls(int count, std::chrono::milliseconds limit = std::chrono::seconds(30));

 private:
  mutable std::mutex mutex_;
  std::condition_variable_any changed_;  // _any: host calls wait on it with the run's stop token
  std::set<std::string> signals_;
  bool gate_open_ = false;
  int stopped_host_calls_ = 0;
};

// Collects a run's events (subscribe) and waits for the final status.
struct EventLog {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<jobs::JobEvent> events;

  jobs::JobListener listener();
  bool wait_for_final(std::chrono::milliseconds limit = std::chrono::seconds(30));
  // "log:one", "status:running", ... in order.
  std::vector<std::string> summary();
};

class JobsTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Creates `name` with `export default { title, async run(ctx, params) { <body> } }`.
  catalog::Analysis add(const std::string& name, const std::string& body, const std::string& metadata_json = "{}");
  // A service with `workers` workers whose runs all get `hooks` and `limits`.
  jobs::JobService& start(std::size_t workers = 2);
  void stop_service() { service_.reset(); }
  jobs::JobStatus run_to_end(const std::string& analysis, const Value& params = ValueObject{});
  jobs::JobStatus wait(const std::string& run_id);

  std::filesystem::path dir_;
  std::unique_ptr<catalog::SqliteStore> store_;
  std::shared_ptr<TestHooks> hooks_ = std::make_shared<TestHooks>();
  std::map<std::string, sandbox::RunLimits> limits_;  // per analysis; default limits otherwise
  std::vector<std::string> environments_made_;         // analysis names the factory was asked for
  std::mutex environments_mutex_;
  std::unique_ptr<jobs::JobService> service_;
};

std::string describe(const jobs::JobStatus& status);

// Stored metadata declaring one optional boolean parameter: submit() refuses undeclared ones.
std::string boolean_parameter(const std::string& name);

}  // namespace as::testing
