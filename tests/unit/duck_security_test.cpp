// The sandbox rules of the project DuckDB (spec: "Security Model"): no file or network access
// from SQL and no way to turn it back on, and project A never sees project B's tables.
#include <gtest/gtest.h>

#include "duck/project_database.h"
#include "duck_test_support.h"
#include "run_helpers.h"

using namespace as;
using namespace as::sandbox;
using as::testing::DuckWorld;
using as::testing::failure_message;
using as::testing::run_duck;
using as::testing::run_duck_ok;

namespace {

class DuckForbidden : public ::testing::Test {
 protected:
  // `sql` must fail with DuckDB's own error (containing `error`) plus the sandbox hint.
  void expect_refused(const std::string& sql, const std::string& error) {
    auto outcome = run_duck("await ctx.duckdb.exec(" + quote(sql) + ");", world_.databases);
    ASSERT_EQ(outcome.status, RunStatus::Failed) << sql << " was allowed";
    EXPECT_NE(failure_message(outcome).find(error), std::string::npos) << sql << " -> " << failure_message(outcome);
    bool hinted = failure_message(outcome).find("sandbox") != std::string::npos ||
                  failure_message(outcome).find("fixed by the operator") != std::string::npos;
    EXPECT_TRUE(hinted) << sql << " -> " << failure_message(outcome);
  }
  static std::string quote(const std::string& text) {
    std::string quoted = "\"";
    for (char c : text) quoted += c == '"' ? std::string("\\\"") : std::string(1, c);
    return quoted + "\"";
  }
  std::filesystem::path outside(const char* name) const { return world_.dir.path() / name; }
  DuckWorld world_;
};

}  // namespace

TEST_F(DuckForbidden, ReadingHostFilesIsRefused) {
  expect_refused("SELECT * FROM read_csv('/etc/passwd')", "Permission Error");
  expect_refused("SELECT * FROM read_text('/etc/hostname')", "Permission Error");
  expect_refused("SELECT * FROM read_json_auto('/etc/passwd')", "Permission Error");
  expect_refused("SELECT * FROM '/etc/data.csv'", "Permission Error");
  expect_refused("SELECT * FROM glob('/etc/*')", "Permission Error");
}

TEST_F(DuckForbidden, NetworkAccessIsRefused) {
  expect_refused("SELECT * FROM read_csv('https://example.com/data.csv')", "Permission Error");
}

TEST_F(DuckForbidden, CopyToAFileIsRefusedAndWritesNothing) {
  auto target = outside("leak.csv");
  expect_refused("COPY (SELECT 42 AS secret) TO '" + target.string() + "'", "Permission Error");
  EXPECT_FALSE(std::filesystem::exists(target));
}

TEST_F(DuckForbidden, ExportDatabaseIsRefusedAndWritesNothing) {
  auto target = outside("export");
  expect_refused("EXPORT DATABASE '" + target.string() + "'", "Permission Error");
  EXPECT_FALSE(std::filesystem::exists(target));
}

TEST_F(DuckForbidden, AttachAndDetachAreRefused) {
  expect_refused("ATTACH '" + outside("other.duckdb").string() + "' AS other", "ATTACH is not allowed in the sandbox");
  EXPECT_FALSE(std::filesystem::exists(outside("other.duckdb")));
  expect_refused("ATTACH ':memory:' AS scratch", "ATTACH is not allowed in the sandbox");
  // Detaching the project database would take it away from every run of the project.
  expect_refused("DETACH analytics", "DETACH is not allowed in the sandbox");
}

TEST_F(DuckForbidden, SqlLevelPrepareIsRefusedWithAPointerToQueryParams) {
  expect_refused("PREPARE p AS SELECT 1", "pass parameters to ctx.duckdb.query(sql, params)");
}

TEST_F(DuckForbidden, FunctionsTheConfigurationLockDoesNotCoverAreRefused) {
  // enable_logging with a file storage the sandbox forbids would make DuckDB end the process
  // when the connection closes; this test's process staying alive is part of the check.
  expect_refused("CALL enable_logging(storage = 'file', storage_path = '" + outside("logs").string() + "')",
                 "enable_logging() is not allowed in the sandbox");
  expect_refused("SELECT * FROM ENABLE_LOGGING()", "enable_logging() is not allowed");
  expect_refused("CALL disable_logging()", "disable_logging() is not allowed");
  expect_refused("CALL truncate_duckdb_logs()", "truncate_duckdb_logs() is not allowed");
  // Dynamic SQL would carry any of them past the check.
  expect_refused("SELECT * FROM query('SELECT * FROM enable_' || 'logging()')", "query() is not allowed");
  expect_refused("SELECT * FROM \"query\" /* comment */ ('SELECT 1')", "query() is not allowed");
  expect_refused("SELECT * FROM query_table('t')", "query_table() is not allowed");
  expect_refused("PRAGMA json_execute_serialized_sql('{}')", "json_execute_serialized_sql() is not allowed");
  EXPECT_FALSE(std::filesystem::exists(outside("logs")));
  // (The setting's name itself would be refused, hence the concatenation.)
  EXPECT_EQ(run_duck_ok("return (await ctx.duckdb.query(\"SELECT value FROM duckdb_settings() WHERE name = 'enable_' || 'logging'\"))[0];",
                        world_.databases),
            R"({"value":"0"})");
}

TEST_F(DuckForbidden, QueryIsStillAFineColumnName) {
  EXPECT_EQ(run_duck_ok("await ctx.duckdb.exec(\"CREATE TABLE searches (query VARCHAR, my_query VARCHAR); INSERT INTO searches VALUES ('a', 'b')\");\n"
                        "return (await ctx.duckdb.query('SELECT query, my_query, (query) AS q FROM searches'))[0];",
                        world_.databases),
            R"({"query":"a","my_query":"b","q":"a"})");
}

TEST_F(DuckForbidden, InstallAndLoadOfExtensionsAreRefused) {
  expect_refused("INSTALL httpfs", "Permission Error");
  expect_refused("LOAD httpfs", "Permission Error");
  expect_refused("LOAD '/tmp/evil.duckdb_extension'", "Permission Error");
}

TEST_F(DuckForbidden, SettingsCannotBeChanged) {
  expect_refused("SET enable_external_access = true", "the configuration has been locked");
  expect_refused("SET GLOBAL enable_external_access = true", "the configuration has been locked");
  expect_refused("RESET enable_external_access", "the configuration has been locked");
  expect_refused("SET lock_configuration = false", "the configuration has been locked");
  expect_refused("SET memory_limit = '100GB'", "the configuration has been locked");
  expect_refused("SET allowed_directories = ['/']", "the configuration has been locked");
  expect_refused("SET autoinstall_known_extensions = true", "the configuration has been locked");
}

TEST(DuckSettingsApplied, MemoryLimitAndThreadsComeFromTheSettings) {
  auto settings = as::testing::test_settings();
  settings.memory_limit_bytes = 512ull << 20;
  settings.threads = 1;
  DuckWorld world(settings);
  EXPECT_EQ(run_duck_ok("return (await ctx.duckdb.query(\"SELECT current_setting('memory_limit') AS m, current_setting('threads') AS t, "
                        "current_setting('enable_external_access') AS ext, current_setting('lock_configuration') AS locked, "
                        "current_setting('autoload_known_extensions') AS autoload\"))[0];",
                        world.databases),
            R"({"m":"512.0 MiB","t":1,"ext":false,"locked":true,"autoload":false})");
}

TEST(DuckSettingsApplied, DefaultsFitThisMachine) {
  auto settings = duck::DuckSettings::for_this_machine();
  EXPECT_GE(settings.threads, 1u);
  EXPECT_LE(settings.threads, 8u);
  EXPECT_LE(settings.memory_limit_bytes, 8ull << 30);
  EXPECT_GT(settings.memory_limit_bytes, 0u);
  EXPECT_EQ(settings.max_query_result_bytes, 10u << 20);
}

TEST(DuckProjectIsolation, ProjectsNeverSeeEachOthersTables) {
  DuckWorld world;
  run_duck_ok("await ctx.duckdb.exec(\"CREATE TABLE secrets AS SELECT 'alpha only' AS s\"); return {};", world.databases, "alpha");
  EXPECT_EQ(run_duck_ok("return { tables: await ctx.duckdb.tables() };", world.databases, "beta"), R"({"tables":[]})");
  auto read = run_duck("await ctx.duckdb.query('SELECT * FROM secrets');", world.databases, "beta");
  ASSERT_EQ(read.status, RunStatus::Failed);
  EXPECT_NE(failure_message(read).find("Catalog Error"), std::string::npos) << failure_message(read);
  EXPECT_NE(failure_message(read).find("secrets"), std::string::npos) << failure_message(read);
  EXPECT_EQ(run_duck_ok("return { tables: await ctx.duckdb.tables() };", world.databases, "alpha"), R"({"tables":["secrets"]})");
}

TEST(DuckProjectIsolation, AnotherProjectsFileCannotBeAttachedOrRead) {
  DuckWorld world;
  run_duck_ok("await ctx.duckdb.exec(\"CREATE TABLE secrets AS SELECT 'alpha only' AS s\"); return {};", world.databases, "alpha");
  std::string alpha_file = duck::project_database_path(world.dir.path(), "alpha").string();
  const std::pair<std::string, const char*> attempts[] = {
      {"ATTACH '" + alpha_file + "' AS stolen (READ_ONLY)", "ATTACH is not allowed in the sandbox"},
      {"SELECT * FROM read_blob('" + alpha_file + "')", "Permission Error"},
  };
  for (const auto& [sql, error] : attempts) {
    auto outcome = run_duck("await ctx.duckdb.exec(\"" + sql + "\");", world.databases, "beta");
    ASSERT_EQ(outcome.status, RunStatus::Failed) << sql;
    EXPECT_NE(failure_message(outcome).find(error), std::string::npos) << failure_message(outcome);
  }
}

TEST(DuckProjectIsolation, EachProjectHasItsOwnFileUnderTheDataDirectory) {
  DuckWorld world;
  run_duck_ok("await ctx.duckdb.exec('CREATE TABLE t (v INT)'); return {};", world.databases, "sales-eu");
  EXPECT_TRUE(std::filesystem::exists(world.dir.path() / "projects" / "sales-eu" / "analytics.duckdb"));
  EXPECT_FALSE(std::filesystem::exists(world.dir.path() / "projects" / "test"));
}
