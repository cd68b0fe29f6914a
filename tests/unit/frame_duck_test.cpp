// ctx.duckdb.saveDataFrame and ctx.duckdb.queryFrame, and the spec's "Polars + DuckDB Pattern".
#include <gtest/gtest.h>

#include "duck/duck_extension.h"
#include "frame_test_support.h"

namespace as::testing {
namespace {

using nlohmann::json;

TEST(FrameDuck, SaveDataFrameOverwritesAppendsAndKeepsTypes) {
  FrameWorld world;
  json r = run_frames_ok(R"JS(
    const df = ctx.DataFrame([
      { i: 1, f: 1.5, s: "a", b: true, t: new Date("2024-01-02T03:04:05.006Z"), n: null },
      { i: 2, f: null, s: null, b: false, t: null, n: null }]).withColumn("d", lit("2024-02-29", "date"));
    await ctx.duckdb.saveDataFrame(df, "saved");
    const types = await ctx.duckdb.query("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'saved' ORDER BY ordinal_position");
    await ctx.duckdb.saveDataFrame(df.select("s", "i"), "saved", { mode: "append" });   // by column name, missing ones null
    const appended = await ctx.duckdb.query("SELECT count(*) AS n, count(f) AS f FROM saved");
    await ctx.duckdb.saveDataFrame(df.limit(1), "saved", { mode: "overwrite" });
    const replaced = await ctx.duckdb.query("SELECT * FROM saved");
    await ctx.duckdb.saveDataFrame(df, "fresh", { mode: "append" });                    // append creates it
    await ctx.duckdb.saveDataFrame(df, "main.qualified");
    return { types, appended, replaced, fresh: (await ctx.duckdb.query("SELECT count(*) AS n FROM fresh"))[0].n,
             qualified: (await ctx.duckdb.tables()).includes("qualified") };
  )JS", world);
  EXPECT_EQ(r["types"], json::parse(R"([{"column_name":"i","data_type":"BIGINT"},{"column_name":"f","data_type":"DOUBLE"},
    {"column_name":"s","data_type":"VARCHAR"},{"column_name":"b","data_type":"BOOLEAN"},{"column_name":"t","data_type":"TIMESTAMP_MS"},
    {"column_name":"n","data_type":"INTEGER"},{"column_name":"d","data_type":"DATE"}])"));
  EXPECT_EQ(r["appended"], json::parse(R"([{"n":4,"f":1}])"));
  EXPECT_EQ(r["replaced"], json::parse(R"([{"i":1,"f":1.5,"s":"a","b":true,"t":"2024-01-02T03:04:05.006","n":null,"d":"2024-02-29"}])"));
  EXPECT_EQ(r["fresh"], 2);
  EXPECT_EQ(r["qualified"], true);
}

// Frames cross in batches of 122,880 rows: a frame of several batches arrives whole and
// unchanged, through DuckDB and through row callbacks.
TEST(FrameDuck, LargeFramesCrossInSeveralBatchesUnchanged) {
  FrameWorld world;
  json r = run_frames_ok(R"JS(
    await ctx.duckdb.exec("CREATE TABLE big AS SELECT range AS id, 'v' || (range % 7) AS s, range * 0.5 AS x FROM range(300000)");
    const df = await ctx.duckdb.queryFrame("SELECT * FROM big");
    await ctx.duckdb.saveDataFrame(df, "copy");
    const diff = await ctx.duckdb.query(
      "SELECT count(*) AS n FROM copy FULL JOIN big USING (id) WHERE copy.s IS DISTINCT FROM big.s OR copy.x IS DISTINCT FROM big.x");
    let wrong = 0;
    const kept = df.filter(row => { if (row.s !== "v" + (row.id % 7) || row.x !== row.id * 0.5) wrong++; return row.id % 1000 === 0; });
    return { diff: diff[0].n, wrong, kept: kept.height, last: df.slice(-1).collect()[0] };
  )JS", world);
  EXPECT_EQ(r, json::parse(R"({"diff":0,"wrong":0,"kept":300,"last":{"id":299999,"s":"v0","x":149999.5}})"));
}

TEST(FrameDuck, SaveDataFrameChecksItsArguments) {
  FrameWorld world;
  auto error = [&](const std::string& call) {
    return run_frames_error("const df = ctx.DataFrame([{ a: 1 }]);\n" + call, world);
  };
  EXPECT_NE(error("await ctx.duckdb.saveDataFrame([{ a: 1 }], 't');").find("needs a DataFrame, got an array"), std::string::npos);
  EXPECT_NE(error("await ctx.duckdb.saveDataFrame(df, 'x; DROP TABLE y');").find("'x; DROP TABLE y' is not a table name"), std::string::npos);
  EXPECT_NE(error("await ctx.duckdb.saveDataFrame(df, 't', { mode: 'merge' });").find("mode must be 'overwrite' or 'append', got 'merge'"),
            std::string::npos);
  EXPECT_NE(error("await ctx.duckdb.saveDataFrame(df.select(col('a').year()), 't');").find("expects a date or datetime"), std::string::npos);
  std::string append = error(
      "await ctx.duckdb.exec('CREATE TABLE t (a INTEGER, b INTEGER)');\n"
      "await ctx.duckdb.saveDataFrame(ctx.DataFrame([{ zzz: 1 }]), 't', { mode: 'append' });");
  EXPECT_NE(append.find("ctx.duckdb.saveDataFrame:"), std::string::npos) << append;
}

TEST(FrameDuck, SaveDataFrameJoinsTheRunsTransaction) {
  FrameWorld world;
  json r = run_frames_ok(R"JS(
    await ctx.duckdb.exec("BEGIN");
    await ctx.duckdb.saveDataFrame(ctx.DataFrame([{ a: 1 }]), "rolled_back");
    const inside = (await ctx.duckdb.tables()).includes("rolled_back");
    await ctx.duckdb.exec("ROLLBACK");
    return { inside, after: (await ctx.duckdb.tables()).includes("rolled_back") };
  )JS", world);
  EXPECT_EQ(r, json({{"inside", true}, {"after", false}}));
}

TEST(FrameDuck, QueryFrameKeepsDuckDbTypesAndTheSandboxRules) {
  FrameWorld world;
  json r = run_frames_ok(R"JS(
    await ctx.duckdb.exec("CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')");
    const df = await ctx.duckdb.queryFrame(`
      SELECT 1::TINYINT AS tiny, 2::INTEGER AS int, 3::BIGINT AS big, 12.34::DECIMAL(10,2) AS dec, 0.5::FLOAT AS flt,
             'héllo' AS txt, true AS flag, DATE '2024-02-29' AS day, TIMESTAMP '2024-01-02 03:04:05.123456' AS ts,
             TIMESTAMPTZ '2024-01-02 03:04:05+00' AS tstz, 'happy'::mood AS m, [1, 2, NULL] AS list, NULL::VARCHAR AS nothing,
             170141183460469231731687303715884105727::HUGEINT AS huge`);
    const empty = await ctx.duckdb.queryFrame("SELECT 1 AS a WHERE false");
    const many = await ctx.duckdb.queryFrame("SELECT range AS i FROM range(10000)");
    return { schema: df.schema, rows: df.collect(), empty: [empty.height, empty.columns], sum: many.select(col("i").sum()).collect()[0].i,
             derived: df.select(col("day").year().alias("y"), col("dec").mul(2).alias("d2")).collect() };
  )JS", world);
  EXPECT_EQ(r["schema"], json::parse(R"({"tiny":"int32","int":"int32","big":"int64","dec":"float64","flt":"float32","txt":"string",
    "flag":"bool","day":"date","ts":"datetime[us]","tstz":"datetime[us, Etc/UTC]","m":"string","list":"list[int32]","nothing":"string",
    "huge":"float64"})"));
  EXPECT_EQ(r["rows"][0]["ts"], "2024-01-02T03:04:05.123456");
  EXPECT_EQ(r["rows"][0]["tstz"], "2024-01-02T03:04:05Z");
  EXPECT_EQ(r["rows"][0]["day"], "2024-02-29");
  EXPECT_EQ(r["rows"][0]["m"], "happy");
  EXPECT_EQ(r["rows"][0]["list"], json::parse("[1,2,null]"));
  EXPECT_EQ(r["rows"][0]["txt"], "héllo");
  EXPECT_EQ(r["empty"], json::parse(R"([0,["a"]])"));
  EXPECT_EQ(r["sum"], 49995000);
  EXPECT_EQ(r["derived"], json::parse(R"([{"y":2024,"d2":24.68}])"));

  auto error = [&](const std::string& sql) {
    return run_frames_error("const df = await ctx.duckdb.queryFrame(" + sql + "); return { h: df.height };", world);
  };
  std::string interval = error("\"SELECT INTERVAL 1 DAY AS i\"");
  EXPECT_NE(interval.find("column 'i'"), std::string::npos) << interval;
  EXPECT_NE(error("\"ATTACH 'x.db'\"").find("ATTACH is not allowed in the sandbox"), std::string::npos);
  EXPECT_NE(error("\"SELECT * FROM query('SELECT 1')\"").find("query() is not allowed in the sandbox"), std::string::npos);
  EXPECT_NE(error("\"SELECT * FROM read_csv('/etc/passwd')\"").find("ctx.duckdb.queryFrame:"), std::string::npos);
  EXPECT_NE(error("42").find("queryFrame(sql) needs an SQL string, got 42"), std::string::npos);
}

// The spec's "Polars + DuckDB Pattern" as written, except: the project DuckDB stands in for
// postgres_main, and the score's operators are methods (JavaScript has no operator overloading).
TEST(FrameDuck, TheSpecsPolarsAndDuckDbPatternRunsEndToEnd) {
  FrameWorld world;
  const std::string source = R"JS(
export default {
    title: "Advanced customer scoring with Polars",
    run: async function(ctx, params) {
        await ctx.duckdb.exec(`
            CREATE TABLE customers AS SELECT range AS customer_id, 'customer ' || range AS name, DATE '2024-01-01' + range::INT AS created_at FROM range(1, 21);
            CREATE TABLE transactions AS SELECT (range % 20) + 1 AS customer_id, (range % 97) * 1.25 AS amount,
                   DATE '2024-01-01' + (range % 45)::INT AS date FROM range(2000)`);
        // 1. Query raw data
        const customers = await ctx.duckdb.query("SELECT * FROM customers WHERE created_at > $1", [params.start_date]);
        const transactions = await ctx.duckdb.query("SELECT * FROM transactions WHERE date > $1", [params.start_date]);

        // 2. Use Polars for complex in-memory processing
        const customerDf = ctx.DataFrame(customers);
        const transDf = ctx.DataFrame(transactions);

        const scored = customerDf
            .join(transDf, "customer_id")
            .groupBy("customer_id")
            .agg({
                total_spent: col("amount").sum(),
                transaction_count: col("amount").count(),
                avg_amount: col("amount").mean(),
                days_active: col("date").nUnique()
            })
            .withColumn("score",
                col("total_spent").mul(0.4)
                    .add(col("transaction_count").mul(0.3))
                    .add(col("days_active").mul(0.3))
            )
            .sort("score", true);

        // 3. Persist results to DuckDB for future queries
        const tableName = `customer_scores_${params.start_date.replace(/-/g, '_')}`;
        await ctx.duckdb.saveDataFrame(scored, tableName);

        // 4. Create view for easy access
        await ctx.duckdb.exec(`
            CREATE OR REPLACE VIEW latest_customer_scores AS
            SELECT * FROM ${tableName}
        `);

        // 5. Return summary
        const topCustomers = scored.head(10).toJSON();
        const stats = await ctx.duckdb.query(`
            SELECT
                COUNT(*) as total_customers,
                AVG(score) as avg_score,
                PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY score) as median_score
            FROM ${tableName}
        `);

        return {
            top_customers: topCustomers,
            statistics: stats[0],
            stored_table: tableName,
            message: "Customer scores calculated with Polars and stored in DuckDB"
        };
    }
}
)JS";
  sandbox::RunRequest request;
  request.source = source;
  request.params = ValueObject{{"start_date", Value("2024-01-05")}};
  request.extensions.push_back(std::make_shared<duck::DuckExtension>(world.duck.databases, "test"));
  frame::add_frames(request.extensions, world.options);
  auto outcome = sandbox::run_analysis(request);
  ASSERT_EQ(outcome.status, sandbox::RunStatus::Completed) << (outcome.failure ? outcome.failure->message : "");
  json r = json::parse(outcome.result_json);
  EXPECT_EQ(r["stored_table"], "customer_scores_2024_01_05");
  EXPECT_EQ(r["statistics"]["total_customers"], 16);  // customers 5..20 were created after the start date
  ASSERT_EQ(r["top_customers"].size(), 10u);
  const json& top = r["top_customers"][0];
  // Check the first row against the definition of the score.
  double expected = top["total_spent"].get<double>() * 0.4 + top["transaction_count"].get<double>() * 0.3 +
                    top["days_active"].get<double>() * 0.3;
  EXPECT_NEAR(top["score"].get<double>(), expected, 1e-9);
  // sort(column, ascending?) as the TypeScript definitions say: `true` is ascending.
  for (std::size_t i = 1; i < 10; ++i) EXPECT_LE(r["top_customers"][i - 1]["score"], r["top_customers"][i]["score"]);
}

}  // namespace
}  // namespace as::testing
