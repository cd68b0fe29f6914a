// MariaDB (type mysql) datasources against the real test server (scripts/test-services): every
// method, parameter binding with hostile strings, the type table, read-only enforcement,
// cancellation by stop and by deadline, streaming with flat memory, connection errors.
#include <gtest/gtest.h>

#include <thread>

#include "datasources/datasource_error.h"
#include "datasources/mysql_values.h"
#include "datasources_test_support.h"
#include "duck_test_support.h"
#include "run_helpers.h"

using namespace as;
using namespace as::testing;
using sandbox::RunStatus;
using Clock = std::chrono::steady_clock;

namespace {

std::shared_ptr<datasources::DatasourceRegistry> mysql_registry(std::vector<config::DatasourceConfig> extra = {}) {
  std::vector<config::DatasourceConfig> all = {mysql_datasource("my"), mysql_datasource("myw", true)};
  for (auto& ds : extra) all.push_back(std::move(ds));
  return std::make_shared<datasources::DatasourceRegistry>(config_with(std::move(all)));
}


}  // namespace

TEST(MysqlValues, TimesAreIsoStrings) {
  using datasources::mysql::TimeParts;
  EXPECT_EQ(datasources::mysql::format_date({2024, 2, 29}), "2024-02-29");
  EXPECT_EQ(datasources::mysql::format_datetime({2024, 1, 2, 3, 4, 5, 123456}, false), "2024-01-02T03:04:05.123456");
  EXPECT_EQ(datasources::mysql::format_datetime({2024, 1, 2, 3, 4, 5, 500000}, true), "2024-01-02T03:04:05.500Z");
  EXPECT_EQ(datasources::mysql::format_datetime({2024, 1, 2, 3, 4, 5, 0}, false), "2024-01-02T03:04:05");
  TimeParts negative{0, 0, 0, 838, 59, 59, 0, true};
  EXPECT_EQ(datasources::mysql::format_time(negative), "-838:59:59");
  TimeParts with_days{0, 0, 1, 2, 0, 0, 0, false};
  EXPECT_EQ(datasources::mysql::format_time(with_days), "26:00:00");
  EXPECT_EQ(datasources::mysql::decode_bits(std::string_view("\x02\x01", 2)), Value(513));
}

TEST(MysqlDatasource, EveryTypeMapsAsTheTableSays) {
  AS_REQUIRE_MYSQL();
  auto registry = mysql_registry();
  std::string result = run_ok(R"(
    const [r, n] = await ctx.datasource.my.query('SELECT * FROM all_types ORDER BY id');
    const out = {};
    for (const [k, v] of Object.entries(r)) {
      out[k] = typeof v === 'bigint' ? 'bigint:' + v : v instanceof Uint8Array ? 'bytes:' + Array.from(v) : v;
    }
    out.nulls = Object.entries(n).filter(([k, v]) => k !== 'id' && v !== null).map(([k]) => k);
    return out;)",
                              registry, {"my"});
  EXPECT_EQ(result,
            R"({"id":1,"tiny":-128,"small":-32768,"medium":8388607,"regular":2147483647,"big":9007199254740991,)"
            R"("huge":"bigint:9007199254740993","ubig":"bigint:18446744073709551615","price":12345.67,)"
            R"("wide":"12345678901234567890.0123456789","real4":0.1,"double8":0.1,"name":"héllo \"world\"","code":"abc",)"
            R"("body":"long text ✓","flag":1,"day":"2024-02-29","moment":"2024-01-02T03:04:05.123456",)"
            R"("instant":"2024-01-02T01:04:05.500Z","clock":"12:34:56.789","yr":2024,"doc":{"a":[1,2],"b":null},)"
            R"("payload":"bytes:170,0,255","fixed":"bytes:1,2,3","mood":"sad","bits":513,"nulls":[]})");
}

TEST(MysqlDatasource, LongValuesAreReadWhole) {
  AS_REQUIRE_MYSQL();
  auto registry = mysql_registry();
  std::string result = run_ok(R"(
    const rows = await ctx.datasource.my.query("SELECT REPEAT('x', 100000) AS a, 'short' AS b, REPEAT('yz', 300) AS c UNION ALL SELECT 'q', REPEAT('w', 5000), 'r'");
    return { lengths: rows.map(r => [r.a.length, r.b.length, r.c.length]) };)",
                              registry, {"my"});
  EXPECT_EQ(result, R"({"lengths":[[100000,5,600],[1,5000,1]]})");
}

TEST(MysqlDatasource, ParametersAreBoundOnTheServer) {
  AS_REQUIRE_MYSQL();
  auto registry = mysql_registry();
  std::string result = run_ok(R"(
    const hostile = "'; DROP TABLE people; --";
    const byName = await ctx.datasource.my.query('SELECT id FROM people WHERE name = ?', [hostile]);
    const injection = await ctx.datasource.my.query('SELECT id FROM people WHERE name = ?', ["x' OR '1'='1"]);
    const backslash = await ctx.datasource.my.query('SELECT ? AS s', ["a\\' OR 1=1 -- \u0000 \"q\""]);
    const typed = await ctx.datasource.my.query(
      'SELECT ? + 1 AS n, ? AS t, ? AS b, ? * 2 AS d, ? AS raw, CAST(? AS DATETIME(3)) AS at, CAST(? AS UNSIGNED) AS big, ? AS nothing',
      [41, 'x', true, 1.25, new Uint8Array([0, 255]), new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 250)), 9007199254740993n, null]);
    const t = typed[0];
    const count = await ctx.datasource.my.query('SELECT count(*) AS c FROM people');
    return { byName, injection, s: backslash[0].s, n: t.n, t: t.t, b: t.b, d: t.d, raw: Array.from(t.raw), at: t.at, big: String(t.big),
             nothing: t.nothing, people: count[0].c };)",
                              registry, {"my"});
  EXPECT_EQ(result, R"({"byName":[{"id":4}],"injection":[],"s":"a\\' OR 1=1 -- \u0000 \"q\"","n":42,"t":"x","b":1,"d":2.5,"raw":[0,255],)"
                    R"("at":"2024-01-02T03:04:05.250","big":"9007199254740993","nothing":null,"people":4})");
}

TEST(MysqlDatasource, ServerErrorsArePassedOn) {
  AS_REQUIRE_MYSQL();
  auto registry = mysql_registry();
  auto outcome = run_with_datasources("await ctx.datasource.my.query('SELECT * FROM nope');", registry, {"my"});
  ASSERT_EQ(outcome.status, RunStatus::Failed);
  EXPECT_EQ(outcome.failure->message, "Error: ctx.datasource.my.query: Table 'as_test.nope' doesn't exist");
  outcome = run_with_datasources("await ctx.datasource.my.query('SELECT ? + ?', [1]);", registry, {"my"});
  ASSERT_EQ(outcome.status, RunStatus::Failed);
  EXPECT_EQ(outcome.failure->message, "Error: ctx.datasource.my.query: the statement has 2 parameters but 1 value was given");
  outcome = run_with_datasources("await ctx.datasource.my.query('SELECT 1; SELECT 2');", registry, {"my"});
  ASSERT_EQ(outcome.status, RunStatus::Failed);
  EXPECT_NE(outcome.failure->message.find("ctx.datasource.my.query: You have an error in your SQL syntax"), std::string::npos)
      << outcome.failure->message;
}

TEST(MysqlDatasource, AReadOnlyDatasourceRefusesWritesEvenAfterSet) {
  AS_REQUIRE_MYSQL();
  auto registry = mysql_registry();
  std::string result = run_ok(R"(
    const errors = [];
    const attempts = ['DELETE FROM people', 'SET SESSION tx_read_only = 0', 'DELETE FROM people',
                      'SET SESSION TRANSACTION READ WRITE', 'UPDATE people SET name = 1', 'COMMIT', 'INSERT INTO people VALUES (9, "x", "y")',
                      'CREATE TABLE sneaky (i int)', 'DROP TABLE people', 'TRUNCATE TABLE people'];
    for (const sql of attempts) {
      try { await ctx.datasource.my.query(sql); } catch (e) { errors.push(e.message); }
    }
    try { await ctx.datasource.my.execute('DELETE FROM people'); } catch (e) { errors.push(e.message); }
    const count = await ctx.datasource.my.query('SELECT count(*) AS c FROM people');
    const tables = await ctx.datasource.my.query("SELECT count(*) AS c FROM information_schema.tables WHERE table_schema = 'as_test' AND table_name = 'sneaky'");
    return { errors, count: count[0].c, sneaky: tables[0].c };)",
                              registry, {"my"});
  EXPECT_NE(result.find("ctx.datasource.my.query: Cannot execute statement in a READ ONLY transaction (datasource 'my' is read-only: "
                        "allow_writes = false in its configuration)"),
            std::string::npos)
      << result;
  EXPECT_NE(result.find("ctx.datasource.my.execute: datasource 'my' is read-only: execute() needs allow_writes = true"), std::string::npos)
      << result;
  EXPECT_NE(result.find(R"("count":4,"sneaky":0})"), std::string::npos) << result;
  // Every write failed: 7 from the database (3 DELETE/UPDATE/INSERT, CREATE, DROP, TRUNCATE, ...), 1 from execute().
  std::size_t failures = 0;
  for (std::size_t at = 0; (at = result.find("read-only", at)) != std::string::npos; ++at) ++failures;
  EXPECT_GE(failures, 8u) << result;
  std::cout << "[ errors ] " << result << "\n";
}

TEST(MysqlDatasource, WritesWhenAllowedExecuteInsertAndRoundTrip) {
  AS_REQUIRE_MYSQL();
  auto registry = mysql_registry();
  std::string table = "scratch_" + std::to_string(::getpid());
  sandbox::RunRequest request;
  request.params = ValueObject{{"table", table}};
  auto outcome = run_with_datasources(R"(
    const t = params.table;
    const db = ctx.datasource.myw;
    await db.execute(`DROP TABLE IF EXISTS ${t}; CREATE TABLE ${t} (id int PRIMARY KEY, name text, raw blob, at datetime(3), doc json, big bigint)`);
    try {
      const inserted = await db.insert(t, [
        { id: 1, name: "o'brien \\ `tick`", raw: new Uint8Array([1, 2, 3]), at: new Date(Date.UTC(2024, 1, 29)), doc: '{"k": 1}', big: 9007199254740993n },
        { id: 2, name: null }, { id: 3, name: 'three' }]);
      const updated = await db.execute(`UPDATE ${t} SET name = ? WHERE id >= ?`, ['many', 2]);
      let failed = null;
      try { await db.insert(t, [{ id: 4 }, { id: 1 }]); } catch (e) { failed = e.message; }
      const rows = await db.query(`SELECT * FROM ${t} ORDER BY id`);
      return { inserted, updated, failed, rows: rows.map(r => [r.id, r.name, r.raw && Array.from(r.raw), r.at, r.doc, r.big && String(r.big)]) };
    } finally {
      await db.execute(`DROP TABLE ${t}`);
    })",
                                      registry, {"myw"}, request);
  ASSERT_EQ(outcome.status, RunStatus::Completed) << failure_message(outcome);
  EXPECT_EQ(outcome.result_json,
            R"({"inserted":{"rowsAffected":3},"updated":{"rowsAffected":2},"failed":"ctx.datasource.myw.insert: Duplicate entry '1' for key 'PRIMARY'",)"
            R"("rows":[[1,"o'brien \\ `tick`",[1,2,3],"2024-02-29T00:00:00",{"k":1},"9007199254740993"],)"
            R"([2,"many",null,null,null,null],[3,"many",null,null,null,null]]})");
}

TEST(MysqlDatasource, StopCancelsSleepOnTheServer) {
  AS_REQUIRE_MYSQL();
  auto registry = mysql_registry();
  auto datasource = registry->open("test", "my");
  std::stop_source stop;
  StopLater stopper(stop, std::chrono::milliseconds(300));
  EXPECT_THROW(datasource->query("SELECT SLEEP(10)", {}, {}, stop.get_token()), datasources::StatementCancelled);
  std::cout << "[ measured ] mariadb: stop -> SLEEP(10) query returned: " << ms_since(stopper.stopped_at()) << " ms\n";
  auto rows = datasource->query("SELECT 1 AS one", {}, {}, {});
  ASSERT_EQ(rows.rows.size(), 1u);
  EXPECT_EQ(rows.rows[0][0], Value(1));
}

TEST(MysqlDatasource, TheRunDeadlineCancelsAQuery) {
  AS_REQUIRE_MYSQL();
  auto registry = mysql_registry();
  sandbox::RunRequest request;
  request.limits.timeout = std::chrono::milliseconds(500);
  auto started = Clock::now();
  auto outcome = run_with_datasources("await ctx.datasource.my.query('SELECT SLEEP(10) AS deadline_probe');", registry, {"my"}, request);
  ASSERT_EQ(outcome.status, RunStatus::Failed) << failure_message(outcome);
  EXPECT_EQ(outcome.failure->limit, "timeout_ms");
  auto datasource = registry->open("test", "my");
  while (datasource->pool().idle_connections() < datasource->pool().open_connections()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  std::cout << "[ measured ] mariadb: run start -> cancelled SLEEP(10) gave its connection back: " << ms_since(started)
            << " ms (deadline 500 ms)\n";
  auto rows = datasource->query("SELECT count(*) FROM information_schema.processlist WHERE info LIKE '%deadline_probe%' AND info NOT LIKE '%processlist%'",
                                {}, {}, {});
  EXPECT_EQ(rows.rows.at(0).at(0), Value(0));
}

TEST(MysqlDatasource, StatementTimeoutIsEnforcedByTheServer) {
  AS_REQUIRE_MYSQL();
  auto quick = mysql_datasource("quick");
  quick.settings["statement_timeout_ms"] = std::int64_t{200};
  auto registry = mysql_registry({quick});
  auto outcome = run_with_datasources("await ctx.datasource.quick.query('SELECT SLEEP(5)');", registry, {"quick"});
  ASSERT_EQ(outcome.status, RunStatus::Failed);
  EXPECT_EQ(outcome.failure->message,
            "Error: ctx.datasource.quick.query: the statement ran longer than statement_timeout_ms = 200 and was cancelled by the server");
}

TEST(MysqlDatasource, StreamOfAMillionRowsKeepsMemoryFlat) {
  AS_REQUIRE_MYSQL();
  auto registry = mysql_registry();
  auto datasource = registry->open("test", "my");
  auto started = Clock::now();
  std::size_t before = resident_bytes(), peak = before;
  std::size_t rows = 0, batches = 0;
  std::int64_t id_sum = 0;
  {
    auto stream = datasource->stream("SELECT * FROM big", {}, {});
    while (true) {
      auto batch = stream->fetch(10'000, {});
      if (batch.rows.empty()) break;
      ++batches;
      rows += batch.rows.size();
      for (const auto& row : batch.rows) id_sum += static_cast<std::int64_t>(row[0].as<double>());
      peak = std::max(peak, resident_bytes());
    }
  }
  double seconds = ms_since(started) / 1000;
  EXPECT_EQ(rows, 1'000'000u);
  EXPECT_EQ(id_sum, std::int64_t{1'000'000} * 1'000'001 / 2);
  std::size_t growth = peak > before ? peak - before : 0;
  std::cout << "[ measured ] mariadb stream of " << rows << " rows x 6 columns in " << batches << " batches: " << seconds << " s ("
            << static_cast<std::size_t>(rows / seconds) << " rows/s), RSS growth " << (growth >> 20) << " MB\n";
  EXPECT_LT(growth, std::size_t{60} << 20);
  // The connection is back and usable.
  EXPECT_EQ(datasource->query("SELECT 2 AS two", {}, {}, {}).rows.at(0).at(0), Value(2));
}

TEST(MysqlDatasource, AStreamLeftEarlyStopsTheStatement) {
  AS_REQUIRE_MYSQL();
  auto registry = mysql_registry();
  auto started = Clock::now();
  std::string result = run_ok(R"(
    let rows = 0;
    for await (const batch of ctx.datasource.my.stream('SELECT id, label FROM big WHERE id > ?', [10], 1000)) {
      rows += batch.length;
      if (rows >= 3000) break;
    }
    const after = await ctx.datasource.my.query('SELECT count(*) AS c FROM people');
    return { rows, after: after[0].c };)",
                              registry, {"my"});
  EXPECT_EQ(result, R"({"rows":3000,"after":4})");
  std::cout << "[ measured ] mariadb: stream of 1,000,000 rows left after 3 batches, whole run: " << ms_since(started) << " ms\n";
}

TEST(MysqlDatasource, QueryRefusesResultsLargerThanTheRunsMemory) {
  AS_REQUIRE_MYSQL();
  auto registry = mysql_registry();
  sandbox::RunRequest request;
  request.limits.memory_bytes = 32u << 20;
  auto outcome = run_with_datasources("await ctx.datasource.my.query('SELECT * FROM big');", registry, {"my"}, request);
  ASSERT_EQ(outcome.status, RunStatus::Failed);
  EXPECT_NE(outcome.failure->message.find("ctx.datasource.my.query: the result is larger than 32 MB (already "), std::string::npos)
      << outcome.failure->message;
}

TEST(MysqlDatasource, AWrongPasswordIsAnErrorNamingTheDatasource) {
  AS_REQUIRE_MYSQL();
  auto wrong = mysql_datasource("badpw");
  wrong.secrets["password"] = config::SecretRef{"AS_TEST_WRONG_MYSQL_PASSWORD"};
  ::setenv("AS_TEST_WRONG_MYSQL_PASSWORD", "not-the-password", 1);
  auto registry = mysql_registry({wrong});
  auto outcome = run_with_datasources("await ctx.datasource.badpw.query('SELECT 1');", registry, {"badpw"});
  ASSERT_EQ(outcome.status, RunStatus::Failed);
  EXPECT_NE(outcome.failure->message.find("ctx.datasource.badpw.query: cannot connect to datasource 'badpw' (mysql at 127.0.0.1:"),
            std::string::npos)
      << outcome.failure->message;
  EXPECT_NE(outcome.failure->message.find("Access denied for user 'as_test'"), std::string::npos) << outcome.failure->message;
  EXPECT_EQ(outcome.failure->message.find("not-the-password"), std::string::npos);
}

TEST(MysqlDatasource, AnUnreachableServerFailsFast) {
  auto nowhere = mysql_datasource("nowhere");
  nowhere.settings["port"] = std::int64_t{1};  // nothing listens there
  nowhere.secrets.clear();
  auto registry = std::make_shared<datasources::DatasourceRegistry>(config_with({nowhere}));
  auto started = Clock::now();
  auto outcome = run_with_datasources("await ctx.datasource.nowhere.query('SELECT 1');", registry, {"nowhere"});
  ASSERT_EQ(outcome.status, RunStatus::Failed);
  EXPECT_NE(outcome.failure->message.find("ctx.datasource.nowhere.query: cannot connect to datasource 'nowhere' (mysql at 127.0.0.1:1, "
                                          "database 'as_test', user 'as_test'): Can't connect to server on '127.0.0.1'"),
            std::string::npos)
      << outcome.failure->message;
  std::cout << "[ measured ] mariadb: refused connection reported after " << ms_since(started) << " ms\n";
}

TEST(MysqlDatasource, ConcurrentQueriesShareThePool) {
  AS_REQUIRE_MYSQL();
  auto registry = mysql_registry();
  std::string result = run_ok(R"(
    const all = await Promise.all(Array.from({ length: 8 }, (_, i) => ctx.datasource.my.query('SELECT ? AS i, SLEEP(0.05) AS s', [i])));
    return { ids: all.map(rows => rows[0].i) };)",
                              registry, {"my"});
  EXPECT_EQ(result, R"({"ids":[0,1,2,3,4,5,6,7]})");
  EXPECT_LE(registry->open("test", "my")->pool().open_connections(), 4u);
}
