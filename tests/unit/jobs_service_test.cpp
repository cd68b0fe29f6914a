// JobService: submit, results, metadata, failures, limits, ordering, recovery, wait, subscribe.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "catalog/ids.h"
#include "jobs/run_parameters.h"
#include "jobs_test_support.h"

using namespace as;
using namespace as::jobs;
using as::catalog::RunState;
using as::catalog::RunTrigger;
using as::testing::describe;

namespace {
class Jobs : public as::testing::JobsTest {};
}  // namespace

TEST_F(Jobs, SubmittedRunCompletesAndItsResultIsStoredAndReadable) {
  add("sales", "ctx.log('counting', params.month); return { month: params.month, total: 42 };", R"({"parameters":{"month":{"type":"string"}}})");
  start();
  std::string id = service_->submit("default", "sales", parse_json(R"({"month":"2024-01"})"), RunTrigger::Manual, "alice");
  JobStatus done = wait(id);
  ASSERT_EQ(done.run.state, RunState::Completed) << describe(done);
  ASSERT_TRUE(done.result_json.has_value());
  EXPECT_EQ(*done.result_json, R"({"month":"2024-01","total":42})");
  ASSERT_TRUE(done.run.result_path.has_value());
  std::string day = done.run.completed_at->substr(0, 10);
  std::string expected = "results/" + day.substr(0, 4) + "/" + day.substr(5, 2) + "/" + day.substr(8, 2) + "/" + id + ".json.zst";
  EXPECT_EQ(*done.run.result_path, expected);
  EXPECT_TRUE(std::filesystem::exists(dir_ / expected));
  EXPECT_EQ(service_->results().read_result(expected), *done.result_json);
  ASSERT_EQ(done.logs.size(), 1u);
  EXPECT_EQ(done.logs[0].message, "counting 2024-01");
}

TEST_F(Jobs, RunRowRecordsTriggerUserParametersVersionTimingsSizeAndPreview) {
  add("report", "return { version: 1 };");
  catalog::AnalysisChange change;
  change.title = "report";
  change.script = "export default { title: 'report', run(ctx, params) { ctx.metadata.set('seen', params.x); return { version: 2, rows: [1,2,3,4,5] }; } };";
  change.metadata_json = R"({"parameters":{"x":{"type":"number"}}})";
  store_->update_analysis("default", "report", change);
  start();
  std::string id = service_->submit("default", "report", parse_json(R"({"x":7})"), RunTrigger::Api, "bob");
  JobStatus done = wait(id);
  ASSERT_EQ(done.run.state, RunState::Completed) << describe(done);
  const catalog::RunRecord& run = done.run;
  EXPECT_EQ(run.trigger, RunTrigger::Api);
  EXPECT_EQ(run.executed_by, "bob");
  EXPECT_EQ(run.parameters_json, R"({"x":7})");
  EXPECT_EQ(run.analysis_version, 2);
  EXPECT_EQ(*done.result_json, R"({"version":2,"rows":[1,2,3,4,5]})");
  ASSERT_TRUE(run.started_at && run.completed_at && run.execution_time_ms);
  EXPECT_LE(run.queued_at, *run.started_at);
  EXPECT_LE(*run.started_at, *run.completed_at);
  EXPECT_GE(*run.execution_time_ms, 0);
  EXPECT_EQ(run.result_size_bytes, static_cast<std::int64_t>(done.result_json->size()));
  EXPECT_EQ(run.result_preview_json, R"({"version":2,"rows":[1,2,3,"… 2 more items"]})");
  EXPECT_EQ(run.metadata_json, R"({"seen":7})");
  EXPECT_FALSE(run.error.has_value());
}

TEST_F(Jobs, MetadataPersistsIntoTheNextRunOfTheSameAnalysis) {
  add("counter", "const n = (ctx.metadata.get('count') || 0) + 1; ctx.metadata.set('count', n); return { n };");
  add("other", "return { n: ctx.metadata.get('count') ?? null };");
  start();
  EXPECT_EQ(run_to_end("counter").result_json, R"({"n":1})");
  JobStatus second = run_to_end("counter");
  EXPECT_EQ(second.result_json, R"({"n":2})");
  EXPECT_EQ(second.run.metadata_json, R"({"count":2})");
  EXPECT_EQ(run_to_end("other").result_json, R"({"n":null})") << "metadata belongs to one analysis";
  EXPECT_EQ(to_json(store_->load_run_metadata("default", "counter").at("count")), "2");
}

TEST_F(Jobs, MetadataSetBeforeAFailureIsKeptForTheRetry) {
  add("checkpoint", "ctx.metadata.set('last_batch', 3);\nthrow new Error('batch 4 failed');");
  start();
  JobStatus failed = run_to_end("checkpoint");
  EXPECT_EQ(failed.run.state, RunState::Failed);
  EXPECT_EQ(to_json(store_->load_run_metadata("default", "checkpoint").at("last_batch")), "3");
}

TEST_F(Jobs, FailureIsRecordedWithTheErrorAndWhereItHappened) {
  add("failing", "ctx.log('about to fail');\nthrow new Error('boom');");
  start();
  JobStatus failed = run_to_end("failing");
  ASSERT_EQ(failed.run.state, RunState::Failed) << describe(failed);
  ASSERT_TRUE(failed.run.error.has_value());
  EXPECT_NE(failed.run.error->find("boom"), std::string::npos) << *failed.run.error;
  EXPECT_NE(failed.run.error->find("failing.js:5"), std::string::npos) << *failed.run.error;
  EXPECT_FALSE(failed.result_json.has_value());
  EXPECT_FALSE(failed.run.result_path.has_value());
  ASSERT_EQ(failed.logs.size(), 1u) << "the log of a failed run is kept";
  EXPECT_EQ(failed.logs[0].message, "about to fail");
}

TEST_F(Jobs, ResultOverTenMegabytesFailsWithTheSpecMessage) {
  add("huge", "return { blob: 'x'.repeat(11 * 1024 * 1024) };");
  add("enormous", "return { blob: 'x'.repeat(41 * 1024 * 1024) };");
  start();
  JobStatus huge = run_to_end("huge");
  ASSERT_EQ(huge.run.state, RunState::Failed) << describe(huge);
  EXPECT_EQ(huge.run.error, "Result size 11.0MB exceeds 10MB limit. Use DuckDB for large datasets.");
  EXPECT_FALSE(huge.run.result_path.has_value()) << "never a silently truncated result";
  JobStatus enormous = run_to_end("enormous");
  ASSERT_EQ(enormous.run.state, RunState::Failed) << describe(enormous);
  EXPECT_EQ(enormous.run.error, "Result size over 40.0MB exceeds 10MB limit. Use DuckDB for large datasets.");
  EXPECT_FALSE(std::filesystem::exists(dir_ / "results" / "x")) << "sanity";
}

TEST_F(Jobs, SubmitChecksParametersAgainstTheDeclaredOnesAndAppliesDefaults) {
  add("typed", "return params;",
      R"({"parameters":{"region":{"type":"string","default":"eu"},"limit":{"type":"number","required":true,"min":1}}})");
  start();
  try {
    service_->submit("default", "typed", parse_json(R"({"limit":0,"colour":"red"})"), RunTrigger::Manual, "a");
    FAIL() << "accepted an unknown parameter and a limit below its minimum";
  } catch (const InvalidParameters& e) {
    ASSERT_EQ(e.errors().size(), 2u) << e.what();
    EXPECT_EQ(e.errors()[0].parameter, "colour");
    EXPECT_EQ(e.errors()[1].parameter, "limit");
    EXPECT_EQ(std::string(e.what()).rfind("invalid parameters: unknown parameter 'colour'", 0), 0u) << e.what();
    EXPECT_NE(std::string(e.what()).find("(and 1 more)"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(store_->list_runs("default", "typed", {}).runs.empty()) << "a refused submit queues nothing";
  JobStatus done = wait(service_->submit("default", "typed", parse_json(R"({"limit":"5"})"), RunTrigger::Manual, "a"));
  ASSERT_EQ(done.run.state, RunState::Completed) << describe(done);
  EXPECT_EQ(done.run.parameters_json, R"({"region":"eu","limit":5})") << "defaults applied, declared order, number coerced";
  EXPECT_EQ(done.result_json, R"({"region":"eu","limit":5})");
}

TEST_F(Jobs, SubmitRejectsBadInputNamingIt) {
  add("sales", "return {};");
  start();
  EXPECT_THROW(service_->submit("default", "missing", ValueObject{}, RunTrigger::Manual, "a"), catalog::NotFound);
  try {
    service_->submit("default", "sales", parse_json("[1,2]"), RunTrigger::Manual, "a");
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("an array"), std::string::npos) << e.what();
  }
  EXPECT_THROW(service_->submit("default", "sales", ValueObject{}, RunTrigger::Nested, "a"), std::invalid_argument);
  EXPECT_THROW(service_->status("no-such-run"), catalog::NotFound);
  EXPECT_THROW(service_->cancel("no-such-run"), catalog::NotFound);
  EXPECT_THROW(service_->wait("no-such-run", std::chrono::seconds(1)), catalog::NotFound);
  EXPECT_THROW(service_->subscribe("no-such-run", [](const JobEvent&) {}), catalog::NotFound);
}

TEST_F(Jobs, SecondRunOfAnAnalysisWaitsUntilTheFirstEnds) {
  add("serial", "ctx.log('start'); await ctx.sleep(200); ctx.log('end'); return {};");
  start(2);
  std::string first = service_->submit("default", "serial", ValueObject{}, RunTrigger::Manual, "a");
  std::string second = service_->submit("default", "serial", ValueObject{}, RunTrigger::Manual, "a");
  JobStatus one = wait(first);
  JobStatus two = wait(second);
  ASSERT_EQ(one.run.state, RunState::Completed) << describe(one);
  ASSERT_EQ(two.run.state, RunState::Completed) << describe(two);
  if (*two.run.started_at < *one.run.started_at) std::swap(one, two);
  // Two idle workers were there to run both at once; the rule made the second wait.
  EXPECT_LE(*one.run.completed_at, *two.run.started_at) << "the runs overlapped";
  ASSERT_EQ(one.logs.size(), 2u);
  ASSERT_EQ(two.logs.size(), 2u);
  EXPECT_LE(one.logs[1].timestamp_ms, two.logs[0].timestamp_ms) << "'end' of the first is logged before 'start' of the second";
}

TEST_F(Jobs, RunsOfDifferentAnalysesRunAtTheSameTime) {
  // Both runs wait at the gate; they can only get there together if they run concurrently.
  add("left", "ctx.signal('left'); await ctx.waitForGate(); return {};");
  add("right", "ctx.signal('right'); await ctx.waitForGate(); return {};");
  start(2);
  std::string left = service_->submit("default", "left", ValueObject{}, RunTrigger::Manual, "a");
  std::string right = service_->submit("default", "right", ValueObject{}, RunTrigger::Manual, "a");
  ASSERT_TRUE(hooks_->wait_for_signal("left"));
  ASSERT_TRUE(hooks_->wait_for_signal("right"));
  hooks_->open_gate();
  EXPECT_EQ(wait(left).run.state, RunState::Completed);
  EXPECT_EQ(wait(right).run.state, RunState::Completed);
}

TEST_F(Jobs, ARunExecutesTheVersionThatWasCurrentWhenItWasSubmitted) {
  add("pinned", "if (params.hold) { ctx.signal('held'); await ctx.waitForGate(); }\nreturn { version: 1 };", as::testing::boolean_parameter("hold"));
  start(2);
  std::string holder = service_->submit("default", "pinned", parse_json(R"({"hold":true})"), RunTrigger::Manual, "a");
  ASSERT_TRUE(hooks_->wait_for_signal("held"));
  std::string queued = service_->submit("default", "pinned", ValueObject{}, RunTrigger::Manual, "a");
  EXPECT_EQ(service_->status(queued).run.state, RunState::Pending) << "the analysis is busy";
  catalog::AnalysisChange change;
  change.title = "pinned";
  change.script = "export default { title: 'pinned', run() { return { version: 2 }; } };";
  store_->update_analysis("default", "pinned", change);
  std::string later = service_->submit("default", "pinned", ValueObject{}, RunTrigger::Manual, "a");
  hooks_->open_gate();
  EXPECT_EQ(wait(holder).result_json, R"({"version":1})");
  JobStatus old_version = wait(queued);
  EXPECT_EQ(old_version.result_json, R"({"version":1})") << describe(old_version);
  EXPECT_EQ(old_version.run.analysis_version, 1);
  EXPECT_EQ(wait(later).result_json, R"({"version":2})");
}

TEST_F(Jobs, WaitReturnsWhenTheRunEnds) {
  add("gated", "await ctx.waitForGate(); return { done: true };");
  start();
  std::string id = service_->submit("default", "gated", ValueObject{}, RunTrigger::Manual, "a");
  JobStatus early = service_->wait(id, std::chrono::milliseconds(50));
  EXPECT_FALSE(early.finished()) << "the gate is closed: the run cannot have ended";
  std::jthread opener([this] { hooks_->open_gate(); });
  JobStatus done = service_->wait(id, std::chrono::seconds(60));
  EXPECT_EQ(done.run.state, RunState::Completed) << describe(done);
  EXPECT_EQ(done.result_json, R"({"done":true})");
}

TEST_F(Jobs, SubscriberReceivesLogsInOrderAndTheFinalStatus) {
  add("chatty", "ctx.signal('ready'); await ctx.waitForGate(); ctx.log('one'); ctx.log('two'); ctx.error('three'); return {};");
  start();
  std::string id = service_->submit("default", "chatty", ValueObject{}, RunTrigger::Manual, "a");
  as::testing::EventLog events;
  jobs::Subscription subscription = service_->subscribe(id, events.listener());
  hooks_->open_gate();
  ASSERT_TRUE(events.wait_for_final());
  std::vector<std::string> seen = events.summary();
  std::vector<std::string> tail(seen.end() - 4, seen.end());
  EXPECT_EQ(tail, (std::vector<std::string>{"log:one", "log:two", "log:three", "status:completed"}));
  EXPECT_TRUE(seen.front() == "status:pending" || seen.front() == "status:running") << seen.front();
  EXPECT_EQ(events.events.back().kind, JobEvent::Kind::Status);
}

TEST_F(Jobs, LateSubscriberGetsTheLogSoFarThenTheRest) {
  add("midway", "ctx.log('early'); ctx.signal('ready'); await ctx.waitForGate(); ctx.log('late'); return {};");
  start();
  std::string id = service_->submit("default", "midway", ValueObject{}, RunTrigger::Manual, "a");
  ASSERT_TRUE(hooks_->wait_for_signal("ready"));
  as::testing::EventLog events;
  jobs::Subscription subscription = service_->subscribe(id, events.listener());
  EXPECT_TRUE(subscription.active());
  EXPECT_EQ(events.summary(), (std::vector<std::string>{"log:early", "status:running"})) << "replayed at once";
  hooks_->open_gate();
  ASSERT_TRUE(events.wait_for_final());
  EXPECT_EQ(events.summary(), (std::vector<std::string>{"log:early", "status:running", "log:late", "status:completed"}));
}

TEST_F(Jobs, SubscriberOfAFinishedRunGetsEverythingAtOnce) {
  add("finished", "ctx.log('a'); ctx.log('b'); throw new Error('nope');");
  start();
  std::string id = run_to_end("finished").run.id;
  as::testing::EventLog events;
  jobs::Subscription subscription = service_->subscribe(id, events.listener());
  EXPECT_FALSE(subscription.active());
  EXPECT_EQ(events.summary(), (std::vector<std::string>{"log:a", "log:b", "status:failed"}));
  ASSERT_TRUE(events.events.back().error.has_value());
  EXPECT_NE(events.events.back().error->find("nope"), std::string::npos);
}

TEST_F(Jobs, UnsubscribedListenerHearsNothingMore) {
  add("twice", "ctx.signal('ready'); await ctx.waitForGate(); ctx.log('after'); return {};");
  start();
  std::string id = service_->submit("default", "twice", ValueObject{}, RunTrigger::Manual, "a");
  ASSERT_TRUE(hooks_->wait_for_signal("ready"));
  as::testing::EventLog gone;
  as::testing::EventLog kept;
  {
    jobs::Subscription dropped = service_->subscribe(id, gone.listener());
  }
  jobs::Subscription subscription = service_->subscribe(id, kept.listener());
  std::size_t before = gone.summary().size();
  hooks_->open_gate();
  ASSERT_TRUE(kept.wait_for_final());
  EXPECT_EQ(gone.summary().size(), before) << "the RAII subscription ended with its scope";
}

TEST_F(Jobs, RestartFailsRunsLeftRunningAndExecutesPendingOnes) {
  catalog::Analysis crashed = add("crashed", "return {};");
  catalog::Analysis waiting = add("waiting", "return { picked_up: true };");
  // What a killed process leaves behind: one run marked running, one still pending.
  catalog::NewRun run;
  run.analysis_id = crashed.id;
  run.executed_by = "scheduler";
  run.trigger = RunTrigger::Scheduled;
  std::string abandoned = store_->enqueue_run(run).id;
  ASSERT_EQ(store_->claim_next_run()->id, abandoned);
  run.analysis_id = waiting.id;
  std::string pending = store_->enqueue_run(run).id;

  start();
  EXPECT_EQ(service_->recovered_runs(), std::vector<std::string>{abandoned});
  JobStatus failed = service_->status(abandoned);
  EXPECT_EQ(failed.run.state, RunState::Failed);
  EXPECT_EQ(failed.run.error, std::string(kAbandonedRunReason));
  JobStatus picked = wait(pending);
  EXPECT_EQ(picked.run.state, RunState::Completed) << describe(picked);
  EXPECT_EQ(picked.result_json, R"({"picked_up":true})");
  EXPECT_EQ(picked.run.trigger, RunTrigger::Scheduled);
}

TEST_F(Jobs, PendingRowWrittenByAnotherProcessIsFoundByPolling) {
  catalog::Analysis outside = add("outside", "return { ok: true };");
  start();
  // Written straight to the catalog: no submit() woke a worker.
  catalog::NewRun run;
  run.analysis_id = outside.id;
  run.executed_by = "other-process";
  std::string id = store_->enqueue_run(run).id;
  JobStatus done = wait(id);
  EXPECT_EQ(done.run.state, RunState::Completed) << describe(done);
}

TEST_F(Jobs, ManyRunsThroughFewWorkers) {
  for (int i = 0; i < 4; ++i) add("a" + std::to_string(i), "return { i: params.i };", R"({"parameters":{"i":{"type":"number"}}})");
  start(2);
  std::vector<std::string> ids;
  for (int i = 0; i < 40; ++i) {
    ids.push_back(service_->submit("default", "a" + std::to_string(i % 4), ValueObject{{"i", i}}, RunTrigger::Api, "load"));
  }
  for (int i = 0; i < 40; ++i) {
    JobStatus done = wait(ids[i]);
    EXPECT_EQ(done.result_json, "{\"i\":" + std::to_string(i) + "}") << describe(done);
  }
  EXPECT_EQ(store_->list_runs("default", "a0", catalog::RunPageRequest{.limit = 100}).runs.size(), 10u);
}
