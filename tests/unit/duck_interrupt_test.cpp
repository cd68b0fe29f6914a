// A long DuckDB statement stops when the run's deadline passes, when the run is cancelled and
// when the run is over (spec: issue 5, item 6: within 200 ms; asserted generously, reported).
#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "duck/duck_error.h"
#include "duck/duck_session.h"
#include "duck_test_support.h"
#include "run_helpers.h"
#include "sandbox/thread_pool.h"

using namespace as;
using namespace as::sandbox;
using as::testing::DuckWorld;
using as::testing::failure_message;
using as::testing::ms_since;
using as::testing::pool_free_after;
using as::testing::run_duck;
using Clock = std::chrono::steady_clock;

namespace {

// Minutes of work for DuckDB if nobody stops it.
constexpr const char* kLongQuery = "SELECT sum(hash(i)) AS h FROM range(1000000000000) t(i)";
constexpr double kGenerousBoundMs = 1000;

}  // namespace

TEST(DuckInterrupt, DeadlineInterruptsALongQuery) {
  DuckWorld world;
  ThreadPool pool(1);
  RunRequest request;
  request.pool = &pool;
  request.limits.timeout = std::chrono::milliseconds(500);
  auto started = Clock::now();
  auto outcome = run_duck(std::string("await ctx.duckdb.query('") + kLongQuery + "');", world.databases, "test", request);
  ASSERT_EQ(outcome.status, RunStatus::Failed) << failure_message(outcome);
  EXPECT_EQ(outcome.failure->limit, "timeout_ms");
  double latency = pool_free_after(pool, started + request.limits.timeout);
  std::cout << "[ measured ] deadline -> DuckDB statement returned: " << latency << " ms\n";
  EXPECT_LT(latency, kGenerousBoundMs);
}

TEST(DuckInterrupt, CancelInterruptsALongQuery) {
  DuckWorld world;
  ThreadPool pool(1);
  std::stop_source cancel;
  RunRequest request;
  request.pool = &pool;
  request.cancel = cancel.get_token();
  Clock::time_point cancelled_at;
  std::jthread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    cancelled_at = Clock::now();
    cancel.request_stop();
  });
  auto outcome = run_duck(std::string("await ctx.duckdb.exec('") + kLongQuery + "');", world.databases, "test", request);
  ASSERT_EQ(outcome.status, RunStatus::Cancelled) << failure_message(outcome);
  canceller.join();
  double latency = pool_free_after(pool, cancelled_at);
  std::cout << "[ measured ] cancel -> DuckDB statement returned: " << latency << " ms\n";
  EXPECT_LT(latency, kGenerousBoundMs);
}

TEST(DuckInterrupt, EndOfRunInterruptsAQueryTheScriptDidNotAwait) {
  DuckWorld world;
  ThreadPool pool(1);
  RunRequest request;
  request.pool = &pool;
  // run() returns while the query is still running on the pool.
  auto outcome = run_duck(std::string("ctx.duckdb.query('") + kLongQuery + "').catch(() => {});\n"
                          "await ctx.sleep(200);\nreturn { returned: true };",
                          world.databases, "test", request);
  auto ended_at = Clock::now();
  ASSERT_EQ(outcome.status, RunStatus::Completed) << failure_message(outcome);
  double latency = pool_free_after(pool, ended_at);
  std::cout << "[ measured ] run end -> DuckDB statement returned: " << latency << " ms\n";
  EXPECT_LT(latency, kGenerousBoundMs);
}

TEST(DuckInterrupt, SessionStopTokenInterruptsWithAClearError) {
  DuckWorld world;
  duck::DuckSession session([&] { return world.databases->open("test"); });
  std::stop_source stop;
  auto running = std::async(std::launch::async, [&] { session.query(kLongQuery, {}, stop.get_token()); });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto stopped_at = Clock::now();
  stop.request_stop();
  try {
    running.get();
    FAIL() << "the query finished instead of being interrupted";
  } catch (const duck::DuckError& e) {
    EXPECT_NE(std::string(e.what()).find("interrupted"), std::string::npos) << e.what();
  }
  double latency = ms_since(stopped_at);
  std::cout << "[ measured ] stop token -> query() returned: " << latency << " ms\n";
  EXPECT_LT(latency, kGenerousBoundMs);
  // The connection is usable again afterwards (DuckDB clears the interrupt for the next statement).
  auto rows = session.query("SELECT 42 AS v", {}, std::stop_source().get_token());
  EXPECT_EQ(rows.row_count, 1u);
}

TEST(DuckInterrupt, EndedSessionRefusesNewStatements) {
  DuckWorld world;
  duck::DuckSession session([&] { return world.databases->open("test"); });
  session.end_run();
  EXPECT_THROW(session.execute("SELECT 1", std::stop_source().get_token()), duck::DuckError);
}
