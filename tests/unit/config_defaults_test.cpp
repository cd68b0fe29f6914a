// With no config file: the embedded defaults, the bundled demo database and the local author
// token; and the order in which a config file is looked for.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <fstream>
#include <memory>

#include "config/config_file.h"
#include "config/demo_database.h"
#include "config/local_token.h"
#include "config/redacted_json.h"
#include "config/tokens.h"
#include "config_test_support.h"

namespace as::config {
namespace {

using testing::ScopedEnv;
using testing::ScopedWorkingDir;
using testing::TempDir;
using ::testing::HasSubstr;

using SqliteHandle = std::unique_ptr<sqlite3, decltype(&sqlite3_close)>;

SqliteHandle open_read_only(const std::filesystem::path& file) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  SqliteHandle handle(db, &sqlite3_close);
  EXPECT_EQ(rc, SQLITE_OK) << (db ? sqlite3_errmsg(db) : "");
  return handle;
}

// The first column of the first row of `sql`, as text.
std::string scalar(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* raw = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &raw, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> statement(raw, &sqlite3_finalize);
  if (sqlite3_step(raw) != SQLITE_ROW) return "<no row>";
  const unsigned char* text = sqlite3_column_text(raw, 0);
  return text ? reinterpret_cast<const char*>(text) : "NULL";
}

TEST(EmbeddedDefaults, ADefaultProjectWithTheReadOnlyDemoDatasourceUnderTheWorkingDirectory) {
  TempDir dir;
  Config config = embedded_defaults(dir.path());
  std::filesystem::path base = std::filesystem::absolute(dir.path()).lexically_normal();
  EXPECT_TRUE(config.embedded_defaults);
  EXPECT_FALSE(config.file);
  EXPECT_EQ(config.data_dir, base / "data");
  EXPECT_EQ(config.server.host, "127.0.0.1");
  EXPECT_EQ(config.server.port, 8080);
  ASSERT_EQ(config.projects.size(), 1u);
  const ProjectConfig& project = config.projects.at("default");
  ASSERT_EQ(project.datasources.size(), 1u);
  const DatasourceConfig& demo = project.datasources.at("demo");
  EXPECT_EQ(demo.type, DatasourceType::Sqlite);
  EXPECT_FALSE(demo.allow_writes);
  EXPECT_EQ(demo.flag("demo"), true);
  EXPECT_EQ(demo.text("path"), (base / "data/demo/demo.sqlite").string());
  EXPECT_TRUE(config.tokens.empty());
  EXPECT_THAT(redacted_json(config), HasSubstr("\"source\": \"embedded defaults\""));
}

TEST(ConfigLookup, ExplicitFileThenEnvironmentVariableThenEmbeddedDefaults) {
  TempDir dir;
  std::filesystem::path explicit_file = dir.write("explicit.toml", "[projects.from_option]\n");
  std::filesystem::path env_file = dir.write("env.toml", "[projects.from_env]\n");
  ScopedWorkingDir working(dir.path());
  {
    ScopedEnv env(kConfigFileVariable, env_file.string());
    EXPECT_TRUE(load_config(explicit_file).find_project("from_option"));
    EXPECT_TRUE(load_config(std::nullopt).find_project("from_env"));
  }
  {
    ScopedEnv empty(kConfigFileVariable, "");
    Config config = load_config(std::nullopt);
    EXPECT_TRUE(config.embedded_defaults);
    EXPECT_EQ(config.data_dir, std::filesystem::current_path() / "data");
  }
  ScopedEnv unset(kConfigFileVariable, std::nullopt);
  EXPECT_TRUE(load_config(std::nullopt).embedded_defaults);
}

TEST(ConfigLookup, AMissingFileNamedByTheVariableIsAnError) {
  TempDir dir;
  ScopedEnv env(kConfigFileVariable, (dir.path() / "missing.toml").string());
  try {
    load_config(std::nullopt);
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("missing.toml"));
    EXPECT_THAT(e.what(), HasSubstr(kConfigFileVariable));
  }
}

TEST(DemoDatabase, ItIsCreatedWithRelatedTablesAndWorksOpenedReadOnly) {
  TempDir dir;
  Config config = embedded_defaults(dir.path());
  std::vector<std::filesystem::path> created = ensure_demo_datasources(config);
  std::filesystem::path file = *config.projects.at("default").datasources.at("demo").text("path");
  ASSERT_EQ(created, std::vector<std::filesystem::path>{file});
  ASSERT_TRUE(std::filesystem::is_regular_file(file));

  SqliteHandle db = open_read_only(file);
  EXPECT_EQ(scalar(db.get(), "SELECT count(*) FROM customers"), std::to_string(kDemoCustomers));
  EXPECT_EQ(scalar(db.get(), "SELECT count(*) FROM products"), std::to_string(kDemoProducts));
  EXPECT_EQ(scalar(db.get(), "SELECT count(*) FROM orders"), std::to_string(kDemoOrders));
  // 1 to 4 lines per order; the exact number is part of the documented, fixed data set.
  EXPECT_EQ(scalar(db.get(), "SELECT count(*) FROM order_items"), "7514");
  EXPECT_EQ(scalar(db.get(), "SELECT min(line) || '-' || max(line) FROM order_items"), "1-4");
  // Related: every order has a customer and lines whose amounts add up to its total.
  EXPECT_EQ(scalar(db.get(), "SELECT count(*) FROM orders o LEFT JOIN customers c ON c.id = o.customer_id WHERE c.id IS NULL"), "0");
  EXPECT_EQ(scalar(db.get(), "SELECT count(*) FROM order_items i LEFT JOIN products p ON p.id = i.product_id WHERE p.id IS NULL"), "0");
  EXPECT_EQ(scalar(db.get(), "SELECT count(*) FROM orders o WHERE abs(o.total - (SELECT sum(quantity * unit_price) "
                             "FROM order_items i WHERE i.order_id = o.id)) > 0.001"),
            "0");
  EXPECT_EQ(scalar(db.get(), "SELECT min(order_date) >= '2023-01-01' AND max(order_date) <= '2024-12-31' FROM orders"), "1");

  // Read-only really is read-only.
  char* error = nullptr;
  int rc = sqlite3_exec(db.get(), "DELETE FROM orders", nullptr, nullptr, &error);
  sqlite3_free(error);
  EXPECT_EQ(rc & 0xff, SQLITE_READONLY);

  // Nothing is left behind next to it, and a second call leaves the file alone.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(file.parent_path()), {}), 1);
  EXPECT_TRUE(ensure_demo_datasources(config).empty());
}

TEST(DemoDatabase, TheDataIsTheSameOnEveryBuild) {
  TempDir first;
  TempDir second;
  create_demo_database(first.path() / "demo.sqlite");
  create_demo_database(second.path() / "demo.sqlite");
  const std::string digest =
      "SELECT (SELECT group_concat(id || name || email || city || segment || signup_date, ';') FROM customers) || "
      "(SELECT group_concat(sku || name || unit_price, ';') FROM products) || "
      "(SELECT group_concat(id || customer_id || order_date || status || total, ';') FROM orders) || "
      "(SELECT group_concat(order_id || line || product_id || quantity, ';') FROM order_items)";
  SqliteHandle a = open_read_only(first.path() / "demo.sqlite");
  SqliteHandle b = open_read_only(second.path() / "demo.sqlite");
  std::string digest_a = scalar(a.get(), digest);
  EXPECT_GT(digest_a.size(), 10'000u);
  EXPECT_EQ(digest_a, scalar(b.get(), digest));
}

TEST(DemoDatabase, AnExistingFileIsNeverReplaced) {
  TempDir dir;
  std::filesystem::path file = dir.write("demo.sqlite", "not a database, but mine");
  create_demo_database(file);
  std::ifstream in(file);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(text, "not a database, but mine");
}

TEST(LocalAuthorToken, ItIsTheSameAcrossTwoLoadsAndKeptPrivate) {
  TempDir dir;
  Config first = embedded_defaults(dir.path());
  std::optional<std::string> token = ensure_local_author_token(first);
  ASSERT_TRUE(token);
  EXPECT_TRUE(looks_like_token(*token));
  ASSERT_EQ(first.tokens.size(), 1u);
  EXPECT_EQ(first.tokens[0].role, Role::Author);
  EXPECT_EQ(first.tokens[0].project, "default");
  EXPECT_EQ(first.tokens[0].sha256_hex, sha256_hex(*token));

  std::filesystem::path file = first.data_dir / kLocalTokenFileName;
  struct stat status {};
  ASSERT_EQ(::stat(file.c_str(), &status), 0);
  EXPECT_EQ(status.st_mode & 0777, 0600u);

  Config second = embedded_defaults(dir.path());
  EXPECT_EQ(ensure_local_author_token(second), token);
  std::optional<TokenConfig> caller = authenticate(second, *token);
  ASSERT_TRUE(caller);
  EXPECT_EQ(caller->role, Role::Author);
  EXPECT_THAT(redacted_json(second), ::testing::Not(HasSubstr(*token)));
}

TEST(LocalAuthorToken, AConfigFileGetsNoLocalToken) {
  TempDir dir;
  Config config = testing::load_text(dir, "data_dir = \"d\"\n[projects.default]\n");
  EXPECT_FALSE(ensure_local_author_token(config));
  EXPECT_TRUE(config.tokens.empty());
  EXPECT_FALSE(std::filesystem::exists(config.data_dir / kLocalTokenFileName));
}

TEST(LocalAuthorToken, AFileHoldingSomethingElseIsAnErrorNamingIt) {
  TempDir dir;
  Config config = embedded_defaults(dir.path());
  dir.write("data/local-author-token", "hunter2\n");
  try {
    ensure_local_author_token(config);
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("local-author-token"));
    EXPECT_THAT(e.what(), HasSubstr("delete the file"));
    EXPECT_THAT(e.what(), ::testing::Not(HasSubstr("hunter2")));
  }
}

}  // namespace
}  // namespace as::config
