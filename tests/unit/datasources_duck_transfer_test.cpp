// ctx.duckdb.load and ctx.duckdb.export through real runs: SQLite (the demo database) and the
// PostgreSQL test server into the project DuckDB and back, with counts and checksums compared
// on both sides, and the declared-datasources and allow_writes rules.
#include <gtest/gtest.h>

#include "config/demo_database.h"
#include "duck_transfer_test_support.h"

using namespace as;
using namespace as::testing;
using sandbox::RunStatus;

namespace {

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

TEST(DuckLoad, RunsInsideTheRunsTransaction) {
  DemoWorld world;
  std::string result = world.run_ok(R"(
    await ctx.duckdb.exec('BEGIN');
    await ctx.duckdb.load('demo', 'SELECT * FROM customers', 'customers');
    const inside = (await ctx.duckdb.query('SELECT count(*) AS n FROM customers'))[0].n;
    await ctx.duckdb.exec('ROLLBACK');
    return { inside, after: await ctx.duckdb.tables() };)",
                                    {"demo"});
  EXPECT_EQ(result, R"({"inside":500,"after":[]})");
}

TEST(DuckLoad, AStopOfTheRunCancelsTheSourceQuery) {
  DemoWorld world;
  sandbox::RunRequest request;
  request.limits.timeout = std::chrono::milliseconds(300);
  // An endless source: only the run's time limit ends it.
  auto outcome = world.run(R"(
    await ctx.duckdb.load('demo', 'WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c) SELECT i FROM c', 'endless');)",
                           {"demo"}, std::move(request));
  ASSERT_EQ(outcome.status, RunStatus::Failed) << outcome.result_json;
  EXPECT_EQ(outcome.failure->kind, sandbox::FailureKind::Limit) << outcome.failure->message;
  // The project database is usable afterwards, by the next run, and the stopped load left nothing.
  EXPECT_EQ(world.run_ok("return { tables: await ctx.duckdb.tables() };", {"demo"}), R"({"tables":[]})");
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
                    R"("allTypes":"BIGINT,BIGINT,BIGINT,BIGINT,DECIMAL(10,2),DECIMAL(30,10),BOOLEAN,DATE,TIMESTAMP,TIMESTAMP WITH TIME ZONE,VARCHAR,VARCHAR,BLOB,UUID",)"
                    R"("first":{"huge":"9007199254740993","wide":"12345678901234567890.0123456789","day":"2024-02-29",)"
                    R"("moment":"2024-01-02 03:04:05.123456","doc":"{\"a\":[1,2],\"b\":null}"}})");
}

namespace {

// A DuckDB table with one column of each kind export reads, NULLs in the second row.
constexpr const char* kMixedTable = R"(
    await ctx.duckdb.exec(`CREATE OR REPLACE TABLE mixed AS
      SELECT i AS id, i::SMALLINT AS small, i * 0.25 AS quarter, (i * 1.5)::DECIMAL(10, 2) AS price, i % 2 = 0 AS even,
             'name ' || i AS name, ('\\x' || lpad(to_hex(i % 256), 2, '0'))::BLOB AS raw, DATE '2024-01-01' + i::INTEGER AS day,
             TIMESTAMP '2024-01-01 00:00:00' + i * INTERVAL '1 second' AS moment, 12345678901234567890::HUGEINT + i AS huge
      FROM range(1, 25001) AS t(i)
      UNION ALL SELECT 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL`);)";

// The same checksum in SQLite, PostgreSQL and DuckDB: dates and timestamps compared as text.
constexpr const char* kMixedChecksum = R"(
    const checksum = (table, text, bytes = 'length') => `SELECT count(*) AS n, count(small) AS smalls, sum(id) AS ids, sum(small) AS small_sum,
        sum(quarter) AS quarters, sum(price) AS prices, sum(CASE WHEN even THEN 1 ELSE 0 END) AS evens, sum(length(name)) AS names,
        sum(${bytes}(raw)) AS raw_bytes, min(${text('day')}) AS first_day, max(${text('moment')}) AS last_moment,
        max(huge) AS huge FROM ${table}`;)";

}  // namespace

TEST(DuckExport, RoundTripsThroughAWritableSqliteDatasource) {
  DemoWorld world;
  std::string result = world.run_ok(std::string(kMixedTable) + kMixedChecksum + R"(
    const exported = await ctx.duckdb.export('mixed', 'scratch', 'mixed_copy');
    const copy = (await ctx.datasource.scratch.query(checksum('mixed_copy', c => c)))[0];
    const original = (await ctx.duckdb.query(checksum('mixed', c => `${c}::VARCHAR`, 'octet_length')))[0];
    original.huge = String(original.huge);
    await ctx.duckdb.load('scratch', 'SELECT * FROM mixed_copy', 'back');
    const back = (await ctx.duckdb.query('SELECT count(*) AS n, sum(id) AS ids FROM back'))[0];
    return { exported, same: JSON.stringify(copy) === JSON.stringify(original), copy, back };)",
                                    {"demo", "scratch"});
  EXPECT_EQ(result, R"({"exported":{"table":"mixed_copy","rows":25001},"same":true,"copy":)"
                    R"({"n":25001,"smalls":25000,"ids":312512500,"small_sum":312512500,"quarters":78128125,"prices":468768750,"evens":12500,"names":238894,"raw_bytes":25000,"first_day":"2024-01-02","last_moment":"2024-01-01 06:56:40","huge":"12345678901234592890"},)"
                    R"("back":{"n":25001,"ids":312512500}})");
}

TEST(DuckExport, RefusesReadOnlyAndUndeclaredDatasources) {
  DemoWorld world;
  EXPECT_EQ(world.run_failed("await ctx.duckdb.exec('CREATE TABLE t AS SELECT 1 AS x'); await ctx.duckdb.export('t', 'demo', 't');", {"demo"}),
            "TypeError: ctx.duckdb.export(table, datasource, destTable): datasource 'demo' is read-only: export needs "
            "allow_writes = true in its configuration");
  EXPECT_EQ(world.run_failed("await ctx.duckdb.export('t', 'scratch', 't');", {"demo"}),
            "TypeError: ctx.duckdb.export(table, datasource, destTable): datasource 'scratch' is not declared by this analysis: add it "
            "to dependencies.datasources to use it");
  std::string message = world.run_failed("await ctx.duckdb.export('no_such_table', 'scratch', 't');", {"scratch"});
  EXPECT_EQ(message.rfind("Error: ctx.duckdb.export: ", 0), 0u) << message;
  EXPECT_NE(message.find("no_such_table"), std::string::npos) << message;
}

TEST(DuckExport, RoundTripsThroughPostgres) {
  AS_REQUIRE_POSTGRES();
  TransferWorld world({postgres_datasource("pgw", true)});
  std::string result = world.run_ok(std::string(kMixedTable) + kMixedChecksum + R"(
    await ctx.datasource.pgw.execute('DROP TABLE IF EXISTS duck_export_mixed');
    const exported = await ctx.duckdb.export('mixed', 'pgw', 'duck_export_mixed');
    const copy = (await ctx.datasource.pgw.query(checksum('duck_export_mixed', c => `${c}::text`, 'octet_length')))[0];
    const original = (await ctx.duckdb.query(checksum('mixed', c => `${c}::text`, 'octet_length')))[0];
    original.huge = String(original.huge);  // HUGEINT (a BigInt) went over as text
    const types = await ctx.datasource.pgw.query(`SELECT string_agg(data_type, ',' ORDER BY ordinal_position) AS t
                                                  FROM information_schema.columns WHERE table_name = 'duck_export_mixed'`);
    await ctx.datasource.pgw.execute('DROP TABLE duck_export_mixed');
    return { exported, same: JSON.stringify(copy) === JSON.stringify(original), copy, types: types[0].t };)",
                                    {"pgw"});
  EXPECT_EQ(result, R"({"exported":{"table":"duck_export_mixed","rows":25001},"same":true,"copy":)"
                    R"({"n":25001,"smalls":25000,"ids":312512500,"small_sum":312512500,"quarters":78128125,"prices":468768750,"evens":12500,"names":238894,"raw_bytes":25000,"first_day":"2024-01-02","last_moment":"2024-01-01 06:56:40","huge":"12345678901234592890"},)"
                    R"("types":"bigint,bigint,numeric,numeric,boolean,text,bytea,date,timestamp without time zone,text"})");
}

namespace {

// A PostgreSQL table with one column of every type the binary COPY path reads, a row of NULLs
// and a row of edge values (infinities, NaN, BC, 2^53 + 1, a negative numeric).
constexpr const char* kCopyTypesTable = R"(
    await ctx.datasource.pgw.execute(`DROP TABLE IF EXISTS duck_copy_types;
      CREATE TABLE duck_copy_types (id integer, small smallint, regular integer, big bigint, f4 real, f8 double precision,
        price numeric(10, 2), wide numeric(30, 10), flag boolean, txt text, vc varchar(20), fixed char(6), nm name,
        day date, moment timestamp, instant timestamptz, clock time, doc json, docb jsonb, payload bytea, uid uuid);
      INSERT INTO duck_copy_types SELECT i, (i % 30000)::int2, i * 1000, i::int8 * 3000000000, i / 3.0, i / 7.0, i * 1.25 - 100,
        ('12345678901234567890.' || lpad(i::text, 10, '0'))::numeric(30, 10), i % 2 = 0, E'text\\t' || i || E'\\n\\\\ "q"',
        'v' || i, 'c' || (i % 100), 'n' || i, DATE '2024-01-01' + i, TIMESTAMP '2024-01-01 00:00:00.123456' + i * INTERVAL '1 hour',
        TIMESTAMPTZ '2024-01-01 00:00:00+00' + i * INTERVAL '1 minute', TIME '00:00:00.5' + i * INTERVAL '1 second',
        json_build_object('i', i, 'a', json_build_array(i, 'x', NULL)), jsonb_build_object('k', i, 's', 'é'),
        decode(lpad(to_hex(i % 65536), 4, '0'), 'hex'), md5(i::text)::uuid
      FROM generate_series(1, 5000) AS i;
      INSERT INTO duck_copy_types (id) VALUES (0);
      INSERT INTO duck_copy_types VALUES (-1, -32768, -2147483648, 9007199254740993, 'NaN', '-Infinity', -0.5,
        -12345678901234567890.0000000001, false, '', '', '', '', '0044-03-15 BC', 'infinity', '-infinity', '24:00:00',
        '"just a string"', '[]', '\\x', '00000000-0000-0000-0000-000000000000');`);)";

}  // namespace

// JSON cells keep their JSON text on both paths: a JSON string stays quoted, a number stays a
// number's text (the cursor path parses JSON for ctx.datasource rows and writes it back).
TEST(DuckLoad, PostgresJsonScalarsKeepTheirJsonTextOnBothPaths) {
  AS_REQUIRE_POSTGRES();
  TransferWorld world({postgres_datasource("pg")});
  std::string result = world.run_ok(R"(
    const values = `(VALUES (1, '"abc"'::json, '"x y"'::jsonb), (2, '5'::json, '2.5'::jsonb), (3, '{"a":[1,"x"]}'::json, 'true'::jsonb),
                            (4, NULL::json, NULL::jsonb)) AS v(id, j, b)`;
    await ctx.duckdb.load('pg', `SELECT id, j, b FROM ${values}`, 'by_copy');
    await ctx.duckdb.load('pg', `SELECT id, j, b, NULL::integer[] AS force_text_path FROM ${values}`, 'by_text');
    const read = async (t) => (await ctx.duckdb.query(`SELECT j, b FROM ${t} ORDER BY id`)).map(r => [r.j, r.b]);
    return { copy: await read('by_copy'), text: await read('by_text') };)",
                                    {"pg"});
  const char* expected = R"([["\"abc\"","\"x y\""],["5","2.5"],["{\"a\":[1,\"x\"]}","true"],[null,null]])";
  EXPECT_EQ(result, std::string(R"({"copy":)") + expected + R"(,"text":)" + expected + "}");
}

TEST(DuckLoad, PostgresBinaryCopyLoadsEveryTypeAsTheTextPathDoes) {
  AS_REQUIRE_POSTGRES();
  TransferWorld world({postgres_datasource("pg"), postgres_datasource("pgw", true)});
  std::string result = world.run_ok(std::string(kCopyTypesTable) + R"(
    // An integer[] column has no binary reading, so the second load takes the text path.
    const fast = await ctx.duckdb.load('pg', 'SELECT * FROM duck_copy_types', 'by_copy');
    const text = await ctx.duckdb.load('pg', 'SELECT *, NULL::integer[] AS force_text_path FROM duck_copy_types', 'by_text');
    await ctx.datasource.pgw.execute('DROP TABLE duck_copy_types');
    const types = async (table) => (await ctx.duckdb.query(`SELECT string_agg(data_type, ',' ORDER BY ordinal_position) AS t
        FROM information_schema.columns WHERE table_name = '${table}' AND column_name <> 'force_text_path'`))[0].t;
    const differ = async (a, b) => (await ctx.duckdb.query(`SELECT count(*) AS n FROM (SELECT * FROM ${a} EXCEPT SELECT * FROM ${b})`))[0].n;
    await ctx.duckdb.exec('CREATE TABLE by_text_same AS SELECT * EXCLUDE (force_text_path) FROM by_text');
    const edge = (await ctx.duckdb.query(`SELECT big::text AS big, f4, f8::text AS f8, price, wide, day::text AS day, moment::text AS moment,
        instant::text AS instant, clock::text AS clock, doc, docb, octet_length(payload) AS payload, uid::text AS uid FROM by_copy WHERE id = -1`))[0];
    const one = (await ctx.duckdb.query(`SELECT f4, price, txt, fixed, doc, docb, instant::text AS instant, uid::text AS uid FROM by_copy WHERE id = 1`))[0];
    const nulls = (await ctx.duckdb.query(`SELECT count(*) AS n FROM by_copy WHERE id = 0 AND small IS NULL AND uid IS NULL AND doc IS NULL`))[0].n;
    // Which statement the server ran for each path.
    await ctx.duckdb.load('pg', 'SELECT split_part(current_query(), \' \', 1) AS via', 'via_copy');
    await ctx.duckdb.load('pg', 'SELECT split_part(current_query(), \' \', 1) AS via, NULL::integer[] AS force', 'via_text');
    const via = (await ctx.duckdb.query('SELECT (SELECT via FROM via_copy) AS fast, (SELECT via FROM via_text) AS text'))[0];
    return { via, fast, text, sameTypes: (await types('by_copy')) === (await types('by_text')), types: await types('by_copy'),
             onlyInCopy: await differ('by_copy', 'by_text_same'), onlyInText: await differ('by_text_same', 'by_copy'), edge, one, nulls };)",
                                    {"pg", "pgw"});
  EXPECT_EQ(result,
            R"({"via":{"fast":"COPY","text":"FETCH"},"fast":{"table":"by_copy","rows":5002},"text":{"table":"by_text","rows":5002},"sameTypes":true,)"
            R"("types":"BIGINT,BIGINT,BIGINT,BIGINT,DOUBLE,DOUBLE,DECIMAL(10,2),DECIMAL(30,10),BOOLEAN,VARCHAR,VARCHAR,VARCHAR,VARCHAR,DATE,TIMESTAMP,)"
            R"(TIMESTAMP WITH TIME ZONE,TIME,VARCHAR,VARCHAR,BLOB,UUID","onlyInCopy":0,"onlyInText":0,)"
            R"("edge":{"big":"9007199254740993","f4":null,"f8":"-inf","price":-0.5,"wide":"-12345678901234567890.0000000001",)"
            R"x("day":"0044-03-15 (BC)","moment":"infinity","instant":"-infinity","clock":"24:00:00","doc":"\"just a string\"","docb":"[]",)x"
            R"("payload":0,"uid":"00000000-0000-0000-0000-000000000000"},)"
            R"("one":{"f4":0.33333334,"price":-98.75,"txt":"text\t1\n\\ \"q\"","fixed":"c1    ","doc":"{\"i\":1,\"a\":[1,\"x\",null]}",)"
            R"("docb":"{\"k\":1,\"s\":\"é\"}","instant":"2024-01-01 00:01:00+00","uid":"c4ca4238-a0b9-2382-0dcc-509a6f75849b"},"nulls":1})");
}

TEST(DuckLoad, AStopCancelsThePostgresCopyAndLeavesNoHalfTable) {
  AS_REQUIRE_POSTGRES();
  TransferWorld world({postgres_datasource("pg")});
  sandbox::RunRequest request;
  request.limits.timeout = std::chrono::milliseconds(500);
  auto outcome = world.run(R"(
    await ctx.duckdb.load('pg', 'SELECT i, md5(i::text) AS h FROM generate_series(1, 2000000000) AS i', 'endless');)",
                           {"pg"}, std::move(request));
  ASSERT_EQ(outcome.status, RunStatus::Failed) << outcome.result_json;
  EXPECT_EQ(outcome.failure->kind, sandbox::FailureKind::Limit) << outcome.failure->message;
  // The load's own transaction was rolled back; the datasource's connections still work.
  EXPECT_EQ(world.run_ok(R"(
    const inside = [];
    await ctx.duckdb.exec('BEGIN');
    await ctx.duckdb.load('pg', 'SELECT i FROM generate_series(1, 10) AS i', 'kept_until_rollback');
    inside.push(...await ctx.duckdb.tables());
    await ctx.duckdb.exec('ROLLBACK');
    const again = await ctx.datasource.pg.query('SELECT count(*) AS n FROM people');
    return { tables: await ctx.duckdb.tables(), inside, people: again[0].n };)",
                         {"pg"}),
            R"({"tables":[],"inside":["kept_until_rollback"],"people":4})");
}

TEST(DuckExport, PostgresCopyKeepsTabsNewlinesBackslashesAndNullsApart) {
  AS_REQUIRE_POSTGRES();
  TransferWorld world({postgres_datasource("pgw", true)});
  std::string result = world.run_ok(R"(
    await ctx.duckdb.exec(`CREATE TABLE hostile AS SELECT * FROM (VALUES
      (1, E'tab\there', 'x'::BLOB), (2, E'line\nbreak\r\n', '\\x00\\x09\\x0A'::BLOB), (3, '\\N', NULL), (4, NULL, ''::BLOB),
      (5, 'back\\slash \\\\x', '\\x5C'::BLOB), (6, 'héllo "wörld" ''q''', '\\xFF'::BLOB)) AS t(id, s, b)`);
    await ctx.datasource.pgw.execute('DROP TABLE IF EXISTS duck_export_hostile');
    const exported = await ctx.duckdb.export('hostile', 'pgw', 'duck_export_hostile');
    const sum = (rows) => rows.map(r => JSON.stringify(r)).join('|');
    const there = await ctx.datasource.pgw.query(`SELECT id, s, encode(b, 'hex') AS b FROM duck_export_hostile ORDER BY id`);
    const here = await ctx.duckdb.query(`SELECT id, s, lower(hex(b)) AS b FROM hostile ORDER BY id`);
    await ctx.datasource.pgw.execute('DROP TABLE duck_export_hostile');
    return { exported, same: sum(there) === sum(here), there };)",
                                    {"pgw"});
  EXPECT_EQ(result, R"({"exported":{"table":"duck_export_hostile","rows":6},"same":true,"there":[{"id":1,"s":"tab\there","b":"78"},)"
                    R"({"id":2,"s":"line\nbreak\r\n","b":"00090a"},{"id":3,"s":"\\N","b":null},{"id":4,"s":null,"b":""},)"
                    R"({"id":5,"s":"back\\slash \\\\x","b":"5c"},{"id":6,"s":"héllo \"wörld\" 'q'","b":"ff"}]})");
}

// DECIMAL columns stay exact through export: NUMERIC(p, s) in PostgreSQL, values as DuckDB's
// exact text (a double would turn 0.1 + 0.2 sums into 0.30000000000000004).
TEST(DuckExport, PostgresDecimalsStayExact) {
  AS_REQUIRE_POSTGRES();
  TransferWorld world({postgres_datasource("pgw", true)});
  std::string result = world.run_ok(R"(
    await ctx.duckdb.exec(`CREATE TABLE money AS SELECT i AS id, (i * 0.1)::DECIMAL(12, 2) AS amount,
                                  12345678901234567890.123456789::DECIMAL(38, 9) AS wide FROM range(1, 1001) t(i)`);
    await ctx.datasource.pgw.execute('DROP TABLE IF EXISTS duck_export_money');
    await ctx.duckdb.export('money', 'pgw', 'duck_export_money');
    const [there] = await ctx.datasource.pgw.query(`SELECT sum(amount)::text AS total, min(wide)::text AS wide,
        (SELECT string_agg(data_type || '(' || numeric_precision || ',' || numeric_scale || ')', ',' ORDER BY ordinal_position)
           FROM information_schema.columns WHERE table_name = 'duck_export_money' AND column_name <> 'id') AS types
        FROM duck_export_money`);
    const [here] = await ctx.duckdb.query('SELECT sum(amount)::VARCHAR AS total FROM money');
    await ctx.datasource.pgw.execute('DROP TABLE duck_export_money');
    return { there, here };)",
                                    {"pgw"});
  EXPECT_EQ(result, R"x({"there":{"total":"50050.00","wide":"12345678901234567890.123456789","types":"numeric(12,2),numeric(38,9)"},)x"
                    R"x("here":{"total":"50050.00"}})x");
}

TEST(DuckLoad, PostgresCopyErrorsNameTheDatasourceAndLeaveNoTable) {
  AS_REQUIRE_POSTGRES();
  TransferWorld world({postgres_datasource("pg")});
  // A syntax error (found when the statement is described) and an error in the middle of the
  // rows (division by zero at row 50,000, after DuckDB has already taken chunks).
  std::string syntax = world.run_failed("await ctx.duckdb.load('pg', 'SELEC 1', 't');", {"pg"});
  EXPECT_EQ(syntax.rfind("Error: ctx.duckdb.load: datasource 'pg': syntax error", 0), 0u) << syntax;
  std::string midway = world.run_failed(
      "await ctx.duckdb.load('pg', 'SELECT i, 1 / (i - 50000) AS x FROM generate_series(1, 100000) AS i', 'half');", {"pg"});
  EXPECT_EQ(midway, "Error: ctx.duckdb.load: datasource 'pg': division by zero");
  // numeric(p, s) loads as DECIMAL(p, s), which has no NaN: the load fails saying what to do,
  // and the suggested cast loads it.
  std::string nan = world.run_failed(
      "await ctx.duckdb.load('pg', `SELECT i, CASE WHEN i = 3000 THEN 'NaN'::numeric ELSE i END::numeric(10, 2) AS n FROM generate_series(1, 5000) AS i`, "
      "'nan');",
      {"pg"});
  EXPECT_EQ(nan,
            "Error: ctx.duckdb.load: datasource 'pg': a numeric(10, 2) value is NaN, which DuckDB's DECIMAL(10, 2) cannot hold: cast the "
            "column to double precision in the statement to load it");
  EXPECT_EQ(world.run_ok(R"(
    await ctx.duckdb.load('pg', `SELECT 'NaN'::numeric(10, 2)::float8 AS n`, 'nan');
    const loaded = (await ctx.duckdb.query("SELECT isnan(n) AS nan, typeof(n) AS type FROM nan"))[0];
    await ctx.duckdb.exec('DROP TABLE nan');
    return loaded;)",
                         {"pg"}),
            R"({"nan":true,"type":"DOUBLE"})");
  // No table was left behind; an empty result still makes a typed, empty one.
  EXPECT_EQ(world.run_ok(R"(
    const loaded = await ctx.duckdb.load('pg', 'SELECT id, name FROM people WHERE id < 0', 'nobody');
    const types = await ctx.duckdb.query("SELECT string_agg(data_type, ',' ORDER BY ordinal_position) AS t FROM information_schema.columns WHERE table_name = 'nobody'");
    return { loaded, tables: await ctx.duckdb.tables(), types: types[0].t };)",
                         {"pg"}),
            R"({"loaded":{"table":"nobody","rows":0},"tables":["nobody"],"types":"BIGINT,VARCHAR"})");
}
