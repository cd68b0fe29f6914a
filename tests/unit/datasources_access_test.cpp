// ctx.datasource holds only the datasources the analysis declares; every other name is an
// error that names it and says why (spec: "Datasource Whitelist").
#include <gtest/gtest.h>

#include "datasources/datasource_extension.h"
#include "datasources_test_support.h"
#include "duck_test_support.h"
#include "run_helpers.h"

using namespace as;
using namespace as::testing;
using sandbox::RunStatus;

namespace {

struct AccessWorld {
  TempDir dir;
  std::shared_ptr<datasources::DatasourceRegistry> registry;
  AccessWorld() {
    config::DatasourceConfig bucket;
    bucket.name = "bucket";
    bucket.type = config::DatasourceType::S3;
    registry = std::make_shared<datasources::DatasourceRegistry>(config_with(
        {sqlite_datasource("main", dir.path() / "a.sqlite", true), sqlite_datasource("other", dir.path() / "b.sqlite", true), bucket}));
  }
};

std::string failure_of(const std::string& body, AccessWorld& world, const std::vector<std::string>& declared) {
  auto outcome = run_with_datasources(body, world.registry, declared);
  EXPECT_EQ(outcome.status, RunStatus::Failed) << outcome.result_json;
  return failure_message(outcome);
}

}  // namespace

TEST(DatasourceAccess, OnlyDeclaredDatasourcesAreVisible) {
  AccessWorld world;
  std::string result = run_ok(R"(
    return { keys: Object.keys(ctx.datasource), has: 'other' in ctx.datasource, json: JSON.stringify(ctx.datasource),
             methods: Object.getOwnPropertyNames(ctx.datasource.main), awaited: typeof (await ctx.datasource) };)",
                              world.registry, {"main"});
  EXPECT_EQ(result, R"({"keys":["main"],"has":false,"json":"{\"main\":{}}","methods":["query","stream","execute","insert"],"awaited":"object"})");
}

TEST(DatasourceAccess, AConfiguredButUndeclaredDatasourceIsAnErrorNamingIt) {
  AccessWorld world;
  EXPECT_EQ(failure_of("await ctx.datasource.other.query('SELECT 1');", world, {"main"}),
            "ReferenceError: ctx.datasource.other: datasource 'other' is not declared by this analysis: add it to "
            "dependencies.datasources to use it (declared: main)");
}

TEST(DatasourceAccess, AnUnknownNameSaysWhatExists) {
  AccessWorld world;
  EXPECT_EQ(failure_of("ctx.datasource.mian;", world, {"main"}),
            "ReferenceError: ctx.datasource.mian: there is no datasource 'mian': it is not declared in dependencies.datasources "
            "(declared: main) and project 'test' has none of that name (its datasources: bucket, main, other)");
}

TEST(DatasourceAccess, ADeclaredButUnconfiguredDatasourceSaysSo) {
  AccessWorld world;
  EXPECT_EQ(failure_of("ctx.datasource.warehouse;", world, {"main", "warehouse"}),
            "ReferenceError: ctx.datasource.warehouse: the analysis declares datasource 'warehouse', but project 'test' has no "
            "datasource of that name (its datasources: bucket, main, other)");
}

TEST(DatasourceAccess, ADatasourceOfATypeNotBuiltYetSaysSo) {
  AccessWorld world;
  EXPECT_EQ(failure_of("ctx.datasource.bucket;", world, {"bucket"}),
            "ReferenceError: ctx.datasource.bucket: datasource 'bucket' is of type s3, which this build of the sandbox cannot reach yet");
}

TEST(DatasourceAccess, ArgumentsAreChecked) {
  AccessWorld world;
  EXPECT_EQ(failure_of("await ctx.datasource.main.query(42);", world, {"main"}),
            "TypeError: ctx.datasource.main.query(sql, params?) needs a non-empty string, got 42");
  EXPECT_EQ(failure_of("await ctx.datasource.main.query('SELECT ?', { a: 1 });", world, {"main"}),
            "TypeError: ctx.datasource.main.query(sql, params?): params must be an array of values for the statement's parameters, got an object");
  EXPECT_EQ(failure_of("await ctx.datasource.main.query('SELECT ?', [[1]]);", world, {"main"}),
            "TypeError: ctx.datasource.main.query(sql, params?): parameter 1 is an array: only null, booleans, numbers, strings, "
            "BigInts, Dates and Uint8Arrays can be bound; for nested data pass JSON text (JSON.stringify) and convert it in SQL");
  EXPECT_EQ(failure_of("ctx.datasource.main.stream('SELECT 1', [], 0);", world, {"main"}),
            "TypeError: ctx.datasource.main.stream(sql, params?, batchSize?): batchSize must be a whole number from 1 to 1000000, got 0");
  EXPECT_EQ(failure_of("await ctx.datasource.main.insert('t', [1]);", world, {"main"}),
            "TypeError: ctx.datasource.main.insert(table, rows): rows[0] is not an object; each row is an object with one property per column");
}

TEST(DatasourceAccess, DeclaredNamesComeFromTheMetadata) {
  EXPECT_EQ(datasources::declared_datasources(R"({"dependencies": {"datasources": ["a", "b"]}})"), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(datasources::declared_datasources("{}").empty());
  EXPECT_THROW(datasources::declared_datasources(R"({"dependencies": {"datasources": "a"}})"), std::invalid_argument);
}
