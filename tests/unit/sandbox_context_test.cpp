// The core ctx API: log, error, sleep, shouldStop, metadata, and host calls on the event loop.
#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "run_helpers.h"
#include "sandbox/convert.h"
#include "sandbox/host_function.h"

using namespace as;
using namespace as::sandbox;
using as::testing::elapsed_ms;
using as::testing::failure_message;
using as::testing::run_body;

namespace {

// ctx.work(ms, value): a host call that sleeps `ms` on a pool thread, then resolves with
// `value` doubled, or rejects when value is negative.
class WorkCall : public ContextExtension {
 public:
  bool install(RunScope& scope, JSValueConst ctx_object) override {
    return define_host_function(scope.ctx, ctx_object, "work", 2,
                                [&scope](JSContext* ctx, JSValueConst, int, JSValueConst* argv) -> JSValue {
                                  double ms = 0, value = 0;
                                  JS_ToFloat64(ctx, &ms, argv[0]);
                                  JS_ToFloat64(ctx, &value, argv[1]);
                                  return scope.loop.spawn([ms, value](std::stop_token) -> Settle {
                                    std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(ms));
                                    if (value < 0) throw std::runtime_error("work failed for value " + std::to_string(value));
                                    return [value](JSContext* c) { return to_js(c, Value(ValueObject{{"doubled", value * 2}})); };
                                  });
                                });
  }
};

}  // namespace

TEST(Logging, LogAndErrorAreCapturedWithLevelAndTimestamp) {
  auto before = std::chrono::duration<double, std::milli>(std::chrono::system_clock::now().time_since_epoch()).count();
  auto outcome = run_body("ctx.log('hello', 42, true, null, undefined); ctx.error('bad thing'); return {};");
  ASSERT_EQ(outcome.status, RunStatus::Completed) << failure_message(outcome);
  ASSERT_EQ(outcome.logs.size(), 2u);
  EXPECT_EQ(outcome.logs[0].level, LogLevel::Info);
  EXPECT_EQ(outcome.logs[0].message, "hello 42 true null undefined");
  EXPECT_EQ(outcome.logs[1].level, LogLevel::Error);
  EXPECT_EQ(outcome.logs[1].message, "bad thing");
  EXPECT_GE(outcome.logs[0].timestamp_ms, before - 1);
  EXPECT_LE(outcome.logs[0].timestamp_ms, outcome.logs[1].timestamp_ms);
}

TEST(Logging, ObjectsAreFormattedReadably) {
  auto outcome = run_body(
      "const o = { name: 'x', list: [1, 'two', { deep: { deeper: { deepest: { gone: 1 } } } }], big: 12n,"
      " when: new Date(Date.UTC(2024, 1, 3)), f: function named() {} };\n"
      "o.self = o;\nctx.log(o); ctx.log([]); ctx.log({}); ctx.log(new Error('boom'));\nreturn {};");
  ASSERT_EQ(outcome.status, RunStatus::Completed) << failure_message(outcome);
  ASSERT_EQ(outcome.logs.size(), 4u);
  EXPECT_EQ(outcome.logs[0].message,
            "{ name: \"x\", list: [ 1, \"two\", { deep: { deeper: [Object] } } ], big: 12n, "
            "when: 2024-02-03T00:00:00.000Z, f: [Function named], self: [Circular] }");
  EXPECT_EQ(outcome.logs[1].message, "[]");
  EXPECT_EQ(outcome.logs[2].message, "{}");
  EXPECT_NE(outcome.logs[3].message.find("Error: boom\n    at run (analysis.js:"), std::string::npos) << outcome.logs[3].message;
}

TEST(Logging, HostileGetterDoesNotBreakLogging) {
  auto outcome = run_body("ctx.log({ get boom() { throw new Error('no'); }, fine: 1 }); return { ok: true };");
  ASSERT_EQ(outcome.status, RunStatus::Completed) << failure_message(outcome);
  ASSERT_EQ(outcome.logs.size(), 1u);
  EXPECT_EQ(outcome.logs[0].message, "{ boom: [exception while reading], fine: 1 }");
}

TEST(Logging, ListenerSeesLinesAsTheyAreWritten) {
  std::vector<std::string> seen;
  RunRequest request;
  request.on_log = [&seen](const LogEntry& entry) { seen.push_back(entry.message); };
  auto outcome = run_body("ctx.log('a'); await ctx.sleep(5); ctx.log('b'); return {};", request);
  ASSERT_EQ(outcome.status, RunStatus::Completed) << failure_message(outcome);
  EXPECT_EQ(seen, (std::vector<std::string>{"a", "b"}));
}

TEST(Sleep, FourSleepsUnderPromiseAllRunConcurrently) {
  auto started = std::chrono::steady_clock::now();
  auto outcome = run_body("await Promise.all([ctx.sleep(300), ctx.sleep(300), ctx.sleep(300), ctx.sleep(300)]); return {};");
  double took = elapsed_ms(started);
  ASSERT_EQ(outcome.status, RunStatus::Completed) << failure_message(outcome);
  EXPECT_GE(took, 295);
  EXPECT_LT(took, 900) << "sleeps ran one after another";
}

TEST(Sleep, RejectsBadArguments) {
  for (std::string arg : {"", "'100'", "-1", "NaN", "Infinity"}) {
    auto outcome = run_body("await ctx.sleep(" + arg + "); return {};");
    ASSERT_EQ(outcome.status, RunStatus::Failed) << arg;
    EXPECT_NE(failure_message(outcome).find("ctx.sleep(ms) needs a finite number of milliseconds >= 0"), std::string::npos)
        << arg << ": " << failure_message(outcome);
  }
}

TEST(Sleep, TimersFireInDueOrder) {
  auto outcome = run_body(
      "const order = [];\n"
      "await Promise.all([ctx.sleep(60).then(() => order.push(3)), ctx.sleep(20).then(() => order.push(1)),"
      " ctx.sleep(40).then(() => order.push(2))]);\nreturn { order };");
  ASSERT_EQ(outcome.status, RunStatus::Completed) << failure_message(outcome);
  EXPECT_EQ(outcome.result_json, R"({"order":[1,2,3]})");
}

TEST(ShouldStop, IsFalseInANormalRun) {
  auto outcome = run_body("return { stop: ctx.shouldStop() };");
  ASSERT_EQ(outcome.status, RunStatus::Completed) << failure_message(outcome);
  EXPECT_EQ(outcome.result_json, R"({"stop":false})");
}

TEST(Metadata, GetSetHasDeleteList) {
  RunRequest request;
  request.metadata["last_processed"] = Value("2024-01-01");
  request.metadata["stale"] = Value(1);
  auto outcome = run_body(
      "const before = ctx.metadata.get('last_processed');\n"
      "ctx.metadata.set('last_processed', '2024-02-01');\n"
      "ctx.metadata.set('counts', { a: 1, list: [1, 2] });\n"
      "const removed = ctx.metadata.delete('stale');\n"
      "return { before, has: ctx.metadata.has('counts'), missing: ctx.metadata.get('nope') === undefined,"
      " removed, keys: ctx.metadata.list(), counts: ctx.metadata.get('counts') };",
      request);
  ASSERT_EQ(outcome.status, RunStatus::Completed) << failure_message(outcome);
  EXPECT_EQ(outcome.result_json,
            R"({"before":"2024-01-01","has":true,"missing":true,"removed":true,"keys":["counts","last_processed"],"counts":{"a":1,"list":[1,2]}})");
  ASSERT_EQ(outcome.metadata.size(), 2u);
  EXPECT_EQ(outcome.metadata.at("last_processed"), Value("2024-02-01"));
  EXPECT_EQ(to_json(outcome.metadata.at("counts")), R"({"a":1,"list":[1,2]})");
}

TEST(Metadata, ValuesMustBeJsonSerialisable) {
  for (std::string value : {"undefined", "() => 1", "Symbol('s')", "(() => { const o = {}; o.o = o; return o; })()"}) {
    auto outcome = run_body("ctx.metadata.set('k', " + value + "); return {};");
    ASSERT_EQ(outcome.status, RunStatus::Failed) << value;
    EXPECT_NE(failure_message(outcome).find("ctx.metadata.set('k', value)"), std::string::npos) << value << ": " << failure_message(outcome);
  }
}

TEST(Metadata, KeysMustBeStrings) {
  auto outcome = run_body("ctx.metadata.get(42); return {};");
  ASSERT_EQ(outcome.status, RunStatus::Failed);
  EXPECT_NE(failure_message(outcome).find("ctx.metadata.get(key) needs a string key, got 42"), std::string::npos) << failure_message(outcome);
}

TEST(Metadata, ChangesOfAFailedRunAreStillReported) {
  auto outcome = run_body("ctx.metadata.set('progress', 3); throw new Error('midway');");
  ASSERT_EQ(outcome.status, RunStatus::Failed);
  EXPECT_EQ(outcome.metadata.at("progress"), Value(3));
}

TEST(HostCalls, RunConcurrentlyOnThePool) {
  RunRequest request;
  request.extensions.push_back(std::make_shared<WorkCall>());
  auto started = std::chrono::steady_clock::now();
  auto outcome = run_body(
      "const r = await Promise.all([ctx.work(300, 1), ctx.work(300, 2), ctx.work(300, 3), ctx.work(300, 4)]);\n"
      "return { sum: r.reduce((s, x) => s + x.doubled, 0) };",
      request);
  double took = elapsed_ms(started);
  ASSERT_EQ(outcome.status, RunStatus::Completed) << failure_message(outcome);
  EXPECT_EQ(outcome.result_json, R"({"sum":20})");
  EXPECT_LT(took, 900) << "host calls ran one after another";
}

TEST(HostCalls, AThrowingHostCallRejectsWithItsMessage) {
  RunRequest request;
  request.extensions.push_back(std::make_shared<WorkCall>());
  auto outcome = run_body(
      "try { await ctx.work(1, -1); return { caught: false }; } catch (e) { return { caught: e.message }; }", request);
  ASSERT_EQ(outcome.status, RunStatus::Completed) << failure_message(outcome);
  EXPECT_EQ(outcome.result_json, R"({"caught":"work failed for value -1.000000"})");
}

TEST(HostCalls, RunEndingWithCallsInFlightIsClean) {
  RunRequest request;
  request.extensions.push_back(std::make_shared<WorkCall>());
  // The run returns before its host calls finish: their late results must be dropped safely.
  auto outcome = run_body("ctx.work(200, 1); ctx.work(200, 2); return { early: true };", request);
  ASSERT_EQ(outcome.status, RunStatus::Completed) << failure_message(outcome);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
}

namespace {

// ctx.early(fail): a host call whose work delivers its Settle first and then goes on; the Settle
// waits for the work's second half (a value only the work makes after delivering) and resolves
// with both halves. With fail = true the work throws after delivering (dropped: it says so
// through what the two share). ctx.late(): work that never delivers, so it is plain spawn().
class EarlyCalls : public ContextExtension {
 public:
  struct Shared {
    std::mutex mutex;
    std::condition_variable ready;
    std::optional<std::string> second_half;
  };
  bool install(RunScope& scope, JSValueConst ctx_object) override {
    bool ok = define_host_function(scope.ctx, ctx_object, "early", 1, [&scope](JSContext* ctx, JSValueConst, int, JSValueConst* argv) -> JSValue {
      bool fail = JS_ToBool(ctx, argv[0]);
      return scope.loop.spawn_early([fail](std::stop_token, const Deliver& deliver) -> Settle {
        auto shared = std::make_shared<Shared>();
        deliver([shared](JSContext* c) {
          std::unique_lock lock(shared->mutex);
          shared->ready.wait(lock, [&] { return shared->second_half.has_value(); });
          return to_js(c, Value(ValueObject{{"first", "delivered"}, {"second", *shared->second_half}}));
        });
        deliver([](JSContext* c) { return to_js(c, Value("a second deliver is ignored")); });
        std::this_thread::sleep_for(std::chrono::milliseconds(20));  // the loop thread is in the Settle by now
        {
          std::lock_guard lock(shared->mutex);
          shared->second_half = fail ? "failed after delivering" : "made after delivering";
        }
        shared->ready.notify_all();
        if (fail) throw std::runtime_error("dropped: the Settle was delivered");
        return [](JSContext* c) { return to_js(c, Value("never used")); };
      });
    });
    return ok && define_host_function(scope.ctx, ctx_object, "late", 0, [&scope](JSContext*, JSValueConst, int, JSValueConst*) -> JSValue {
      return scope.loop.spawn_early([](std::stop_token, const Deliver&) -> Settle {
        throw std::runtime_error("failed before delivering");
      });
    });
  }
};

}  // namespace

TEST(HostCalls, EarlyDeliveredSettleRunsWhileTheWorkGoesOn) {
  RunRequest request;
  request.extensions.push_back(std::make_shared<EarlyCalls>());
  auto outcome = run_body(
      "const ok = await ctx.early(false);\n"
      "const afterThrow = await ctx.early(true);\n"
      "let late = '';\n"
      "try { await ctx.late(); } catch (e) { late = e.message; }\n"
      "return { ok, afterThrow, late };",
      request);
  ASSERT_EQ(outcome.status, RunStatus::Completed) << failure_message(outcome);
  EXPECT_EQ(outcome.result_json,
            R"({"ok":{"first":"delivered","second":"made after delivering"},)"
            R"("afterThrow":{"first":"delivered","second":"failed after delivering"},"late":"failed before delivering"})");
}
