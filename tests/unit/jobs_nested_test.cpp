// ctx.runAnalysis: inline nested runs, their history rows, and the rules (declared, no cycles,
// depth <= 10, same deadline and stop switch, the callee's own extensions).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "jobs_test_support.h"

using namespace as;
using namespace as::jobs;
using as::catalog::RunState;
using as::catalog::RunTrigger;
using as::testing::describe;

namespace {

std::string depends_on(std::initializer_list<std::string> names) {
  nlohmann::json analyses = nlohmann::json::array();
  for (const auto& name : names) analyses.push_back(name);
  return nlohmann::json{{"dependencies", {{"datasources", nlohmann::json::array()}, {"analyses", analyses}}}}.dump();
}

class JobsNested : public as::testing::JobsTest {};

}  // namespace

TEST_F(JobsNested, CalleeParametersAreCheckedAndDefaulted) {
  add("caller",
      "const ok = await ctx.runAnalysis('callee', {});\n"
      "let refused = null;\n"
      "try { await ctx.runAnalysis('callee', { n: 'many' }); } catch (e) { refused = e.message; }\n"
      "return { ok: ok.result, refused };",
      depends_on({"callee"}));
  add("callee", "return { n: params.n };", R"({"parameters":{"n":{"type":"number","default":7}}})");
  start();
  JobStatus parent = run_to_end("caller");
  ASSERT_EQ(parent.run.state, RunState::Completed) << describe(parent);
  auto result = nlohmann::json::parse(*parent.result_json);
  EXPECT_EQ(result["ok"], nlohmann::json::parse(R"({"n":7})")) << "the callee's default applies";
  ASSERT_TRUE(result["refused"].is_string());
  EXPECT_NE(result["refused"].get<std::string>().find("ctx.runAnalysis('callee'): invalid parameters: parameter 'n'"), std::string::npos)
      << result["refused"];
  EXPECT_EQ(store_->list_runs("default", "callee", catalog::RunPageRequest{}).runs.size(), 1u) << "a refused call writes no run";
}

TEST_F(JobsNested, RunAnalysisReturnsTheCalleeResultAndRecordsTheNestedRun) {
  add("caller",
      "const r = await ctx.runAnalysis('callee', { n: 20 });\n"
      "return { success: r.success, result: r.result, error: r.error, run_id: r.run_id };",
      depends_on({"callee"}));
  add("callee", "ctx.log('nested log'); ctx.metadata.set('calls', (ctx.metadata.get('calls') || 0) + 1);\nreturn { doubled: params.n * 2 };",
      R"({"parameters":{"n":{"type":"number","required":true}}})");
  start();
  JobStatus parent = run_to_end("caller");
  ASSERT_EQ(parent.run.state, RunState::Completed) << describe(parent);
  auto result = nlohmann::json::parse(*parent.result_json);
  EXPECT_EQ(result["success"], true);
  EXPECT_EQ(result["result"], nlohmann::json::parse(R"({"doubled":40})"));
  EXPECT_TRUE(result["error"].is_null());
  ASSERT_TRUE(result["run_id"].is_string());

  catalog::RunPage history = store_->list_runs("default", "callee", catalog::RunPageRequest{});
  ASSERT_EQ(history.runs.size(), 1u);
  const catalog::RunRecord& nested = history.runs[0];
  EXPECT_EQ(nested.id, result["run_id"].get<std::string>());
  EXPECT_EQ(nested.parent_run_id, parent.run.id);
  EXPECT_EQ(nested.trigger, RunTrigger::Nested);
  EXPECT_EQ(nested.executed_by, "tester");
  EXPECT_EQ(nested.parameters_json, R"({"n":20})");
  EXPECT_EQ(nested.state, RunState::Completed);
  JobStatus nested_status = service_->status(nested.id);
  EXPECT_EQ(nested_status.result_json, R"({"doubled":40})") << "the nested result is stored like any other";
  ASSERT_EQ(nested_status.logs.size(), 1u);
  EXPECT_EQ(nested_status.logs[0].message, "nested log");
  EXPECT_EQ(to_json(store_->load_run_metadata("default", "callee").at("calls")), "1") << "the callee keeps its own metadata";
}

TEST_F(JobsNested, FailedCalleeResolvesWithSuccessFalse) {
  add("caller", "const r = await ctx.runAnalysis('broken'); return { success: r.success, error: r.error, run_id: r.run_id };",
      depends_on({"broken"}));
  add("broken", "throw new Error('callee exploded');");
  start();
  JobStatus parent = run_to_end("caller");
  ASSERT_EQ(parent.run.state, RunState::Completed) << describe(parent);
  auto result = nlohmann::json::parse(*parent.result_json);
  EXPECT_EQ(result["success"], false);
  EXPECT_NE(result["error"].get<std::string>().find("callee exploded"), std::string::npos) << result.dump();
  EXPECT_EQ(service_->status(result["run_id"].get<std::string>()).run.state, RunState::Failed);
}

TEST_F(JobsNested, CycleIsRefusedNamingTheChain) {
  add("a", "const r = await ctx.runAnalysis('b'); return { success: r.success, error: r.error };", depends_on({"b"}));
  add("b", "const r = await ctx.runAnalysis('a'); return { reached: true };", depends_on({"a"}));
  start();
  JobStatus top = run_to_end("a");
  ASSERT_EQ(top.run.state, RunState::Completed) << describe(top);
  auto result = nlohmann::json::parse(*top.result_json);
  EXPECT_EQ(result["success"], false);
  std::string error = result["error"].get<std::string>();
  EXPECT_NE(error.find("cycle a → b → a"), std::string::npos) << error;
  EXPECT_EQ(store_->list_runs("default", "a", catalog::RunPageRequest{}).runs.size(), 1u) << "the cycle never started a second 'a'";
}

TEST_F(JobsNested, SelfCallIsACycle) {
  add("self", "try { await ctx.runAnalysis('self'); return { ran: true }; } catch (e) { return { refused: e.message }; }",
      depends_on({"self"}));
  start();
  JobStatus done = run_to_end("self");
  EXPECT_EQ(done.result_json,
            R"({"refused":"ctx.runAnalysis('self'): cycle self → self: an analysis cannot call itself, directly or through other analyses"})");
}

TEST_F(JobsNested, TenNestedLevelsWorkAndTheEleventhIsRefused) {
  // c0 → c1 → ... → c11; each returns how deep the chain below it went.
  for (int i = 0; i <= 11; ++i) {
    std::string name = "c" + std::to_string(i);
    if (i == 11) {
      add(name, "return { below: 0 };");
      continue;
    }
    std::string next = "c" + std::to_string(i + 1);
    add(name,
        "const r = await ctx.runAnalysis('" + next + "');\n"
        "if (!r.success) throw new Error(r.error);\n"
        "return { below: r.result.below + 1 };",
        depends_on({next}));
  }
  start();
  JobStatus ten = run_to_end("c1");  // c1 is the top level; c11 is 10 levels below it
  ASSERT_EQ(ten.run.state, RunState::Completed) << describe(ten);
  EXPECT_EQ(ten.result_json, R"({"below":10})");

  JobStatus eleven = run_to_end("c0");
  ASSERT_EQ(eleven.run.state, RunState::Failed) << describe(eleven);
  EXPECT_NE(eleven.run.error->find("nesting depth 11 exceeds the limit of 10 nested runs (c0 → c1 → c2"), std::string::npos)
      << *eleven.run.error;
  EXPECT_NE(eleven.run.error->find("c10 → c11)"), std::string::npos) << *eleven.run.error;
}

TEST_F(JobsNested, UndeclaredAnalysisIsRefused) {
  add("sneaky", "try { await ctx.runAnalysis('target'); return {}; } catch (e) { return { refused: e.message }; }", depends_on({}));
  add("target", "return {};");
  start();
  JobStatus done = run_to_end("sneaky");
  EXPECT_EQ(done.result_json,
            R"({"refused":"ctx.runAnalysis('target'): analysis 'sneaky' does not declare 'target' in dependencies.analyses; add it there to call it"})");
  EXPECT_TRUE(store_->list_runs("default", "target", catalog::RunPageRequest{}).runs.empty());
}

TEST_F(JobsNested, UnknownAnalysisAndBadArgumentsAreRefused) {
  add("caller",
      "const out = {};\n"
      "try { await ctx.runAnalysis('ghost'); } catch (e) { out.ghost = e.message; }\n"
      "try { ctx.runAnalysis(42); } catch (e) { out.number = e.message; }\n"
      "try { ctx.runAnalysis('ghost', [1]); } catch (e) { out.array = e.message; }\n"
      "return out;",
      depends_on({"ghost"}));
  start();
  JobStatus done = run_to_end("caller");
  ASSERT_EQ(done.run.state, RunState::Completed) << describe(done);
  auto out = nlohmann::json::parse(*done.result_json);
  EXPECT_EQ(out["ghost"], "ctx.runAnalysis('ghost'): analysis 'ghost' not found in project 'default'");
  EXPECT_EQ(out["number"], "ctx.runAnalysis(name, params) needs the analysis name as a non-empty string, got 42");
  EXPECT_EQ(out["array"], "ctx.runAnalysis('ghost', params): params must be an object, got an array");
}

TEST_F(JobsNested, CalleeGetsItsOwnEnvironment) {
  add("outer", "const r = await ctx.runAnalysis('inner'); return r.result;", depends_on({"inner"}));
  add("inner", "return { ok: true };");
  start();
  ASSERT_EQ(run_to_end("outer").run.state, RunState::Completed);
  std::lock_guard lock(environments_mutex_);
  EXPECT_EQ(environments_made_, (std::vector<std::string>{"outer", "inner"}))
      << "the factory is asked for the callee's own extensions (its own datasources)";
}

TEST_F(JobsNested, CalleeSharesTheCallersDeadline) {
  add("impatient", "const r = await ctx.runAnalysis('slow'); return { r };", depends_on({"slow"}));
  add("slow", "ctx.signal('slow running'); while (true) {}");
  sandbox::RunLimits short_limit;
  short_limit.timeout = std::chrono::milliseconds(300);
  limits_["impatient"] = short_limit;  // 'slow' keeps the default 30 s of its own
  start();
  JobStatus done = run_to_end("impatient");
  ASSERT_EQ(done.run.state, RunState::Failed) << describe(done);
  EXPECT_NE(done.run.error->find("time limit exceeded"), std::string::npos) << *done.run.error;
  catalog::RunPage nested = store_->list_runs("default", "slow", catalog::RunPageRequest{});
  ASSERT_EQ(nested.runs.size(), 1u);
  JobStatus slow = wait(nested.runs[0].id);
  EXPECT_TRUE(slow.finished()) << "the nested run ended with its caller's deadline, not its own 30 s";
  EXPECT_NE(slow.run.state, RunState::Completed);
}

TEST_F(JobsNested, CancellingTheCallerStopsTheNestedRun) {
  add("parent", "const r = await ctx.runAnalysis('child'); return { r };", depends_on({"child"}));
  add("child", "ctx.signal('child spinning'); while (true) {}");
  start();
  std::string id = service_->submit("default", "parent", ValueObject{}, RunTrigger::Manual, "a");
  ASSERT_TRUE(hooks_->wait_for_signal("child spinning"));
  EXPECT_EQ(service_->cancel(id).outcome, CancelOutcome::StopRequested);
  JobStatus parent = wait(id);
  EXPECT_EQ(parent.run.state, RunState::Cancelled) << describe(parent);
  catalog::RunPage nested = store_->list_runs("default", "child", catalog::RunPageRequest{});
  ASSERT_EQ(nested.runs.size(), 1u);
  JobStatus child = wait(nested.runs[0].id);
  EXPECT_EQ(child.run.state, RunState::Cancelled) << describe(child);
  EXPECT_EQ(child.run.error, "the calling run stopped, so this nested run was cancelled");
}

TEST_F(JobsNested, CancellingTheNestedRunAloneLetsTheCallerContinue) {
  add("boss", "const r = await ctx.runAnalysis('worker'); return { success: r.success, error: r.error };", depends_on({"worker"}));
  add("worker", "ctx.signal('working'); await ctx.sleep(60000); return {};");
  start();
  std::string id = service_->submit("default", "boss", ValueObject{}, RunTrigger::Manual, "a");
  ASSERT_TRUE(hooks_->wait_for_signal("working"));
  std::string nested_id = store_->list_runs("default", "worker", catalog::RunPageRequest{}).runs.at(0).id;
  EXPECT_EQ(service_->cancel(nested_id).outcome, CancelOutcome::StopRequested);
  JobStatus boss = wait(id);
  ASSERT_EQ(boss.run.state, RunState::Completed) << describe(boss);
  EXPECT_EQ(boss.result_json, R"({"success":false,"error":"the run was cancelled"})");
}

TEST_F(JobsNested, NestedRunWaitsWhileItsAnalysisIsRunningElsewhere) {
  add("shared", "if (params.hold) { ctx.signal('shared held'); await ctx.waitForGate(); }\nreturn { held: !!params.hold };", as::testing::boolean_parameter("hold"));
  add("user", "const r = await ctx.runAnalysis('shared'); return { nested: r.result };", depends_on({"shared"}));
  start(2);
  std::string holder = service_->submit("default", "shared", parse_json(R"({"hold":true})"), RunTrigger::Manual, "a");
  ASSERT_TRUE(hooks_->wait_for_signal("shared held"));
  std::string user = service_->submit("default", "user", ValueObject{}, RunTrigger::Manual, "a");
  // 'user' is running and its nested 'shared' run waits for the held one.
  EXPECT_FALSE(service_->wait(user, std::chrono::milliseconds(100)).finished());
  hooks_->open_gate();
  JobStatus held = wait(holder);
  JobStatus used = wait(user);
  ASSERT_EQ(used.run.state, RunState::Completed) << describe(used);
  EXPECT_EQ(used.result_json, R"({"nested":{"held":false}})");
  std::string nested_id = store_->list_runs("default", "shared", catalog::RunPageRequest{}).runs.at(0).id;
  JobStatus nested = service_->status(nested_id);
  EXPECT_LE(*held.run.completed_at, *nested.run.started_at) << "the nested run started only after the held run ended";
}
