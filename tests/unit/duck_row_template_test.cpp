// Rows made from one object template (duck::ObjectTemplate over JS_NewObjectFromTemplate, our
// QuickJS patch: docs/quickjs-patch.md) must be indistinguishable from object literals: these
// tests compare them with literals inside scripts, check that changing one row never shows in
// another, that nothing leaks, and that the patch's generic path gives the same objects.
#include <gtest/gtest.h>

#include <cstdint>
#include <iterator>
#include <ostream>
#include <vector>
#include <string>

#include "duck/duck_session.h"
#include "duck/js_rows.h"
#include "duck/object_template.h"
#include "duck_test_support.h"
#include "js_engine.h"
#include "run_helpers.h"
#include "sandbox/js_value.h"

using namespace as;
using as::testing::DuckWorld;
using as::testing::run_duck_ok;

namespace {

// Checks, inside the script, everything a script can ask of `row` against the literal `lit`
// with the same keys and values. Returns a list of the checks that differ (empty: none).
constexpr const char* kCompareWithLiteral = R"(
function differences(row, lit) {
  const out = [];
  const same = (what, a, b) => { if (a !== b) out.push(`${what}: ${a} vs ${b}`); };
  same('keys', JSON.stringify(Object.keys(row)), JSON.stringify(Object.keys(lit)));
  same('names', JSON.stringify(Object.getOwnPropertyNames(row)), JSON.stringify(Object.getOwnPropertyNames(lit)));
  same('reflect', JSON.stringify(Reflect.ownKeys(row).map(String)), JSON.stringify(Reflect.ownKeys(lit).map(String)));
  same('json', JSON.stringify(row), JSON.stringify(lit));
  same('entries', JSON.stringify(Object.entries(row)), JSON.stringify(Object.entries(lit)));
  const forIn = o => { const k = []; for (const key in o) k.push(key); return k.join(); };
  same('for-in', forIn(row), forIn(lit));
  same('descriptors', JSON.stringify(Object.getOwnPropertyDescriptors(row)), JSON.stringify(Object.getOwnPropertyDescriptors(lit)));
  same('proto', Object.getPrototypeOf(row) === Object.prototype, true);
  same('extensible', Object.isExtensible(row), true);
  same('spread', JSON.stringify({ ...row }), JSON.stringify({ ...lit }));
  same('assign', JSON.stringify(Object.assign({}, row)), JSON.stringify(Object.assign({}, lit)));
  if (typeof structuredClone === 'function') same('structuredClone', JSON.stringify(structuredClone(row)), JSON.stringify(lit));
  same('toString', String(row), String(lit));
  return out;
}
)";

class DuckRowTemplate : public ::testing::Test {
 protected:
  std::string run(const std::string& body) { return run_duck_ok(std::string(kCompareWithLiteral) + body, world_.databases); }
  DuckWorld world_;
};

// QuickJS's own count of live objects, shapes, strings and atoms in a runtime.
struct HeapCounts {
  std::int64_t objects, shapes, strings, atoms;
  static HeapCounts of(JSRuntime* runtime) {
    JSMemoryUsage usage{};
    JS_ComputeMemoryUsage(runtime, &usage);
    return {usage.obj_count, usage.shape_count, usage.str_count, usage.atom_count};
  }
  bool operator==(const HeapCounts&) const = default;
};

std::ostream& operator<<(std::ostream& out, const HeapCounts& counts) {
  return out << "{objects " << counts.objects << ", shapes " << counts.shapes << ", strings " << counts.strings << ", atoms "
             << counts.atoms << "}";
}

// A bare runtime and context for calling our code and the patched QuickJS function directly.
using Engine = as::testing::BareEngine;

}  // namespace

TEST_F(DuckRowTemplate, RowsAreIndistinguishableFromObjectLiterals) {
  EXPECT_EQ(run(R"(
    const rows = await ctx.duckdb.query(`SELECT 7 AS id, 'x' AS name, NULL AS nothing, 2.5 AS "1", true AS "__proto__", [1, 2] AS list`);
    const lit = { id: 7, name: 'x', nothing: null, '1': 2.5, ['__proto__']: true, list: [1, 2] };
    return { diff: differences(rows[0], lit), keys: Object.keys(rows[0]), ownProto: Object.hasOwn(rows[0], '__proto__') };)"),
            R"({"diff":[],"keys":["1","id","name","nothing","__proto__","list"],"ownProto":true})");
}

TEST_F(DuckRowTemplate, ChangingOneRowNeverShowsInAnother) {
  EXPECT_EQ(run(R"(
    const rows = await ctx.duckdb.query('SELECT i AS a, i * 2 AS b, i::VARCHAR AS c FROM range(4) t(i) ORDER BY i');
    rows[0].added = 'new';                                   // a property added to one row
    delete rows[1].b;                                        // one deleted
    Object.defineProperty(rows[2], 'a', { enumerable: false, writable: false });  // one redefined
    Object.freeze(rows[2]);
    rows[3].a = 100; rows[3].c = 'changed';                  // values assigned
    const fresh = await ctx.duckdb.query('SELECT 9 AS a, 18 AS b, \'9\' AS c');  // same layout, made after the changes
    return {
      r0: JSON.stringify(rows[0]), r1: JSON.stringify(rows[1]), r2: JSON.stringify(rows[2]), r3: JSON.stringify(rows[3]),
      r2Frozen: Object.isFrozen(rows[2]), r3Frozen: Object.isFrozen(rows[3]),
      r2Write: (() => { try { 'use strict'; rows[2].b = 1; return 'written'; } catch (e) { return e.constructor.name; } })(),
      r0AfterDelete: Object.keys(rows[0]), r1Keys: Object.keys(rows[1]), r1ReAdded: (rows[1].b = 'back', Object.keys(rows[1])),
      fresh: differences(fresh[0], { a: 9, b: 18, c: '9' }),
    };)"),
            R"({"r0":"{\"a\":0,\"b\":0,\"c\":\"0\",\"added\":\"new\"}","r1":"{\"a\":1,\"c\":\"1\"}","r2":"{\"b\":4,\"c\":\"2\"}",)"
            R"("r3":"{\"a\":100,\"b\":6,\"c\":\"changed\"}","r2Frozen":true,"r3Frozen":false,"r2Write":"TypeError",)"
            R"("r0AfterDelete":["a","b","c","added"],"r1Keys":["a","c"],"r1ReAdded":["a","c","b"],"fresh":[]})");
}

// DuckDB allows repeated column names; query() names the repeats as DuckDB does when it makes a
// table (a_1, case-insensitively), and the rows carry every column.
TEST_F(DuckRowTemplate, RepeatedColumnNamesGetSuffixes) {
  EXPECT_EQ(run(R"(
    const rows = await ctx.duckdb.query('SELECT i AS a, i + 10 AS b, i + 20 AS a, i + 30 AS c, i + 40 AS B FROM range(3) t(i) ORDER BY i');
    return { rows, diff: differences(rows[2], { a: 2, b: 12, a_1: 22, c: 32, B_1: 42 }) };)"),
            R"({"rows":[{"a":0,"b":10,"a_1":20,"c":30,"B_1":40},{"a":1,"b":11,"a_1":21,"c":31,"B_1":41},)"
            R"({"a":2,"b":12,"a_1":22,"c":32,"B_1":42}],"diff":[]})");
}

TEST_F(DuckRowTemplate, MoreThan64Columns) {
  std::string select = "SELECT ";
  std::string literal = "{";
  for (int i = 0; i < 70; ++i) {
    select += (i ? ", " : "") + std::to_string(i) + " + t.i AS c" + std::to_string(i);
    literal += (i ? ", c" : "c") + std::to_string(i) + ": " + std::to_string(i) + " + 1";
  }
  select += " FROM range(2) t(i) ORDER BY t.i";
  literal += "}";
  EXPECT_EQ(run("const rows = await ctx.duckdb.query('" + select + "');\n"
                "const row = rows[1];\n"
                "const diff = differences(row, " + literal + ");\n"
                "delete row.c3; row.extra = 1;\n"
                "return { n: Object.keys(rows[0]).length, diff, last: rows[0].c69, keys: Object.keys(row).length, other: Object.keys(rows[0]).length };"),
            R"({"n":70,"diff":[],"last":69,"keys":70,"other":70})");
}

// Cycles through rows, rows dropped and kept, a collection while others are alive: the kept
// rows stay intact. (Leaks are checked below, where QuickJS can count what is alive.)
TEST_F(DuckRowTemplate, ManyRowsSurviveGarbageCollection) {
  EXPECT_EQ(run(R"(
    let rows = await ctx.duckdb.query('SELECT i AS id, \'n\' || i AS name, i % 7 = 0 AS flag FROM range(200000) t(i) ORDER BY i');
    for (let i = 0; i < rows.length; i += 2) rows[i].self = rows[i];      // cycles
    for (let i = 1; i < rows.length; i += 2) rows[i].prev = rows[i - 1];
    const kept = rows.filter((_, i) => i % 1000 === 1);
    rows = null;
    let junk = [];
    for (let i = 0; i < 300000; i++) junk.push({ i, s: 'junk' + i });       // enough to run the collector
    junk = null;
    const again = await ctx.duckdb.query('SELECT i AS id, \'n\' || i AS name, i % 7 = 0 AS flag FROM range(1000) t(i) ORDER BY i');
    return {
      kept: kept.length,
      ids: kept.reduce((s, r) => s + r.id + r.prev.id + 1, 0),  // 2 * (1 + 1001 + ... + 199001)
      names: kept.every(r => r.name === 'n' + r.id && r.prev.self === r.prev),
      again: differences(again[999], { id: 999, name: 'n999', flag: false }),
    };)"),
            R"({"kept":200,"ids":39800400,"names":true,"again":[]})");
}

// Through rows_to_js directly, in a runtime whose live objects QuickJS counts: building the rows
// and freeing them leaves exactly what was there before (the template, its shape, every value).
TEST(DuckRowTemplateHeap, BuildingAndFreeingRowsLeavesNothingBehind) {
  DuckWorld world;
  duck::DuckSession session([&] { return world.databases->open("heap"); });
  std::stop_source never;
  duck::FetchedRows rows = session.query(
      "SELECT i AS id, 'name ' || i AS name, DATE '2020-01-01' + (i % 30)::INTEGER AS day, {'x': i, 'y': [i::VARCHAR, 'z']} AS s, "
      "i AS id, INTERVAL 1 DAY AS iv FROM range(5000) t(i)",
      {}, never.get_token());
  Engine engine;
  JS_RunGC(engine.runtime());
  HeapCounts before = HeapCounts::of(engine.runtime());
  {
    sandbox::JsValue array(engine.ctx(), duck::rows_to_js(engine.ctx(), rows));
    ASSERT_FALSE(array.is_exception());
    sandbox::JsValue last(engine.ctx(), JS_GetPropertyUint32(engine.ctx(), array.get(), 4999));
    EXPECT_EQ(engine.json(last.get()),
              R"({"id":4999,"name":"name 4999","day":"2020-01-20","s":{"x":4999,"y":["4999","z"]},"id_1":4999,"iv":{"months":0,"days":1,"micros":0}})");
    EXPECT_GT(HeapCounts::of(engine.runtime()).objects, before.objects + 5000);
  }
  JS_RunGC(engine.runtime());
  EXPECT_EQ(HeapCounts::of(engine.runtime()), before);
}

// ObjectTemplate itself accepts repeated names (callers today pass unique ones): the object is
// what defining the values in order gives, the first position with the last value.
TEST(DuckRowTemplateHeap, ObjectTemplateWithRepeatedNamesKeepsFirstPositionAndLastValue) {
  Engine engine;
  JSContext* ctx = engine.ctx();
  JS_RunGC(engine.runtime());
  HeapCounts before = HeapCounts::of(engine.runtime());
  {
    std::vector<duck::JsAtom> names;
    for (const char* name : {"a", "b", "a", "c", "b"}) names.emplace_back(ctx, name);
    duck::ObjectTemplate objects(ctx, names);
    ASSERT_TRUE(objects.ok());
    EXPECT_EQ(objects.size(), 5u);
    for (int round = 0; round < 3; ++round) {
      JSValue values[] = {JS_NewString(ctx, "a1"), JS_NewString(ctx, "b1"), JS_NewString(ctx, "a2"), JS_NewString(ctx, "c1"),
                          JS_NewString(ctx, "b2")};
      sandbox::JsValue object(ctx, objects.make(values));
      ASSERT_TRUE(object.is_object());
      EXPECT_EQ(engine.json(object.get()), R"({"a":"a2","b":"b2","c":"c1"})");
    }
  }
  JS_RunGC(engine.runtime());
  EXPECT_EQ(HeapCounts::of(engine.runtime()), before);  // the overwritten values were freed
}

TEST(DuckRowTemplateHeap, ObjectTemplateWithoutNamesMakesEmptyObjects) {
  Engine engine;
  {
    duck::ObjectTemplate empty(engine.ctx(), {});
    ASSERT_TRUE(empty.ok());
    EXPECT_EQ(empty.size(), 0u);
    sandbox::JsValue object(engine.ctx(), empty.make(nullptr));
    ASSERT_TRUE(object.is_object());
    EXPECT_EQ(engine.json(object.get()), "{}");
    JS_SetPropertyStr(engine.ctx(), object.get(), "later", JS_NewInt32(engine.ctx(), 1));
    EXPECT_EQ(engine.json(object.get()), R"({"later":1})");
  }
}

// The patched function's generic path (a template whose layout cannot be shared) makes the same
// objects as the fast path, and a wrong value count fails cleanly, freeing the values.
TEST(DuckRowTemplateHeap, TemplatesThatCannotBeSharedGiveTheSameObjects) {
  Engine engine;
  JSContext* ctx = engine.ctx();
  const char* templates[] = {
      "({a: 0, b: 0, c: 0})",                                                 // shared layout: fast path
      "(() => { const t = {a: 0, x: 0, b: 0, c: 0}; delete t.x; return t; })()",  // deleted property: own layout
      "Object.freeze({a: 0, b: 0, c: 0})",                                     // non-writable properties
      "({a: 0, get b() { return 1; }, c: 0})",                                 // an accessor
      "Object.defineProperty({a: 0, c: 0}, 'b', {value: 0, enumerable: false})",  // b last, not enumerable
  };
  const char* expected[] = {R"({"a":"A","b":"B","c":"C"})", R"({"a":"A","b":"B","c":"C"})", R"({"a":"A","b":"B","c":"C"})",
                            R"({"a":"A","b":"B","c":"C"})", R"({"a":"A","c":"B","b":"C"})"};
  auto exercise = [&] {
    for (std::size_t i = 0; i < std::size(templates); ++i) {
      sandbox::JsValue object_template = engine.eval(templates[i]);
      ASSERT_TRUE(object_template.is_object()) << templates[i];
      JSValue values[] = {JS_NewString(ctx, "A"), JS_NewString(ctx, "B"), JS_NewString(ctx, "C")};
      sandbox::JsValue object(ctx, JS_NewObjectFromTemplate(ctx, object_template.get(), values, 3));
      ASSERT_TRUE(object.is_object()) << templates[i];
      EXPECT_EQ(engine.json(object.get()), expected[i]) << templates[i];
      JS_SetPropertyStr(ctx, object.get(), "b", JS_NewInt32(ctx, 2));  // writable, whatever the template said
      JSPropertyDescriptor desc;
      JSAtom b = JS_NewAtom(ctx, "b");
      ASSERT_EQ(JS_GetOwnProperty(ctx, &desc, object.get(), b), 1) << templates[i];
      EXPECT_EQ(desc.flags & JS_PROP_C_W_E, JS_PROP_C_W_E) << templates[i];
      EXPECT_EQ(JS_VALUE_GET_INT(desc.value), 2) << templates[i];
      JS_FreeValue(ctx, desc.value);
      JS_FreeValue(ctx, desc.getter);
      JS_FreeValue(ctx, desc.setter);
      JS_FreeAtom(ctx, b);
    }
    sandbox::JsValue two = engine.eval("({a: 0, b: 0})");
    JSValue values[] = {JS_NewString(ctx, "A"), JS_NewString(ctx, "B"), JS_NewString(ctx, "C")};
    EXPECT_TRUE(JS_IsException(JS_NewObjectFromTemplate(ctx, two.get(), values, 3)));
    sandbox::JsValue error(ctx, JS_GetException(ctx));
    EXPECT_EQ(sandbox::JsCString(ctx, error.get()).str(), "TypeError: object template has 2 properties, 3 values given");
    JSValue more[] = {JS_NewString(ctx, "A")};
    sandbox::JsValue array = engine.eval("[0]");
    EXPECT_TRUE(JS_IsException(JS_NewObjectFromTemplate(ctx, array.get(), more, 1)));
    sandbox::JsValue not_plain(ctx, JS_GetException(ctx));
    EXPECT_EQ(sandbox::JsCString(ctx, not_plain.get()).str(), "TypeError: object template is not a plain object");
  };
  // The first round lets QuickJS make what it makes on first use (Object.freeze, error
  // machinery, ...); the second must leave exactly what the first left.
  exercise();
  JS_RunGC(engine.runtime());
  HeapCounts before = HeapCounts::of(engine.runtime());
  exercise();
  JS_RunGC(engine.runtime());
  EXPECT_EQ(HeapCounts::of(engine.runtime()).objects, before.objects);
  EXPECT_EQ(HeapCounts::of(engine.runtime()).strings, before.strings);
}
