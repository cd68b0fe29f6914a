#include "duck_test_support.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <future>

#include "duck/duck_extension.h"
#include "run_helpers.h"

namespace as::testing {

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "duck-test-XXXXXX").string();
  if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed for " + pattern);
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

duck::DuckSettings test_settings() {
  duck::DuckSettings settings;
  settings.memory_limit_bytes = 1ull << 30;
  settings.threads = 2;
  return settings;
}

DuckWorld::DuckWorld(duck::DuckSettings settings)
    : databases(std::make_shared<duck::DatabaseRegistry>(dir.path(), settings)) {}

sandbox::RunOutcome run_duck(const std::string& body, const std::shared_ptr<duck::DatabaseRegistry>& databases,
                             const std::string& project, sandbox::RunRequest request) {
  request.extensions.push_back(std::make_shared<duck::DuckExtension>(databases, project));
  return run_body(body, std::move(request));
}

std::string run_duck_ok(const std::string& body, const std::shared_ptr<duck::DatabaseRegistry>& databases,
                        const std::string& project) {
  auto outcome = run_duck(body, databases, project);
  EXPECT_EQ(outcome.status, sandbox::RunStatus::Completed) << failure_message(outcome) << "\nscript:\n" << body;
  return outcome.result_json;
}

double ms_since(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - since).count();
}

StopLater::StopLater(std::stop_source& source, std::chrono::milliseconds delay)
    : thread_([this, &source, delay] {
        std::this_thread::sleep_for(delay);
        stopped_at_ = std::chrono::steady_clock::now();
        source.request_stop();
      }) {}

std::chrono::steady_clock::time_point StopLater::stopped_at() {
  if (thread_.joinable()) thread_.join();
  return stopped_at_;
}

double pool_free_after(sandbox::ThreadPool& pool, std::chrono::steady_clock::time_point since) {
  std::promise<double> probe;
  pool.submit([&] { probe.set_value(ms_since(since)); });
  return probe.get_future().get();
}

}  // namespace as::testing
