// ctx.duckdb.load and ctx.duckdb.export through real runs: SQLite (the demo database) and the
// PostgreSQL test server into the project DuckDB and back, with counts and checksums compared
// on both sides, and the declared-datasources and allow_writes rules.
#include <gtest/gtest.h>

#include "config/demo_database.h"
#include "datasources/datasource_extension.h"
#include "datasources/duck_transfer.h"
#include "datasources_test_support.h"
#include "duck/duck_extension.h"
#include "duck_test_support.h"
#include "run_helpers.h"

using namespace as;
using namespace as::testing;
using sandbox::RunStatus;

namespace {

// A project DuckDB plus datasources, and runs whose ctx has both (and load / export).
struct TransferWorld {
  DuckWorld duck;
  std::shared_ptr<datasources::DatasourceRegistry> registry;

  explicit TransferWorld(std::vector<config::DatasourceConfig> datasources)
      : registry(std::make_shared<datasources::DatasourceRegistry>(config_with(std::move(datasources)))) {}

  sandbox::RunOutcome run(const std::string& body, const std::vector<std::string>& declared) {
    sandbox::RunRequest request;
    request.extensions.push_back(std::make_shared<duck::DuckExtension>(duck.databases, "test"));
    request.extensions.push_back(std::make_shared<datasources::DatasourceExtension>(registry, "test", declared));
    datasources::add_duck_transfer(request.extensions, registry, "test", declared);
    return run_body(body, std::move(request));
  }
  std::string run_ok(const std::string& body, const std::vector<std::string>& declared) {
    auto outcome = run(body, declared);
    EXPECT_EQ(outcome.status, RunStatus::Completed) << failure_message(outcome) << "\nscript:\n" << body;
    return outcome.result_json;
  }
  std::string run_failed(const std::string& body, const std::vector<std::string>& declared) {
    auto outcome = run(body, declared);
    EXPECT_EQ(outcome.status, RunStatus::Failed) << outcome.result_json;
    return outcome.failure ? outcome.failure->message : "";
  }
};

struct DemoWorld : TransferWorld {
  TempDir dir;
  static std::filesystem::path demo_file(const TempDir& where) {
    auto path = where.path() / "demo.sqlite";
    config::create_demo_database(path);
    return path;
  }
  DemoWorld() : TransferWorld({}) {
    auto path = demo_file(dir);
    registry = std::make_shared<datasources::DatasourceRegistry>(
        config_with({sqlite_datasource("demo", path), sqlite_datasource("scratch", dir.path() / "scratch.sqlite", true)}));
  }
};

}  // namespace

TEST(DuckLoad, SqliteRowsArriveWithEqualCountsAndChecksums) {
  DemoWorld world;
  std::string result = world.run_ok(R"(
    const checksum = `SELECT count(*) AS n, sum(id) AS ids, sum(customer_id) AS customers, round(sum(total), 2) AS total,
                             sum(length(status)) AS statuses, sum(length(order_date)) AS dates FROM orders`;
    const loaded = await ctx.duckdb.load('demo', 'SELECT * FROM orders', 'orders');
    const source = (await ctx.datasource.demo.query(checksum))[0];
    const copy = (await ctx.duckdb.query(checksum))[0];
    const types = await ctx.duckdb.query("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'orders' ORDER BY ordinal_position");
    return { loaded, same: JSON.stringify(source) === JSON.stringify(copy), n: copy.n,
             types: types.map(t => t.column_name + ':' + t.data_type).join(',') };)",
                                    {"demo"});
  EXPECT_EQ(result, R"({"loaded":{"table":"orders","rows":3000},"same":true,"n":3000,)"
                    R"("types":"id:BIGINT,customer_id:BIGINT,order_date:VARCHAR,status:VARCHAR,total:DOUBLE"})");
}

TEST(DuckLoad, ColumnsWidenWhenLaterBatchesHoldWiderValues) {
  DemoWorld world;
  // 25,000 rows in three batches: 'mixed' turns from integers to doubles after the first batch,
  // 'late' is NULL in the first batch and text afterwards, 'flag' stays boolean-like integers.
  std::string result = world.run_ok(R"(
    const sql = `WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 25000)
                 SELECT i, CASE WHEN i > 15000 THEN i + 0.5 ELSE i END AS mixed,
                        CASE WHEN i > 12000 THEN 'row ' || i END AS late FROM c`;
    const loaded = await ctx.duckdb.load('demo', sql, 'main.widened');
    await ctx.duckdb.load('demo', sql, 'widened');  // replaces the table
    const copy = (await ctx.duckdb.query('SELECT count(*) AS n, sum(mixed) AS mixed, count(late) AS late, sum(length(late)) AS chars FROM widened'))[0];
    const source = (await ctx.datasource.demo.query(`SELECT count(*) AS n, sum(mixed) AS mixed, count(late) AS late, sum(length(late)) AS chars FROM (${sql})`))[0];
    const types = await ctx.duckdb.query("SELECT data_type FROM information_schema.columns WHERE table_name = 'widened' ORDER BY ordinal_position");
    return { loaded, same: JSON.stringify(source) === JSON.stringify(copy), copy, types: types.map(t => t.data_type).join(',') };)",
                                    {"demo"});
  EXPECT_EQ(result, R"({"loaded":{"table":"main.widened","rows":25000},"same":true,)"
                    R"("copy":{"n":25000,"mixed":312517500,"late":13000,"chars":117000},"types":"BIGINT,DOUBLE,VARCHAR"})");
}

TEST(DuckLoad, AnEmptyResultMakesAnEmptyTable) {
  DemoWorld world;
  std::string result = world.run_ok(R"(
    const loaded = await ctx.duckdb.load('demo', 'SELECT id, name FROM customers WHERE id < 0', 'nobody');
    const rows = await ctx.duckdb.query('SELECT count(*) AS n FROM nobody');
    return { loaded, n: rows[0].n };)",
                                    {"demo"});
  EXPECT_EQ(result, R"({"loaded":{"table":"nobody","rows":0},"n":0})");
}

TEST(DuckLoad, RefusesUndeclaredDatasourcesBadTablesAndNamesTheDatasourceInSqlErrors) {
  DemoWorld world;
  EXPECT_EQ(world.run_failed("await ctx.duckdb.load('demo', 'SELECT 1', 't');", {"scratch"}),
            "TypeError: ctx.duckdb.load(datasource, sql, table): datasource 'demo' is not declared by this analysis: add it to "
            "dependencies.datasources to use it");
  EXPECT_EQ(world.run_failed("await ctx.duckdb.load('nope', 'SELECT 1', 't');", {"nope"}),
            "TypeError: ctx.duckdb.load(datasource, sql, table): project 'test' has no datasource 'nope'");
  EXPECT_EQ(world.run_failed("await ctx.duckdb.load('demo', 'SELECT 1', 'bad name');", {"demo"}),
            "TypeError: ctx.duckdb.load(datasource, sql, table): 'bad name' is not a DuckDB table name; use letters, digits and '_' "
            "(not starting with a digit), optionally after a schema: 'events_raw' or 'main.events_raw'");
  EXPECT_EQ(world.run_failed("await ctx.duckdb.load('demo', 42, 't');", {"demo"}),
            "TypeError: ctx.duckdb.load(datasource, sql, table): sql must be a non-empty string, got 42");
  std::string message = world.run_failed("await ctx.duckdb.load('demo', 'SELECT * FROM missing_table', 't');", {"demo"});
  EXPECT_EQ(message.rfind("Error: ctx.duckdb.load: datasource 'demo': ", 0), 0u) << message;
  EXPECT_NE(message.find("missing_table"), std::string::npos) << message;
}

TEST(DuckLoad, PostgresRowsArriveWithTheDriversColumnTypes) {
  AS_REQUIRE_POSTGRES();
  TransferWorld world({postgres_datasource("pg")});
  std::string result = world.run_ok(R"(
    const sql = `SELECT i AS id, i * 1.5::float8 AS half, 'name ' || i AS name, (i % 3 = 0) AS flag,
                        DATE '2024-01-01' + (i % 365) AS day, TIMESTAMPTZ '2024-01-01 00:00:00+00' + i * INTERVAL '1 minute' AS happened
                 FROM generate_series(1, 30000) AS i`;
    const checksum = (from) => `SELECT count(*) AS n, sum(id) AS ids, sum(half) AS halves, sum(length(name)) AS names,
                                       sum(CASE WHEN flag THEN 1 ELSE 0 END) AS flags, max(day)::text AS last_day,
                                       sum(extract(epoch FROM happened))::bigint AS seconds FROM ${from}`;
    const loaded = await ctx.duckdb.load('pg', sql, 'series');
    const source = (await ctx.datasource.pg.query(checksum(`(${sql}) AS s`)))[0];
    const copy = (await ctx.duckdb.query(checksum('series')))[0];
    const types = await ctx.duckdb.query("SELECT data_type FROM information_schema.columns WHERE table_name = 'series' ORDER BY ordinal_position");
    const all = await ctx.duckdb.load('pg', 'SELECT id, small, big, huge, price, wide, flag, day, moment, instant, doc, tags, payload, uid FROM all_types', 'all_types');
    const allTypes = await ctx.duckdb.query("SELECT data_type FROM information_schema.columns WHERE table_name = 'all_types' ORDER BY ordinal_position");
    const first = (await ctx.duckdb.query("SELECT huge::text AS huge, wide, day::text AS day, moment::text AS moment, doc FROM all_types WHERE id = 1"))[0];
    return { loaded, all, same: JSON.stringify(source) === JSON.stringify(copy), copy,
             types: types.map(t => t.data_type).join(','), allTypes: allTypes.map(t => t.data_type).join(','), first };)",
                                    {"pg"});
  EXPECT_EQ(result, R"({"loaded":{"table":"series","rows":30000},"all":{"table":"all_types","rows":2},"same":true,)"
                    R"("copy":{"n":30000,"ids":450015000,"halves":675022500,"names":288894,"flags":10000,"last_day":"2024-12-30",)"
                    R"("seconds":51149016900000},"types":"BIGINT,DOUBLE,VARCHAR,BOOLEAN,DATE,TIMESTAMP WITH TIME ZONE",)"
                    R"("allTypes":"BIGINT,BIGINT,BIGINT,BIGINT,DOUBLE,VARCHAR,BOOLEAN,DATE,TIMESTAMP,TIMESTAMP WITH TIME ZONE,VARCHAR,VARCHAR,BLOB,UUID",)"
                    R"("first":{"huge":"9007199254740993","wide":"12345678901234567890.0123456789","day":"2024-02-29",)"
                    R"("moment":"2024-01-02 03:04:05.123456","doc":"{\"a\":[1,2],\"b\":null}"}})");
}
