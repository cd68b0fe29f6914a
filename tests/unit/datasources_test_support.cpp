#include "datasources_test_support.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "datasources/datasource_extension.h"
#include "run_helpers.h"

namespace as::testing {
namespace {

std::string env(const char* name, const char* fallback = "") {
  const char* value = std::getenv(name);
  return value && *value ? value : fallback;
}

}  // namespace

bool postgres_available() { return !env("AS_TEST_PG_PORT").empty(); }
bool mysql_available() { return !env("AS_TEST_MYSQL_PORT").empty(); }
bool clickhouse_available() { return !env("AS_TEST_CH_PORT").empty(); }
bool services_required() { return env("AS_TEST_SERVICES_REQUIRED") == "1"; }

namespace {

// A datasource on one of the test servers: the settings every server shares, then its own.
config::DatasourceConfig server_datasource(const std::string& name, config::DatasourceType type, bool allow_writes,
                                           const char* password_variable) {
  config::DatasourceConfig ds;
  ds.name = name;
  ds.type = type;
  ds.allow_writes = allow_writes;
  ds.settings["connect_timeout_ms"] = std::int64_t{5000};
  ds.settings["pool_size"] = std::int64_t{4};
  ds.settings["statement_timeout_ms"] = std::int64_t{30'000};
  ds.secrets["password"] = config::SecretRef{password_variable};
  return ds;
}

}  // namespace

config::DatasourceConfig postgres_datasource(const std::string& name, bool allow_writes) {
  config::DatasourceConfig ds = server_datasource(name, config::DatasourceType::Postgres, allow_writes, "AS_TEST_PG_PASSWORD");
  ds.settings["host"] = env("AS_TEST_PG_HOST", "127.0.0.1");
  ds.settings["port"] = static_cast<std::int64_t>(std::stoll(env("AS_TEST_PG_PORT", "54329")));
  ds.settings["database"] = env("AS_TEST_PG_DATABASE", "as_test");
  ds.settings["user"] = env("AS_TEST_PG_USER", "as_test");
  ds.settings["sslmode"] = std::string("disable");
  return ds;
}

config::DatasourceConfig mysql_datasource(const std::string& name, bool allow_writes) {
  config::DatasourceConfig ds = server_datasource(name, config::DatasourceType::Mysql, allow_writes, "AS_TEST_MYSQL_PASSWORD");
  ds.settings["host"] = env("AS_TEST_MYSQL_HOST", "127.0.0.1");
  ds.settings["port"] = static_cast<std::int64_t>(std::stoll(env("AS_TEST_MYSQL_PORT", "33069")));
  ds.settings["database"] = env("AS_TEST_MYSQL_DATABASE", "as_test");
  ds.settings["user"] = env("AS_TEST_MYSQL_USER", "as_test");
  ds.settings["ssl_mode"] = std::string("disabled");
  return ds;
}

config::DatasourceConfig clickhouse_datasource(const std::string& name, bool allow_writes) {
  config::DatasourceConfig ds = server_datasource(name, config::DatasourceType::Clickhouse, allow_writes, "AS_TEST_CH_PASSWORD");
  ds.settings["url"] = "http://" + env("AS_TEST_CH_HOST", "127.0.0.1") + ":" + env("AS_TEST_CH_PORT", "18123");
  ds.settings["database"] = env("AS_TEST_CH_DATABASE", "as_test");
  ds.settings["user"] = env("AS_TEST_CH_USER", "as_test");
  return ds;
}

config::DatasourceConfig sqlite_datasource(const std::string& name, const std::filesystem::path& path, bool allow_writes) {
  config::DatasourceConfig ds;
  ds.name = name;
  ds.type = config::DatasourceType::Sqlite;
  ds.allow_writes = allow_writes;
  ds.settings["path"] = path.string();
  ds.settings["busy_timeout_ms"] = std::int64_t{5000};
  ds.settings["pool_size"] = std::int64_t{2};
  ds.settings["statement_timeout_ms"] = std::int64_t{30'000};
  return ds;
}

config::Config config_with(std::vector<config::DatasourceConfig> datasources) {
  config::Config config;
  config::ProjectConfig project;
  project.name = "test";
  for (auto& ds : datasources) project.datasources[ds.name] = std::move(ds);
  config.projects["test"] = std::move(project);
  return config;
}

sandbox::RunOutcome run_with_datasources(const std::string& body, const std::shared_ptr<datasources::DatasourceRegistry>& registry,
                                         const std::vector<std::string>& declared, sandbox::RunRequest request) {
  request.extensions.push_back(std::make_shared<datasources::DatasourceExtension>(registry, "test", declared));
  return run_body(body, std::move(request));
}

std::string run_ok(const std::string& body, const std::shared_ptr<datasources::DatasourceRegistry>& registry,
                   const std::vector<std::string>& declared) {
  auto outcome = run_with_datasources(body, registry, declared);
  EXPECT_EQ(outcome.status, sandbox::RunStatus::Completed) << failure_message(outcome) << "\nscript:\n" << body;
  return outcome.result_json;
}

std::size_t resident_bytes() {
  std::ifstream status("/proc/self/status");
  std::string key;
  while (status >> key) {
    if (key == "VmRSS:") {
      std::size_t kb = 0;
      status >> kb;
      return kb * 1024;
    }
    status.ignore(1 << 12, '\n');
  }
  return 0;
}

}  // namespace as::testing
