// ctx.duckdb.query builds rows while later chunks are still fetched (src/duck/query_rows.*):
// whatever ends the query part way (a DuckDB error or the size limit after the first chunk, the JS
// memory limit, the deadline, a cancel) reaches the script as one clear error, never as a short
// result, and leaves the run's connection and the project database usable.
#include <gtest/gtest.h>

#include <future>
#include <optional>
#include <thread>

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
using as::testing::run_duck_ok;
using Clock = std::chrono::steady_clock;

namespace {

// Rows for seconds of building: the deadline or a cancel comes while they stream.
constexpr const char* kManyRows = "SELECT i, 'row number ' || i AS s FROM range(200000000) t(i)";
constexpr double kGenerousBoundMs = 2000;

duck::DuckSettings unlimited_results() {
  auto settings = as::testing::test_settings();
  settings.max_query_result_bytes = std::size_t{64} << 30;
  return settings;
}

}  // namespace

TEST(DuckQueryStream, ADuckDbErrorAfterTheFirstChunkRejectsCatchablyAndTheConnectionGoesOn) {
  DuckWorld world;
  EXPECT_EQ(run_duck_ok("let message = '';\n"
                        "try {\n"
                        "  await ctx.duckdb.query(\"SELECT i, CASE WHEN i = 150000 THEN error('boom at ' || i) ELSE i END AS v FROM range(300000) t(i)\");\n"
                        "} catch (e) { message = e.message; }\n"
                        "const after = await ctx.duckdb.query('SELECT 42 AS v');\n"
                        "return { prefixed: message.startsWith('ctx.duckdb.query: '), boom: message.includes('boom at 150000'), after: after[0].v };",
                        world.databases),
            R"({"prefixed":true,"boom":true,"after":42})");
}

TEST(DuckQueryStream, TheSizeLimitAfterTheFirstChunkRejectsWithTheSameAdvice) {
  DuckWorld world;
  EXPECT_EQ(run_duck_ok("let message = '';\n"
                        "try { await ctx.duckdb.query(\"SELECT i, repeat('x', 100) AS s FROM range(120000) t(i)\"); } catch (e) { message = e.message; }\n"
                        "const after = await ctx.duckdb.query('SELECT count(*)::INTEGER AS n FROM range(7)');\n"
                        "return { limited: message.startsWith('ctx.duckdb.query: the result is larger than 10 MB'), advice: message.includes('LIMIT'), after: after[0].n };",
                        world.databases),
            R"({"limited":true,"advice":true,"after":7})");
}

TEST(DuckQueryStream, TheMemoryLimitWhileBuildingLeavesTheProjectUsable) {
  DuckWorld world(unlimited_results());
  RunRequest request;
  request.limits.memory_bytes = 16u << 20;
  auto outcome = run_duck("const rows = await ctx.duckdb.query(\"SELECT i, 'row ' || i AS s FROM range(2000000) t(i)\"); return rows.length;",
                          world.databases, "test", request);
  ASSERT_EQ(outcome.status, RunStatus::Failed) << failure_message(outcome);
  EXPECT_EQ(outcome.failure->limit, "memory_bytes") << failure_message(outcome);
  // The fetching side let go of the project database: the next run uses it, and the database
  // closes when the test ends.
  EXPECT_EQ(run_duck_ok("await ctx.duckdb.exec('CREATE TABLE t AS SELECT 1 AS x'); return { x: (await ctx.duckdb.query('SELECT x FROM t'))[0].x };",
                        world.databases),
            R"({"x":1})");
}

TEST(DuckQueryStream, TheDeadlineWhileRowsStreamEndsTheRunAndTheFetching) {
  DuckWorld world(unlimited_results());
  ThreadPool pool(1);
  RunRequest request;
  request.pool = &pool;
  request.limits.memory_bytes = std::size_t{3} << 30;
  request.limits.timeout = std::chrono::milliseconds(400);
  auto started = Clock::now();
  auto outcome = run_duck(std::string("const rows = await ctx.duckdb.query(\"") + kManyRows + "\"); return rows.length;", world.databases,
                          "test", request);
  ASSERT_EQ(outcome.status, RunStatus::Failed) << failure_message(outcome);
  EXPECT_EQ(outcome.failure->limit, "timeout_ms") << failure_message(outcome);
  double latency = pool_free_after(pool, started + request.limits.timeout);
  std::cout << "[ measured ] deadline -> fetching side done: " << latency << " ms\n";
  EXPECT_LT(latency, kGenerousBoundMs);
}

TEST(DuckQueryStream, ACancelWhileRowsStreamEndsTheRunWithoutAShortResult) {
  DuckWorld world(unlimited_results());
  ThreadPool pool(1);
  std::stop_source cancel;
  RunRequest request;
  request.pool = &pool;
  request.cancel = cancel.get_token();
  request.limits.memory_bytes = std::size_t{3} << 30;
  as::testing::StopLater canceller(cancel, std::chrono::milliseconds(300));
  auto outcome = run_duck(std::string("const rows = await ctx.duckdb.query(\"") + kManyRows + "\"); return rows.length;", world.databases,
                          "test", request);
  EXPECT_EQ(outcome.status, RunStatus::Cancelled) << failure_message(outcome);
  EXPECT_LT(pool_free_after(pool, Clock::now()), kGenerousBoundMs);
}

// The hazard of an earlier design: a run ending while DuckDB still streamed its result, then the
// database closing, deadlocked once in DuckDB's scheduler. Here runs end mid-stream again and
// again, by the memory limit and by cancels at varying moments, each followed by closing the
// database; the test finishing is the assertion (ctest's timeout catches a hang).
TEST(DuckQueryStream, RunsEndingMidStreamThenClosingTheDatabaseNeverHang) {
  for (int round = 0; round < 12; ++round) {
    DuckWorld world(unlimited_results());
    RunRequest request;
    std::stop_source cancel;
    std::optional<as::testing::StopLater> canceller;
    if (round % 2 == 0) {
      request.limits.memory_bytes = 12u << 20;
    } else {
      request.limits.memory_bytes = std::size_t{3} << 30;
      request.cancel = cancel.get_token();
      canceller.emplace(cancel, std::chrono::milliseconds(5 * round));
    }
    auto outcome = run_duck(std::string("const rows = await ctx.duckdb.query(\"") + kManyRows + "\"); return { n: rows.length };",
                            world.databases, "test", request);
    EXPECT_NE(outcome.status, RunStatus::Completed) << "round " << round;
  }  // the database closes here, after a run that ended mid-stream
}
