// ctx.duckdb.load from and ctx.duckdb.export to MariaDB (type mysql) against the real test
// server: the DuckDB column types taken from the result metadata for every MariaDB type, row
// counts and checksums equal on both sides, export refused on a read-only datasource, a stop
// during a load killing the statement on the server, and a 5,000,000-row stream of every type
// with flat memory (rows made on the server from MariaDB's seq_1_to_N, in a table the test
// makes and drops).
#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <thread>

#include <fmt/format.h>

#include "duck_test_support.h"
#include "duck_transfer_test_support.h"

using namespace as;
using namespace as::testing;
using sandbox::RunStatus;
using Clock = std::chrono::steady_clock;

namespace {


// A table name no other test process uses at the same time on the shared server.
std::string unique_table(const std::string& stem) { return fmt::format("{}_{}", stem, ::getpid()); }

struct MariadbWorld : TransferWorld {
  MariadbWorld() : TransferWorld({mysql_datasource("my"), mysql_datasource("myw", true)}) {}
};

}  // namespace

TEST(DuckLoadMariadb, EveryTypeArrivesWithTheColumnTypeOfTheResultMetadata) {
  AS_REQUIRE_MYSQL();
  MariadbWorld world;
  std::string result = world.run_ok(R"(
    const loaded = await ctx.duckdb.load('my', 'SELECT * FROM all_types ORDER BY id', 'all_types');
    const types = await ctx.duckdb.query("SELECT column_name AS c, data_type AS t FROM information_schema.columns WHERE table_name = 'all_types' ORDER BY ordinal_position");
    const [full] = await ctx.duckdb.query(`SELECT tiny, small, medium, regular, big, huge, ubig::VARCHAR AS ubig, price::VARCHAR AS price,
        wide::VARCHAR AS wide, real4, double8, name, code, body, flag, day::VARCHAR AS day, moment::VARCHAR AS moment,
        epoch_ms(instant) AS instant_ms, clock::VARCHAR AS clock, yr, doc, hex(payload) AS payload, hex(fixed) AS fixed, mood, bits
      FROM all_types WHERE id = 1`);
    const [nulls] = await ctx.duckdb.query(`SELECT count(*) FILTER (WHERE id = 2) AS rows,
        (SELECT count(*) FROM (UNPIVOT (SELECT * EXCLUDE (id) FROM all_types WHERE id = 2) ON COLUMNS(*)::VARCHAR INTO NAME c VALUE v)) AS non_null
      FROM all_types`);
    return { loaded, types: types.map(t => t.c + ':' + t.t).join(','), full, nulls };)",
                                    {"my"});
  EXPECT_EQ(result,
            R"({"loaded":{"table":"all_types","rows":2},)"
            R"("types":"id:BIGINT,tiny:BIGINT,small:BIGINT,medium:BIGINT,regular:BIGINT,big:BIGINT,huge:BIGINT,ubig:UBIGINT,)"
            R"(price:DECIMAL(10,2),wide:DECIMAL(30,10),real4:DOUBLE,double8:DOUBLE,name:VARCHAR,code:VARCHAR,body:VARCHAR,)"
            R"(flag:BIGINT,day:DATE,moment:TIMESTAMP,instant:TIMESTAMP WITH TIME ZONE,clock:TIME,yr:BIGINT,doc:VARCHAR,)"
            R"(payload:BLOB,fixed:BLOB,mood:VARCHAR,bits:BIGINT",)"
            R"("full":{"tiny":-128,"small":-32768,"medium":8388607,"regular":2147483647,"big":9007199254740991,)"
            R"("huge":"9007199254740993","ubig":"18446744073709551615","price":"12345.67","wide":"12345678901234567890.0123456789",)"
            R"("real4":0.1,"double8":0.1,"name":"héllo \"world\"","code":"abc","body":"long text ✓","flag":1,"day":"2024-02-29",)"
            R"("moment":"2024-01-02 03:04:05.123456","instant_ms":1704157445500,"clock":"12:34:56.789","yr":2024,)"
            R"("doc":"{\"a\":[1,2],\"b\":null}","payload":"AA00FF","fixed":"010203","mood":"sad","bits":513},)"
            R"("nulls":{"rows":1,"non_null":0}})");
}

TEST(DuckLoadMariadb, GeneratedRowsArriveWithEqualCountsAndChecksums) {
  AS_REQUIRE_MYSQL();
  MariadbWorld world;
  // 30,000 rows in three batches, made on the server; the same checksum on both sides.
  std::string result = world.run_ok(R"(
    const sql = `SELECT seq AS id, CAST(seq * 1.5 AS DOUBLE) AS half, CAST(seq / 4 AS DECIMAL(12, 2)) AS quarter,
                        CONCAT('name ', seq) AS name, DATE '2024-01-01' + INTERVAL (seq % 365) DAY AS day,
                        TIMESTAMP '2024-01-01 00:00:00' + INTERVAL seq MINUTE AS happened, IF(seq % 7 = 0, NULL, seq % 3) AS maybe
                 FROM seq_1_to_30000`;
    const loaded = await ctx.duckdb.load('my', sql, 'series');
    const source = (await ctx.datasource.my.query(`SELECT count(*) AS n, sum(id) AS ids, sum(half) AS halves, sum(quarter) AS quarters,
        sum(char_length(name)) AS names, CAST(max(day) AS CHAR) AS last_day, sum(unix_timestamp(happened)) AS seconds,
        count(maybe) AS maybes, sum(maybe) AS maybe_sum FROM (${sql}) AS s`))[0];
    const copy = (await ctx.duckdb.query(`SELECT count(*) AS n, sum(id) AS ids, sum(half) AS halves, sum(quarter) AS quarters,
        sum(length(name)) AS names, max(day)::VARCHAR AS last_day, sum(epoch(happened))::BIGINT AS seconds,
        count(maybe) AS maybes, sum(maybe) AS maybe_sum FROM series`))[0];
    const types = await ctx.duckdb.query("SELECT data_type FROM information_schema.columns WHERE table_name = 'series' ORDER BY ordinal_position");
    return { loaded, source, copy, types: types.map(t => t.data_type).join(',') };)",
                                    {"my"});
  // MariaDB sums a DECIMAL exactly and so does DuckDB; both sides must print the same numbers.
  // seq_1_to_N is BIGINT UNSIGNED, so `id` (and `maybe`, computed from it) are UBIGINT.
  EXPECT_EQ(result, R"({"loaded":{"table":"series","rows":30000},)"
                    R"("source":{"n":30000,"ids":450015000,"halves":675022500,"quarters":112503750,"names":288894,"last_day":"2024-12-30",)"
                    R"("seconds":51149016900000,"maybes":25715,"maybe_sum":25715},)"
                    R"("copy":{"n":30000,"ids":450015000,"halves":675022500,"quarters":112503750,"names":288894,"last_day":"2024-12-30",)"
                    R"("seconds":51149016900000,"maybes":25715,"maybe_sum":25715},)"
                    R"("types":"UBIGINT,DOUBLE,DECIMAL(12,2),VARCHAR,DATE,TIMESTAMP,UBIGINT"})");
}

TEST(DuckExportMariadb, RoundTripsWithEqualCountsAndChecksums) {
  AS_REQUIRE_MYSQL();
  MariadbWorld world;
  std::string table = unique_table("duck_export_mixed");
  // 25,001 rows (three export batches) with a column of each kind export reads, text that
  // needs escaping, bytes 0-255, and a row of NULLs.
  std::string result = world.run_ok(fmt::format(R"(
    const table = '{}';
    await ctx.duckdb.exec(`CREATE OR REPLACE TABLE mixed AS
      SELECT i AS id, i::SMALLINT AS small, i * 0.25 AS quarter, (i * 1.5)::DECIMAL(10, 2) AS price, i % 2 = 0 AS even,
             CASE WHEN i % 1000 = 0 THEN 'o''brien \\ "quoted" ' || chr(96) || chr(0) || chr(26) || chr(10) || ' ✓ ' || i
                  ELSE 'name ' || i END AS name,
             ('\\x' || lpad(to_hex(i % 256), 2, '0'))::BLOB AS raw, DATE '2024-01-01' + i::INTEGER AS day,
             TIMESTAMP '2024-01-01 00:00:00.5' + i * INTERVAL '1 second' AS moment,
             TIMESTAMPTZ '2024-01-01 00:00:00+00' + i * INTERVAL '1 minute' AS instant, 12345678901234567890::HUGEINT + i AS huge
      FROM range(1, 25001) AS t(i)
      UNION ALL SELECT 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL`);
    await ctx.datasource.myw.execute(`DROP TABLE IF EXISTS \`${{table}}\``);
    const exported = await ctx.duckdb.export('mixed', 'myw', table);
    const types = await ctx.datasource.myw.query(
      "SELECT GROUP_CONCAT(column_type ORDER BY ordinal_position) AS t FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = ?", [table]);
    const copy = (await ctx.datasource.myw.query(`SELECT count(*) AS n, count(small) AS smalls, sum(id) AS ids, sum(small) AS small_sum,
        sum(quarter) AS quarters, sum(price) AS prices, sum(even) AS evens, sum(octet_length(name)) AS names,
        sum(octet_length(raw)) AS raw_bytes, CAST(min(day) AS CHAR) AS first_day,
        DATE_FORMAT(max(moment), '%Y-%m-%d %H:%i:%s.%f') AS last_moment, DATE_FORMAT(max(instant), '%Y-%m-%d %H:%i:%s') AS last_instant,
        max(huge) AS huge FROM \`${{table}}\``))[0];
    const original = (await ctx.duckdb.query(`SELECT count(*) AS n, count(small) AS smalls, sum(id) AS ids, sum(small) AS small_sum,
        sum(quarter) AS quarters, sum(price) AS prices, sum(even::INTEGER) AS evens, sum(strlen(name)) AS names,
        sum(octet_length(raw)) AS raw_bytes, min(day)::VARCHAR AS first_day,
        strftime(max(moment), '%Y-%m-%d %H:%M:%S.%f') AS last_moment, strftime(timezone('UTC', max(instant)), '%Y-%m-%d %H:%M:%S') AS last_instant,
        max(huge)::VARCHAR AS huge FROM mixed`))[0];
    // Back into DuckDB: every row equal to the original.
    await ctx.duckdb.load('myw', `SELECT * FROM \`${{table}}\``, 'back');
    const [diff] = await ctx.duckdb.query(`SELECT count(*) AS differing FROM (
        (SELECT id, small, quarter, price::DOUBLE, even::INTEGER, name, raw, day, moment, timezone('UTC', instant), huge::VARCHAR FROM mixed
         EXCEPT SELECT id, small, quarter, price, even, name, raw, day, moment, instant, huge FROM back)
        UNION ALL
        (SELECT id, small, quarter, price, even, name, raw, day, moment, instant, huge FROM back
         EXCEPT SELECT id, small, quarter, price::DOUBLE, even::INTEGER, name, raw, day, moment, timezone('UTC', instant), huge::VARCHAR FROM mixed))`);
    await ctx.datasource.myw.execute(`DROP TABLE \`${{table}}\``);
    return {{ exported: exported.rows, same: JSON.stringify(copy) === JSON.stringify(original), copy, original, types: types[0].t, diff }};)",
                                                table),
                                    {"myw"});
  EXPECT_NE(result.find(R"("exported":25001,"same":true,)"), std::string::npos) << result;
  EXPECT_NE(result.find(R"("types":"bigint(20),bigint(20),decimal(22,2),decimal(10,2),tinyint(1),longtext,longblob,date,datetime(6),datetime(6),longtext")"),
            std::string::npos)
      << result;
  EXPECT_NE(result.find(R"("diff":{"differing":0})"), std::string::npos) << result;
}

TEST(DuckExportMariadb, IsRefusedOnAReadOnlyDatasourceBeforeAnythingRuns) {
  AS_REQUIRE_MYSQL();
  MariadbWorld world;
  std::string table = unique_table("duck_export_refused");
  EXPECT_EQ(world.run_failed(fmt::format("await ctx.duckdb.exec('CREATE TABLE t AS SELECT 1 AS x'); await ctx.duckdb.export('t', 'my', '{}');", table),
                             {"my"}),
            "TypeError: ctx.duckdb.export(table, datasource, destTable): datasource 'my' is read-only: export needs "
            "allow_writes = true in its configuration");
  auto datasource = world.registry->open("test", "my");
  auto rows = datasource->query("SELECT count(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?",
                                {Value(table)}, {}, {});
  EXPECT_EQ(rows.rows.at(0).at(0), Value(0));
}

TEST(DuckLoadMariadb, AStopDuringALoadKillsTheQueryOnTheServer) {
  AS_REQUIRE_MYSQL();
  MariadbWorld world;
  sandbox::RunRequest request;
  request.limits.timeout = std::chrono::milliseconds(500);
  auto started = Clock::now();
  // Rows that take 10 s each: only the run's deadline ends the load.
  auto outcome = world.run("await ctx.duckdb.load('my', 'SELECT id, SLEEP(10) AS load_kill_probe FROM people', 'sleepy');", {"my"},
                           std::move(request));
  ASSERT_EQ(outcome.status, RunStatus::Failed) << outcome.result_json;
  EXPECT_EQ(outcome.failure->limit, "timeout_ms") << outcome.failure->message;
  auto datasource = world.registry->open("test", "my");
  while (datasource->pool().idle_connections() < datasource->pool().open_connections()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  std::cout << "[ measured ] mariadb: run start -> cancelled load settled: " << ms_since(started) << " ms (deadline 500 ms)\n";
  auto rows = datasource->query(
      "SELECT count(*) FROM information_schema.processlist WHERE info LIKE '%load_kill_probe%' AND info NOT LIKE '%processlist%'", {}, {}, {});
  EXPECT_EQ(rows.rows.at(0).at(0), Value(0));
  // The project DuckDB is usable by the next run.
  EXPECT_EQ(world.run_ok("return { n: (await ctx.duckdb.query('SELECT 42 AS n'))[0].n };", {"my"}), R"({"n":42})");
}

TEST(DuckLoadMariadb, AFailureMidwayLeavesTheTableAsItWasWithOrWithoutTheScriptsTransaction) {
  AS_REQUIRE_MYSQL();
  MariadbWorld world;
  // Row 15,001 makes the scalar subquery return two rows: an error in the second batch.
  const char* failing = "SELECT seq AS id, (SELECT x FROM (SELECT 1 AS x UNION ALL SELECT 2) AS two WHERE seq > 15000 OR x = 1) AS one "
                        "FROM seq_1_to_30000";
  std::string result = world.run_ok(fmt::format(R"(
    const failing = "{}";
    await ctx.duckdb.load('my', 'SELECT id FROM people', 'target');
    let error = null;
    try {{ await ctx.duckdb.load('my', failing, 'target'); }} catch (e) {{ error = e.message; }}
    const bare = (await ctx.duckdb.query('SELECT count(*) AS n, max(id) AS last FROM target'))[0];
    await ctx.duckdb.load('my', 'SELECT id FROM people', 'target');
    await ctx.duckdb.exec('BEGIN');
    try {{ await ctx.duckdb.load('my', failing, 'target'); await ctx.duckdb.exec('COMMIT'); }} catch (e) {{ await ctx.duckdb.exec('ROLLBACK'); }}
    const wrapped = (await ctx.duckdb.query('SELECT count(*) AS n, max(id) AS last FROM target'))[0];
    return {{ error, bare, wrapped }};)",
                                                failing),
                                    {"my"});
  EXPECT_EQ(result, R"({"error":"ctx.duckdb.load: datasource 'my': Subquery returns more than 1 row",)"
                    R"("bare":{"n":4,"last":4},"wrapped":{"n":4,"last":4}})");
}

// The issue's 5,000,000-row stream, over every MariaDB type: 100 rows of every type crossed
// with seq_1_to_50000 on the server, read in batches of 10,000 while RSS is watched.
TEST(MysqlDatasource, StreamOf5MillionRowsOfEveryTypeKeepsMemoryFlat) {
  AS_REQUIRE_MYSQL();
  MariadbWorld world;
  auto writer = world.registry->open("test", "myw");
  std::string table = unique_table("stream_types");
  writer->execute(fmt::format("DROP TABLE IF EXISTS `{0}`; "
                              "CREATE TABLE `{0}` (k INT PRIMARY KEY, tiny TINYINT, small SMALLINT, medium MEDIUMINT, regular INT, "
                              "  big BIGINT, ubig BIGINT UNSIGNED, price DECIMAL(12, 2), real4 FLOAT, double8 DOUBLE, name VARCHAR(40), "
                              "  body TEXT, payload BLOB, day DATE, moment DATETIME(6), instant TIMESTAMP(3) NULL, clock TIME, doc JSON, "
                              "  bits BIT(10), mood ENUM('happy', 'sad'), nothing INT); "
                              "INSERT INTO `{0}` SELECT seq, CAST(seq AS SIGNED) - 50, seq * 300, seq * 80000, seq * 20000000, seq * 90000000000000, "
                              "  18446744073709551615 - seq, seq * 1.25, seq / 8, seq / 3, CONCAT('name ', seq), REPEAT('t', seq), "
                              "  UNHEX(LPAD(HEX(seq), 4, '0')), DATE '2024-01-01' + INTERVAL seq DAY, "
                              "  TIMESTAMP '2024-01-01 00:00:00.25' + INTERVAL seq HOUR, TIMESTAMP '2024-01-01 00:00:00.5' + INTERVAL seq MINUTE, "
                              "  SEC_TO_TIME(seq * 61), JSON_OBJECT('k', seq, 'tags', JSON_ARRAY(seq, 'x')), seq, IF(seq % 2 = 0, 'happy', 'sad'), NULL "
                              "FROM seq_1_to_100",
                              table),
                  {}, {});
  auto reader = world.registry->open("test", "my");
  auto started = Clock::now();
  std::size_t before = resident_bytes(), peak = before;
  std::size_t rows = 0, batches = 0, columns = 0, nulls = 0;
  std::int64_t key_sum = 0, seq_sum = 0;
  std::string first_types;
  {
    auto stream = reader->stream(fmt::format("SELECT t.*, s.seq FROM seq_1_to_50000 AS s CROSS JOIN `{}` AS t", table), {}, {});
    while (true) {
      auto batch = stream->fetch(10'000, {});
      if (batch.rows.empty()) break;
      if (batches++ == 0) {
        columns = batch.columns.size();
        for (const auto& type : batch.types) first_types += (first_types.empty() ? "" : ",") + type;
      }
      rows += batch.rows.size();
      for (const auto& row : batch.rows) {
        key_sum += static_cast<std::int64_t>(row[0].as<double>());
        seq_sum += static_cast<std::int64_t>(row.back().as<double>());
        nulls += row[20].is_null() ? 1 : 0;
      }
      peak = std::max(peak, resident_bytes());
    }
  }
  double seconds = ms_since(started) / 1000;
  writer->execute(fmt::format("DROP TABLE `{}`", table), {}, {});
  EXPECT_EQ(rows, 5'000'000u);
  EXPECT_EQ(columns, 22u);
  EXPECT_EQ(first_types, "BIGINT,BIGINT,BIGINT,BIGINT,BIGINT,BIGINT,UBIGINT,DECIMAL(12, 2),DOUBLE,DOUBLE,VARCHAR,VARCHAR,BLOB,DATE,"
                         "TIMESTAMP,TIMESTAMPTZ,TIME," + std::string(as::datasources::kJsonText) + ",BIGINT,VARCHAR,BIGINT,UBIGINT");
  EXPECT_EQ(key_sum, std::int64_t{50'000} * 5050);
  EXPECT_EQ(seq_sum, std::int64_t{100} * 50'000 * 50'001 / 2);
  EXPECT_EQ(nulls, 5'000'000u);
  std::size_t growth = peak > before ? peak - before : 0;
  std::cout << "[ measured ] mariadb stream of " << rows << " rows x " << columns << " columns of every type in " << batches
            << " batches: " << seconds << " s (" << static_cast<std::size_t>(rows / seconds) << " rows/s), RSS growth " << (growth >> 20)
            << " MB\n";
  EXPECT_LT(growth, std::size_t{60} << 20);
}

// insert() (and so export) splits its rows by size as well as by count: 24 rows of 1 MB are more
// than the server's max_allowed_packet (16 MB on the test server) in one statement.
TEST(MysqlDatasource, InsertSplitsRowsThatTogetherExceedMaxAllowedPacket) {
  AS_REQUIRE_MYSQL();
  MariadbWorld world;
  std::string table = unique_table("insert_packets");
  std::string result = world.run_ok(fmt::format(R"(
    const table = '{}';
    await ctx.datasource.myw.execute(`DROP TABLE IF EXISTS \`${{table}}\`; CREATE TABLE \`${{table}}\` (id INT, body LONGTEXT)`);
    const [packet] = await ctx.datasource.myw.query('SELECT @@max_allowed_packet AS bytes');
    const rows = Array.from({{ length: 24 }}, (_, i) => ({{ id: i + 1, body: String.fromCharCode(97 + i).repeat(1 << 20) }}));
    const inserted = await ctx.datasource.myw.insert(table, rows);
    const [stored] = await ctx.datasource.myw.query(`SELECT count(*) AS n, sum(length(body)) AS bytes, sum(id) AS ids FROM \`${{table}}\``);
    await ctx.datasource.myw.execute(`DROP TABLE \`${{table}}\``);
    return {{ over: 24 * (1 << 20) > packet.bytes, inserted, stored }};)",
                                                table),
                                    {"myw"});
  EXPECT_EQ(result, R"({"over":true,"inserted":{"rowsAffected":24},"stored":{"n":24,"bytes":25165824,"ids":300}})");
}
