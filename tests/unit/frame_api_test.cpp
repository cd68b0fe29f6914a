// ctx.DataFrame, col(), lit(): every method and expression through real runs (docs/dataframes.md).
#include <gtest/gtest.h>

#include "frame_test_support.h"

namespace as::testing {
namespace {

using nlohmann::json;

// Six sales with every column type the JS side can make.
constexpr const char* kSales = R"JS(
  const sales = ctx.DataFrame([
    { id: 1, cat: "a", amount: 10.5, qty: 2, name: "Alice", ok: true,  at: new Date("2024-01-15T10:30:00Z") },
    { id: 2, cat: "b", amount: 20,   qty: 1, name: "bob",   ok: false, at: new Date("2024-02-20T00:00:00Z") },
    { id: 3, cat: "a", amount: null, qty: 5, name: "Carol", ok: true,  at: new Date("2024-02-29T23:59:59Z") },
    { id: 4, cat: "c", amount: 7.25, qty: 3, name: "dave",  ok: null,  at: null },
    { id: 5, cat: "b", amount: 100,  qty: 4, name: null,    ok: true,  at: new Date("2023-12-31T12:00:00Z") },
    { id: 6, cat: "a", amount: 1,    qty: 1, name: "Al",    ok: false, at: new Date("2024-03-01T08:00:00Z") },
  ]);
)JS";

class FrameApi : public ::testing::Test {
 protected:
  json run(const std::string& body) { return run_frames_ok(std::string(kSales) + body, world_); }
  std::string error(const std::string& body) { return run_frames_error(std::string(kSales) + body, world_); }
  FrameWorld world_;
};

TEST_F(FrameApi, BuildsFramesFromRowsAndFromColumnsWithInferredTypes) {
  json r = run(R"JS(
    const cols = ctx.DataFrame({ i: [1, 2, 3], f: [1, 2.5, null], s: ["x", null, "z"], b: [true, false, true], n: [null, null, null],
                                 big: [1n, 2n, 9007199254740993n] });
    const ragged = ctx.DataFrame([{ a: 1 }, { b: "x" }, { a: 3, b: "y" }]);
    return { sales: sales.schema, cols: cols.schema, colRows: cols.collect(), ragged: ragged.collect(), raggedCols: ragged.columns,
             height: sales.height, width: sales.width, empty: ctx.DataFrame([]).collect(), same: ctx.DataFrame(cols).height,
             first: sales.head(1).collect()[0] };
  )JS");
  EXPECT_EQ(r["sales"], json({{"id", "int64"}, {"cat", "string"}, {"amount", "float64"}, {"qty", "int64"}, {"name", "string"},
                              {"ok", "bool"}, {"at", "datetime[ms]"}}));
  EXPECT_EQ(r["cols"], json({{"i", "int64"}, {"f", "float64"}, {"s", "string"}, {"b", "bool"}, {"n", "null"}, {"big", "int64"}}));
  EXPECT_EQ(r["colRows"][1], json({{"i", 2}, {"f", 2.5}, {"s", nullptr}, {"b", false}, {"n", nullptr}, {"big", 2}}));
  EXPECT_EQ(r["colRows"][2]["big"], "9007199254740993");  // wider than 2^53: a BigInt, stored as its digits
  EXPECT_EQ(r["ragged"], json::parse(R"([{"a":1,"b":null},{"a":null,"b":"x"},{"a":3,"b":"y"}])"));
  EXPECT_EQ(r["raggedCols"], json({"a", "b"}));
  EXPECT_EQ(r["height"], 6);
  EXPECT_EQ(r["width"], 7);
  EXPECT_EQ(r["empty"], json::array());
  EXPECT_EQ(r["same"], 3);
  // Datetimes come back as ISO-8601 wall-clock text, as DuckDB TIMESTAMPs do (docs/duckdb.md).
  EXPECT_EQ(r["first"]["at"], "2024-01-15T10:30:00");
}

TEST_F(FrameApi, BadDataNamesTheColumnTheRowAndTheValue) {
  FrameWorld world;
  auto err = [&](const std::string& body) { return run_frames_error(body, world); };
  std::string m = err("return { r: ctx.DataFrame([{ a: 1 }, { a: 'x' }]).collect() };");
  EXPECT_NE(m.find("column 'a' mixes types: row 0 is a number (1) but row 1 is a string ('x')"), std::string::npos) << m;
  std::string nested = err("return { r: ctx.DataFrame([{ a: { b: 1 } }]).height };");
  EXPECT_NE(nested.find("column 'a' row 0 holds an object"), std::string::npos) << nested;
  std::string row = err("return { r: ctx.DataFrame([{ a: 1 }, 5]).height };");
  EXPECT_NE(row.find("rows[1] is 5; each row must be an object"), std::string::npos) << row;
  std::string lengths = err("return { r: ctx.DataFrame({ a: [1, 2], b: [1] }).height };");
  EXPECT_NE(lengths.find("column 'b' has 1 values but 'a' has 2"), std::string::npos) << lengths;
  std::string data = err("return { r: ctx.DataFrame('text').height };");
  EXPECT_NE(data.find("needs an array of row objects"), std::string::npos) << data;
  std::string big = err("return { r: ctx.DataFrame([{ a: 2n ** 70n }]).height };");
  EXPECT_NE(big.find("does not fit in a 64-bit integer"), std::string::npos) << big;
}

TEST_F(FrameApi, ArithmeticComparisonsAndLogic) {
  json r = run(R"JS(
    const out = sales.filter(col("id").lte(2)).select(
      col("qty").add(1).alias("add"), col("qty").plus(col("id")).alias("plus"), col("qty").sub(1).alias("sub"),
      col("qty").minus(0.5).alias("minus"), col("qty").mul(3).alias("mul"), col("qty").multiplyBy(col("id")).alias("mulc"),
      col("qty").div(4).alias("div"), col("qty").mod(2).alias("mod"), col("qty").neg().alias("neg"),
      col("qty").eq(2).alias("eq"), col("qty").neq(2).alias("neq"), col("qty").lt(2).alias("lt"), col("qty").lte(2).alias("lte"),
      col("qty").gt(1).alias("gt"), col("qty").gte(2).alias("gte"),
      col("ok").and(col("qty").gt(1)).alias("and"), col("ok").or(col("id").eq(2)).alias("or"), col("ok").not().alias("not"),
      col("cat").eq("b").alias("streq"), lit(7).alias("seven"));
    return { rows: out.collect() };
  )JS");
  EXPECT_EQ(r["rows"][0], json::parse(R"({"add":3,"plus":3,"sub":1,"minus":1.5,"mul":6,"mulc":2,"div":0.5,"mod":0,"neg":-2,
    "eq":true,"neq":false,"lt":false,"lte":true,"gt":true,"gte":true,"and":true,"or":true,"not":false,"streq":false,"seven":7})"));
  EXPECT_EQ(r["rows"][1], json::parse(R"({"add":2,"plus":3,"sub":0,"minus":0.5,"mul":3,"mulc":2,"div":0.25,"mod":1,"neg":-1,
    "eq":false,"neq":true,"lt":true,"lte":true,"gt":false,"gte":false,"and":false,"or":true,"not":true,"streq":true,"seven":7})"));
}

TEST_F(FrameApi, NullsCastsAndAliases) {
  json r = run(R"JS(
    const out = sales.select(col("id"), col("amount").isNull().alias("missing"), col("amount").isNotNull().alias("present"),
                             col("amount").fillNull(0).alias("filled"), col("amount").cast("int64").as("whole"),
                             col("id").cast("string").alias("text"), col("name").fillNull("?").alias("who"),
                             lit("2024-02-01", "date").alias("d"));
    return { rows: out.collect(), schema: out.schema };
  )JS");
  EXPECT_EQ(r["rows"][2], json::parse(R"({"id":3,"missing":true,"present":false,"filled":0,"whole":null,"text":"3","who":"Carol","d":"2024-02-01"})"));
  EXPECT_EQ(r["rows"][0]["whole"], 10);
  EXPECT_EQ(r["rows"][4]["who"], "?");
  EXPECT_EQ(r["schema"]["text"], "string");
  EXPECT_EQ(r["schema"]["d"], "date");
}

TEST_F(FrameApi, StringFunctions) {
  json r = run(R"JS(
    const out = sales.filter(col("name").isNotNull()).select(col("name"),
      col("name").contains("l").alias("has_l"), col("name").contains(/^[A-C]/).alias("upper_ac"),
      col("name").contains("a.", { literal: false }).alias("regex"), col("name").startsWith("A").alias("starts"),
      col("name").endsWith("e").alias("ends"), col("name").lower().alias("lower"), col("name").upper().alias("upper"),
      col("name").len().alias("len"), col("name").str.toUpperCase().alias("ns"));
    return { rows: out.collect() };
  )JS");
  EXPECT_EQ(r["rows"][0], json::parse(R"({"name":"Alice","has_l":true,"upper_ac":true,"regex":false,"starts":true,"ends":true,
    "lower":"alice","upper":"ALICE","len":5,"ns":"ALICE"})"));
  EXPECT_EQ(r["rows"][3], json::parse(R"({"name":"dave","has_l":false,"upper_ac":false,"regex":true,"starts":false,"ends":true,
    "lower":"dave","upper":"DAVE","len":4,"ns":"DAVE"})"));
}

TEST_F(FrameApi, DatePartsAndTruncate) {
  json r = run(R"JS(
    const out = sales.filter(col("at").isNotNull()).select(col("id"), col("at").year().alias("y"), col("at").month().alias("m"),
      col("at").day().alias("d"), col("at").truncate("1mo").alias("month_start"), col("at").dt.hour().alias("h"),
      col("at").cast("date").alias("date"));
    const fromText = ctx.DataFrame([{ d: "2024-07-04" }]).select(col("d").cast("date").year().alias("y"), col("d").cast("date").day().alias("day"));
    return { rows: out.collect(), fromText: fromText.collect() };
  )JS");
  EXPECT_EQ(r["rows"][0], json::parse(R"({"id":1,"y":2024,"m":1,"d":15,"month_start":"2024-01-01T00:00:00","h":10,"date":"2024-01-15"})"));
  EXPECT_EQ(r["rows"][2], json::parse(R"({"id":3,"y":2024,"m":2,"d":29,"month_start":"2024-02-01T00:00:00","h":23,"date":"2024-02-29"})"));
  EXPECT_EQ(r["fromText"], json::parse(R"([{"y":2024,"day":4}])"));
}

TEST_F(FrameApi, AggregationsOverTheWholeFrameAndPerGroup) {
  json r = run(R"JS(
    const all = sales.select(col("amount").sum().alias("sum"), col("amount").mean().alias("mean"), col("amount").count().alias("count"),
      col("amount").min().alias("min"), col("amount").max().alias("max"), col("cat").nUnique().alias("n_unique"),
      col("qty").median().alias("median"), col("qty").std().alias("std"), col("qty").var(0).alias("var0"),
      col("id").first().alias("first"), col("id").last().alias("last"));
    const per = sales.groupBy("cat").agg(col("qty").sum().alias("qty"), col("id").first().alias("first"), col("id").last().alias("last"),
                                         col("amount").max().alias("max")).sort("cat");
    return { all: all.collect()[0], per: per.collect() };
  )JS");
  EXPECT_DOUBLE_EQ(r["all"]["sum"].get<double>(), 138.75);
  EXPECT_DOUBLE_EQ(r["all"]["mean"].get<double>(), 27.75);
  EXPECT_EQ(r["all"]["count"], 5);  // non-null values
  EXPECT_EQ(r["all"]["min"], 1.0);
  EXPECT_EQ(r["all"]["max"], 100.0);
  EXPECT_EQ(r["all"]["n_unique"], 3);
  EXPECT_EQ(r["all"]["median"], 2.5);                                    // qty: 1 1 2 3 4 5
  EXPECT_NEAR(r["all"]["std"].get<double>(), 1.6329931618554521, 1e-12);  // sample (ddof 1)
  EXPECT_NEAR(r["all"]["var0"].get<double>(), 2.2222222222222223, 1e-12); // population (ddof 0)
  EXPECT_EQ(r["all"]["first"], 1);
  EXPECT_EQ(r["all"]["last"], 6);
  EXPECT_EQ(r["per"], json::parse(R"([{"cat":"a","qty":8,"first":1,"last":6,"max":10.5},{"cat":"b","qty":5,"first":2,"last":5,"max":100.0},
    {"cat":"c","qty":3,"first":4,"last":4,"max":7.25}])"));
}

TEST_F(FrameApi, GroupByAggTakesBothFormsOfTheSpecAndCount) {
  json r = run(R"JS(
    const strings = sales.groupBy("cat").agg({ amount: "sum", total: "sum(qty)", n: "count", rows: "len", avg_qty: "mean(qty)",
                                               qty: "nUnique" }).sort("cat");
    const exprs = sales.groupBy("cat").agg({ total_spent: col("amount").sum(), transaction_count: col("amount").count(),
                                             avg_amount: col("amount").mean(), days_active: col("at").nUnique() }).sort("cat");
    const counted = sales.groupBy(["cat", "ok"]).count().sort(["cat", "ok"], { nullsLast: true });
    // The spec's own example: { total: "sum" } over one value column sums that column.
    const spec = ctx.DataFrame([{ category: "x", amount: 150 }, { category: "x", amount: 120 }, { category: "y", amount: 500 }])
      .filter(row => row.get("amount") > 100).groupBy("category").agg({ total: "sum", count: "count" });
    return { strings: strings.collect(), exprs: exprs.collect(), counted: counted.collect(), spec: spec.collect() };
  )JS");
  EXPECT_EQ(r["strings"][0], json::parse(R"({"cat":"a","amount":11.5,"total":8,"n":3,"rows":3,"avg_qty":2.6666666666666665,"qty":3})"));
  EXPECT_EQ(r["exprs"][1], json::parse(R"({"cat":"b","total_spent":120.0,"transaction_count":2,"avg_amount":60.0,"days_active":2})"));
  EXPECT_EQ(r["counted"][0], json::parse(R"({"cat":"a","ok":false,"count":1})"));
  EXPECT_EQ(r["counted"].size(), 5u);
  EXPECT_EQ(r["spec"], json::parse(R"([{"category":"x","total":270,"count":2},{"category":"y","total":500,"count":1}])"));

  std::string ambiguous = error("return { r: sales.groupBy('cat').agg({ total: 'sum' }).collect() };");
  EXPECT_NE(ambiguous.find("'total' is not a column, and 3 numeric column(s) besides the keys could be meant (id, amount, qty)"),
            std::string::npos)
      << ambiguous;
  std::string unknown = error("return { r: sales.groupBy('cat').agg({ x: 'average' }).collect() };");
  EXPECT_NE(unknown.find("unknown aggregation 'average'; expected one of: sum, mean"), std::string::npos) << unknown;
}

TEST_F(FrameApi, FilterTakesExpressionsAndRowCallbacks) {
  json r = run(R"JS(
    const seen = [];
    const byRow = sales.filter((row, i) => { seen.push(i); return row.get("amount") > 10 && row.cat !== "c"; });
    const byExpr = sales.filter(col("amount").gt(10).and(col("cat").neq("c")));
    const kept = sales.filter(row => row.name === null || row.get("at") === null);
    const json = sales.filter(row => row.id === 2).collect();
    let rowJSON; sales.filter(row => { if (row.id === 1) rowJSON = JSON.stringify(row); return true; });
    return { byRow: byRow.select("id").collect(), byExpr: byExpr.select("id").collect(), seen, kept: kept.select("id").collect(),
             chained: byRow.filter(col("qty").gt(1)).select("id").collect(), rowJSON };
  )JS");
  EXPECT_EQ(r["byRow"], json::parse(R"([{"id":1},{"id":2},{"id":5}])"));
  EXPECT_EQ(r["byExpr"], r["byRow"]);
  EXPECT_EQ(r["seen"], json::parse("[0,1,2,3,4,5]"));
  EXPECT_EQ(r["kept"], json::parse(R"([{"id":4},{"id":5}])"));
  EXPECT_EQ(r["chained"], json::parse(R"([{"id":1},{"id":5}])"));
  EXPECT_EQ(json::parse(r["rowJSON"].get<std::string>())["at"], "2024-01-15T10:30:00");

  std::string thrown = error("return { r: sales.filter(row => { if (row.id === 3) throw new Error('boom at 3'); return true; }).height };");
  EXPECT_NE(thrown.find("boom at 3"), std::string::npos) << thrown;
  std::string unknown = error("return { r: sales.filter(row => row.get('amout') > 1).height };");
  EXPECT_NE(unknown.find("row.get('amout'): no such column; the columns are: id, cat, amount"), std::string::npos) << unknown;
}

TEST_F(FrameApi, SelectDropRenameWithColumns) {
  json r = run(R"JS(
    const a = sales.select("id", ["cat", col("qty").mul(2).alias("q2")]).head(2);
    const b = sales.drop("name", "at", ["ok"]).rename({ qty: "quantity" }).head(1);
    const c = sales.withColumn("qty", col("qty").add(100)).withColumn("flag", true)
                   .withColumns({ twice: col("id").mul(2), label: lit("x") }).withColumns(col("id").neg().alias("minus_id"))
                   .select("id", "qty", "flag", "twice", "label", "minus_id").head(1);
    return { a: a.collect(), aCols: a.columns, b: b.collect(), c: c.collect() };
  )JS");
  EXPECT_EQ(r["a"], json::parse(R"([{"id":1,"cat":"a","q2":4},{"id":2,"cat":"b","q2":2}])"));
  EXPECT_EQ(r["b"], json::parse(R"([{"id":1,"cat":"a","amount":10.5,"quantity":2}])"));
  EXPECT_EQ(r["c"], json::parse(R"([{"id":1,"qty":102,"flag":true,"twice":2,"label":"x","minus_id":-1}])"));
}

TEST_F(FrameApi, JoinKinds) {
  json r = run(R"JS(
    const cats = ctx.DataFrame([{ cat: "a", label: "Apples" }, { cat: "b", label: "Books" }, { cat: "z", label: "Zebras" }]);
    const ids = (df) => df.select(col("id")).collect().map(r => r.id);
    return {
      inner: ids(sales.join(cats, "cat")),
      left: sales.join(cats, "cat", { how: "left" }).select("id", "label").collect(),
      full: sales.join(cats, { on: "cat", how: "full" }).height,
      semi: ids(sales.join(cats.filter(col("cat").eq("b")), "cat", { how: "semi" })),
      anti: ids(sales.join(cats, "cat", { how: "anti" })),
      multi: ids(sales.join(sales.select("id", "cat"), ["id", "cat"])),
      onNames: cats.join(cats.rename({ cat: "k" }), { leftOn: "cat", rightOn: "k", suffix: "_2" }).columns,
    };
  )JS");
  EXPECT_EQ(r["inner"], json::parse("[1,2,3,5,6]"));
  EXPECT_EQ(r["left"][3], json::parse(R"({"id":4,"label":null})"));
  EXPECT_EQ(r["full"], 7);
  EXPECT_EQ(r["semi"], json::parse("[2,5]"));
  EXPECT_EQ(r["anti"], json::parse("[4]"));
  EXPECT_EQ(r["multi"], json::parse("[1,2,3,4,5,6]"));
  EXPECT_EQ(r["onNames"], json::parse(R"(["cat","label","label_2"])"));
}

TEST_F(FrameApi, SortLimitSliceUnique) {
  json r = run(R"JS(
    const ids = (df) => df.collect().map(r => r.id);
    return {
      asc: ids(sales.sort("amount")),                         // nulls first, as Polars
      ascendingTrue: ids(sales.sort("amount", true)),         // the TypeScript signature: sort(column, ascending?)
      desc: ids(sales.sort("amount", false)),
      descOption: ids(sales.sort("amount", { descending: true, nullsLast: true })),
      multi: ids(sales.sort(["cat", "qty"], [true, false])),
      byExpr: ids(sales.sort(col("qty").neg())),
      limit: ids(sales.limit(2)), head: ids(sales.head()), slice: ids(sales.slice(1, 2)), tail: ids(sales.slice(-2)),
      unique: sales.select("cat").unique().collect().map(r => r.cat),
      uniqueBy: ids(sales.unique("cat", { keep: "last" })),
    };
  )JS");
  EXPECT_EQ(r["asc"], json::parse("[3,6,4,1,2,5]"));
  EXPECT_EQ(r["ascendingTrue"], r["asc"]);
  EXPECT_EQ(r["desc"], json::parse("[3,5,2,1,4,6]"));
  EXPECT_EQ(r["descOption"], json::parse("[5,2,1,4,6,3]"));
  EXPECT_EQ(r["multi"], json::parse("[3,1,6,5,2,4]"));
  EXPECT_EQ(r["byExpr"], json::parse("[3,5,4,1,2,6]"));
  EXPECT_EQ(r["limit"], json::parse("[1,2]"));
  EXPECT_EQ(r["head"], json::parse("[1,2,3,4,5]"));
  EXPECT_EQ(r["slice"], json::parse("[2,3]"));
  EXPECT_EQ(r["tail"], json::parse("[5,6]"));
  EXPECT_EQ(r["unique"], json::parse(R"(["a","b","c"])"));
  EXPECT_EQ(r["uniqueBy"], json::parse("[4,5,6]"));  // the last row of each cat, in row order
}

TEST_F(FrameApi, ErrorsNameTheCallAndTheProblem) {
  std::string column = error("return { r: sales.filter(col('id').gt(1)).select('amout').collect() };");
  EXPECT_NE(column.find("select(\"amout\")"), std::string::npos) << column;
  EXPECT_NE(column.find("unknown column 'amout'; available: id, cat, amount"), std::string::npos) << column;
  std::string type = error("return { r: sales.select(col('qty').year()).collect() };");
  EXPECT_NE(type.find("expects a date or datetime, but column 'qty' is int64"), std::string::npos) << type;
  std::string op = error("return { r: sales.withColumn('score', col('amount') * 0.4).collect() };");
  EXPECT_NE(op.find("col(\"amount\") was used with a JavaScript operator"), std::string::npos) << op;
  EXPECT_NE(op.find("col(\"amount\").mul(0.4)"), std::string::npos) << op;
  std::string join = error("return { r: sales.join([1, 2], 'id').collect() };");
  EXPECT_NE(join.find("join(other, on, { how }) needs a DataFrame to join with, got an array"), std::string::npos) << join;
  std::string how = error("return { r: sales.join(sales, 'id', { how: 'cross' }).collect() };");
  EXPECT_NE(how.find("cross"), std::string::npos) << how;
  std::string col_arg = error("return { r: col(5) };");
  EXPECT_NE(col_arg.find("col(name) needs a string, got 5"), std::string::npos) << col_arg;
  std::string cast = error("return { r: sales.select(col('name').cast('int64')).collect() };");
  EXPECT_NE(cast.find("select(col(\"name\").cast(\"int64\"))"), std::string::npos) << cast;
  std::string this_check = error("return { r: sales.select.call({}, 'id') };");
  EXPECT_NE(this_check.find("DataFrame.select() was called on something that is not a DataFrame"), std::string::npos) << this_check;
  // The run goes on after a caught error.
  json r = run("try { sales.select('nope').collect(); } catch (e) { return { caught: e.message.includes('nope'), name: e.name }; }");
  EXPECT_EQ(r, json({{"caught", true}, {"name", "Error"}}));
}

TEST_F(FrameApi, ExpressionsShowAsTheScriptWroteThem) {
  json r = run(R"JS(
    return { text: `${col("a").mul(0.4).add(col("b").cast("float64")).alias("s")}`, lit: String(lit("x")),
             json: JSON.stringify({ e: col("a").sum() }), globals: typeof col === "function" && typeof ctx.lit === "function" };
  )JS");
  EXPECT_EQ(r["text"], "col(\"a\").mul(0.4).add(col(\"b\").cast(\"float64\")).alias(\"s\")");
  EXPECT_EQ(r["lit"], "lit(\"x\")");
  EXPECT_EQ(r["json"], "{\"e\":\"col(\\\"a\\\").sum()\"}");
  EXPECT_EQ(r["globals"], true);
}

}  // namespace
}  // namespace as::testing
