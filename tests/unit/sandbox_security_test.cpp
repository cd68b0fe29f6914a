// Security: a run cannot compile code from strings, import modules or reach the host.
#include <gtest/gtest.h>

#include "run_helpers.h"

using namespace as::sandbox;
using as::testing::failure_message;
using as::testing::run_body;
using as::testing::run_source;

namespace {

void expect_dynamic_code_refused(const std::string& body) {
  auto outcome = run_body(body);
  ASSERT_EQ(outcome.status, RunStatus::Failed) << body;
  EXPECT_EQ(outcome.failure->kind, FailureKind::Script);
  EXPECT_NE(failure_message(outcome).find("dynamic code is not allowed"), std::string::npos)
      << body << " -> " << failure_message(outcome);
}

}  // namespace

TEST(DynamicCode, EvalIsRefused) { expect_dynamic_code_refused("return { v: eval('1 + 1') };"); }
TEST(DynamicCode, IndirectEvalIsRefused) { expect_dynamic_code_refused("const e = globalThis['ev' + 'al']; return { v: e('1') };"); }
TEST(DynamicCode, FunctionCallIsRefused) { expect_dynamic_code_refused("return { v: Function('return 1')() };"); }
TEST(DynamicCode, NewFunctionIsRefused) { expect_dynamic_code_refused("return { v: new Function('a', 'return a')(1) };"); }
TEST(DynamicCode, FunctionConstructorViaPrototypeIsRefused) {
  expect_dynamic_code_refused("return { v: (function () {}).constructor('return 1')() };");
}
TEST(DynamicCode, AsyncFunctionConstructorIsRefused) {
  expect_dynamic_code_refused("const AF = (async function () {}).constructor; return { v: await AF('return 1')() };");
}
TEST(DynamicCode, GeneratorFunctionConstructorIsRefused) {
  expect_dynamic_code_refused("const GF = (function* () {}).constructor; return { v: [...GF('yield 1')()] };");
}
TEST(DynamicCode, AsyncGeneratorFunctionConstructorIsRefused) {
  expect_dynamic_code_refused("const AGF = (async function* () {}).constructor; return { v: AGF('yield 1') };");
}
TEST(DynamicCode, ReflectConstructOfFunctionIsRefused) {
  expect_dynamic_code_refused("return { v: Reflect.construct(Function, ['return 1'])() };");
}
TEST(DynamicCode, ConstructorReachedThroughGetPrototypeOfIsRefused) {
  expect_dynamic_code_refused("const F = Object.getPrototypeOf(() => 1).constructor; return { v: F('return 1')() };");
}
TEST(DynamicCode, LockedConstructorsCannotBeRestored) {
  auto outcome = run_body(
      "let restored = true;\n"
      "try { Object.defineProperty(Function.prototype, 'constructor', { value: 1 }); } catch (e) { restored = false; }\n"
      "return { restored, stillBlocked: Function.prototype.constructor === Function };");
  ASSERT_EQ(outcome.status, RunStatus::Completed) << failure_message(outcome);
  EXPECT_EQ(outcome.result_json, R"({"restored":false,"stillBlocked":true})");
}
TEST(DynamicCode, InstanceofFunctionStillWorks) {
  auto outcome = run_body(
      "return { plain: (function () {}) instanceof Function, arrow: (() => 1) instanceof Function,"
      " asyncFn: (async () => 1) instanceof Function, typeofF: typeof Function };");
  ASSERT_EQ(outcome.status, RunStatus::Completed) << failure_message(outcome);
  EXPECT_EQ(outcome.result_json, R"({"plain":true,"arrow":true,"asyncFn":true,"typeofF":"function"})");
}

TEST(Imports, StaticImportNamesTheModule) {
  auto outcome = run_source("import * as fs from 'fs';\nexport default { title: 't', run() { return {}; } };");
  ASSERT_EQ(outcome.status, RunStatus::Failed);
  EXPECT_NE(failure_message(outcome).find("import of module 'fs' is not allowed"), std::string::npos) << failure_message(outcome);
}

TEST(Imports, StdAndOsModulesAreNotAvailable) {
  for (std::string module : {"std", "os", "qjs:std", "qjs:os", "./helper.js"}) {
    auto outcome = run_source("import * as m from '" + module + "';\nexport default { title: 't', run() { return {}; } };");
    ASSERT_EQ(outcome.status, RunStatus::Failed) << module;
    EXPECT_NE(failure_message(outcome).find("is not allowed"), std::string::npos) << module << ": " << failure_message(outcome);
  }
}

TEST(Imports, DynamicImportNamesTheModule) {
  auto outcome = run_body("await import('child_process'); return {};");
  ASSERT_EQ(outcome.status, RunStatus::Failed);
  EXPECT_NE(failure_message(outcome).find("import of module 'child_process' is not allowed"), std::string::npos)
      << failure_message(outcome);
}

TEST(HostAccess, NoHostGlobalsExist) {
  auto outcome = run_body(
      "return { std: typeof std, os: typeof os, require: typeof require, process: typeof process,"
      " print: typeof print, scriptArgs: typeof scriptArgs, performance: typeof performance, fetch: typeof fetch };");
  ASSERT_EQ(outcome.status, RunStatus::Completed) << failure_message(outcome);
  EXPECT_EQ(outcome.result_json,
            R"({"std":"undefined","os":"undefined","require":"undefined","process":"undefined","print":"undefined","scriptArgs":"undefined","performance":"undefined","fetch":"undefined"})");
}

TEST(HostAccess, CtxExposesOnlyTheDocumentedMembers) {
  auto outcome = run_body(
      "return { keys: Object.getOwnPropertyNames(ctx).sort(), meta: Object.getOwnPropertyNames(ctx.metadata).sort() };");
  ASSERT_EQ(outcome.status, RunStatus::Completed) << failure_message(outcome);
  EXPECT_EQ(outcome.result_json,
            R"({"keys":["error","log","metadata","shouldStop","sleep"],"meta":["delete","get","has","list","set"]})");
}
