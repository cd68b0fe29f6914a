// The run queue and history part of the Store contract. Written against the interface so the
// PostgreSQL store can run the same suite: add its factories to the instantiation at the bottom.
#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <functional>
#include <mutex>
#include <set>
#include <thread>

#include "catalog/sqlite_store.h"

using namespace as;
using namespace as::catalog;

namespace {

NewAnalysis analysis_named(const std::string& name) {
  NewAnalysis a;
  a.project = "default";
  a.name = name;
  a.title = name;
  a.script = "export default { title: 't', run() { return {}; } };";
  return a;
}

NewRun run_of(const Analysis& analysis, const std::string& params = "{}") {
  NewRun run;
  run.analysis_id = analysis.id;
  run.analysis_version = analysis.version;
  run.parameters_json = params;
  run.executed_by = "alice";
  return run;
}

RunFinish finished(RunState state) {
  RunFinish finish;
  finish.state = state;
  finish.completed_at = "2030-01-01T00:00:00.000Z";
  finish.execution_time_ms = 5;
  return finish;
}

std::filesystem::path temp_database(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("as-runs-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  auto path = dir / name;
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
  return path;
}

// A factory returns a fresh, empty store; `second_connection` opens the same database again
// (another process would) or returns nullptr when the backend cannot do that (":memory:").
struct RunStoreBackend {
  std::string name;
  std::function<std::unique_ptr<Store>()> open;
  std::function<std::unique_ptr<Store>()> second_connection;
};

// Test names show the backend, not the bytes of the struct.
void PrintTo(const RunStoreBackend& backend, std::ostream* out) { *out << backend.name; }

class RunStoreContract : public ::testing::TestWithParam<RunStoreBackend> {
 protected:
  void SetUp() override { store_ = GetParam().open(); }
  Store& store() { return *store_; }
  std::unique_ptr<Store> store_;
};

std::string backend_name(const ::testing::TestParamInfo<RunStoreBackend>& info) { return info.param.name; }

}  // namespace

TEST_P(RunStoreContract, EnqueuedRunIsPendingWithEverythingRecorded) {
  Analysis sales = store().create_analysis(analysis_named("sales"));
  NewRun request = run_of(sales, R"({"month":"2024-01"})");
  request.trigger = RunTrigger::Api;
  RunRecord run = store().enqueue_run(request);
  EXPECT_EQ(run.id.size(), 36u);
  EXPECT_EQ(run.state, RunState::Pending);
  EXPECT_EQ(run.project, "default");
  EXPECT_EQ(run.analysis_name, "sales");
  EXPECT_EQ(run.analysis_version, 1);
  EXPECT_EQ(run.trigger, RunTrigger::Api);
  EXPECT_EQ(run.executed_by, "alice");
  EXPECT_EQ(run.parameters_json, R"({"month":"2024-01"})");
  EXPECT_FALSE(run.queued_at.empty());
  EXPECT_FALSE(run.started_at.has_value());
  EXPECT_FALSE(run.parent_run_id.has_value());

  auto found = store().find_run(run.id);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->analysis_name, "sales");
  EXPECT_FALSE(store().find_run("no-such-run").has_value());
}

TEST_P(RunStoreContract, EnqueueRejectsBadInputNamingIt) {
  Analysis sales = store().create_analysis(analysis_named("sales"));
  NewRun unknown = run_of(sales);
  unknown.analysis_id = "not-an-analysis";
  try {
    store().enqueue_run(unknown);
    FAIL() << "expected NotFound";
  } catch (const NotFound& e) {
    EXPECT_NE(std::string(e.what()).find("not-an-analysis"), std::string::npos) << e.what();
  }
  EXPECT_THROW(store().enqueue_run(run_of(sales, "{not json")), std::invalid_argument);
  NewRun nested_without_parent = run_of(sales);
  nested_without_parent.trigger = RunTrigger::Nested;
  EXPECT_THROW(store().enqueue_run(nested_without_parent), std::invalid_argument);
  NewRun orphan = run_of(sales);
  orphan.trigger = RunTrigger::Nested;
  orphan.parent_run_id = "missing-parent";
  EXPECT_THROW(store().enqueue_run(orphan), NotFound);
}

TEST_P(RunStoreContract, ClaimTakesTheOldestPendingRunAndMarksItRunning) {
  Analysis a = store().create_analysis(analysis_named("a"));
  Analysis b = store().create_analysis(analysis_named("b"));
  RunRecord first = store().enqueue_run(run_of(a));
  RunRecord second = store().enqueue_run(run_of(b));
  auto claimed = store().claim_next_run();
  ASSERT_TRUE(claimed.has_value());
  EXPECT_EQ(claimed->id, first.id);
  EXPECT_EQ(claimed->state, RunState::Running);
  EXPECT_TRUE(claimed->started_at.has_value());
  auto next = store().claim_next_run();
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->id, second.id);
  EXPECT_FALSE(store().claim_next_run().has_value()) << "nothing is left to claim";
}

TEST_P(RunStoreContract, SecondRunOfAnAnalysisWaitsWhileTheFirstRuns) {
  Analysis a = store().create_analysis(analysis_named("a"));
  Analysis b = store().create_analysis(analysis_named("b"));
  RunRecord a1 = store().enqueue_run(run_of(a));
  RunRecord a2 = store().enqueue_run(run_of(a));
  RunRecord b1 = store().enqueue_run(run_of(b));
  EXPECT_EQ(store().claim_next_run()->id, a1.id);
  // a2 is older than b1 but must wait: b1 goes first.
  EXPECT_EQ(store().claim_next_run()->id, b1.id);
  EXPECT_FALSE(store().claim_next_run().has_value());
  store().finish_run(a1.id, finished(RunState::Completed));
  auto turn = store().claim_next_run();
  ASSERT_TRUE(turn.has_value());
  EXPECT_EQ(turn->id, a2.id);
}

TEST_P(RunStoreContract, NestedRunsAreClaimedOnlyByTheirCaller) {
  Analysis a = store().create_analysis(analysis_named("a"));
  Analysis b = store().create_analysis(analysis_named("b"));
  RunRecord parent = store().enqueue_run(run_of(a));
  ASSERT_EQ(store().claim_next_run()->id, parent.id);
  NewRun nested = run_of(b);
  nested.trigger = RunTrigger::Nested;
  nested.parent_run_id = parent.id;
  RunRecord child = store().enqueue_run(nested);
  EXPECT_EQ(child.parent_run_id, parent.id);
  EXPECT_FALSE(store().claim_next_run().has_value()) << "a worker must not take a nested run";
  EXPECT_TRUE(store().claim_run(child.id));
  EXPECT_EQ(store().find_run(child.id)->state, RunState::Running);
  EXPECT_THROW(store().claim_run(child.id), Conflict) << "it is no longer pending";
  EXPECT_THROW(store().claim_run("missing"), NotFound);
}

TEST_P(RunStoreContract, LatestRunsGivesTheNewestTopLevelRunOfEachActiveAnalysis) {
  Analysis a = store().create_analysis(analysis_named("a"));
  Analysis b = store().create_analysis(analysis_named("b"));
  Analysis idle = store().create_analysis(analysis_named("idle"));
  Analysis gone = store().create_analysis(analysis_named("gone"));
  RunRecord first = store().enqueue_run(run_of(a));
  ASSERT_TRUE(store().claim_run(first.id));
  store().finish_run(first.id, finished(RunState::Failed));
  RunRecord second = store().enqueue_run(run_of(a));
  NewRun nested = run_of(b);
  nested.trigger = RunTrigger::Nested;
  nested.parent_run_id = second.id;
  store().enqueue_run(nested);  // b's only run is nested: not a "last run" of b
  store().enqueue_run(run_of(gone));
  store().delete_analysis("default", "gone");
  (void)idle;

  auto latest = store().latest_runs("default");
  ASSERT_EQ(latest.size(), 1u);
  EXPECT_EQ(latest.at("a").id, second.id);
  EXPECT_EQ(latest.at("a").state, RunState::Pending);
  EXPECT_TRUE(store().latest_runs("other").empty());
}

TEST_P(RunStoreContract, ChangeStampMovesWithEveryWriteAndOnlyThen) {
  Store::ChangeStamp empty = store().change_stamp();
  EXPECT_EQ(store().change_stamp(), empty) << "reading changes nothing";
  Analysis a = store().create_analysis(analysis_named("a"));
  Store::ChangeStamp created = store().change_stamp();
  EXPECT_NE(created, empty);
  store().list_analyses("default");
  store().latest_runs("default");
  EXPECT_EQ(store().change_stamp(), created);
  RunRecord run = store().enqueue_run(run_of(a));
  Store::ChangeStamp queued = store().change_stamp();
  EXPECT_NE(queued, created);
  ASSERT_TRUE(store().claim_run(run.id));
  EXPECT_NE(store().change_stamp(), queued) << "a run changing state is a change";
  if (auto other = GetParam().second_connection ? GetParam().second_connection() : nullptr) {
    Store::ChangeStamp before = store().change_stamp();
    other->create_analysis(analysis_named("from_elsewhere"));
    EXPECT_NE(store().change_stamp(), before) << "another connection's commit is seen";
  }
}

TEST_P(RunStoreContract, ClaimRunWaitsWhileTheAnalysisIsRunning) {
  Analysis a = store().create_analysis(analysis_named("a"));
  Analysis b = store().create_analysis(analysis_named("b"));
  RunRecord running_b = store().enqueue_run(run_of(b));
  RunRecord parent = store().enqueue_run(run_of(a));
  ASSERT_EQ(store().claim_next_run()->id, running_b.id);
  ASSERT_EQ(store().claim_next_run()->id, parent.id);
  NewRun nested = run_of(b);
  nested.trigger = RunTrigger::Nested;
  nested.parent_run_id = parent.id;
  RunRecord child = store().enqueue_run(nested);
  EXPECT_FALSE(store().claim_run(child.id)) << "b is running: the nested run must wait its turn";
  EXPECT_EQ(store().find_run(child.id)->state, RunState::Pending);
  store().finish_run(running_b.id, finished(RunState::Completed));
  EXPECT_TRUE(store().claim_run(child.id));
}

TEST_P(RunStoreContract, FinishRecordsTheOutcome) {
  Analysis a = store().create_analysis(analysis_named("a"));
  RunRecord run = store().enqueue_run(run_of(a));
  EXPECT_THROW(store().finish_run(run.id, finished(RunState::Completed)), Conflict) << "a pending run cannot finish";
  store().claim_next_run();
  RunFinish finish = finished(RunState::Completed);
  finish.result_path = "results/2030/01/01/x.json.zst";
  finish.result_size_bytes = 1234;
  finish.result_preview_json = R"({"total":1})";
  finish.metadata_json = R"({"checkpoint":7})";
  store().finish_run(run.id, finish);
  RunRecord done = *store().find_run(run.id);
  EXPECT_EQ(done.state, RunState::Completed);
  EXPECT_EQ(done.result_path, finish.result_path);
  EXPECT_EQ(done.result_size_bytes, 1234);
  EXPECT_EQ(done.result_preview_json, finish.result_preview_json);
  EXPECT_EQ(done.metadata_json, finish.metadata_json);
  EXPECT_EQ(done.completed_at, finish.completed_at);
  EXPECT_EQ(done.execution_time_ms, 5);
  EXPECT_FALSE(done.error.has_value());
  EXPECT_THROW(store().finish_run(run.id, finished(RunState::Failed)), Conflict) << "finished runs stay finished";
  EXPECT_THROW(store().finish_run("missing", finished(RunState::Failed)), NotFound);
  store().enqueue_run(run_of(a));
  auto second = store().claim_next_run();
  EXPECT_THROW(store().finish_run(second->id, finished(RunState::Running)), std::invalid_argument);
}

TEST_P(RunStoreContract, FailedRunKeepsItsError) {
  Analysis a = store().create_analysis(analysis_named("a"));
  RunRecord run = store().enqueue_run(run_of(a));
  store().claim_next_run();
  RunFinish finish = finished(RunState::Failed);
  finish.error = "boom at line 3";
  store().finish_run(run.id, finish);
  RunRecord done = *store().find_run(run.id);
  EXPECT_EQ(done.state, RunState::Failed);
  EXPECT_EQ(done.error, "boom at line 3");
}

TEST_P(RunStoreContract, CancelPendingRun) {
  Analysis a = store().create_analysis(analysis_named("a"));
  RunRecord pending = store().enqueue_run(run_of(a));
  EXPECT_TRUE(store().cancel_pending_run(pending.id, "cancelled by alice"));
  RunRecord cancelled = *store().find_run(pending.id);
  EXPECT_EQ(cancelled.state, RunState::Cancelled);
  EXPECT_EQ(cancelled.error, "cancelled by alice");
  EXPECT_TRUE(cancelled.completed_at.has_value());
  EXPECT_FALSE(store().claim_next_run().has_value()) << "a cancelled run is never claimed";
  EXPECT_FALSE(store().cancel_pending_run(pending.id, "again"));

  RunRecord running = store().enqueue_run(run_of(a));
  store().claim_next_run();
  EXPECT_FALSE(store().cancel_pending_run(running.id, "too late")) << "a running run is stopped by the job service, not here";
  EXPECT_EQ(store().find_run(running.id)->state, RunState::Running);
  EXPECT_THROW(store().cancel_pending_run("missing", "x"), NotFound);
}

TEST_P(RunStoreContract, ListRunsNewestFirstWithOffsetAndCursor) {
  Analysis a = store().create_analysis(analysis_named("a"));
  Analysis other = store().create_analysis(analysis_named("other"));
  std::vector<std::string> ids;
  for (int i = 0; i < 7; ++i) ids.push_back(store().enqueue_run(run_of(a, "{\"i\":" + std::to_string(i) + "}")).id);
  store().enqueue_run(run_of(other));
  std::vector<std::string> newest_first(ids.rbegin(), ids.rend());

  RunPage first = store().list_runs("default", "a", RunPageRequest{.limit = 3});
  ASSERT_EQ(first.runs.size(), 3u);
  EXPECT_EQ(first.runs[0].id, newest_first[0]);
  EXPECT_EQ(first.runs[2].id, newest_first[2]);
  ASSERT_TRUE(first.next_cursor.has_value());

  std::vector<std::string> walked;
  std::optional<std::string> cursor;
  do {
    RunPage page = store().list_runs("default", "a", RunPageRequest{.limit = 3, .cursor = cursor});
    for (const auto& run : page.runs) walked.push_back(run.id);
    cursor = page.next_cursor;
  } while (cursor);
  EXPECT_EQ(walked, newest_first) << "cursor paging visits every run once, newest first";

  RunPage by_offset = store().list_runs("default", "a", RunPageRequest{.limit = 3, .offset = 6});
  ASSERT_EQ(by_offset.runs.size(), 1u);
  EXPECT_EQ(by_offset.runs[0].id, newest_first[6]);
  EXPECT_FALSE(by_offset.next_cursor.has_value());

  EXPECT_THROW(store().list_runs("default", "a", RunPageRequest{.limit = 0}), std::invalid_argument);
  EXPECT_THROW(store().list_runs("default", "a", RunPageRequest{.limit = 5, .cursor = "garbage"}), std::invalid_argument);
  EXPECT_THROW(store().list_runs("default", "missing", RunPageRequest{}), NotFound);
}

TEST_P(RunStoreContract, RecoveryFailsRunsLeftRunningAndKeepsPendingOnes) {
  Analysis a = store().create_analysis(analysis_named("a"));
  Analysis b = store().create_analysis(analysis_named("b"));
  RunRecord running = store().enqueue_run(run_of(a));
  store().claim_next_run();
  NewRun nested = run_of(b);
  nested.trigger = RunTrigger::Nested;
  nested.parent_run_id = running.id;
  RunRecord orphaned_child = store().enqueue_run(nested);
  RunRecord waiting = store().enqueue_run(run_of(b));

  auto failed = store().fail_abandoned_runs("the server stopped during the run");
  EXPECT_EQ(failed, (std::vector<std::string>{running.id, orphaned_child.id}));
  RunRecord recovered = *store().find_run(running.id);
  EXPECT_EQ(recovered.state, RunState::Failed);
  EXPECT_EQ(recovered.error, "the server stopped during the run");
  EXPECT_TRUE(recovered.completed_at.has_value());
  EXPECT_TRUE(recovered.execution_time_ms.has_value());
  EXPECT_GE(*recovered.execution_time_ms, 0);
  EXPECT_EQ(store().find_run(orphaned_child.id)->state, RunState::Failed);
  EXPECT_EQ(store().find_run(waiting.id)->state, RunState::Pending) << "a top-level pending run is still wanted";
  EXPECT_EQ(store().claim_next_run()->id, waiting.id);
}

TEST_P(RunStoreContract, ConcurrentWorkersClaimEachRunOnceAndNeverTwoOfOneAnalysis) {
  constexpr int kAnalyses = 4;
  constexpr int kRunsEach = 15;
  std::vector<Analysis> analyses;
  for (int i = 0; i < kAnalyses; ++i) analyses.push_back(store().create_analysis(analysis_named("a" + std::to_string(i))));
  for (int r = 0; r < kRunsEach; ++r) {
    for (const auto& analysis : analyses) store().enqueue_run(run_of(analysis));
  }
  // Each worker has its own connection when the backend allows it, as separate processes would.
  std::vector<std::unique_ptr<Store>> connections;
  std::vector<Store*> worker_stores;
  for (int w = 0; w < 4; ++w) {
    std::unique_ptr<Store> own = GetParam().second_connection ? GetParam().second_connection() : nullptr;
    worker_stores.push_back(own ? own.get() : &store());
    if (own) connections.push_back(std::move(own));
  }
  std::mutex mutex;
  std::set<std::string> claimed;
  std::set<std::string> running_analyses;
  std::atomic<int> duplicates{0};
  std::atomic<int> overlaps{0};
  std::atomic<int> done{0};
  constexpr int kTotal = kAnalyses * kRunsEach;
  std::vector<std::jthread> workers;
  for (Store* worker_store : worker_stores) {
    workers.emplace_back([&, worker_store] {
      // Nothing to claim is normal for a moment (the other runs' analyses are busy); the cap
      // only keeps a broken store from hanging the test.
      for (int idle = 0; done.load() < kTotal && idle < 1'000'000;) {
        auto run = worker_store->claim_next_run();
        if (!run) {
          ++idle;
          std::this_thread::yield();
          continue;
        }
        {
          std::lock_guard lock(mutex);
          if (!claimed.insert(run->id).second) ++duplicates;
          if (!running_analyses.insert(run->analysis_id).second) ++overlaps;
        }
        std::this_thread::yield();
        {
          std::lock_guard lock(mutex);
          running_analyses.erase(run->analysis_id);
        }
        worker_store->finish_run(run->id, finished(RunState::Completed));
        ++done;
      }
    });
  }
  workers.clear();
  EXPECT_EQ(duplicates.load(), 0) << "a run was handed out twice";
  EXPECT_EQ(overlaps.load(), 0) << "two runs of one analysis were running at once";
  EXPECT_EQ(claimed.size(), static_cast<size_t>(kTotal));
}

INSTANTIATE_TEST_SUITE_P(
    Sqlite, RunStoreContract,
    ::testing::Values(RunStoreBackend{"Memory", [] { return std::make_unique<SqliteStore>(":memory:"); }, nullptr},
                      [] {
                        auto path = std::make_shared<std::filesystem::path>();
                        return RunStoreBackend{
                            "File",
                            [path] {
                              static int counter = 0;
                              *path = temp_database("runs-" + std::to_string(++counter) + ".db");
                              return std::make_unique<SqliteStore>(path->string());
                            },
                            [path] { return std::make_unique<SqliteStore>(path->string()); }};
                      }()),
    backend_name);
