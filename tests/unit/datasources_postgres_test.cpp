// PostgreSQL datasources against the real test server (scripts/test-services): every method,
// parameter binding, the type table, read-only enforcement, cancellation, streaming with flat
// memory, connection errors.
#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "datasources/datasource_error.h"
#include "datasources_test_support.h"
#include "duck_test_support.h"
#include "run_helpers.h"

using namespace as;
using namespace as::testing;
using sandbox::RunStatus;
using Clock = std::chrono::steady_clock;

namespace {

std::shared_ptr<datasources::DatasourceRegistry> postgres_registry(std::vector<config::DatasourceConfig> extra = {}) {
  std::vector<config::DatasourceConfig> all = {postgres_datasource("pg"), postgres_datasource("pgw", true)};
  for (auto& ds : extra) all.push_back(std::move(ds));
  return std::make_shared<datasources::DatasourceRegistry>(config_with(std::move(all)));
}


}  // namespace

TEST(PostgresDatasource, EveryTypeMapsAsTheTableSays) {
  AS_REQUIRE_POSTGRES();
  auto registry = postgres_registry();
  std::string result = run_ok(R"(
    const [r, n] = await ctx.datasource.pg.query('SELECT * FROM all_types ORDER BY id');
    const out = {};
    for (const [k, v] of Object.entries(r)) {
      out[k] = typeof v === 'bigint' ? 'bigint:' + v : v instanceof Uint8Array ? 'bytes:' + Array.from(v) : v;
    }
    out.nulls = Object.entries(n).filter(([k, v]) => k !== 'id' && v !== null).map(([k]) => k);
    return out;)",
                              registry, {"pg"});
  EXPECT_EQ(result,
            R"({"id":1,"small":-32768,"regular":2147483647,"big":9007199254740991,"huge":"bigint:9007199254740993",)"
            R"("price":12345.67,"wide":"12345678901234567890.0123456789","real4":0.1,"double8":0.1,"name":"héllo \"world\"",)"
            R"("code":"abc","flag":true,"day":"2024-02-29","old_day":"-000043-03-15","moment":"2024-01-02T03:04:05.123456",)"
            R"("instant":"2024-01-02T01:04:05.500Z","clock":"12:34:56.789","clock_tz":"12:00:00+05:30",)"
            R"("span":{"months":14,"days":3,"micros":14706500000},"doc":{"a":[1,2],"b":null},"docb":{"z":{"deep":true}},)"
            R"("tags":["x","y z",null,"q\"uote"],"scores":[1,null,3],"grid":[[1,2],[3,4]],"payload":"bytes:170,0,255",)"
            R"("uid":"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11","nulls":[]})");
}

TEST(PostgresDatasource, ParametersAreBoundOnTheServer) {
  AS_REQUIRE_POSTGRES();
  auto registry = postgres_registry();
  std::string result = run_ok(R"(
    const hostile = "'; DROP TABLE people; --";
    const byName = await ctx.datasource.pg.query('SELECT id FROM people WHERE name = $1', [hostile]);
    const injection = await ctx.datasource.pg.query('SELECT id FROM people WHERE name = $1', ["x' OR '1'='1"]);
    const typed = await ctx.datasource.pg.query(
      'SELECT $1::int + 1 AS n, $2::text AS t, $3::boolean AS b, $4::numeric * 2 AS d, $5::bytea AS raw, $6::timestamptz AS at, $7::bigint AS big, $8::text AS nothing',
      [41, 'x', true, 1.25, new Uint8Array([0, 255]), new Date(Date.UTC(2024, 0, 2, 3, 4, 5)), 9007199254740993n, null]);
    const t = typed[0];
    const count = await ctx.datasource.pg.query('SELECT count(*) AS c FROM people');
    return { byName, injection, n: t.n, t: t.t, b: t.b, d: t.d, raw: Array.from(t.raw), at: t.at, big: String(t.big),
             nothing: t.nothing, people: count[0].c };)",
                              registry, {"pg"});
  EXPECT_EQ(result, R"({"byName":[{"id":4}],"injection":[],"n":42,"t":"x","b":true,"d":2.5,"raw":[0,255],)"
                    R"("at":"2024-01-02T03:04:05Z","big":"9007199254740993","nothing":null,"people":4})");
}

TEST(PostgresDatasource, ServerErrorsArePassedOnWithTheDatasourceName) {
  AS_REQUIRE_POSTGRES();
  auto registry = postgres_registry();
  auto outcome = run_with_datasources("await ctx.datasource.pg.query('SELECT * FROM nope');", registry, {"pg"});
  ASSERT_EQ(outcome.status, RunStatus::Failed);
  EXPECT_EQ(outcome.failure->message, "Error: ctx.datasource.pg.query: relation \"nope\" does not exist at character 15");
  outcome = run_with_datasources("await ctx.datasource.pg.query('SELECT $1::int + $2::int', [1]);", registry, {"pg"});
  ASSERT_EQ(outcome.status, RunStatus::Failed);
  EXPECT_EQ(outcome.failure->message,
            "Error: ctx.datasource.pg.query: bind message supplies 1 parameters, but prepared statement \"\" requires 2");
}

TEST(PostgresDatasource, AReadOnlyDatasourceRefusesWritesEvenAfterSet) {
  AS_REQUIRE_POSTGRES();
  auto registry = postgres_registry();
  std::string result = run_ok(R"(
    const errors = [];
    const attempts = ['DELETE FROM people', 'SET default_transaction_read_only = off', 'DELETE FROM people',
                      'SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE', 'DELETE FROM people',
                      'WITH gone AS (DELETE FROM people RETURNING 1) SELECT count(*) FROM gone', 'CREATE TABLE sneaky (i int)'];
    for (const sql of attempts) {
      try { await ctx.datasource.pg.query(sql); } catch (e) { errors.push(e.message); }
    }
    try { await ctx.datasource.pg.execute('DELETE FROM people'); } catch (e) { errors.push(e.message); }
    const count = await ctx.datasource.pg.query('SELECT count(*) AS c FROM people');
    return { errors, count: count[0].c };)",
                              registry, {"pg"});
  EXPECT_NE(result.find("ctx.datasource.pg.query: cannot execute DELETE in a read-only transaction (datasource 'pg' is read-only: "
                        "allow_writes = false in its configuration)"),
            std::string::npos)
      << result;
  EXPECT_NE(result.find("cannot execute CREATE TABLE in a read-only transaction"), std::string::npos) << result;
  EXPECT_NE(result.find("ctx.datasource.pg.execute: datasource 'pg' is read-only: execute() needs allow_writes = true"), std::string::npos)
      << result;
  EXPECT_NE(result.find(R"("count":4})"), std::string::npos) << result;
  // Every DELETE and the CREATE failed: 5 from the database, 1 from execute().
  std::size_t failures = 0;
  for (std::size_t at = 0; (at = result.find("read-only", at)) != std::string::npos; ++at) ++failures;
  EXPECT_GE(failures, 6u) << result;
}

TEST(PostgresDatasource, WritesWhenAllowedExecuteInsertAndRoundTrip) {
  AS_REQUIRE_POSTGRES();
  auto registry = postgres_registry();
  std::string table = "scratch_" + std::to_string(::getpid());
  sandbox::RunRequest request;
  request.params = ValueObject{{"table", table}};
  auto outcome = run_with_datasources(R"(
    const t = params.table;
    const db = ctx.datasource.pgw;
    await db.execute(`DROP TABLE IF EXISTS ${t}; CREATE TABLE ${t} (id int PRIMARY KEY, name text, raw bytea, at timestamptz, doc jsonb)`);
    try {
      const inserted = await db.insert(t, [
        { id: 1, name: "o'brien", raw: new Uint8Array([1, 2, 3]), at: new Date(Date.UTC(2024, 1, 29)), doc: '{"k": 1}' },
        { id: 2, name: null }, { id: 3, name: 'three' }]);
      const updated = await db.execute(`UPDATE ${t} SET name = $1 WHERE id >= $2`, ['many', 2]);
      const rows = await db.query(`SELECT * FROM ${t} ORDER BY id`);
      return { inserted, updated, rows: rows.map(r => [r.id, r.name, r.raw && Array.from(r.raw), r.at, r.doc]) };
    } finally {
      await db.execute(`DROP TABLE ${t}`);
    })",
                                      registry, {"pgw"}, request);
  ASSERT_EQ(outcome.status, RunStatus::Completed) << failure_message(outcome);
  EXPECT_EQ(outcome.result_json,
            R"({"inserted":{"rowsAffected":3},"updated":{"rowsAffected":2},"rows":[[1,"o'brien",[1,2,3],"2024-02-29T00:00:00Z",{"k":1}],)"
            R"([2,"many",null,null,null],[3,"many",null,null,null]]})");
}

TEST(PostgresDatasource, StopCancelsPgSleepOnTheServer) {
  AS_REQUIRE_POSTGRES();
  auto registry = postgres_registry();
  auto datasource = registry->open("test", "pg");
  std::stop_source stop;
  StopLater stopper(stop, std::chrono::milliseconds(300));
  EXPECT_THROW(datasource->query("SELECT pg_sleep(10)", {}, {}, stop.get_token()), datasources::StatementCancelled);
  std::cout << "[ measured ] postgres: stop -> pg_sleep(10) query returned: " << ms_since(stopper.stopped_at()) << " ms\n";
  // The connection is usable again.
  auto rows = datasource->query("SELECT 1 AS one", {}, {}, {});
  ASSERT_EQ(rows.rows.size(), 1u);
  EXPECT_EQ(rows.rows[0][0], Value(1));
}

TEST(PostgresDatasource, TheRunDeadlineCancelsAQuery) {
  AS_REQUIRE_POSTGRES();
  auto registry = postgres_registry();
  sandbox::RunRequest request;
  request.limits.timeout = std::chrono::milliseconds(500);
  auto started = Clock::now();
  auto outcome = run_with_datasources("await ctx.datasource.pg.query('SELECT pg_sleep(10)');", registry, {"pg"}, request);
  ASSERT_EQ(outcome.status, RunStatus::Failed) << failure_message(outcome);
  EXPECT_EQ(outcome.failure->limit, "timeout_ms");
  auto datasource = registry->open("test", "pg");
  while (datasource->pool().idle_connections() < datasource->pool().open_connections()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  std::cout << "[ measured ] postgres: run start -> cancelled pg_sleep(10) returned its connection: " << ms_since(started)
            << " ms (deadline 500 ms)\n";
  // Nothing of it is left running on the server.
  auto rows = datasource->query("SELECT count(*) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(10)' AND state = 'active'", {}, {}, {});
  EXPECT_EQ(rows.rows.at(0).at(0), Value(0));
}

TEST(PostgresDatasource, StatementTimeoutIsEnforcedByTheServer) {
  AS_REQUIRE_POSTGRES();
  auto quick = postgres_datasource("quick");
  quick.settings["statement_timeout_ms"] = std::int64_t{200};
  auto registry = postgres_registry({quick});
  auto outcome = run_with_datasources("await ctx.datasource.quick.query('SELECT pg_sleep(5)');", registry, {"quick"});
  ASSERT_EQ(outcome.status, RunStatus::Failed);
  EXPECT_EQ(outcome.failure->message,
            "Error: ctx.datasource.quick.query: the statement ran longer than statement_timeout_ms = 200 and was cancelled by the server");
}

TEST(PostgresDatasource, StreamOf5MillionRowsKeepsMemoryFlat) {
  AS_REQUIRE_POSTGRES();
  auto registry = postgres_registry();
  auto datasource = registry->open("test", "pg");
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
  EXPECT_EQ(rows, 5'000'000u);
  EXPECT_EQ(id_sum, std::int64_t{5'000'000} * 5'000'001 / 2);
  std::size_t growth = peak > before ? peak - before : 0;
  std::cout << "[ measured ] postgres stream of " << rows << " rows x 6 columns in " << batches << " batches: " << seconds << " s ("
            << static_cast<std::size_t>(rows / seconds) << " rows/s), RSS growth " << (growth >> 20) << " MB\n";
  // Buffered, the rows would take well over a gigabyte.
  EXPECT_LT(growth, std::size_t{100} << 20);
}

TEST(PostgresDatasource, StreamThroughJsWithASmallHeap) {
  AS_REQUIRE_POSTGRES();
  auto registry = postgres_registry();
  sandbox::RunRequest request;
  request.limits.memory_bytes = 48u << 20;
  request.limits.timeout = std::chrono::seconds(120);
  auto outcome = run_with_datasources(R"(
    let rows = 0, amount = 0, batches = 0;
    for await (const batch of ctx.datasource.pg.stream('SELECT id, amount, label, created_at, flag FROM big WHERE id <= $1', [300000], 5000)) {
      batches++;
      rows += batch.length;
      for (const r of batch) amount += r.amount;
    }
    return { rows, batches, amount: Math.round(amount) };)",
                                      registry, {"pg"}, request);
  ASSERT_EQ(outcome.status, RunStatus::Completed) << failure_message(outcome);
  EXPECT_EQ(outcome.result_json, R"({"rows":300000,"batches":60,"amount":149998500})");
}

TEST(PostgresDatasource, QueryRefusesResultsLargerThanTheRunsMemory) {
  AS_REQUIRE_POSTGRES();
  auto registry = postgres_registry();
  sandbox::RunRequest request;
  request.limits.memory_bytes = 32u << 20;
  auto outcome = run_with_datasources("await ctx.datasource.pg.query('SELECT * FROM big');", registry, {"pg"}, request);
  ASSERT_EQ(outcome.status, RunStatus::Failed);
  EXPECT_NE(outcome.failure->message.find("ctx.datasource.pg.query: the result is larger than 32 MB (already "), std::string::npos)
      << outcome.failure->message;
  EXPECT_NE(outcome.failure->message.find("read large results with stream(sql, params, batchSize)"), std::string::npos);
}

TEST(PostgresDatasource, ConcurrentQueriesShareThePool) {
  AS_REQUIRE_POSTGRES();
  auto registry = postgres_registry();
  std::string result = run_ok(R"(
    const all = await Promise.all(Array.from({ length: 8 }, (_, i) => ctx.datasource.pg.query('SELECT $1::int AS i, pg_sleep(0.05)', [i])));
    return { ids: all.map(rows => rows[0].i) };)",
                              registry, {"pg"});
  EXPECT_EQ(result, R"({"ids":[0,1,2,3,4,5,6,7]})");
  auto datasource = registry->open("test", "pg");
  EXPECT_LE(datasource->pool().open_connections(), 4u);
}

TEST(PostgresDatasource, AWrongPasswordIsAnErrorNamingTheDatasource) {
  AS_REQUIRE_POSTGRES();
  auto wrong = postgres_datasource("badpw");
  wrong.secrets["password"] = config::SecretRef{"AS_TEST_WRONG_PG_PASSWORD"};
  ::setenv("AS_TEST_WRONG_PG_PASSWORD", "not-the-password", 1);
  auto registry = postgres_registry({wrong});
  auto outcome = run_with_datasources("await ctx.datasource.badpw.query('SELECT 1');", registry, {"badpw"});
  ASSERT_EQ(outcome.status, RunStatus::Failed);
  EXPECT_NE(outcome.failure->message.find("ctx.datasource.badpw.query: cannot connect to datasource 'badpw' (postgres at 127.0.0.1:"),
            std::string::npos)
      << outcome.failure->message;
  EXPECT_NE(outcome.failure->message.find("password authentication failed for user \"as_test\""), std::string::npos)
      << outcome.failure->message;
  EXPECT_EQ(outcome.failure->message.find("not-the-password"), std::string::npos);
}

TEST(PostgresDatasource, AnUnsetPasswordVariableIsNamed) {
  AS_REQUIRE_POSTGRES();
  auto unset = postgres_datasource("nopw");
  unset.secrets["password"] = config::SecretRef{"AS_TEST_UNSET_VARIABLE_FOR_PG"};
  ::unsetenv("AS_TEST_UNSET_VARIABLE_FOR_PG");
  auto registry = postgres_registry({unset});
  auto outcome = run_with_datasources("await ctx.datasource.nopw.query('SELECT 1');", registry, {"nopw"});
  ASSERT_EQ(outcome.status, RunStatus::Failed);
  EXPECT_NE(outcome.failure->message.find("datasource 'nopw': environment variable AS_TEST_UNSET_VARIABLE_FOR_PG"), std::string::npos)
      << outcome.failure->message;
}

TEST(PostgresDatasource, AnUnreachableServerFailsFast) {
  auto nowhere = postgres_datasource("nowhere");
  nowhere.settings["port"] = std::int64_t{1};  // nothing listens there
  nowhere.secrets.clear();
  auto registry = std::make_shared<datasources::DatasourceRegistry>(config_with({nowhere}));
  auto started = Clock::now();
  auto outcome = run_with_datasources("await ctx.datasource.nowhere.query('SELECT 1');", registry, {"nowhere"});
  ASSERT_EQ(outcome.status, RunStatus::Failed);
  EXPECT_NE(outcome.failure->message.find("ctx.datasource.nowhere.query: cannot connect to datasource 'nowhere' (postgres at 127.0.0.1:1, "
                                          "database 'as_test', user 'as_test'): connection to server at \"127.0.0.1\", port 1 failed: "
                                          "Connection refused"),
            std::string::npos)
      << outcome.failure->message;
  std::cout << "[ measured ] postgres: refused connection reported after " << ms_since(started) << " ms\n";
}

TEST(PostgresDatasource, QueryOf100kRowsIntoJsObjects) {
  AS_REQUIRE_POSTGRES();
  auto registry = postgres_registry();
  sandbox::RunRequest request;
  request.limits.timeout = std::chrono::seconds(120);
  auto started = Clock::now();
  auto outcome = run_with_datasources(R"(
    const rows = await ctx.datasource.pg.query('SELECT * FROM big WHERE id <= $1', [100000]);
    return { rows: rows.length, idSum: rows.reduce((sum, r) => sum + r.id, 0) };)",
                                      registry, {"pg"}, request);
  double seconds = ms_since(started) / 1000;
  ASSERT_EQ(outcome.status, RunStatus::Completed) << failure_message(outcome);
  EXPECT_EQ(outcome.result_json, R"({"rows":100000,"idSum":5000050000})");
  std::cout << "[ measured ] postgres query() of 100,000 rows x 6 columns into JS objects (whole run): " << seconds << " s ("
            << static_cast<std::size_t>(100000 / seconds) << " rows/s)\n";
}
