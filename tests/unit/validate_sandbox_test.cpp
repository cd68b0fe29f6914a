// validate_analysis against hostile and broken scripts: syntax errors, top-level code that loops
// or eats memory, run() that must never be called, forbidden code.
#include <gtest/gtest.h>

#include "validate_test_support.h"

namespace as::testing {
namespace {

TEST(ValidateSyntax, SyntaxErrorNamesLineAndColumn) {
  auto result = validate_source("export default {\n  title: 't',\n  run: async function(ctx) {\n    return { a: };\n  }\n};");
  ASSERT_FALSE(result.valid);
  ASSERT_EQ(result.errors.size(), 1u) << all_messages(result);
  EXPECT_EQ(result.errors[0].message.rfind("Syntax error at line 4, column ", 0), 0u) << result.errors[0].message;
  EXPECT_EQ(result.errors[0].line, 4);
  EXPECT_TRUE(result.errors[0].column.has_value());
}

TEST(ValidateSyntax, SecurityProblemsAreReportedAlongsideASyntaxError) {
  auto result = validate_source("const f = eval('1');\nexport default { title: 't', run() { return { ; } };");
  EXPECT_NE(find_problem(result, "eval()"), nullptr) << all_messages(result);
  EXPECT_NE(find_problem(result, "Syntax error"), nullptr) << all_messages(result);
}

TEST(ValidateSyntax, StaticImportIsReportedOnceAsForbidden) {
  auto result = validate_source("import fs from 'fs';\nexport default { title: 't', run() { return {}; } };");
  ASSERT_EQ(result.errors.size(), 1u) << all_messages(result);
  EXPECT_NE(result.errors[0].message.find("import of module 'fs' is not allowed"), std::string::npos);
  EXPECT_EQ(result.errors[0].line, 1);
}

TEST(ValidateSandbox, RunIsNeverCalled) {
  // If run() were called the validation would fail: it throws, loops, and touches a datasource.
  auto result = validate_source(R"JS(export default {
  title: "t",
  dependencies: { datasources: ["postgres_main"] },
  run: async function(ctx) {
    await ctx.datasource.postgres_main.query("DELETE FROM users");
    while (true) {}
    throw new Error("run was called");
  }
};)JS");
  EXPECT_TRUE(result.valid) << all_messages(result);
}

TEST(ValidateSandbox, OptionsFunctionsAreNeverCalled) {
  auto result = validate_source(analysis_with("  parameters: { c: { type: 'select', options: async () => { throw new Error('called'); } } },"));
  EXPECT_TRUE(result.valid) << all_messages(result);
}

TEST(ValidateSandbox, InfiniteLoopAtTopLevelIsATimeLimitError) {
  auto env = test_environment();
  env.limits.timeout = std::chrono::milliseconds(200);
  auto result = validate_source("while (true) {}\nexport default { title: 't', run() { return {}; } };", env);
  ASSERT_FALSE(result.valid);
  EXPECT_NE(find_problem(result, "time limit exceeded"), nullptr) << all_messages(result);
  EXPECT_NE(find_problem(result, "timeout_ms=200"), nullptr) << all_messages(result);
}

TEST(ValidateSandbox, LoopingGetterInTheExportIsATimeLimitError) {
  auto env = test_environment();
  env.limits.timeout = std::chrono::milliseconds(200);
  auto result = validate_source("export default { get title() { while (true) {} }, run() { return {}; } };", env);
  ASSERT_FALSE(result.valid);
  EXPECT_NE(find_problem(result, "time limit exceeded"), nullptr) << all_messages(result);
}

TEST(ValidateSandbox, MemoryBombAtTopLevelIsAMemoryLimitError) {
  auto env = test_environment();
  env.limits.memory_bytes = 16u << 20;
  auto result = validate_source("const a = []; while (true) a.push('x'.repeat(1000) + a.length);\n"
                                "export default { title: 't', run() { return {}; } };", env);
  ASSERT_FALSE(result.valid);
  EXPECT_NE(find_problem(result, "memory limit exceeded"), nullptr) << all_messages(result);
  EXPECT_NE(find_problem(result, "memory_bytes=16777216"), nullptr) << all_messages(result);
}

TEST(ValidateSandbox, DeepRecursionAtTopLevelIsAStackLimitError) {
  auto result = validate_source("function f(n) { return f(n + 1) + 1; } f(0);\nexport default { title: 't', run() { return {}; } };");
  ASSERT_FALSE(result.valid);
  EXPECT_NE(find_problem(result, "stack size limit exceeded"), nullptr) << all_messages(result);
}

TEST(ValidateSandbox, TopLevelThrowIsReportedWithItsLine) {
  auto result = validate_source("const x = 1;\nnull.boom;\nexport default { title: 't', run() { return {}; } };");
  ASSERT_FALSE(result.valid);
  ASSERT_EQ(result.errors.size(), 1u) << all_messages(result);
  EXPECT_NE(result.errors[0].message.find("Loading the module failed: TypeError"), std::string::npos) << all_messages(result);
  EXPECT_EQ(result.errors[0].line, 2);
}

TEST(ValidateSandbox, DynamicCodeAtTopLevelIsRefusedEvenWhenHidden) {
  // Computed access escapes the static check; the sandbox's lockdown still refuses it.
  auto result = validate_source("const e = globalThis['ev' + 'al'];\ne('1');\nexport default { title: 't', run() { return {}; } };");
  ASSERT_FALSE(result.valid);
  EXPECT_NE(find_problem(result, "dynamic code is not allowed"), nullptr) << all_messages(result);
}

TEST(ValidateSandbox, TopLevelAwaitAndComputedExportsAreRead) {
  auto result = validate_source(R"JS(
const types = await Promise.resolve(["a", "b"]);
const parameters = Object.fromEntries(types.map(t => [t, { type: "string" }]));
export default { title: "computed " + types.length, parameters, run() { return {}; } };)JS");
  ASSERT_TRUE(result.valid) << all_messages(result);
  EXPECT_EQ(to_json(result.summary), R"({"title":"computed 2","datasources":[],"analyses":[],"parameters":["a","b"]})");
}

}  // namespace
}  // namespace as::testing
