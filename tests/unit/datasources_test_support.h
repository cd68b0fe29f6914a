#pragma once
// Shared by the datasources_*_test files: datasource settings for the test servers that
// scripts/test-services starts (found through AS_TEST_PG_* variables), SQLite files in a
// throw-away directory, and runs whose ctx has ctx.datasource.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "datasources/datasource_registry.h"
#include "sandbox/sandbox.h"

namespace as::testing {

// Whether the PostgreSQL test server is configured (AS_TEST_PG_PORT set). When it is not, the
// test is skipped with a note, unless AS_TEST_SERVICES_REQUIRED=1 (set by `make test`), when it fails.
#define AS_REQUIRE_POSTGRES()                                                                     \
  do {                                                                                            \
    if (!::as::testing::postgres_available()) {                                                   \
      if (::as::testing::services_required()) FAIL() << "AS_TEST_PG_PORT is not set: run under scripts/test-services"; \
      GTEST_SKIP() << "no PostgreSQL test server: run `scripts/test-services run ctest ...` or `make test`"; \
    }                                                                                             \
  } while (0)

// The same for the MariaDB test server (AS_TEST_MYSQL_PORT).
#define AS_REQUIRE_MYSQL()                                                                        \
  do {                                                                                            \
    if (!::as::testing::mysql_available()) {                                                      \
      if (::as::testing::services_required()) FAIL() << "AS_TEST_MYSQL_PORT is not set: run under scripts/test-services"; \
      GTEST_SKIP() << "no MariaDB test server: run `scripts/test-services run ctest ...` or `make test`"; \
    }                                                                                             \
  } while (0)

// The same for the ClickHouse test server (AS_TEST_CH_PORT).
#define AS_REQUIRE_CLICKHOUSE()                                                                   \
  do {                                                                                            \
    if (!::as::testing::clickhouse_available()) {                                                 \
      if (::as::testing::services_required()) FAIL() << "AS_TEST_CH_PORT is not set: run under scripts/test-services"; \
      GTEST_SKIP() << "no ClickHouse test server: run `scripts/test-services run ctest ...` or `make test`"; \
    }                                                                                             \
  } while (0)

bool postgres_available();
bool mysql_available();
bool clickhouse_available();
bool services_required();

// The PostgreSQL test server as datasource `name` (password from $AS_TEST_PG_PASSWORD).
config::DatasourceConfig postgres_datasource(const std::string& name, bool allow_writes = false);
// The MariaDB test server as datasource `name` (password from $AS_TEST_MYSQL_PASSWORD).
config::DatasourceConfig mysql_datasource(const std::string& name, bool allow_writes = false);
// The ClickHouse test server as datasource `name` (password from $AS_TEST_CH_PASSWORD).
config::DatasourceConfig clickhouse_datasource(const std::string& name, bool allow_writes = false);
// A SQLite file datasource.
config::DatasourceConfig sqlite_datasource(const std::string& name, const std::filesystem::path& path, bool allow_writes = false);

// A config with project `test` holding `datasources`.
config::Config config_with(std::vector<config::DatasourceConfig> datasources);

// Runs `export default { title: 't', dependencies: { datasources: [...] }, async run(ctx, params) { <body> } }`
// with ctx.datasource for project `test` of `registry`, declaring `declared`.
sandbox::RunOutcome run_with_datasources(const std::string& body, const std::shared_ptr<datasources::DatasourceRegistry>& registry,
                                         const std::vector<std::string>& declared, sandbox::RunRequest request = {});
// The same, expecting completion; returns result_json.
std::string run_ok(const std::string& body, const std::shared_ptr<datasources::DatasourceRegistry>& registry,
                   const std::vector<std::string>& declared);

// Resident set size of this process now, and its peak (VmHWM), in bytes.
std::size_t resident_bytes();

}  // namespace as::testing
