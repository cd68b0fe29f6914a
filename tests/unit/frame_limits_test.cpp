// The native memory budget of a run's DataFrames, and frames freed when runs end however they end.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "frame/native_frame.h"
#include "frame_test_support.h"
#include "run_helpers.h"

namespace as::testing {
namespace {

using nlohmann::json;

std::size_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::size_t pages = 0;
  std::size_t resident = 0;
  statm >> pages >> resident;
  return resident * 4096;
}

TEST(FrameLimits, AFrameOverTheBudgetIsRefusedWithAnErrorNamingTheLimit) {
  FrameWorld world;
  world.options.memory_bytes = 1u << 20;  // 1 MB
  // 200,000 float64 values hold ~1.6 MB.
  std::string message = run_frames_error("const df = ctx.DataFrame({ x: Array.from({ length: 200000 }, (_, i) => i + 0.5) }); return { h: df.height };", world);
  EXPECT_NE(message.find("RangeError: DataFrame memory limit exceeded: ctx.DataFrame() of 200000 rows would bring this run's DataFrames to"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("more than the limit of 1 MB (frame_memory_bytes=1048576)"), std::string::npos) << message;
  EXPECT_EQ(frame::NativeFrame::live_frames(), 0u);
}

TEST(FrameLimits, TheBudgetCountsEveryLiveFrameAndFreesWhatIsCollected) {
  FrameWorld world;
  world.options.memory_bytes = 3u << 20;  // room for two ~1.2 MB frames, not three
  json r = run_frames_ok(R"JS(
    const make = () => ctx.DataFrame({ x: Array.from({ length: 150000 }, (_, i) => i + 0.5) });  // 1.2 MB each
    const a = make();
    let b = make();
    let third;
    try { make(); } catch (e) { third = e.name + ': ' + e.message.slice(0, 31); }
    b = null;  // collected at once: its frame leaves the budget
    const again = [];
    // Each temporary frame is garbage right after .height; if it were not freed, the second would not fit.
    for (let i = 0; i < 5; i++) again.push(make().height);
    // Derived frames count too: withColumn makes a new (2.4 MB) frame when it runs.
    let derived;
    try { a.withColumn("y", col("x").mul(2)).height; } catch (e) { derived = e.name; }
    return { third, again: again.length, a: a.height, derived };
  )JS", world);
  EXPECT_EQ(r["third"], "RangeError: DataFrame memory limit exceeded");
  EXPECT_EQ(r["again"], 5);
  EXPECT_EQ(r["derived"], "RangeError");
  EXPECT_EQ(frame::NativeFrame::live_frames(), 0u);
}

TEST(FrameLimits, QueryFrameIsCheckedAgainstTheBudgetWhileItFetches) {
  FrameWorld world;
  world.options.memory_bytes = 1u << 20;
  std::string message = run_frames_error("const df = await ctx.duckdb.queryFrame('SELECT range AS i, range * 2 AS j FROM range(1000000)'); return { h: df.height };", world);
  EXPECT_NE(message.find("ctx.duckdb.queryFrame: DataFrame memory limit exceeded"), std::string::npos) << message;
  EXPECT_NE(message.find("frame_memory_bytes=1048576"), std::string::npos) << message;
}

// 1,000 runs that make frames and end every way a run can end: completed, thrown, out of
// time inside a row callback. No frame outlives its run, and the process does not grow.
TEST(FrameLimits, FramesAreFreedAfterEveryRunHoweverItEnds) {
  FrameWorld world;
  const std::string body = R"JS(
    const df = ctx.DataFrame(Array.from({ length: 2000 }, (_, i) => ({ id: i, cat: "c" + (i % 7), amount: i * 1.5 })));
    const g = df.filter(col("amount").gt(10)).groupBy("cat").agg({ total: col("amount").sum() });
    const kept = df.filter(row => row.id % 2 === 0);
    if (params.mode === "throw") throw new Error("planned failure with " + kept.height + " rows");
    if (params.mode === "timeout") df.filter(row => { while (true) {} });
    return { groups: g.height, kept: kept.height };
  )JS";
  auto run_one = [&](int i) {
    sandbox::RunRequest request;
    std::string mode = i % 100 == 99 ? "timeout" : i % 2 == 1 ? "throw" : "ok";
    request.params = ValueObject{{"mode", Value(mode)}};
    if (mode == "timeout") request.limits.timeout = std::chrono::milliseconds(50);
    auto outcome = run_frames(body, world, request);
    if (mode == "ok") {
      EXPECT_EQ(outcome.status, sandbox::RunStatus::Completed) << failure_message(outcome);
    } else {
      EXPECT_EQ(outcome.status, sandbox::RunStatus::Failed) << failure_message(outcome);
    }
    EXPECT_EQ(frame::NativeFrame::live_frames(), 0u) << "after run " << i << " (" << mode << ")";
    EXPECT_EQ(frame::NativeFrame::live_bytes(), 0u);
  };
  for (int i = 0; i < 100; ++i) run_one(i);  // warm-up: allocator arenas, Polars' thread pool
  const std::size_t rss_before = resident_bytes();
  for (int i = 100; i < 1000; ++i) run_one(i);
  const std::size_t rss_after = resident_bytes();
  // A leak of even one small frame per run would be 900 x ~50 KB = 45 MB.
  EXPECT_LT(rss_after, rss_before + (24u << 20)) << "RSS grew from " << rss_before << " to " << rss_after;
}

}  // namespace
}  // namespace as::testing
