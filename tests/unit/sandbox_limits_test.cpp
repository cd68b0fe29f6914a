// Every run limit ends the run with an error that names the limit and its value.
#include <gtest/gtest.h>

#include <thread>

#include "run_helpers.h"
#include "sandbox/host_function.h"

using namespace as;
using namespace as::sandbox;
using as::testing::elapsed_ms;
using as::testing::failure_message;
using as::testing::run_body;

namespace {

RunRequest with_timeout(int ms) {
  RunRequest request;
  request.limits.timeout = std::chrono::milliseconds(ms);
  return request;
}

// Cancels the run from another thread after `ms`, as the job system's stop operation would.
class CancelAfter {
 public:
  explicit CancelAfter(int ms)
      : thread_([this, ms] {
          std::this_thread::sleep_for(std::chrono::milliseconds(ms));
          source_.request_stop();
        }) {}
  std::stop_token token() const { return source_.get_token(); }

 private:
  std::stop_source source_;
  std::jthread thread_;
};

void expect_limit(const RunOutcome& outcome, const std::string& limit, const std::string& text) {
  ASSERT_EQ(outcome.status, RunStatus::Failed) << failure_message(outcome);
  EXPECT_EQ(outcome.failure->kind, FailureKind::Limit) << failure_message(outcome);
  EXPECT_EQ(outcome.failure->limit, limit) << failure_message(outcome);
  EXPECT_NE(failure_message(outcome).find(text), std::string::npos) << failure_message(outcome);
}

// ctx.block(ms): a host call that blocks a pool thread for `ms` and ignores its stop token,
// standing in for a slow driver call that cannot be interrupted.
class BlockingCall : public ContextExtension {
 public:
  bool install(RunScope& scope, JSValueConst ctx_object) override {
    return define_host_function(scope.ctx, ctx_object, "block", 1,
                                [&scope](JSContext* ctx, JSValueConst, int, JSValueConst* argv) -> JSValue {
                                  double ms = 0;
                                  JS_ToFloat64(ctx, &ms, argv[0]);
                                  return scope.loop.spawn([ms](std::stop_token) -> Settle {
                                    std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(ms));
                                    return [](JSContext* c) { return JS_NewString(c, "unblocked"); };
                                  });
                                });
  }
};

}  // namespace

TEST(TimeLimit, InfiniteLoopIsStopped) {
  auto started = std::chrono::steady_clock::now();
  auto outcome = run_body("while (true) {}", with_timeout(200));
  expect_limit(outcome, "timeout_ms", "time limit exceeded: the run did not finish within 200 ms (timeout_ms=200)");
  EXPECT_LT(elapsed_ms(started), 5000);
}

TEST(TimeLimit, CatchingTheInterruptDoesNotHelp) {
  auto outcome = run_body("for (;;) { try { for (;;) {} } catch (e) { ctx.log('caught', e); } }", with_timeout(200));
  expect_limit(outcome, "timeout_ms", "timeout_ms=200");
}

TEST(TimeLimit, StopsInsideALongHostCall) {
  RunRequest request = with_timeout(200);
  request.extensions.push_back(std::make_shared<BlockingCall>());
  auto started = std::chrono::steady_clock::now();
  auto outcome = run_body("await ctx.block(3000); return {};", request);
  double took = elapsed_ms(started);
  expect_limit(outcome, "timeout_ms", "timeout_ms=200");
  EXPECT_LT(took, 2500) << "the run waited for the blocking host call";
}

TEST(TimeLimit, StopsWhileSleeping) {
  auto outcome = run_body("await ctx.sleep(60000); return {};", with_timeout(200));
  expect_limit(outcome, "timeout_ms", "timeout_ms=200");
}

TEST(TimeLimit, StopsInATopLevelLoop) {
  RunRequest request = with_timeout(200);
  request.source = "while (true) {}\nexport default { title: 't', run() { return {}; } };";
  auto outcome = run_analysis(request);
  expect_limit(outcome, "timeout_ms", "timeout_ms=200");
}

TEST(MemoryLimit, AllocationBombIsStopped) {
  RunRequest request;
  request.limits.memory_bytes = 32u << 20;
  auto outcome = run_body("const keep = []; for (;;) keep.push('x'.repeat(1 << 16) + keep.length);", request);
  expect_limit(outcome, "memory_bytes", "memory limit exceeded: the script needed more than 32 MB of JS heap");
  EXPECT_LE(outcome.stats.peak_memory_bytes, 32u << 20);
}

TEST(MemoryLimit, CatchingOutOfMemoryDoesNotHelp) {
  RunRequest request;
  request.limits.memory_bytes = 16u << 20;
  auto outcome = run_body(
      "const keep = [];\n"
      "for (;;) { try { keep.push(new Array(1 << 20).fill(1)); } catch (e) { keep.length = 0; ctx.log('caught', String(e)); } }",
      request);
  expect_limit(outcome, "memory_bytes", "memory_bytes=16777216");
}

TEST(MemoryLimit, OneHugeAllocationIsStopped) {
  RunRequest request;
  request.limits.memory_bytes = 16u << 20;
  auto outcome = run_body("const big = new ArrayBuffer(64 * 1024 * 1024); return { n: big.byteLength };", request);
  expect_limit(outcome, "memory_bytes", "memory limit exceeded");
}

TEST(StackLimit, DeepRecursionIsStopped) {
  RunRequest request;
  request.limits.stack_bytes = 256u << 10;
  auto outcome = run_body("function down(n) { return down(n + 1) + 1; }\nreturn { v: down(0) };", request);
  expect_limit(outcome, "stack_bytes", "stack size limit exceeded: recursion went deeper than 256 KB of stack (stack_bytes=262144)");
}

TEST(ResultLimit, HugeResultIsRejectedWithTheSpecMessage) {
  auto outcome = run_body("return { blob: 'x'.repeat(11 * 1024 * 1024) };");
  expect_limit(outcome, "max_result_bytes", "the limit is 10 MB");
  EXPECT_NE(failure_message(outcome).find("Use DuckDB for large datasets"), std::string::npos);
  EXPECT_TRUE(outcome.result_json.empty());
}

TEST(ResultLimit, ManySmallRowsAreCountedToo) {
  RunRequest request;
  request.limits.max_result_bytes = 1u << 20;
  auto outcome = run_body("const rows = []; for (let i = 0; i < 100000; i++) rows.push({ id: i, name: 'row' + i }); return { rows };", request);
  expect_limit(outcome, "max_result_bytes", "max_result_bytes=1048576");
}

TEST(ResultLimit, ResultJustUnderTheLimitIsKept) {
  RunRequest request;
  request.limits.max_result_bytes = 1u << 20;
  auto outcome = run_body("return { blob: 'x'.repeat(1024 * 1024 - 20) };", request);
  ASSERT_EQ(outcome.status, RunStatus::Completed) << failure_message(outcome);
  EXPECT_LE(outcome.result_json.size(), 1u << 20);
}

TEST(LogLimit, LineFloodIsTruncatedAndTheRunIsTold) {
  RunRequest request;
  request.limits.max_log_lines = 100;
  auto outcome = run_body(
      "let kept = 0; for (let i = 0; i < 5000; i++) { if (ctx.log('line', i)) kept++; }\nreturn { kept };", request);
  ASSERT_EQ(outcome.status, RunStatus::Completed) << failure_message(outcome);
  EXPECT_EQ(outcome.result_json, R"({"kept":100})");
  EXPECT_TRUE(outcome.logs_truncated);
  ASSERT_EQ(outcome.logs.size(), 101u);
  EXPECT_NE(outcome.logs.back().message.find("log truncated: the line limit was reached (max_log_lines=100"), std::string::npos)
      << outcome.logs.back().message;
}

TEST(LogLimit, ByteFloodIsTruncated) {
  RunRequest request;
  request.limits.max_log_bytes = 10'000;
  auto outcome = run_body("for (let i = 0; i < 100; i++) ctx.log('y'.repeat(1000)); return {};", request);
  ASSERT_EQ(outcome.status, RunStatus::Completed) << failure_message(outcome);
  EXPECT_TRUE(outcome.logs_truncated);
  std::size_t bytes = 0;
  for (std::size_t i = 0; i + 1 < outcome.logs.size(); ++i) bytes += outcome.logs[i].message.size();
  EXPECT_LE(bytes, 10'000u);
  EXPECT_NE(outcome.logs.back().message.find("the byte limit was reached"), std::string::npos);
}

TEST(Cancellation, StopsAnInfiniteLoop) {
  CancelAfter cancel(100);
  RunRequest request;
  request.cancel = cancel.token();
  auto outcome = run_body("while (true) {}", request);
  ASSERT_EQ(outcome.status, RunStatus::Cancelled) << failure_message(outcome);
  EXPECT_EQ(outcome.failure->kind, FailureKind::Cancelled);
  EXPECT_EQ(outcome.failure->message, "the run was cancelled");
}

TEST(Cancellation, StopsASleepQuickly) {
  CancelAfter cancel(100);
  RunRequest request;
  request.cancel = cancel.token();
  auto started = std::chrono::steady_clock::now();
  auto outcome = run_body("await ctx.sleep(20000); return {};", request);
  EXPECT_EQ(outcome.status, RunStatus::Cancelled) << failure_message(outcome);
  EXPECT_LT(elapsed_ms(started), 5000);
}

TEST(Cancellation, StopsInsideALongHostCall) {
  CancelAfter cancel(100);
  RunRequest request;
  request.cancel = cancel.token();
  request.extensions.push_back(std::make_shared<BlockingCall>());
  auto started = std::chrono::steady_clock::now();
  auto outcome = run_body("await ctx.block(3000); return {};", request);
  EXPECT_EQ(outcome.status, RunStatus::Cancelled) << failure_message(outcome);
  EXPECT_LT(elapsed_ms(started), 2500);
}

TEST(Cancellation, AlreadyCancelledRunDoesNotStart) {
  std::stop_source cancel;
  cancel.request_stop();
  RunRequest request;
  request.cancel = cancel.get_token();
  auto outcome = run_body("ctx.log('should not run'); return {};", request);
  EXPECT_EQ(outcome.status, RunStatus::Cancelled) << failure_message(outcome);
}

TEST(Cancellation, ShouldStopTurnsTrueForCooperativeScripts) {
  CancelAfter cancel(100);
  RunRequest request;
  request.cancel = cancel.token();
  request.extensions.push_back(std::make_shared<BlockingCall>());
  auto outcome = run_body("for (let i = 0; i < 100; i++) { if (ctx.shouldStop()) return { stoppedAt: i }; await ctx.sleep(20); }\nreturn {};", request);
  EXPECT_EQ(outcome.status, RunStatus::Cancelled) << failure_message(outcome);
}

TEST(TimeLimit, ReturningAfterTheDeadlineStillFails) {
  // shouldStop() turns true at the deadline; a script that then returns has still overrun.
  auto outcome = run_body("let n = 0; while (!ctx.shouldStop()) n++; return { n };", with_timeout(150));
  expect_limit(outcome, "timeout_ms", "timeout_ms=150");
}
