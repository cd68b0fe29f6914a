// The tokenizer and the token-based checks: security scan, names used, options' depends_on.
#include <gtest/gtest.h>

#include "validate/js_tokens.h"
#include "validate/name_uses.h"
#include "validate/security_scan.h"
#include "validate/structure_check.h"

namespace as::validate {
namespace {

std::vector<std::string> identifiers(const std::string& source) {
  std::vector<std::string> names;
  for (const auto& token : tokenize(source)) {
    if (token.kind == TokenKind::Identifier) names.push_back(token.value);
  }
  return names;
}

std::string forbidden(const std::string& source) {
  std::string out;
  for (const auto& p : find_forbidden_code(tokenize(source))) out += p.message + "\n";
  return out;
}

TEST(JsTokens, StringsCommentsTemplatesAndRegexesAreNotCode) {
  auto names = identifiers(R"JS(
    const a = "eval('x')"; // eval(y)
    /* fetch(z) */ const b = 'require("fs")';
    const c = `eval ${ d } fetch`;
    const e = /eval\/fetch[/]/g.test(s);
  )JS");
  EXPECT_EQ(names, (std::vector<std::string>{"const", "a", "const", "b", "const", "c", "d", "const", "e", "test", "s"}));
}

TEST(JsTokens, DivisionIsNotARegex) {
  auto tokens = tokenize("const x = a / b / c; const y = (a) / 2 / f(g) / 4;");
  for (const auto& t : tokens) EXPECT_NE(t.kind, TokenKind::Regex) << t.value;
}

TEST(JsTokens, RegexAfterOperatorsAndKeywords) {
  auto tokens = tokenize("x = /a\\/b/gi; return /c/.test(y)");
  int regexes = 0;
  for (const auto& t : tokens) regexes += t.kind == TokenKind::Regex;
  EXPECT_EQ(regexes, 2);
}

TEST(JsTokens, LineAndColumnAreOneBasedAndCountCharacters) {
  auto tokens = tokenize("a\n  \"é\" b");
  ASSERT_EQ(tokens.size(), 3u);
  EXPECT_EQ(tokens[1].line, 2);
  EXPECT_EQ(tokens[1].column, 3);
  EXPECT_EQ(tokens[2].column, 7);  // "é" is one character, two bytes
}

TEST(JsTokens, NestedTemplatesAndBracesInSubstitutions) {
  auto names = identifiers("const s = `a ${ {k: `b ${inner} c`}.k } d ${tail}`; after");
  EXPECT_EQ(names, (std::vector<std::string>{"const", "s", "k", "inner", "k", "tail", "after"}));
}

TEST(JsTokens, UnicodeEscapesInIdentifiersAreDecoded) {
  EXPECT_EQ(identifiers("\\u0065val(x)"), (std::vector<std::string>{"eval", "x"}));
  EXPECT_EQ(tokenize("'\\x41\\u{1F600}'")[0].value, "A\xF0\x9F\x98\x80");
}

TEST(JsTokens, UnterminatedInputEndsWithoutThrowing) {
  EXPECT_NO_THROW(tokenize("const s = `abc ${ x"));
  EXPECT_NO_THROW(tokenize("'abc"));
  EXPECT_NO_THROW(tokenize("/* never closed"));
  EXPECT_NO_THROW(tokenize("\\"));
}

TEST(SecurityScan, EvalCallIsFlaggedWithItsLocation) {
  auto problems = find_forbidden_code(tokenize("const x = 1;\n  const y = eval(\"1 + 1\");"));
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].message.find("eval()"), std::string::npos);
  EXPECT_EQ(problems[0].line, 2);
  EXPECT_EQ(problems[0].column, 13);
}

TEST(SecurityScan, EvalInStringsCommentsAndRegexesIsNotFlagged) {
  EXPECT_EQ(forbidden("const s = \"eval\"; // eval(x)\nconst r = /eval/; const t = `eval`;"), "");
}

TEST(SecurityScan, CodeInsideTemplateSubstitutionsIsChecked) {
  EXPECT_NE(forbidden("const s = `value: ${eval('1')}`;"), "");
}

TEST(SecurityScan, EscapedEvalIsFlagged) { EXPECT_NE(forbidden("\\u0065val('1')"), ""); }

TEST(SecurityScan, FunctionConstructorInAllForms) {
  EXPECT_NE(forbidden("new Function('return 1')"), "");
  EXPECT_NE(forbidden("Function('return 1')()"), "");
  EXPECT_NE(forbidden("globalThis.Function('return 1')"), "");
  EXPECT_NE(forbidden("(function(){}).constructor('return 1')"), "");
  EXPECT_NE(forbidden("(async () => {}).constructor`x`"), "");
}

TEST(SecurityScan, FunctionAsAValueAndClassConstructorsAreFine) {
  EXPECT_EQ(forbidden("if (f instanceof Function) {}\nclass A { constructor(x) { this.x = x; } }\nconst c = obj.constructor;"), "");
}

TEST(SecurityScan, ImportsOfEveryKind) {
  EXPECT_NE(forbidden("import fs from 'fs';").find("'fs'"), std::string::npos);
  EXPECT_NE(forbidden("const m = await import('os');").find("dynamic import()"), std::string::npos);
  EXPECT_NE(forbidden("const u = import.meta.url;").find("import.meta"), std::string::npos);
  EXPECT_NE(forbidden("export * from 'std';").find("'std'"), std::string::npos);
  EXPECT_NE(forbidden("export { x } from 'os';").find("'os'"), std::string::npos);
  EXPECT_EQ(forbidden("const o = { import: 1 }; o.import;"), "");
}

TEST(SecurityScan, FileNetworkAndHostAccess) {
  for (const char* source : {"await fetch('http://x')", "new XMLHttpRequest()", "new WebSocket('ws://x')", "process.env.HOME",
                             "std.loadFile('/etc/passwd')", "os.exec(['ls'])", "require('fs')", "Deno.readFile('x')",
                             "Bun.file('x')"}) {
    EXPECT_NE(forbidden(source), "") << source;
  }
}

TEST(SecurityScan, SameNamesAsPropertiesKeysOrOwnVariablesAreFine) {
  EXPECT_EQ(forbidden("await ctx.datasource.api.fetch('/x');\nconst o = { process: 1, fetch: 2 };\n"
                      "const os = rows.map(r => r.os); os.length;\nfunction require(x) { return x; }\n"
                      "const { std } = stats; std + 1;"),
            "");
}

TEST(NameUses, DatasourcesInEveryWrittenForm) {
  auto used = find_names_used(tokenize(R"JS(
    await ctx.datasource.pg.query("x");
    await ctx.datasource["ch"].query("y");
    await context?.datasource?.s3.list("/");
    const ds = ctx.datasource;
    await ds.aliased.get("/");
    await ds["aliased2"].get("/");
    const { destructured, other: renamed } = ctx.datasource;
    await ctx.duckdb.load("loaded", "SELECT 1", "t");
    await ctx.duckdb.export("t", "exported", "dest");
    const r = await ctx.runAnalysis("callee", params);
  )JS"));
  std::vector<std::string> names;
  for (const auto& u : used.datasources) names.push_back(u.name);
  EXPECT_EQ(names, (std::vector<std::string>{"destructured", "other", "pg", "ch", "s3", "aliased", "aliased2", "loaded", "exported"}));
  ASSERT_EQ(used.analyses.size(), 1u);
  EXPECT_EQ(used.analyses[0].name, "callee");
  EXPECT_EQ(used.analyses[0].line, 11);
}

TEST(NameUses, ComputedNamesAreNotSeen) {
  auto used = find_names_used(tokenize("const name = 'pg'; await ctx.datasource[name].query('x');"));
  EXPECT_TRUE(used.datasources.empty());
}

TEST(DependsOn, ParamsReadByOptionsFunctions) {
  EXPECT_EQ(parameters_read_by("async (ctx, params) => { if (!params.country) return []; return q(params['region'], params?.city); }"),
            (std::vector<std::string>{"country", "region", "city"}));
  EXPECT_EQ(parameters_read_by("async function(ctx, p) { const { country, month: m } = p; return [country, m]; }"),
            (std::vector<std::string>{"country", "month"}));
  EXPECT_EQ(parameters_read_by("async options(ctx, { country, year }) { return [country]; }"),
            (std::vector<std::string>{"country", "year"}));
  EXPECT_EQ(parameters_read_by("async (ctx) => ctx.datasource.pg.query('x')"), std::vector<std::string>{});
  EXPECT_EQ(parameters_read_by("async ctx => []"), std::vector<std::string>{});
}

}  // namespace
}  // namespace as::validate
