#include "jobs_test_support.h"

#include <unistd.h>

#include <atomic>

#include <fmt/format.h>

#include "sandbox/event_loop.h"
#include "sandbox/host_function.h"
#include "sandbox/js_value.h"

namespace as::testing {

bool TestHooks::install(sandbox::RunScope& scope, JSValueConst ctx_object) {
  JSContext* ctx = scope.ctx;
  auto signal = [this](JSContext* c, JSValueConst, int argc, JSValueConst* argv) -> JSValue {
    std::string name = argc >= 1 ? sandbox::JsCString(c, argv[0]).str() : "";
    {
      std::lock_guard lock(mutex_);
      signals_.insert(name);
    }
    changed_.notify_all();
    return JS_UNDEFINED;
  };
  auto wait_for_gate = [this, &scope](JSContext*, JSValueConst, int, JSValueConst*) -> JSValue {
    return scope.loop.spawn([this](std::stop_token stop) -> sandbox::Settle {
      std::unique_lock lock(mutex_);
      bool opened = changed_.wait(lock, stop, [this] { return gate_open_; });
      if (!opened) {
        ++stopped_host_calls_;
        changed_.notify_all();
      }
      return [opened](JSContext* c) { return JS_NewBool(c, opened); };
    });
  };
  return sandbox::define_host_function(ctx, ctx_object, "signal", 1, signal) &&
         sandbox::define_host_function(ctx, ctx_object, "waitForGate", 0, wait_for_gate);
}

bool TestHooks::wait_for_signal(const std::string& name, std::chrono::milliseconds limit) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, limit, [&] { return signals_.contains(name); });
}

void TestHooks::open_gate() {
  {
    std::lock_guard lock(mutex_);
    gate_open_ = true;
  }
  changed_.notify_all();
}

bool TestHooks::wait_for_stopped_host_calls(int count, std::chrono::milliseconds limit) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, limit, [&] { return stopped_host_calls_ >= count; });
}

jobs::JobListener EventLog::listener() {
  return [this](const jobs::JobEvent& event) {
    {
      std::lock_guard lock(mutex);
      events.push_back(event);
    }
    changed.notify_all();
  };
}

bool EventLog::wait_for_final(std::chrono::milliseconds limit) {
  std::unique_lock lock(mutex);
  return changed.wait_for(lock, limit, [this] {
    return !events.empty() && events.back().kind == jobs::JobEvent::Kind::Status && catalog::is_finished(events.back().state);
  });
}

std::vector<std::string> EventLog::summary() {
  std::lock_guard lock(mutex);
  std::vector<std::string> out;
  for (const auto& event : events) {
    out.push_back(event.kind == jobs::JobEvent::Kind::Log ? "log:" + event.log.message
                                                          : std::string("status:") + catalog::to_string(event.state));
  }
  return out;
}

void JobsTest::SetUp() {
  static std::atomic<int> counter{0};
  dir_ = std::filesystem::temp_directory_path() / fmt::format("as-jobs-{}-{}", getpid(), ++counter);
  std::filesystem::remove_all(dir_);
  std::filesystem::create_directories(dir_);
  store_ = std::make_unique<catalog::SqliteStore>((dir_ / "catalog.db").string());
}

void JobsTest::TearDown() {
  service_.reset();
  store_.reset();
  std::filesystem::remove_all(dir_);
}

catalog::Analysis JobsTest::add(const std::string& name, const std::string& body, const std::string& metadata_json) {
  catalog::NewAnalysis analysis;
  analysis.project = "default";
  analysis.name = name;
  analysis.title = name;
  analysis.script = "export default {\n  title: '" + name + "',\n  async run(ctx, params) {\n" + body + "\n  },\n};\n";
  analysis.metadata_json = metadata_json;
  return store_->create_analysis(analysis);
}

jobs::JobService& JobsTest::start(std::size_t workers) {
  jobs::JobServiceOptions options;
  options.data_dir = dir_;
  options.workers = workers;
  options.poll_interval = std::chrono::milliseconds(200);
  auto factory = [this](const catalog::Analysis& analysis) {
    {
      std::lock_guard lock(environments_mutex_);
      environments_made_.push_back(analysis.name);
    }
    jobs::RunEnvironment environment;
    environment.extensions.push_back(hooks_);
    if (auto it = limits_.find(analysis.name); it != limits_.end()) environment.limits = it->second;
    return environment;
  };
  service_ = std::make_unique<jobs::JobService>(*store_, options, factory);
  return *service_;
}

jobs::JobStatus JobsTest::wait(const std::string& run_id) { return service_->wait(run_id, std::chrono::seconds(60)); }

jobs::JobStatus JobsTest::run_to_end(const std::string& analysis, const Value& params) {
  std::string id = service_->submit("default", analysis, params, catalog::RunTrigger::Manual, "tester");
  return wait(id);
}

std::string describe(const jobs::JobStatus& status) {
  return fmt::format("{} run {} of '{}': error={} result={}", catalog::to_string(status.run.state), status.run.id,
                     status.run.analysis_name, status.run.error.value_or("none"), status.result_json.value_or("none"));
}

std::string boolean_parameter(const std::string& name) {
  return fmt::format(R"({{"parameters":{{"{}":{{"type":"boolean"}}}}}})", name);
}

}  // namespace as::testing
