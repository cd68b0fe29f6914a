// The shape of an analysis and of its result: what run_analysis accepts and how it reports
// everything else.
#include <gtest/gtest.h>

#include "run_helpers.h"

using namespace as;
using namespace as::sandbox;
using as::testing::failure_message;
using as::testing::run_body;
using as::testing::run_source;

TEST(AnalysisShape, TrivialAnalysisReturnsItsResultAsJson) {
  auto outcome = run_source("export default { title: 'Hello', run(ctx, params) { return { greeting: 'hi', n: 42 }; } };");
  ASSERT_EQ(outcome.status, RunStatus::Completed) << failure_message(outcome);
  EXPECT_EQ(outcome.result_json, R"({"greeting":"hi","n":42})");
  EXPECT_EQ(outcome.stats.result_bytes, outcome.result_json.size());
}

TEST(AnalysisShape, AsyncRunIsAwaited) {
  auto outcome = run_body("await null; return { done: await Promise.resolve(7) };");
  ASSERT_EQ(outcome.status, RunStatus::Completed) << failure_message(outcome);
  EXPECT_EQ(outcome.result_json, R"({"done":7})");
}

TEST(AnalysisShape, ParamsArriveAsTheSecondArgument) {
  RunRequest request;
  request.params = parse_json(R"({"month":"2024-01","limit":5,"tags":["a","b"]})");
  auto outcome = run_body("return { month: params.month, twice: params.limit * 2, tags: params.tags.length };", request);
  ASSERT_EQ(outcome.status, RunStatus::Completed) << failure_message(outcome);
  EXPECT_EQ(outcome.result_json, R"({"month":"2024-01","twice":10,"tags":2})");
}

TEST(AnalysisShape, TopLevelAwaitRunsBeforeRun) {
  auto outcome = run_source("const base = await Promise.resolve(40);\nexport default { title: 't', run() { return { v: base + 2 }; } };");
  ASSERT_EQ(outcome.status, RunStatus::Completed) << failure_message(outcome);
  EXPECT_EQ(outcome.result_json, R"({"v":42})");
}

TEST(AnalysisShape, MissingDefaultExportIsAClearError) {
  auto outcome = run_source("export const x = 1;");
  ASSERT_EQ(outcome.status, RunStatus::Failed);
  EXPECT_EQ(outcome.failure->kind, FailureKind::Script);
  EXPECT_NE(failure_message(outcome).find("no default export"), std::string::npos) << failure_message(outcome);
}

TEST(AnalysisShape, DefaultExportMustBeAnObject) {
  auto outcome = run_source("export default function run() { return {}; }");
  ASSERT_EQ(outcome.status, RunStatus::Failed);
  EXPECT_NE(failure_message(outcome).find("default export must be an object"), std::string::npos) << failure_message(outcome);
}

TEST(AnalysisShape, MissingTitleIsAClearError) {
  auto outcome = run_source("export default { run() { return {}; } };");
  ASSERT_EQ(outcome.status, RunStatus::Failed);
  EXPECT_NE(failure_message(outcome).find("needs a `title` string, got none"), std::string::npos) << failure_message(outcome);
}

TEST(AnalysisShape, MissingRunIsAClearError) {
  auto outcome = run_source("export default { title: 'no run here' };");
  ASSERT_EQ(outcome.status, RunStatus::Failed);
  EXPECT_EQ(outcome.failure->kind, FailureKind::Script);
  EXPECT_NE(failure_message(outcome).find("needs a `run(ctx, params)` function, got none"), std::string::npos)
      << failure_message(outcome);
}

TEST(AnalysisShape, RunThatIsNotAFunctionIsAClearError) {
  auto outcome = run_source("export default { title: 't', run: 42 };");
  ASSERT_EQ(outcome.status, RunStatus::Failed);
  EXPECT_NE(failure_message(outcome).find("got a number"), std::string::npos) << failure_message(outcome);
}

TEST(AnalysisResult, ArrayResultIsRejected) {
  auto outcome = run_body("return [1, 2, 3];");
  ASSERT_EQ(outcome.status, RunStatus::Failed);
  EXPECT_EQ(outcome.failure->kind, FailureKind::Script);
  EXPECT_NE(failure_message(outcome).find("must return a plain object"), std::string::npos) << failure_message(outcome);
  EXPECT_NE(failure_message(outcome).find("got an array"), std::string::npos) << failure_message(outcome);
}

TEST(AnalysisResult, PrimitiveResultsAreRejected) {
  for (std::string value : {"42", "'text'", "true", "null", "undefined", "10n"}) {
    auto outcome = run_body("return " + value + ";");
    ASSERT_EQ(outcome.status, RunStatus::Failed) << value;
    EXPECT_NE(failure_message(outcome).find("must return a plain object"), std::string::npos) << value << ": " << failure_message(outcome);
  }
}

TEST(AnalysisResult, ClassInstancesAreNotPlainObjects) {
  auto outcome = run_body("return new Map([[1, 2]]);");
  ASSERT_EQ(outcome.status, RunStatus::Failed);
  EXPECT_NE(failure_message(outcome).find("an instance of Map"), std::string::npos) << failure_message(outcome);
}

TEST(AnalysisResult, NullPrototypeObjectIsPlain) {
  auto outcome = run_body("const o = Object.create(null); o.a = 1; return o;");
  ASSERT_EQ(outcome.status, RunStatus::Completed) << failure_message(outcome);
  EXPECT_EQ(outcome.result_json, R"({"a":1})");
}

TEST(AnalysisResult, CircularResultIsAClearError) {
  auto outcome = run_body("const o = { a: { } }; o.a.back = o; return o;");
  ASSERT_EQ(outcome.status, RunStatus::Failed);
  EXPECT_NE(failure_message(outcome).find("result.a.back is a circular reference"), std::string::npos) << failure_message(outcome);
}

TEST(AnalysisResult, JsonRulesForSpecialValues) {
  auto outcome = run_body(
      "return { u: undefined, f() {}, n: null, nan: NaN, d: new Date(Date.UTC(2024, 0, 15, 10, 30)), big: 2n ** 70n,"
      " bytes: new Uint8Array([1, 2, 3]), list: [undefined, () => 1, 1.5] };");
  ASSERT_EQ(outcome.status, RunStatus::Completed) << failure_message(outcome);
  EXPECT_EQ(outcome.result_json,
            R"({"n":null,"nan":null,"d":"2024-01-15T10:30:00.000Z","big":"1180591620717411303424","bytes":"AQID","list":[null,null,1.5]})");
}

TEST(AnalysisErrors, SyntaxErrorReportsLineAndColumn) {
  auto outcome = run_source("export default {\n  title: 't',\n  run(ctx) { return { a: 1 }; ) }\n};\n");
  ASSERT_EQ(outcome.status, RunStatus::Failed);
  EXPECT_EQ(outcome.failure->kind, FailureKind::Script);
  EXPECT_NE(failure_message(outcome).find("SyntaxError"), std::string::npos) << failure_message(outcome);
  EXPECT_EQ(outcome.failure->line, 3) << failure_message(outcome);
  EXPECT_GT(outcome.failure->column, 0);
  EXPECT_NE(failure_message(outcome).find("analysis.js:3:"), std::string::npos) << failure_message(outcome);
}

TEST(AnalysisErrors, ThrownErrorReportsMessageAndStackWithLocation) {
  auto outcome = run_source(
      "function helper() {\n"
      "  throw new TypeError('bad month: 13');\n"
      "}\n"
      "export default { title: 't', run() { helper(); return {}; } };\n");
  ASSERT_EQ(outcome.status, RunStatus::Failed);
  EXPECT_EQ(outcome.failure->kind, FailureKind::Script);
  EXPECT_EQ(outcome.failure->message, "TypeError: bad month: 13");
  EXPECT_EQ(outcome.failure->line, 2);
  EXPECT_EQ(outcome.failure->column, 13);  // QuickJS points at the constructor call
  EXPECT_NE(outcome.failure->stack.find("at helper (analysis.js:2:13)"), std::string::npos) << outcome.failure->stack;
  EXPECT_NE(outcome.failure->stack.find("at run (analysis.js:4"), std::string::npos) << outcome.failure->stack;
}

TEST(AnalysisErrors, RejectedAsyncRunReportsTheError) {
  auto outcome = run_body("await ctx.sleep(1);\nthrow new Error('late failure');");
  ASSERT_EQ(outcome.status, RunStatus::Failed);
  EXPECT_EQ(outcome.failure->message, "Error: late failure");
  EXPECT_EQ(outcome.failure->line, 3);
}

TEST(AnalysisErrors, ThrownNonErrorValueIsReported) {
  auto outcome = run_body("throw 'plain string';");
  ASSERT_EQ(outcome.status, RunStatus::Failed);
  EXPECT_EQ(outcome.failure->message, "Uncaught plain string");
}

TEST(AnalysisErrors, ModuleThatThrowsWhileLoading) {
  auto outcome = run_source("throw new RangeError('at load');\nexport default { title: 't', run() { return {}; } };");
  ASSERT_EQ(outcome.status, RunStatus::Failed);
  EXPECT_EQ(outcome.failure->message, "RangeError: at load");
  EXPECT_EQ(outcome.failure->line, 1);
}

TEST(AnalysisErrors, PromiseThatNeverSettlesIsReported) {
  auto outcome = run_body("await new Promise(() => {}); return {};");
  ASSERT_EQ(outcome.status, RunStatus::Failed);
  EXPECT_NE(failure_message(outcome).find("can never finish"), std::string::npos) << failure_message(outcome);
}

TEST(AnalysisRuntime, EachRunGetsAFreshRuntime) {
  auto first = run_body("globalThis.leftover = 1; Object.prototype.polluted = true; return {};");
  ASSERT_EQ(first.status, RunStatus::Completed) << failure_message(first);
  auto second = run_body("return { leftover: typeof globalThis.leftover, polluted: typeof ({}).polluted };");
  ASSERT_EQ(second.status, RunStatus::Completed) << failure_message(second);
  EXPECT_EQ(second.result_json, R"({"leftover":"undefined","polluted":"undefined"})");
}

TEST(AnalysisRuntime, BytecodeCacheGivesTheSameResult) {
  BytecodeCache cache;
  RunRequest request;
  request.cache = &cache;
  auto first = run_body("return { x: 1 };", request);
  auto second = run_body("return { x: 1 };", request);
  ASSERT_EQ(first.status, RunStatus::Completed) << failure_message(first);
  ASSERT_EQ(second.status, RunStatus::Completed) << failure_message(second);
  EXPECT_EQ(first.result_json, second.result_json);
  EXPECT_EQ(cache.size(), 1u);
}

TEST(AnalysisResult, ToJsonIsHonouredAndInvalidDatesBecomeNull) {
  auto outcome = run_body("return { t: { toJSON() { return 5; } }, bad: new Date(NaN), nested: { toJSON: () => ({ k: 'v' }) } };");
  ASSERT_EQ(outcome.status, RunStatus::Completed) << failure_message(outcome);
  EXPECT_EQ(outcome.result_json, R"({"t":5,"bad":null,"nested":{"k":"v"}})");
}
