// ctx.duckdb.exec, query (with $1/?/$name parameters), tables and describe, as the spec's
// "DuckDB Operations" promise them, and the errors a script gets for bad input.
#include <gtest/gtest.h>

#include "duck_test_support.h"
#include "run_helpers.h"

using namespace as;
using namespace as::sandbox;
using as::testing::DuckWorld;
using as::testing::failure_message;
using as::testing::run_duck;
using as::testing::run_duck_ok;

namespace {

void expect_failure_containing(const RunOutcome& outcome, std::initializer_list<const char*> parts) {
  ASSERT_EQ(outcome.status, RunStatus::Failed) << failure_message(outcome);
  for (const char* part : parts) EXPECT_NE(failure_message(outcome).find(part), std::string::npos) << "missing '" << part << "' in: " << failure_message(outcome);
}

}  // namespace

TEST(DuckExec, RunsDdlAndDmlAndResolvesWithUndefined) {
  DuckWorld world;
  EXPECT_EQ(run_duck_ok("const a = await ctx.duckdb.exec('CREATE TABLE t (id INTEGER, name VARCHAR)');\n"
                        "const b = await ctx.duckdb.exec(\"INSERT INTO t VALUES (1, 'one'), (2, 'two')\");\n"
                        "return { a: a === undefined, b: b === undefined, rows: await ctx.duckdb.query('SELECT * FROM t ORDER BY id') };",
                        world.databases),
            R"({"a":true,"b":true,"rows":[{"id":1,"name":"one"},{"id":2,"name":"two"}]})");
}

TEST(DuckExec, RunsSeveralStatementsInOrder) {
  DuckWorld world;
  EXPECT_EQ(run_duck_ok("await ctx.duckdb.exec(`CREATE TABLE t (v INTEGER); INSERT INTO t VALUES (1); INSERT INTO t VALUES (2);\n"
                        "CREATE INDEX idx_t ON t(v);`);\n"
                        "return (await ctx.duckdb.query('SELECT sum(v) AS s FROM t'))[0];",
                        world.databases),
            R"({"s":3})");
}

TEST(DuckExec, SqlErrorRejectsWithDuckDbsMessage) {
  DuckWorld world;
  expect_failure_containing(run_duck("await ctx.duckdb.exec('CREATE TABLE t (v INTEGER); SELECT * FROM missing_table');", world.databases),
                            {"ctx.duckdb.exec", "Catalog Error", "missing_table"});
}

TEST(DuckExec, ErrorsCanBeCaughtByTheScript) {
  DuckWorld world;
  EXPECT_EQ(run_duck_ok("try { await ctx.duckdb.exec('SELEC 1'); return { caught: false }; }\n"
                        "catch (e) { return { caught: e instanceof Error, parser: e.message.includes('Parser Error') }; }",
                        world.databases),
            R"({"caught":true,"parser":true})");
}

TEST(DuckExec, NeedsNonEmptySql) {
  DuckWorld world;
  expect_failure_containing(run_duck("await ctx.duckdb.exec(42);", world.databases), {"ctx.duckdb.exec(sql) needs a non-empty string, got 42"});
  expect_failure_containing(run_duck("await ctx.duckdb.exec('  ');", world.databases), {"needs a non-empty string, got the string '  '"});
  expect_failure_containing(run_duck("await ctx.duckdb.query();", world.databases), {"ctx.duckdb.query(sql, params?) needs a non-empty string, got nothing"});
}

TEST(DuckQuery, ReturnsRowsAsPlainObjects) {
  DuckWorld world;
  EXPECT_EQ(run_duck_ok("const rows = await ctx.duckdb.query('SELECT 1 AS a, 2 AS b UNION ALL SELECT 3, 4 ORDER BY a');\n"
                        "return { rows, isArray: Array.isArray(rows), plain: Object.getPrototypeOf(rows[0]) === Object.prototype };",
                        world.databases),
            R"({"rows":[{"a":1,"b":2},{"a":3,"b":4}],"isArray":true,"plain":true})");
}

// A result of many chunks arrives complete and in order, other JS work (a timer) goes on while
// it is fetched, and two such queries of one run do not mix their rows.
TEST(DuckQuery, AManyChunkResultArrivesCompleteAndInOrder) {
  DuckWorld world;
  EXPECT_EQ(run_duck_ok("let ticks = 0;\n"
                        "const ticking = (async () => { for (let i = 0; i < 3; i++) { await ctx.sleep(1); ticks++; } })();\n"
                        "const [a, b] = await Promise.all([\n"
                        "  ctx.duckdb.query('SELECT i AS id, i * 2 AS twice, \\'r\\' || i AS label FROM range(50000) t(i) ORDER BY i'),\n"
                        "  ctx.duckdb.query('SELECT 100000 + i AS id FROM range(30000) t(i) ORDER BY i')]);\n"
                        "await ticking;\n"
                        "let inOrder = true;\n"
                        "a.forEach((r, i) => { if (r.id !== i || r.twice !== 2 * i || r.label !== 'r' + i) inOrder = false; });\n"
                        "b.forEach((r, i) => { if (r.id !== 100000 + i) inOrder = false; });\n"
                        "return { a: a.length, b: b.length, inOrder, ticks, last: a[49999] };",
                        world.databases),
            R"({"a":50000,"b":30000,"inOrder":true,"ticks":3,"last":{"id":49999,"twice":99998,"label":"r49999"}})");
}

TEST(DuckQuery, EmptyResultIsEmptyArray) {
  DuckWorld world;
  EXPECT_EQ(run_duck_ok("return { rows: await ctx.duckdb.query('SELECT 1 AS a WHERE false') };", world.databases), R"({"rows":[]})");
}

TEST(DuckQuery, BindsPositionalParameters) {
  DuckWorld world;
  EXPECT_EQ(run_duck_ok("const dollar = await ctx.duckdb.query('SELECT $1 + $2 AS sum, $3 AS s, $4 IS NULL AS n, $5 AS b', [40, 2, \"it's\", null, true]);\n"
                        "const question = await ctx.duckdb.query('SELECT ? AS a, ? AS b', ['x', 1.5]);\n"
                        "return { dollar: dollar[0], question: question[0] };",
                        world.databases),
            R"({"dollar":{"sum":42,"s":"it's","n":true,"b":true},"question":{"a":"x","b":1.5}})");
}

TEST(DuckQuery, BindsNamedParameters) {
  DuckWorld world;
  EXPECT_EQ(run_duck_ok("return (await ctx.duckdb.query('SELECT $region AS r, $limit * 2 AS l', { region: 'eu', limit: 21 }))[0];", world.databases),
            R"({"r":"eu","l":42})");
}

TEST(DuckQuery, BindsBigIntDateAndBytes) {
  DuckWorld world;
  EXPECT_EQ(run_duck_ok("const [row] = await ctx.duckdb.query('SELECT $1 AS big, $2::VARCHAR AS huge, $3 AS ts, octet_length($4) AS n',\n"
                        "  [9007199254740993n, 170141183460469231731687303715884105727n, new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)), new Uint8Array([1, 2, 3])]);\n"
                        "return { big: row.big === 9007199254740993n, huge: row.huge, ts: row.ts, n: row.n };",
                        world.databases),
            R"({"big":true,"huge":"170141183460469231731687303715884105727","ts":"2024-01-02T03:04:05.006","n":3})");
}

TEST(DuckQuery, ParametersAreDataNotSql) {
  DuckWorld world;
  EXPECT_EQ(run_duck_ok("await ctx.duckdb.exec('CREATE TABLE t (v VARCHAR)');\n"
                        "await ctx.duckdb.query('INSERT INTO t VALUES ($1)', [\"x'); DROP TABLE t; --\"]);\n"
                        "return (await ctx.duckdb.query('SELECT v FROM t'))[0];",
                        world.databases),
            R"({"v":"x'); DROP TABLE t; --"})");
}

TEST(DuckQuery, WrongParameterCountNamesBothCounts) {
  DuckWorld world;
  expect_failure_containing(run_duck("await ctx.duckdb.query('SELECT $1, $2', [1]);", world.databases),
                            {"ctx.duckdb.query", "the query has 2 parameters but 1 value was given"});
}

TEST(DuckQuery, UnknownNamedParameterListsTheKnownOnes) {
  DuckWorld world;
  expect_failure_containing(run_duck("await ctx.duckdb.query('SELECT $region', { regoin: 'eu' });", world.databases),
                            {"the query has no parameter $regoin", "$region"});
}

TEST(DuckQuery, NestedParameterValueIsRefusedWithAHint) {
  DuckWorld world;
  expect_failure_containing(run_duck("await ctx.duckdb.query('SELECT $1', [[1, 2]]);", world.databases),
                            {"parameter $1 is an array", "$1::JSON"});
  expect_failure_containing(run_duck("await ctx.duckdb.query('SELECT 1', 'not params');", world.databases),
                            {"params must be an array or an object, got the string 'not params'"});
}

TEST(DuckQuery, SeveralStatementsReturnTheLastOnesRows) {
  DuckWorld world;
  EXPECT_EQ(run_duck_ok("return { rows: await ctx.duckdb.query('CREATE TABLE t AS SELECT 7 AS v; SELECT v FROM t') };", world.databases),
            R"({"rows":[{"v":7}]})");
  expect_failure_containing(run_duck("await ctx.duckdb.query('SELECT 1; SELECT $1', [1]);", world.databases),
                            {"parameters need a single SQL statement, got 2"});
}

TEST(DuckQuery, ResultOverTenMegabytesIsRefusedWithAdvice) {
  DuckWorld world;
  // 120,000 rows of a 100-character string and an integer: about 14 MB.
  auto outcome = run_duck("await ctx.duckdb.query(\"SELECT i, repeat('x', 100) AS s FROM range(120000) t(i)\");", world.databases);
  expect_failure_containing(outcome, {"ctx.duckdb.query", "larger than 10 MB", "CREATE TABLE", "LIMIT"});
  // The same rows, a page at a time, are fine.
  EXPECT_EQ(run_duck_ok("const rows = await ctx.duckdb.query(\"SELECT i, repeat('x', 100) AS s FROM range(120000) t(i) LIMIT 50000\");\n"
                        "return { n: rows.length };",
                        world.databases),
            R"({"n":50000})");
}

TEST(DuckQuery, ResultLimitComesFromTheProjectSettings) {
  auto settings = as::testing::test_settings();
  settings.max_query_result_bytes = 100'000;
  DuckWorld world(settings);
  expect_failure_containing(run_duck("await ctx.duckdb.query('SELECT i FROM range(20000) t(i)');", world.databases),
                            {"larger than 100000 bytes", "max_query_result_bytes=100000"});
}

TEST(DuckQuery, TheRunsJsMemoryLimitAppliesToRows) {
  auto settings = as::testing::test_settings();
  settings.max_query_result_bytes = std::size_t{1} << 30;
  DuckWorld world(settings);
  RunRequest request;
  request.limits.memory_bytes = 16u << 20;
  auto outcome = run_duck("const rows = await ctx.duckdb.query(\"SELECT i, 'row ' || i AS s FROM range(1000000) t(i)\"); return { n: rows.length };",
                          world.databases, "test", request);
  ASSERT_EQ(outcome.status, RunStatus::Failed) << failure_message(outcome);
  EXPECT_EQ(outcome.failure->limit, "memory_bytes") << failure_message(outcome);
}

TEST(DuckQuery, ConcurrentCallsOfOneRunTakeTurnsOnItsConnection) {
  DuckWorld world;
  EXPECT_EQ(run_duck_ok("const results = await Promise.all([1, 2, 3, 4].map(i => ctx.duckdb.query('SELECT $1 * 10 AS v FROM range(1000)', [i])));\n"
                        "return { v: results.map(r => r[999].v), n: results.map(r => r.length) };",
                        world.databases),
            R"({"v":[10,20,30,40],"n":[1000,1000,1000,1000]})");
}

TEST(DuckTables, ListsTablesAndViewsSortedWithSchemaWhenNotMain) {
  DuckWorld world;
  EXPECT_EQ(run_duck_ok("const before = await ctx.duckdb.tables();\n"
                        "await ctx.duckdb.exec(`CREATE TABLE zeta (v INT); CREATE TABLE alpha (v INT); CREATE VIEW mid AS SELECT 1 AS v;\n"
                        "CREATE SCHEMA staging; CREATE TABLE staging.raw (v INT); CREATE TEMP TABLE scratch (v INT);`);\n"
                        "return { before, after: await ctx.duckdb.tables() };",
                        world.databases),
            R"({"before":[],"after":["alpha","mid","staging.raw","zeta"]})");
}

TEST(DuckDescribe, ReportsColumnsRowCountAndSize) {
  DuckWorld world;
  EXPECT_EQ(run_duck_ok("await ctx.duckdb.exec(`CREATE TABLE events (id BIGINT NOT NULL, kind VARCHAR, happened_at TIMESTAMP, amount DECIMAL(10,2));\n"
                        "INSERT INTO events SELECT i, 'k' || (i % 3), TIMESTAMP '2024-01-01' + INTERVAL (i) MINUTE, i / 100 FROM range(5000) t(i);\n"
                        "CHECKPOINT;`);\n"
                        "const info = await ctx.duckdb.describe('events');\n"
                        "return { name: info.name, columns: info.columns, rowCount: info.rowCount,\n"
                        "         sizeOk: Number.isInteger(info.sizeBytes) && info.sizeBytes >= 256 * 1024, keys: Object.keys(info) };",
                        world.databases),
            R"j({"name":"events","columns":[{"name":"id","type":"BIGINT","nullable":false},{"name":"kind","type":"VARCHAR","nullable":true},)j"
            R"j({"name":"happened_at","type":"TIMESTAMP","nullable":true},{"name":"amount","type":"DECIMAL(10,2)","nullable":true}],)j"
            R"j("rowCount":5000,"sizeOk":true,"keys":["name","columns","rowCount","sizeBytes"]})j");
}

TEST(DuckDescribe, SizeGrowsWithTheData) {
  DuckWorld world;
  EXPECT_EQ(run_duck_ok("await ctx.duckdb.exec(`CREATE TABLE small AS SELECT 1 AS v; CREATE TABLE big AS SELECT i, md5(i::VARCHAR) AS h FROM range(300000) t(i); CHECKPOINT;`);\n"
                        "const small = await ctx.duckdb.describe('small'), big = await ctx.duckdb.describe('big');\n"
                        "return { grows: big.sizeBytes > 4 * small.sizeBytes, bigRows: big.rowCount };",
                        world.databases),
            R"({"grows":true,"bigRows":300000})");
}

TEST(DuckDescribe, FindsSchemaQualifiedNamesViewsAndIgnoresCase) {
  DuckWorld world;
  EXPECT_EQ(run_duck_ok("await ctx.duckdb.exec(`CREATE SCHEMA staging; CREATE TABLE staging.\"Raw\" (v INT); INSERT INTO staging.\"Raw\" VALUES (1), (2);\n"
                        "CREATE VIEW twice AS SELECT v * 2 AS w FROM staging.\"Raw\";`);\n"
                        "const raw = await ctx.duckdb.describe('staging.raw'), view = await ctx.duckdb.describe('TWICE');\n"
                        "return { raw: [raw.name, raw.rowCount], view: [view.name, view.rowCount, view.sizeBytes, view.columns[0].name] };",
                        world.databases),
            R"({"raw":["staging.Raw",2],"view":["twice",2,0,"w"]})");
}

TEST(DuckDescribe, UnknownTableNamesTheTablesThereAre) {
  DuckWorld world;
  expect_failure_containing(run_duck("await ctx.duckdb.exec('CREATE TABLE orders (v INT)'); await ctx.duckdb.describe('ordres');", world.databases),
                            {"ctx.duckdb.describe", "no table or view named 'ordres'", "it has: orders"});
}

TEST(DuckDescribe, QuotesNamesSafely) {
  DuckWorld world;
  EXPECT_EQ(run_duck_ok("await ctx.duckdb.exec(`CREATE TABLE \"it's.here\" (v INT); INSERT INTO \"it's.here\" VALUES (1);\n"
                        "CREATE TABLE \"we\"\"ird\" (v INT); INSERT INTO \"we\"\"ird\" VALUES (1), (2);`);\n"
                        "const a = await ctx.duckdb.describe(`it's.here`), b = await ctx.duckdb.describe(`we\"ird`);\n"
                        "return { a: [a.name, a.rowCount, a.sizeBytes > 0], b: [b.name, b.rowCount, b.sizeBytes] };",
                        world.databases),
            // DuckDB's storage report cannot name a table with a double quote: its size is unknown.
            R"({"a":["it's.here",1,true],"b":["we\"ird",2,null]})");
}
