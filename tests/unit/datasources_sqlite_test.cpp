// SQLite datasources through ctx.datasource (docs/datasources.md): every method, parameter
// binding, the type table, read-only enforcement, ATTACH refused, interrupts, the demo database.
#include <gtest/gtest.h>

#include <thread>

#include "config/demo_database.h"
#include "datasources/datasource_error.h"
#include "datasources_test_support.h"
#include "duck_test_support.h"
#include "run_helpers.h"

using namespace as;
using namespace as::testing;
using sandbox::RunStatus;
using Clock = std::chrono::steady_clock;

namespace {

// A database file with table `t` and the datasources `rw` (writable) and `ro` (read-only) on it.
struct SqliteWorld {
  TempDir dir;
  std::filesystem::path file = dir.path() / "data.sqlite";
  std::shared_ptr<datasources::DatasourceRegistry> registry;

  SqliteWorld() {
    registry = std::make_shared<datasources::DatasourceRegistry>(
        config_with({sqlite_datasource("rw", file, true), sqlite_datasource("ro", file, false)}));
    run_ok(R"(
      await ctx.datasource.rw.execute(`
        CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, score REAL, big INTEGER, raw BLOB, doc JSON);
        INSERT INTO t VALUES (1, 'Ada', 1.5, 9007199254740993, x'aa00ff', '{"a": [1, 2]}');
        INSERT INTO t VALUES (2, '''; DROP TABLE t; --', NULL, 2, NULL, 'not json');
        CREATE TABLE n (i INTEGER);
        WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 50) INSERT INTO n SELECT i FROM c;`);
      return {};)",
           registry, {"rw"});
  }
};

}  // namespace

TEST(SqliteDatasource, QueryMapsEveryStorageClass) {
  SqliteWorld world;
  std::string result = run_ok(R"(
    const rows = await ctx.datasource.ro.query('SELECT * FROM t ORDER BY id');
    const r = rows[0];
    return { n: rows.length, id: r.id, name: r.name, score: r.score, bigIsBigInt: typeof r.big === 'bigint', big: String(r.big),
             raw: Array.from(r.raw), rawIsBytes: r.raw instanceof Uint8Array, doc: r.doc, nullScore: rows[1].score,
             notJson: rows[1].doc };)",
                              world.registry, {"ro"});
  EXPECT_EQ(result,
            R"({"n":2,"id":1,"name":"Ada","score":1.5,"bigIsBigInt":true,"big":"9007199254740993","raw":[170,0,255],"rawIsBytes":true,)"
            R"("doc":{"a":[1,2]},"nullScore":null,"notJson":"not json"})");
}

TEST(SqliteDatasource, ParametersAreBoundNotPastedIntoTheSql) {
  SqliteWorld world;
  std::string result = run_ok(R"(
    const hostile = "'; DROP TABLE t; --";
    const found = await ctx.datasource.ro.query('SELECT id FROM t WHERE name = ?', [hostile]);
    const none = await ctx.datasource.rw.query("SELECT id FROM t WHERE name = ?", ["x' OR '1'='1"]);
    await ctx.datasource.rw.execute('INSERT INTO t (id, name) VALUES (?, ?)', [3, hostile]);
    const count = await ctx.datasource.ro.query('SELECT count(*) AS c FROM t');
    return { found, none, count: count[0].c };)",
                              world.registry, {"ro", "rw"});
  EXPECT_EQ(result, R"({"found":[{"id":2}],"none":[],"count":3})");
}

TEST(SqliteDatasource, WrongParameterCountNamesBothCounts) {
  SqliteWorld world;
  auto outcome = run_with_datasources("await ctx.datasource.ro.query('SELECT ? + ?', [1]);", world.registry, {"ro"});
  ASSERT_EQ(outcome.status, RunStatus::Failed);
  EXPECT_EQ(outcome.failure->message, "Error: ctx.datasource.ro.query: the statement has 2 parameters but 1 value was given");
}

TEST(SqliteDatasource, SyntaxErrorsCarrySqlitesMessage) {
  SqliteWorld world;
  auto outcome = run_with_datasources("await ctx.datasource.ro.query('SELEC 1');", world.registry, {"ro"});
  ASSERT_EQ(outcome.status, RunStatus::Failed);
  EXPECT_EQ(outcome.failure->message, "Error: ctx.datasource.ro.query: near \"SELEC\": syntax error");
}

TEST(SqliteDatasource, AReadOnlyDatasourceRefusesWritesAndChangesNothing) {
  SqliteWorld world;
  std::string result = run_ok(R"(
    const errors = [];
    for (const sql of ['DELETE FROM t', 'PRAGMA query_only = 0', 'DELETE FROM t', 'DROP TABLE t']) {
      try { await ctx.datasource.ro.query(sql); } catch (e) { errors.push(e.message); }
    }
    try { await ctx.datasource.ro.execute('DELETE FROM t'); } catch (e) { errors.push(e.message); }
    try { await ctx.datasource.ro.insert('t', [{ id: 9 }]); } catch (e) { errors.push(e.message); }
    const count = await ctx.datasource.ro.query('SELECT count(*) AS c FROM t');
    return { errors, count: count[0].c };)",
                              world.registry, {"ro"});
  EXPECT_NE(result.find("ctx.datasource.ro.query: attempt to write a readonly database (datasource 'ro' is read-only"), std::string::npos)
      << result;
  EXPECT_NE(result.find("ctx.datasource.ro.execute: datasource 'ro' is read-only: execute() needs allow_writes = true"), std::string::npos)
      << result;
  EXPECT_NE(result.find("ctx.datasource.ro.insert: datasource 'ro' is read-only: insert() needs allow_writes = true"), std::string::npos)
      << result;
  EXPECT_NE(result.find(R"("count":2)"), std::string::npos) << result;
}

TEST(SqliteDatasource, AttachAndVacuumIntoAreRefused) {
  SqliteWorld world;
  std::string other = (world.dir.path() / "other.sqlite").string();
  sandbox::RunRequest request;
  request.params = ValueObject{{"other", other}};
  auto outcome = run_with_datasources(R"(
    const errors = [];
    try { await ctx.datasource.rw.execute("ATTACH ? AS other", [params.other]); } catch (e) { errors.push(e.message); }
    try { await ctx.datasource.rw.execute("VACUUM INTO ?", [params.other]); } catch (e) { errors.push(e.message); }
    return { errors };)",
                                      world.registry, {"rw"}, request);
  ASSERT_EQ(outcome.status, RunStatus::Completed) << failure_message(outcome);
  EXPECT_NE(outcome.result_json.find("not authorized (ATTACH and DETACH are not allowed"), std::string::npos) << outcome.result_json;
  EXPECT_EQ(outcome.result_json.find("\"errors\":[]"), std::string::npos) << outcome.result_json;
  EXPECT_FALSE(std::filesystem::exists(other));
}

TEST(SqliteDatasource, ExecuteCountsRowsAndInsertTakesObjects) {
  SqliteWorld world;
  std::string result = run_ok(R"(
    const updated = await ctx.datasource.rw.execute('UPDATE n SET i = i * 10 WHERE i <= ?', [5]);
    const inserted = await ctx.datasource.rw.insert('t', [
      { id: 10, name: 'x', raw: new Uint8Array([1, 2]) }, { id: 11, score: 2.5 }, { name: 'later', id: 12 }]);
    const rows = await ctx.datasource.rw.query('SELECT id, name, score, raw FROM t WHERE id >= 10 ORDER BY id');
    return { updated, inserted, rows: rows.map(r => [r.id, r.name, r.score, r.raw && Array.from(r.raw)]) };)",
                              world.registry, {"rw"});
  EXPECT_EQ(result, R"({"updated":{"rowsAffected":5},"inserted":{"rowsAffected":3},"rows":[[10,"x",null,[1,2]],[11,null,2.5,null],[12,"later",null,null]]})");
}

TEST(SqliteDatasource, StreamYieldsBatchesOfTheGivenSize) {
  SqliteWorld world;
  std::string result = run_ok(R"(
    const sizes = [];
    let sum = 0;
    for await (const batch of ctx.datasource.ro.stream('SELECT i FROM n WHERE i > ? ORDER BY i', [0], 16)) {
      sizes.push(batch.length);
      for (const row of batch) sum += row.i;
    }
    // Leaving early gives the connection back (return()).
    let first;
    for await (const batch of ctx.datasource.ro.stream('SELECT i FROM n ORDER BY i', [], 5)) { first = batch[0].i; break; }
    return { sizes, sum, first };)",
                              world.registry, {"ro"});
  EXPECT_EQ(result, R"({"sizes":[16,16,16,2],"sum":1275,"first":1})");
}

TEST(SqliteDatasource, TheRunDeadlineInterruptsALongQuery) {
  SqliteWorld world;
  sandbox::RunRequest request;
  request.limits.timeout = std::chrono::milliseconds(400);
  auto started = Clock::now();
  auto outcome = run_with_datasources(
      "await ctx.datasource.ro.query('WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c) SELECT count(*) FROM c');",
      world.registry, {"ro"}, request);
  ASSERT_EQ(outcome.status, RunStatus::Failed) << failure_message(outcome);
  EXPECT_EQ(outcome.failure->limit, "timeout_ms");
  // The connection comes back to the pool once the interrupted statement returns.
  auto datasource = world.registry->open("test", "ro");
  while (datasource->pool().idle_connections() < datasource->pool().open_connections()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  std::cout << "[ measured ] sqlite: run start -> interrupted statement returned: " << elapsed_ms(started) << " ms (deadline 400 ms)\n";
}

TEST(SqliteDatasource, StatementTimeoutStopsAStatement) {
  TempDir dir;
  auto settings = sqlite_datasource("slow", dir.path() / "s.sqlite", true);
  settings.settings["statement_timeout_ms"] = std::int64_t{200};
  auto registry = std::make_shared<datasources::DatasourceRegistry>(config_with({settings}));
  auto outcome = run_with_datasources(
      "await ctx.datasource.slow.query('WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c) SELECT count(*) FROM c');",
      registry, {"slow"});
  ASSERT_EQ(outcome.status, RunStatus::Failed);
  EXPECT_EQ(outcome.failure->message,
            "Error: ctx.datasource.slow.query: the statement ran longer than statement_timeout_ms = 200 and was stopped");
}

TEST(SqliteDatasource, AMissingFileIsAnErrorNamingTheDatasourceAndFile) {
  TempDir dir;
  auto path = dir.path() / "missing.sqlite";
  auto registry = std::make_shared<datasources::DatasourceRegistry>(config_with({sqlite_datasource("gone", path)}));
  auto outcome = run_with_datasources("await ctx.datasource.gone.query('SELECT 1');", registry, {"gone"});
  ASSERT_EQ(outcome.status, RunStatus::Failed);
  EXPECT_EQ(outcome.failure->message, "Error: ctx.datasource.gone.query: cannot open datasource 'gone' (sqlite file " + path.string() +
                                          ", read-only): unable to open database file");
}

TEST(SqliteDatasource, TheDemoDatabaseAnswersQueries) {
  TempDir dir;
  auto path = dir.path() / "demo.sqlite";
  config::create_demo_database(path);
  auto registry = std::make_shared<datasources::DatasourceRegistry>(config_with({sqlite_datasource("demo", path)}));
  std::string result = run_ok(R"JS(
    const rows = await ctx.datasource.demo.query(
      "SELECT count(*) AS orders, count(DISTINCT customer_id) AS customers FROM orders WHERE status IN (?, ?)", ['completed', 'shipped']);
    const all = await ctx.datasource.demo.query('SELECT count(*) AS n FROM orders');
    return { all: all[0].n, some: rows[0].orders > 0 && rows[0].orders < all[0].n };)JS",
                              registry, {"demo"});
  EXPECT_EQ(result, R"({"all":3000,"some":true})");
}
