// ClickHouse datasources: the client-side binding and the value decoding without a server, then
// against the real test server (scripts/test-services): every method, hostile strings, the type
// table, read-only enforcement, cancellation by stop and by deadline, streaming with flat
// memory, connection errors, and ctx.duckdb.load / export round trips.
#include <gtest/gtest.h>

#include <thread>

#include <fmt/format.h>

#include "datasources/clickhouse_sql.h"
#include "datasources/clickhouse_values.h"
#include "datasources/datasource_error.h"
#include "datasources/datasource_extension.h"
#include "datasources/duck_transfer.h"
#include "datasources_test_support.h"
#include "duck/duck_extension.h"
#include "duck_test_support.h"
#include "run_helpers.h"

using namespace as;
using namespace as::testing;
using sandbox::RunStatus;
using Clock = std::chrono::steady_clock;
namespace ch = as::datasources::clickhouse;

namespace {

std::shared_ptr<datasources::DatasourceRegistry> clickhouse_registry(std::vector<config::DatasourceConfig> extra = {}) {
  std::vector<config::DatasourceConfig> all = {clickhouse_datasource("ch"), clickhouse_datasource("chw", true)};
  for (auto& ds : extra) all.push_back(std::move(ds));
  return std::make_shared<datasources::DatasourceRegistry>(config_with(std::move(all)));
}


std::string unique_name(const char* stem) { return fmt::format("{}_{}", stem, ::getpid()); }

// Statements still running on the server whose text holds `marker` (other than this lookup).
std::size_t running_with(datasources::Datasource& datasource, const std::string& marker) {
  auto rows = datasource.query("SELECT count() FROM system.processes WHERE query LIKE ? AND query NOT LIKE '%system.processes%'",
                               {Value("%" + marker + "%")}, {}, {});
  return static_cast<std::size_t>(rows.rows.at(0).at(0).as<double>());
}

// Waits (up to 20 s) until no statement holding `marker` runs any more; true when none does.
bool gone_from_server(datasources::Datasource& datasource, const std::string& marker) {
  for (int i = 0; i < 400; ++i) {
    if (running_with(datasource, marker) == 0) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

// A project DuckDB plus the ClickHouse datasources, with load / export.
struct TransferWorld {
  DuckWorld duck;
  std::shared_ptr<datasources::DatasourceRegistry> registry = clickhouse_registry();

  sandbox::RunOutcome run(const std::string& body, const std::vector<std::string>& declared, sandbox::RunRequest request = {}) {
    request.extensions.push_back(std::make_shared<duck::DuckExtension>(duck.databases, "test"));
    request.extensions.push_back(std::make_shared<datasources::DatasourceExtension>(registry, "test", declared));
    datasources::add_duck_transfer(request.extensions, registry, "test", declared);
    return run_body(body, std::move(request));
  }
};

}  // namespace

// ---- without a server ----

TEST(ClickhouseSql, LiteralsAreTypedAndEscaped) {
  EXPECT_EQ(ch::format_literal(Value(nullptr), 1), "NULL");
  EXPECT_EQ(ch::format_literal(Value(true), 1), "1");
  EXPECT_EQ(ch::format_literal(Value(false), 1), "0");
  EXPECT_EQ(ch::format_literal(Value(42), 1), "42");
  EXPECT_EQ(ch::format_literal(Value(-7.0), 1), "-7");
  EXPECT_EQ(ch::format_literal(Value(1.25), 1), "1.25");
  EXPECT_EQ(ch::format_literal(Value(0.1), 1), "0.1");
  EXPECT_EQ(ch::format_literal(Value(1e300), 1), "1e+300");
  EXPECT_EQ(ch::format_literal(Value(std::numeric_limits<double>::quiet_NaN()), 1), "nan");
  EXPECT_EQ(ch::format_literal(Value(-std::numeric_limits<double>::infinity()), 1), "-inf");
  EXPECT_EQ(ch::format_literal(Value(BigInt{"-9223372036854775808"}), 1), "-9223372036854775808");
  EXPECT_EQ(ch::format_literal(Value("o'brien \\ \n\t\r\x01"), 1), "'o\\'brien \\\\ \\n\\t\\r\\x01'");
  EXPECT_EQ(ch::format_literal(Value(std::string("a\0b", 3)), 1), "'a\\0b'");
  EXPECT_EQ(ch::format_literal(Value("✓"), 1), "'✓'");
  EXPECT_EQ(ch::format_literal(Value(Bytes{0x00, 0x27, 0xff}), 1), "'\\x00\\x27\\xFF'");
  EXPECT_EQ(ch::format_literal(Value(Timestamp{1704164645250.0}), 1), "toDateTime(1704164645)");
  EXPECT_THROW(ch::format_literal(Value(Timestamp{-1000.0}), 2), datasources::DatasourceError);
  EXPECT_THROW(ch::format_literal(Value(BigInt{"1; DROP"}), 1), datasources::DatasourceError);
  try {
    ch::format_literal(Value(ValueArray{Value(1)}), 3);
    FAIL() << "an array was bound";
  } catch (const datasources::DatasourceError& e) {
    EXPECT_NE(std::string(e.what()).find("parameter 3 is an array"), std::string::npos) << e.what();
  }
}

TEST(ClickhouseSql, OnlyQuestionMarksInCodeArePlaceholders) {
  std::string sql = "SELECT '?', \"?\", `?`, 'it\\'s ?', 'a''?' -- ?\n, /* ? */ ? AS x WHERE y = ?";
  EXPECT_EQ(ch::bind_parameters(sql, {Value(1), Value("z")}),
            "SELECT '?', \"?\", `?`, 'it\\'s ?', 'a''?' -- ?\n, /* ? */ 1 AS x WHERE y = 'z'");
  // A negative number after '-' must not make a "--" comment; a string next to a quote must not merge.
  EXPECT_EQ(ch::bind_parameters("SELECT 1-?, ''?", {Value(-5), Value("x")}), "SELECT 1- -5, '' 'x'");
  // Without values the text is left alone: the ternary operator works.
  EXPECT_EQ(ch::bind_parameters("SELECT 1 ? 2 : 3", {}), "SELECT 1 ? 2 : 3");
  try {
    ch::bind_parameters("SELECT ? + ?", {Value(1)});
    FAIL() << "a missing value was accepted";
  } catch (const datasources::DatasourceError& e) {
    EXPECT_STREQ(e.what(), "the statement has 2 parameters but 1 value was given");
  }
  EXPECT_THROW(ch::bind_parameters("SELECT '?'", {Value(1)}), datasources::DatasourceError);
}

TEST(ClickhouseSql, StatementsSplitOutsideLiteralsAndComments) {
  auto parts = ch::split_statements("CREATE TABLE t (s String) ENGINE = Memory;\n INSERT INTO t VALUES ('a;b') ; -- done;\n/* x; */");
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0], "CREATE TABLE t (s String) ENGINE = Memory");
  EXPECT_EQ(parts[1], "INSERT INTO t VALUES ('a;b')");
  EXPECT_EQ(ch::quote_identifier("db.t`a\\b", true), "`db`.`t\\`a\\\\b`");
  EXPECT_THROW(ch::quote_identifier("a..b", true), datasources::DatasourceError);
}

TEST(ClickhouseValues, CellsMapAsTheTableSays) {
  auto decode = [](std::string_view type, std::string_view field) { return ch::decode_cell(ch::parse_type(type, nullptr), field); };
  EXPECT_EQ(decode("Int64", "-9223372036854775808"), Value(BigInt{"-9223372036854775808"}));
  EXPECT_EQ(decode("Int64", "9007199254740991"), Value(9007199254740991.0));
  EXPECT_EQ(decode("UInt64", "18446744073709551615"), Value(BigInt{"18446744073709551615"}));
  EXPECT_EQ(decode("UInt8", "255"), Value(255));
  EXPECT_TRUE(std::isnan(decode("Float64", "nan").as<double>()));
  EXPECT_EQ(decode("Float32", "-inf"), Value(-std::numeric_limits<double>::infinity()));
  EXPECT_EQ(decode("Decimal(10, 2)", "-1.50"), Value(-1.5));
  EXPECT_EQ(decode("Decimal(38, 10)", "1234567890123456789.0123456789"), Value("1234567890123456789.0123456789"));
  EXPECT_EQ(decode("String", "a\\tb\\nc\\\\d\\'e\\0f\\x41"), Value(std::string("a\tb\nc\\d'e\0fA", 12)));
  EXPECT_EQ(decode("FixedString(5)", "ab\\0\\0\\0"), Value("ab"));
  EXPECT_EQ(decode("Nullable(String)", "\\N"), Value(nullptr));
  EXPECT_EQ(decode("String", "\\\\N"), Value("\\N"));
  EXPECT_EQ(decode("Nullable(Nothing)", "\\N"), Value(nullptr));
  EXPECT_EQ(decode("Date", "0000-00-00"), Value("1970-01-01"));
  EXPECT_EQ(decode("DateTime", "2024-01-02 03:04:05"), Value("2024-01-02T03:04:05Z"));
  EXPECT_EQ(decode("DateTime('Asia/Tokyo')", "2024-01-02 12:04:05"), Value("2024-01-02T03:04:05Z"));
  EXPECT_EQ(decode("DateTime('Europe/Berlin')", "2024-07-01 02:00:00"), Value("2024-07-01T00:00:00Z"));
  EXPECT_EQ(decode("DateTime", "0000-00-00 00:00:00"), Value("1970-01-01T00:00:00Z"));
  EXPECT_EQ(decode("Enum8('a' = 1, 'b\\'c' = 2)", "b'c"), Value("b'c"));
  EXPECT_EQ(decode("Array(String)", "['a','b\\'c','','x\\\\y\\tz']"), Value(ValueArray{"a", "b'c", "", "x\\y\tz"}));
  EXPECT_EQ(decode("Array(Array(Int32))", "[[1,2],[],[3]]"),
            Value(ValueArray{Value(ValueArray{Value(1), Value(2)}), Value(ValueArray{}), Value(ValueArray{Value(3)})}));
  EXPECT_EQ(decode("Array(Nullable(Int64))", "[1,NULL,9007199254740993]"), Value(ValueArray{Value(1), Value(nullptr), Value(BigInt{"9007199254740993"})}));
  EXPECT_EQ(decode("Tuple(UInt8, String, Array(Date))", "(1,'x,y',['2024-01-01'])"),
            Value(ValueArray{Value(1), Value("x,y"), Value(ValueArray{Value("2024-01-01")})}));
  EXPECT_EQ(decode("LowCardinality(String)", "x"), Value("x"));
  EXPECT_EQ(ch::duck_type(ch::parse_type("Nullable(UInt64)", nullptr)), "UBIGINT");
  EXPECT_EQ(ch::duck_type(ch::parse_type("DateTime('UTC')", nullptr)), "TIMESTAMPTZ");
  EXPECT_EQ(ch::duck_type(ch::parse_type("UUID", nullptr)), "UUID");
  EXPECT_EQ(ch::duck_type(ch::parse_type("Decimal(10, 2)", nullptr)), "");
  EXPECT_THROW(ch::parse_type("DateTime('Mars/Olympus')", nullptr), datasources::DatasourceError);
}

// ---- against the test server ----

TEST(ClickhouseDatasource, EveryTypeMapsAsTheTableSays) {
  AS_REQUIRE_CLICKHOUSE();
  auto registry = clickhouse_registry();
  std::string result = run_ok(R"(
    const [r, z] = await ctx.datasource.ch.query('SELECT * FROM all_types ORDER BY id');
    const show = v => typeof v === 'bigint' ? 'bigint:' + v : v;
    const out = {};
    for (const [k, v] of Object.entries(r)) out[k] = Array.isArray(v) ? v.map(e => Array.isArray(e) ? e : show(e)) : show(v);
    const zeros = {};
    for (const [k, v] of Object.entries(z)) zeros[k] = Array.isArray(v) ? v.length : v;
    return { out, zeros };)",
                              registry, {"ch"});
  EXPECT_EQ(result,
            R"({"out":{"id":1,"i8":-128,"i16":-32768,"i32":-2147483648,"i64":9007199254740991,"huge":"bigint:9007199254740993",)"
            R"("u8":255,"u16":65535,"u32":4294967295,"u64":"bigint:18446744073709551615","f32":0.1,"f64":0.1,"price":12345.67,)"
            R"("wide":"1234567890123456789.0123456789","name":"héllo \"world\"\t\\ 'q'\n✓","code":"abc","day":"2024-02-29",)"
            R"("moment":"2024-01-02T03:04:05Z","tokyo":"2024-01-02T03:04:05Z","uid":"61f0c404-5cb3-11e7-907b-a6006ad3dba0",)"
            R"("mood":"sad","tags":["a","b'c",""],"matrix":[[1,2],[],[3]],"maybe":42,"maybe_text":"text",)"
            R"("nums":[1,null,"bigint:9007199254740993"]},)"
            R"("zeros":{"id":2,"i8":0,"i16":0,"i32":0,"i64":0,"huge":0,"u8":0,"u16":0,"u32":0,"u64":0,"f32":0,"f64":0,"price":0,)"
            R"("wide":0,"name":"","code":"","day":"1970-01-01","moment":"1970-01-01T00:00:00Z","tokyo":"1970-01-01T00:00:00Z",)"
            R"("uid":"00000000-0000-0000-0000-000000000000","mood":"happy","tags":0,"matrix":0,"maybe":null,"maybe_text":null,"nums":0}})");
}

TEST(ClickhouseDatasource, HostileStringsRoundTripExactlyAndCannotInject) {
  AS_REQUIRE_CLICKHOUSE();
  auto registry = clickhouse_registry();
  std::string result = run_ok(R"(
    const hostile = ["'", "\\", "\\'", "'; DROP TABLE people; --", "x' OR '1'='1", "a?b", "?", "line\nbreak\r\ttab",
                     "nul\u0000byte", "unicode ✓ 𝄞 é 中文", "\\x41\\0\\N", "-- comment", "/* c */ ?", "`tick` \"dq\"", "\\N", "", "'')--",
                     "\u0001\u001f\u007f", "'\\'\\\\'"];
    const mismatched = [];
    for (const s of hostile) {
      const [row] = await ctx.datasource.ch.query("SELECT ? AS s, length(?) AS n, '?' AS literal /* ? */ -- ?\n", [s, s]);
      const bytes = encodeURIComponent(s).replace(/%[0-9A-F]{2}/g, 'x').length;  // UTF-8 bytes
      if (row.s !== s || row.n !== bytes || row.literal !== '?') mismatched.push({ s, got: row });
    }
    const byName = await ctx.datasource.ch.query('SELECT id FROM people WHERE name = ?', ["'; DROP TABLE people; --"]);
    const injection = await ctx.datasource.ch.query('SELECT id FROM people WHERE name = ? OR city = ?', ["x' OR '1'='1", "\\' OR 1=1 --"]);
    const typed = await ctx.datasource.ch.query(
      'SELECT ? + 1 AS n, ? AS t, ? AS b, ? * 2 AS d, hex(?) AS raw, toString(?) AS at, toUInt64(?) AS big, ? AS nothing, 3-? AS neg',
      [41, 'x', true, 1.25, new Uint8Array([0, 39, 92, 255]), new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 250)), 9007199254740993n, null, -2]);
    const count = await ctx.datasource.ch.query('SELECT count() AS c FROM people');
    return { mismatched, byName, injection, typed: typed[0], people: count[0].c };)",
                              registry, {"ch"});
  EXPECT_EQ(result, R"({"mismatched":[],"byName":[{"id":4}],"injection":[],)"
                    R"("typed":{"n":42,"t":"x","b":1,"d":2.5,"raw":"00275CFF","at":"2024-01-02 03:04:05","big":"9007199254740993",)"
                    R"("nothing":null,"neg":5},"people":4})");
}

TEST(ClickhouseDatasource, ServerErrorsArePassedOn) {
  AS_REQUIRE_CLICKHOUSE();
  auto registry = clickhouse_registry();
  auto outcome = run_with_datasources("await ctx.datasource.ch.query('SELECT * FROM nope');", registry, {"ch"});
  ASSERT_EQ(outcome.status, RunStatus::Failed);
  EXPECT_EQ(outcome.failure->message, "Error: ctx.datasource.ch.query: Table as_test.nope doesn't exist.");
  outcome = run_with_datasources("await ctx.datasource.ch.query('SELEC 1');", registry, {"ch"});
  ASSERT_EQ(outcome.status, RunStatus::Failed);
  EXPECT_NE(outcome.failure->message.find("ctx.datasource.ch.query: Syntax error: failed at position 1"), std::string::npos)
      << outcome.failure->message;
  outcome = run_with_datasources("await ctx.datasource.ch.query('SELECT ? + ?', [1]);", registry, {"ch"});
  ASSERT_EQ(outcome.status, RunStatus::Failed);
  EXPECT_EQ(outcome.failure->message, "Error: ctx.datasource.ch.query: the statement has 2 parameters but 1 value was given");
  // An error after the first rows were sent: the server appends it to the response. (chw: a
  // read-only datasource may use neither table functions nor SETTINGS.)
  std::string result = run_ok(R"(
    let rows = 0, error = null;
    try {
      for await (const b of ctx.datasource.chw.stream('SELECT number, throwIf(number = 150000) FROM numbers(200000) SETTINGS max_block_size = 1000', [], 100)) {
        rows += b.length;
      }
    } catch (e) { error = e.message; }
    return { before: rows > 0 && rows <= 150000, error };)",
                              registry, {"chw"});
  EXPECT_EQ(result, R"({"before":true,"error":"ctx.datasource.chw.stream: Value passed to 'throwIf' function is non zero"})");
}

TEST(ClickhouseDatasource, AReadOnlyDatasourceRefusesWritesOnTheServer) {
  AS_REQUIRE_CLICKHOUSE();
  auto registry = clickhouse_registry();
  std::string result = run_ok(R"JS(
    const errors = [];
    const attempts = ["INSERT INTO people VALUES (9, 'x', 'y')", 'CREATE TABLE sneaky (i Int32) ENGINE = Memory', 'DROP TABLE people',
                      'TRUNCATE TABLE people', 'ALTER TABLE people DELETE WHERE 1', 'SELECT 1 SETTINGS readonly = 0',
                      'SET readonly = 0', "INSERT INTO people SELECT * FROM people"];
    for (const sql of attempts) {
      try { await ctx.datasource.ch.query(sql); errors.push('allowed: ' + sql); } catch (e) { errors.push(e.message); }
    }
    try { await ctx.datasource.ch.execute('DROP TABLE people'); } catch (e) { errors.push(e.message); }
    try { await ctx.datasource.ch.insert('people', [{ id: 9 }]); } catch (e) { errors.push(e.message); }
    const count = await ctx.datasource.ch.query('SELECT count() AS c FROM people');
    const tables = await ctx.datasource.ch.query("SELECT count() AS c FROM system.tables WHERE database = 'as_test' AND name = 'sneaky'");
    return { errors, count: count[0].c, sneaky: tables[0].c };)JS",
                              registry, {"ch"});
  EXPECT_EQ(result.find("allowed:"), std::string::npos) << result;
  EXPECT_NE(result.find("ctx.datasource.ch.query: Cannot insert into table in readonly mode (datasource 'ch' is read-only: "
                        "allow_writes = false in its configuration)"),
            std::string::npos)
      << result;
  EXPECT_NE(result.find("ctx.datasource.ch.execute: datasource 'ch' is read-only: execute() needs allow_writes = true"), std::string::npos)
      << result;
  EXPECT_NE(result.find("ctx.datasource.ch.insert: datasource 'ch' is read-only: insert() needs allow_writes = true"), std::string::npos)
      << result;
  EXPECT_NE(result.find(R"("count":4,"sneaky":0})"), std::string::npos) << result;
  std::size_t refusals = 0;
  for (std::size_t at = 0; (at = result.find("readonly mode", at)) != std::string::npos; ++at) ++refusals;
  EXPECT_EQ(refusals, 8u) << result;  // every attempt through query() was refused by the server
  std::cout << "[ errors ] " << result << "\n";
}

TEST(ClickhouseDatasource, WritesWhenAllowedExecuteInsertAndRoundTrip) {
  AS_REQUIRE_CLICKHOUSE();
  auto registry = clickhouse_registry();
  sandbox::RunRequest request;
  request.params = ValueObject{{"table", unique_name("scratch")}};
  auto outcome = run_with_datasources(R"(
    const t = params.table;
    const db = ctx.datasource.chw;
    await db.execute(`DROP TABLE IF EXISTS ${t}; CREATE TABLE ${t} (id UInt32, name Nullable(String), raw Nullable(String),
                      at Nullable(DateTime), day Nullable(Date), big Nullable(Int64), score Nullable(Float64)) ENGINE = MergeTree ORDER BY id`);
    try {
      const inserted = await db.insert(t, [
        { id: 1, name: "o'brien \\ `tick` ? \n", raw: new Uint8Array([1, 2, 3]), at: new Date(Date.UTC(2024, 1, 29, 12)), day: '2024-02-29',
          big: 9007199254740993n, score: 0.5 },
        { id: 2, name: null, at: '2024-03-01T10:00:00Z' }, { id: 3, name: 'three', at: '2024-03-01 11:00:00', score: NaN }]);
      await db.execute(`INSERT INTO ${t} (id, name) VALUES (?, ?)`, [4, "fo'ur"]);
      let failed = null;
      try { await db.insert(t, [{ id: 5, day: 'not a date' }]); } catch (e) { failed = e.message.split(':')[0]; }
      const rows = await db.query(`SELECT * FROM ${t} ORDER BY id`);
      return { inserted, failed, rows: rows.map(r => [r.id, r.name, r.raw, r.at, r.day, r.big && String(r.big), r.score]) };
    } finally {
      await db.execute(`DROP TABLE ${t}`);
    })",
                                      registry, {"chw"}, request);
  ASSERT_EQ(outcome.status, RunStatus::Completed) << failure_message(outcome);
  EXPECT_EQ(outcome.result_json,
            R"({"inserted":{"rowsAffected":3},"failed":"ctx.datasource.chw.insert",)"
            R"("rows":[[1,"o'brien \\ `tick` ? \n","\u0001\u0002\u0003","2024-02-29T12:00:00Z","2024-02-29","9007199254740993",0.5],)"
            R"([2,null,null,"2024-03-01T10:00:00Z",null,null,null],[3,"three",null,"2024-03-01T11:00:00Z",null,null,null],)"
            R"([4,"fo'ur",null,null,null,null,null]]})");
}

TEST(ClickhouseDatasource, StopCancelsSleepAtOnceAndKillsItOnTheServer) {
  AS_REQUIRE_CLICKHOUSE();
  auto registry = clickhouse_registry();
  auto datasource = registry->open("test", "ch");
  std::stop_source stop;
  StopLater stopper(stop, std::chrono::milliseconds(300));
  EXPECT_THROW(datasource->query("SELECT sleep(3) AS stop_probe_sleep", {}, {}, stop.get_token()), datasources::StatementCancelled);
  std::cout << "[ measured ] clickhouse: stop -> sleep(3) query returned: " << ms_since(stopper.stopped_at()) << " ms\n";
  // The server was told: the statement ends (sleep(3) itself does not look at KILL; it ends then).
  EXPECT_TRUE(gone_from_server(*datasource, "stop_probe_sleep"));
  EXPECT_EQ(datasource->query("SELECT 1 AS one", {}, {}, {}).rows.at(0).at(0), Value(1));
}

TEST(ClickhouseDatasource, StopKillsALongScanOnTheServer) {
  AS_REQUIRE_CLICKHOUSE();
  auto registry = clickhouse_registry();
  auto datasource = registry->open("test", "ch");
  std::stop_source stop;
  StopLater stopper(stop, std::chrono::milliseconds(300));
  // Hours of work unless it is killed (the server's max_execution_time would end it after 30 s).
  EXPECT_THROW(datasource->query("SELECT count() AS stop_probe_scan FROM system.numbers WHERE sleepEachRow(0) = 0", {}, {},
                                 stop.get_token()),
               datasources::StatementCancelled);
  std::cout << "[ measured ] clickhouse: stop -> numbers() scan returned: " << ms_since(stopper.stopped_at()) << " ms\n";
  EXPECT_TRUE(gone_from_server(*datasource, "stop_probe_scan"));
}

TEST(ClickhouseDatasource, TheRunDeadlineCancelsAQuery) {
  AS_REQUIRE_CLICKHOUSE();
  auto registry = clickhouse_registry();
  sandbox::RunRequest request;
  request.limits.timeout = std::chrono::milliseconds(500);
  auto started = Clock::now();
  auto outcome = run_with_datasources(
      "await ctx.datasource.ch.query('SELECT count() AS deadline_probe FROM system.numbers WHERE sleepEachRow(0) = 0');", registry,
      {"ch"}, request);
  ASSERT_EQ(outcome.status, RunStatus::Failed) << failure_message(outcome);
  EXPECT_EQ(outcome.failure->limit, "timeout_ms");
  auto datasource = registry->open("test", "ch");
  while (datasource->pool().idle_connections() < datasource->pool().open_connections()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  std::cout << "[ measured ] clickhouse: run start -> cancelled scan gave its connection back: " << ms_since(started) << " ms (deadline 500 ms)\n";
  EXPECT_TRUE(gone_from_server(*datasource, "deadline_probe"));
}

TEST(ClickhouseDatasource, StatementTimeoutCancelsTheStatement) {
  AS_REQUIRE_CLICKHOUSE();
  auto quick = clickhouse_datasource("quick");
  quick.settings["statement_timeout_ms"] = std::int64_t{200};
  auto registry = clickhouse_registry({quick});
  auto outcome = run_with_datasources("await ctx.datasource.quick.query('SELECT sleep(2) AS timeout_probe');", registry, {"quick"});
  ASSERT_EQ(outcome.status, RunStatus::Failed);
  EXPECT_EQ(outcome.failure->message, "Error: ctx.datasource.quick.query: the statement ran longer than statement_timeout_ms = 200 and was cancelled");
  auto datasource = registry->open("test", "quick");
  EXPECT_TRUE(gone_from_server(*datasource, "timeout_probe"));
}

TEST(ClickhouseDatasource, StreamOf5MillionRowsKeepsMemoryFlat) {
  AS_REQUIRE_CLICKHOUSE();
  auto registry = clickhouse_registry();
  auto datasource = registry->open("test", "ch");
  auto started = Clock::now();
  std::size_t before = resident_bytes(), peak = before;
  std::size_t rows = 0, batches = 0;
  std::int64_t id_sum = 0;
  {
    auto stream = datasource->stream("SELECT * FROM big ORDER BY id", {}, {});
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
  std::cout << "[ measured ] clickhouse stream of " << rows << " rows x 6 columns in " << batches << " batches: " << seconds << " s ("
            << static_cast<std::size_t>(rows / seconds) << " rows/s), RSS growth " << (growth >> 20) << " MB\n";
  EXPECT_LT(growth, std::size_t{60} << 20);
  EXPECT_EQ(datasource->query("SELECT 2 AS two", {}, {}, {}).rows.at(0).at(0), Value(2));
}

TEST(ClickhouseDatasource, AStreamLeftEarlyStopsTheStatement) {
  AS_REQUIRE_CLICKHOUSE();
  auto registry = clickhouse_registry();
  std::string result = run_ok(R"(
    let rows = 0;
    for await (const batch of ctx.datasource.ch.stream('SELECT id, label, 1 AS early_probe FROM big WHERE id > ?', [10], 1000)) {
      rows += batch.length;
      if (rows >= 3000) break;
    }
    const after = await ctx.datasource.ch.query('SELECT count() AS c FROM people');
    return { rows, after: after[0].c };)",
                              registry, {"ch"});
  EXPECT_EQ(result, R"({"rows":3000,"after":4})");
  EXPECT_TRUE(gone_from_server(*registry->open("test", "ch"), "early_probe"));
}

TEST(ClickhouseDatasource, QueryRefusesResultsLargerThanTheRunsMemory) {
  AS_REQUIRE_CLICKHOUSE();
  auto registry = clickhouse_registry();
  sandbox::RunRequest request;
  request.limits.memory_bytes = 32u << 20;
  auto outcome = run_with_datasources("await ctx.datasource.ch.query('SELECT * FROM big');", registry, {"ch"}, request);
  ASSERT_EQ(outcome.status, RunStatus::Failed);
  EXPECT_NE(outcome.failure->message.find("ctx.datasource.ch.query: the result is larger than 32 MB (already "), std::string::npos)
      << outcome.failure->message;
}

TEST(ClickhouseDatasource, ConnectionErrorsNameTheDatasource) {
  AS_REQUIRE_CLICKHOUSE();
  auto wrong = clickhouse_datasource("badpw");
  wrong.secrets["password"] = config::SecretRef{"AS_TEST_WRONG_CH_PASSWORD"};
  ::setenv("AS_TEST_WRONG_CH_PASSWORD", "not-the-password", 1);
  auto missing = clickhouse_datasource("nodb");
  missing.settings["database"] = std::string("no_such_db");
  auto registry = clickhouse_registry({wrong, missing});
  auto outcome = run_with_datasources("await ctx.datasource.badpw.query('SELECT 1');", registry, {"badpw"});
  ASSERT_EQ(outcome.status, RunStatus::Failed);
  std::string url = "http://127.0.0.1:" + std::string(std::getenv("AS_TEST_CH_PORT"));
  EXPECT_EQ(outcome.failure->message, "Error: ctx.datasource.badpw.query: cannot connect to datasource 'badpw' (clickhouse at " + url +
                                          ", database 'as_test', user 'as_test'): Wrong password for user as_test");
  outcome = run_with_datasources("await ctx.datasource.nodb.query('SELECT 1');", registry, {"nodb"});
  ASSERT_EQ(outcome.status, RunStatus::Failed);
  EXPECT_EQ(outcome.failure->message, "Error: ctx.datasource.nodb.query: cannot connect to datasource 'nodb' (clickhouse at " + url +
                                          ", database 'no_such_db', user 'as_test'): Database no_such_db doesn't exist");
}

TEST(ClickhouseDatasource, AnUnreachableServerFailsFast) {
  auto nowhere = clickhouse_datasource("nowhere");
  nowhere.settings["url"] = std::string("http://127.0.0.1:1");
  nowhere.secrets.clear();
  auto registry = std::make_shared<datasources::DatasourceRegistry>(config_with({nowhere}));
  auto started = Clock::now();
  auto outcome = run_with_datasources("await ctx.datasource.nowhere.query('SELECT 1');", registry, {"nowhere"});
  ASSERT_EQ(outcome.status, RunStatus::Failed);
  EXPECT_NE(outcome.failure->message.find("ctx.datasource.nowhere.query: cannot connect to datasource 'nowhere' (clickhouse at "
                                          "http://127.0.0.1:1, database 'as_test', user 'as_test'): Failed to connect to 127.0.0.1 port 1"),
            std::string::npos)
      << outcome.failure->message;
  std::cout << "[ measured ] clickhouse: refused connection reported after " << ms_since(started) << " ms\n";
}

TEST(ClickhouseDatasource, ConcurrentQueriesShareThePool) {
  AS_REQUIRE_CLICKHOUSE();
  auto registry = clickhouse_registry();
  std::string result = run_ok(R"(
    const all = await Promise.all(Array.from({ length: 8 }, (_, i) => ctx.datasource.ch.query('SELECT ? AS i, sleep(0.05) AS s', [i])));
    return { ids: all.map(rows => rows[0].i) };)",
                              registry, {"ch"});
  EXPECT_EQ(result, R"({"ids":[0,1,2,3,4,5,6,7]})");
  EXPECT_LE(registry->open("test", "ch")->pool().open_connections(), 4u);
}

TEST(ClickhouseDuckTransfer, LoadAndExportRoundTripWithEqualCountsAndChecksums) {
  AS_REQUIRE_CLICKHOUSE();
  TransferWorld world;
  sandbox::RunRequest request;
  std::string table = unique_name("exported");
  request.params = ValueObject{{"table", table}};
  auto outcome = world.run(R"(
    const source = `SELECT id, category, amount, label, created_at, flag, toFloat64(amount) / 7 AS ratio,
                           if(id % 10 = 0, NULL, concat('n\\'', toString(id))) AS maybe FROM big WHERE id <= 200000`;
    const checksum = `SELECT count() AS n, sum(toUInt64(id)) AS ids, sum(category) AS cats, round(sum(toFloat64(amount)), 2) AS amount,
                             sum(length(label)) AS labels, sum(toUInt32(created_at)) AS times, sum(flag) AS flags,
                             round(sum(ratio), 3) AS ratio, count(maybe) AS maybes, sum(length(maybe)) AS maybe_chars`;
    const loaded = await ctx.duckdb.load('ch', source, 'from_ch');
    const there = (await ctx.datasource.ch.query(`${checksum} FROM (${source})`))[0];
    const here = (await ctx.duckdb.query(`SELECT count(*) AS n, sum(id) AS ids, sum(category) AS cats, round(sum(amount), 2) AS amount,
                                                 sum(length(label)) AS labels, sum(epoch(created_at)) AS times, sum(flag) AS flags,
                                                 round(sum(ratio), 3) AS ratio, count(maybe) AS maybes, sum(length(maybe)) AS maybe_chars FROM from_ch`))[0];
    const types = await ctx.duckdb.query("SELECT data_type FROM information_schema.columns WHERE table_name = 'from_ch' ORDER BY ordinal_position");
    const exported = await ctx.duckdb.export('from_ch', 'chw', params.table);
    try {
      const back = (await ctx.datasource.ch.query(`${checksum} FROM ${params.table}`))[0];
      const made = await ctx.datasource.ch.query(`SELECT name, type FROM system.columns WHERE database = currentDatabase() AND table = ?`, [params.table]);
      return { loaded, exported, sameLoad: JSON.stringify(there) === JSON.stringify(here), sameExport: JSON.stringify(there) === JSON.stringify(back),
               there, here, back, types: types.map(t => t.data_type).join(','), made: made.map(c => c.name + ':' + c.type).join(',') };
    } finally {
      await ctx.datasource.chw.execute(`DROP TABLE IF EXISTS ${params.table}`);
    })",
                           {"ch", "chw"}, request);
  ASSERT_EQ(outcome.status, RunStatus::Completed) << failure_message(outcome);
  std::cout << "[ result ] " << outcome.result_json << "\n";
  EXPECT_NE(outcome.result_json.find(R"("loaded":{"table":"from_ch","rows":200000},"exported":{"table":")" + table + R"(","rows":200000},)"
                                     R"("sameLoad":true,"sameExport":true)"),
            std::string::npos)
      << outcome.result_json;
  EXPECT_NE(outcome.result_json.find(R"("types":"UBIGINT,BIGINT,DOUBLE,VARCHAR,TIMESTAMP WITH TIME ZONE,BIGINT,DOUBLE,VARCHAR")"), std::string::npos)
      << outcome.result_json;  // UBIGINT goes back as UInt64 (sent as BigInt literals), not as text.
  EXPECT_NE(outcome.result_json.find(R"("made":"id:Nullable(UInt64),category:Nullable(Int64))"), std::string::npos) << outcome.result_json;
}
