// The value mapping of docs/duckdb.md, one test per row: each DuckDB type read through
// ctx.duckdb.query arrives in JS as the table says (checked inside the script, where JS types
// are still visible, then compared as JSON).
#include <gtest/gtest.h>

#include "duck_test_support.h"
#include "run_helpers.h"

using namespace as;
using as::testing::DuckWorld;
using as::testing::run_duck_ok;

namespace {

class DuckTypes : public ::testing::Test {
 protected:
  // Runs `sql`, then `check` (JS with `row` = the first row) and returns its JSON.
  std::string check(const std::string& sql, const std::string& check) {
    return run_duck_ok("const rows = await ctx.duckdb.query(`" + sql + "`);\nconst row = rows[0];\nreturn " + check + ";",
                       world_.databases);
  }
  DuckWorld world_;
};

}  // namespace

TEST_F(DuckTypes, BooleanIsBoolean) {
  EXPECT_EQ(check("SELECT true AS t, false AS f", "{ t: row.t, f: row.f, type: typeof row.f }"), R"({"t":true,"f":false,"type":"boolean"})");
}

TEST_F(DuckTypes, SmallIntegersAreNumbers) {
  EXPECT_EQ(check("SELECT -5::TINYINT a, 300::SMALLINT b, -70000::INTEGER c, 200::UTINYINT d, 60000::USMALLINT e, 4000000000::UINTEGER f",
                  "{ types: Object.values(row).map(v => typeof v), values: Object.values(row) }"),
            R"({"types":["number","number","number","number","number","number"],"values":[-5,300,-70000,200,60000,4000000000]})");
}

TEST_F(DuckTypes, BigintWithin2To53IsNumberBeyondIsBigInt) {
  EXPECT_EQ(check("SELECT 9007199254740992::BIGINT AS edge, -9007199254740992::BIGINT AS neg_edge, "
                  "9007199254740993::BIGINT AS over, (-9223372036854775807 - 1)::BIGINT AS min, 18446744073709551615::UBIGINT AS umax",
                  "{ edge: typeof row.edge, neg: typeof row.neg_edge, over: typeof row.over, overOk: row.over === 9007199254740993n, "
                  "min: row.min === -9223372036854775808n, umax: row.umax === 18446744073709551615n }"),
            R"({"edge":"number","neg":"number","over":"bigint","overOk":true,"min":true,"umax":true})");
}

TEST_F(DuckTypes, HugeintFollowsTheSameRule) {
  EXPECT_EQ(check("SELECT 12::HUGEINT AS small, 170141183460469231731687303715884105727::HUGEINT AS max, "
                  "(-170141183460469231731687303715884105727::HUGEINT - 1) AS min, 340282366920938463463374607431768211455::UHUGEINT AS umax",
                  "{ small: row.small === 12, max: row.max === 170141183460469231731687303715884105727n, "
                  "min: row.min === -170141183460469231731687303715884105728n, umax: row.umax === 340282366920938463463374607431768211455n }"),
            R"({"small":true,"max":true,"min":true,"umax":true})");
}

TEST_F(DuckTypes, DecimalIsNumberWhenExactElseString) {
  EXPECT_EQ(check("SELECT 123.45::DECIMAL(5,2) AS d5, 0.1::DECIMAL(18,1) AS tenth, 999999999999999::DECIMAL(18,0) AS fifteen_digits, "
                  "123456789012345678.12::DECIMAL(38,2) AS wide, 123456789012345678.10::DECIMAL(38,2) AS wide_zero, "
                  "-0.005::DECIMAL(10,3) AS neg, 1.5::DECIMAL(38,30) AS deep_scale",
                  "row"),
            R"({"d5":123.45,"tenth":0.1,"fifteen_digits":999999999999999,"wide":"123456789012345678.12",)"
            R"("wide_zero":"123456789012345678.10","neg":-0.005,"deep_scale":1.5})");
}

TEST_F(DuckTypes, FloatingPointIsNumberAndFloatReadsAsItsShortestText) {
  EXPECT_EQ(check("SELECT 0.1::FLOAT AS f, 0.1::DOUBLE AS d, 'nan'::DOUBLE AS nan, 'inf'::DOUBLE AS inf, '-inf'::FLOAT AS ninf",
                  "{ f: row.f, d: row.d, nan: Number.isNaN(row.nan), inf: row.inf === Infinity, ninf: row.ninf === -Infinity }"),
            R"({"f":0.1,"d":0.1,"nan":true,"inf":true,"ninf":true})");
}

TEST_F(DuckTypes, VarcharIsStringWithUnicodeIntact) {
  EXPECT_EQ(check("SELECT 'héllo wörld ✓ 😀' AS s, '' AS empty, 'twelve chars' AS inline12, 'thirteen char' AS heap13",
                  "{ s: row.s, len: row.s.length, empty: row.empty, a: row.inline12, b: row.heap13 }"),
            R"({"s":"héllo wörld ✓ 😀","len":16,"empty":"","a":"twelve chars","b":"thirteen char"})");
}

TEST_F(DuckTypes, BlobIsUint8Array) {
  EXPECT_EQ(check("SELECT '\\\\xAA\\\\x00\\\\xFF'::BLOB AS b", "{ isBytes: row.b instanceof Uint8Array, bytes: Array.from(row.b) }"),
            R"({"isBytes":true,"bytes":[170,0,255]})");
}

TEST_F(DuckTypes, DateIsYearMonthDayString) {
  EXPECT_EQ(check("SELECT DATE '2024-02-29' AS leap, DATE '1969-12-31' AS before_epoch, 'infinity'::DATE AS inf", "row"),
            R"({"leap":"2024-02-29","before_epoch":"1969-12-31","inf":"infinity"})");
}

// Rows with the same day share one JS string (slots indexed by the day number): days that fall
// into the same slot (4,096 apart), repeats, NULLs and infinities must each still read as their
// own date, in every chunk.
TEST_F(DuckTypes, ManyDatesEachReadAsTheirOwnDay) {
  EXPECT_EQ(check("SELECT CASE WHEN i % 11 = 0 THEN NULL WHEN i % 13 = 0 THEN 'infinity'::DATE "
                  "ELSE DATE '1990-01-01' + ((i % 3) * 4096 + i % 5)::INTEGER END AS d, "
                  "CASE WHEN i % 11 = 0 THEN NULL WHEN i % 13 = 0 THEN 'infinity' "
                  "ELSE strftime(DATE '1990-01-01' + ((i % 3) * 4096 + i % 5)::INTEGER, '%Y-%m-%d') END AS expected "
                  "FROM range(10000) t(i) ORDER BY i",
                  "{ n: rows.length, nulls: rows.filter(r => r.d === null).length, "
                  "mismatches: rows.filter(r => r.d !== r.expected).slice(0, 3), sample: rows.slice(1, 4).map(r => r.d) }"),
            R"({"n":10000,"nulls":910,"mismatches":[],"sample":["2001-03-21","2012-06-08","1990-01-04"]})");
}

// Each chunk's column is converted in one pass, with a separate path for columns without
// NULLs: values and NULLs of every kind must land in their own row across chunks.
TEST_F(DuckTypes, NullsAndValuesKeepTheirRowsAcrossChunks) {
  EXPECT_EQ(check("SELECT i, CASE WHEN i % 3 = 0 THEN NULL ELSE i * 2 END AS n, "
                  "CASE WHEN i % 4 = 1 THEN NULL ELSE 'text ' || i END AS s, "
                  "CASE WHEN i % 5 = 2 THEN NULL ELSE i % 2 = 0 END AS b, "
                  "CASE WHEN i >= 2048 AND i < 4096 THEN NULL ELSE TIMESTAMP '2024-01-01' + to_seconds(i) END AS ts, "
                  "CASE WHEN i % 7 = 3 THEN NULL ELSE [i, i + 1] END AS l "
                  "FROM range(6000) t(i) ORDER BY i",
                  "{ n: rows.length, bad: rows.filter((r, k) => r.i !== k || "
                  "r.n !== (k % 3 === 0 ? null : 2 * k) || "
                  "r.s !== (k % 4 === 1 ? null : 'text ' + k) || "
                  "r.b !== (k % 5 === 2 ? null : k % 2 === 0) || "
                  "(k >= 2048 && k < 4096 ? r.ts !== null : r.ts !== new Date(Date.UTC(2024, 0, 1) + k * 1000).toISOString().slice(0, 19)) || "
                  "(k % 7 === 3 ? r.l !== null : JSON.stringify(r.l) !== JSON.stringify([k, k + 1]))).length }"),
            R"({"n":6000,"bad":0})");
}

TEST_F(DuckTypes, TimeIsClockString) {
  EXPECT_EQ(check("SELECT TIME '12:34:56' AS t, TIME '12:34:56.789' AS ms, TIME '00:00:00.000001' AS us, TIMETZ '12:00:00+05:30' AS tz",
                  "row"),
            R"({"t":"12:34:56","ms":"12:34:56.789","us":"00:00:00.000001","tz":"12:00:00+05:30"})");
}

TEST_F(DuckTypes, TimestampIsIsoStringAndTimestampTzIsUtcWithZ) {
  EXPECT_EQ(check("SELECT TIMESTAMP '2024-01-02 03:04:05.123456' AS ts, TIMESTAMPTZ '2024-01-02 03:04:05+02' AS tstz, "
                  "'2024-01-01 00:00:01'::TIMESTAMP_S AS s, '2024-01-01 00:00:00.5'::TIMESTAMP_MS AS ms, "
                  "'2024-01-01 00:00:00.123456789'::TIMESTAMP_NS AS ns",
                  "{ ...row, parses: new Date(row.tstz).getTime() === Date.UTC(2024, 0, 2, 1, 4, 5) }"),
            R"({"ts":"2024-01-02T03:04:05.123456","tstz":"2024-01-02T01:04:05Z","s":"2024-01-01T00:00:01","ms":"2024-01-01T00:00:00.500","ns":"2024-01-01T00:00:00.123456789","parses":true})");
}

TEST_F(DuckTypes, IntervalIsMonthsDaysMicros) {
  EXPECT_EQ(check("SELECT INTERVAL '1 year 2 months 3 days 4 seconds' AS i, -INTERVAL '1 day' AS neg", "row"),
            R"({"i":{"months":14,"days":3,"micros":4000000},"neg":{"months":0,"days":-1,"micros":0}})");
}

TEST_F(DuckTypes, UuidIsCanonicalString) {
  EXPECT_EQ(check("SELECT 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'::UUID AS u, '00000000-0000-0000-0000-000000000000'::UUID AS zero", "row"),
            R"({"u":"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11","zero":"00000000-0000-0000-0000-000000000000"})");
}

TEST_F(DuckTypes, JsonIsParsed) {
  EXPECT_EQ(check(R"(SELECT '{"a":[1,2,{"b":null}],"s":"x"}'::JSON AS j, '42'::JSON AS n, 'null'::JSON AS jn, NULL::JSON AS sql_null)",
                  "{ j: row.j, n: row.n, jnIsNull: row.jn === null, sqlNull: row.sql_null === null, isObject: typeof row.j }"),
            R"({"j":{"a":[1,2,{"b":null}],"s":"x"},"n":42,"jnIsNull":true,"sqlNull":true,"isObject":"object"})");
}

TEST_F(DuckTypes, ListAndArrayAreArrays) {
  EXPECT_EQ(check("SELECT [1, NULL, 3] AS l, []::INT[] AS empty, [[1], [2, 3]] AS nested, [1.5, 2.5]::DOUBLE[2] AS arr, "
                  "[['a','b'],['c','d']]::VARCHAR[2][2] AS arr2",
                  "{ ...row, isArray: Array.isArray(row.arr) }"),
            R"({"l":[1,null,3],"empty":[],"nested":[[1],[2,3]],"arr":[1.5,2.5],"arr2":[["a","b"],["c","d"]],"isArray":true})");
}

TEST_F(DuckTypes, ListsAcrossManyRowsKeepTheirOwnElements) {
  EXPECT_EQ(check("SELECT coalesce(list_sum(l), 0) = sum_l AS ok FROM (SELECT range(i % 7) AS l, (i % 7) * (i % 7 - 1) // 2 AS sum_l "
                  "FROM range(5000) t(i))",
                  "{ v: rows.length === 5000 && rows.every(r => r.ok === true) }"),
            R"({"v":true})");
  EXPECT_EQ(check("SELECT i, range(i % 5) AS l FROM range(3000) t(i) ORDER BY i",
                  "{ v: rows.every(r => r.l.length === r.i % 5 && r.l.every((v, k) => v === k)) }"),
            R"({"v":true})");
}

TEST_F(DuckTypes, StructIsObjectAndMapIsObjectKeyedByTheKeyText) {
  EXPECT_EQ(check("SELECT {'x': 1, 'y': {'z': 'deep'}} AS s, MAP {'k': 1, 'k2': 2} AS m, MAP {1: 'one', 2: 'two'} AS mi, "
                  "{'__proto__': 1} AS proto",
                  "{ s: row.s, m: row.m, mi: row.mi, protoIsOwn: Object.keys(row.proto), protoKept: Object.getPrototypeOf(row.proto) === Object.prototype }"),
            R"({"s":{"x":1,"y":{"z":"deep"}},"m":{"k":1,"k2":2},"mi":{"1":"one","2":"two"},"protoIsOwn":["__proto__"],"protoKept":true})");
}

TEST_F(DuckTypes, UnionIsTheValueOfItsActiveMember) {
  EXPECT_EQ(check("SELECT u FROM (VALUES (union_value(num := 2)::UNION(num INT, str VARCHAR)), "
                  "(union_value(str := 'two')::UNION(num INT, str VARCHAR))) t(u)",
                  "{ v: rows.map(r => r.u) }"),
            R"({"v":[2,"two"]})");
}

TEST_F(DuckTypes, EnumIsItsLabel) {
  EXPECT_EQ(check("SELECT e FROM (VALUES ('b'), ('a'), ('b')) t(v), LATERAL (SELECT v::ENUM('a', 'b') AS e)",
                  "{ v: rows.map(r => r.e) }"),
            R"({"v":["b","a","b"]})");
}

TEST_F(DuckTypes, NullIsNullInEveryType) {
  EXPECT_EQ(check("SELECT NULL AS n, NULL::INT AS i, NULL::VARCHAR AS s, NULL::DATE AS d, NULL::INT[] AS l, "
                  "NULL::STRUCT(a INT) AS st, {'a': NULL} AS inner_null, [NULL::BLOB] AS blob_list",
                  "row"),
            R"({"n":null,"i":null,"s":null,"d":null,"l":null,"st":null,"inner_null":{"a":null},"blob_list":[null]})");
}

TEST_F(DuckTypes, BitAndBignumAsTheirText) {
  EXPECT_EQ(check("SELECT '10110'::BIT AS b, 123456789012345678901234567890::BIGNUM AS big, -5::BIGNUM AS small",
                  "{ b: row.b, big: row.big === 123456789012345678901234567890n, small: row.small }"),
            R"({"b":"10110","big":true,"small":-5})");
}

TEST_F(DuckTypes, RepeatedColumnNamesGetSuffixes) {
  EXPECT_EQ(check("SELECT 1 AS id, 2 AS id, 3 AS ID", "{ keys: Object.keys(row) }"), R"({"keys":["id","id_1","ID_2"]})");
}

TEST_F(DuckTypes, RowsKeepColumnOrderAndCountAcrossChunks) {
  EXPECT_EQ(check("SELECT i AS z, i * 2 AS a FROM range(5000) t(i) ORDER BY i",
                  "{ n: rows.length, keys: Object.keys(rows[4999]), last: rows[4999], sumOk: rows.every((r, k) => r.z === k && r.a === 2 * k) }"),
            R"({"n":5000,"keys":["z","a"],"last":{"z":4999,"a":9998},"sumOk":true})");
}
