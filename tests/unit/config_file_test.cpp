// The config file: what it accepts, the defaults it fills in, and that every error names the
// file, the line, the key and what is wrong (docs/configuration.md).
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "config/byte_size.h"
#include "config/config_file.h"
#include "config_test_support.h"

namespace as::config {
namespace {

using testing::load_error;
using testing::load_text;
using testing::one_datasource;
using testing::TempDir;
using ::testing::HasSubstr;

constexpr const char* kPostgres = R"(
data_dir = "state"
[server]
host = "0.0.0.0"
port = 9090
workers = 4
retain_freed_memory = "64MiB"
[projects.sales.duckdb]
memory_limit = "512MB"
threads = 3
[projects.sales.dataframes]
memory_limit = "256MiB"
[projects.sales.datasources.pg]
type = "postgres"
host = "db.example.com"
database = "sales"
user = "analyst"
password = { env = "AS_TEST_PG_PASSWORD" }
[projects.sales.datasources.local]
type = "sqlite"
path = "files/local.sqlite"
allow_writes = true
)";

TEST(ConfigFile, AFileLoadsWithItsValuesAndTheDefaultsFilledIn) {
  TempDir dir;
  Config config = load_text(dir, kPostgres);
  EXPECT_FALSE(config.embedded_defaults);
  EXPECT_EQ(config.file, std::filesystem::absolute(dir.path() / "config.toml").lexically_normal());
  EXPECT_EQ(config.server.host, "0.0.0.0");
  EXPECT_EQ(config.server.port, 9090);
  EXPECT_EQ(config.server.workers, 4);
  EXPECT_EQ(config.server.retain_freed_memory_bytes, 64u << 20);
  ASSERT_NE(config.find_project("sales"), nullptr);
  const ProjectConfig& sales = *config.find_project("sales");
  EXPECT_EQ(sales.duckdb.memory_limit_bytes, 512'000'000u);
  EXPECT_EQ(sales.duckdb.threads, 3u);
  EXPECT_EQ(sales.dataframe_memory_bytes, 256u << 20);

  const DatasourceConfig& pg = sales.datasources.at("pg");
  EXPECT_EQ(pg.name, "pg");
  EXPECT_EQ(pg.type, DatasourceType::Postgres);
  EXPECT_FALSE(pg.allow_writes);
  EXPECT_EQ(pg.text("host"), "db.example.com");
  EXPECT_EQ(pg.integer("port"), 5432);
  EXPECT_EQ(pg.text("sslmode"), "prefer");
  EXPECT_EQ(pg.integer("statement_timeout_ms"), 30000);
  EXPECT_EQ(pg.integer("pool_size"), 4);
  EXPECT_FALSE(pg.settings.contains("password"));
  ASSERT_TRUE(pg.has_secret("password"));
  EXPECT_EQ(pg.secrets.at("password").env_var, "AS_TEST_PG_PASSWORD");

  const DatasourceConfig& local = sales.datasources.at("local");
  EXPECT_TRUE(local.allow_writes);
  EXPECT_EQ(local.flag("demo"), false);
}

TEST(ConfigFile, RelativePathsResolveAgainstTheFilesDirectory) {
  TempDir dir;
  Config config = load_text(dir, kPostgres);
  std::filesystem::path base = std::filesystem::absolute(dir.path()).lexically_normal();
  EXPECT_EQ(config.data_dir, base / "state");
  EXPECT_EQ(config.projects.at("sales").datasources.at("local").text("path"), (base / "files/local.sqlite").string());
}

TEST(ConfigFile, DataDirDefaultsToDataNextToTheFile) {
  TempDir dir;
  Config config = load_text(dir, one_datasource("type = \"sqlite\"\npath = \"/tmp/x.sqlite\"\n"));
  EXPECT_EQ(config.data_dir, std::filesystem::absolute(dir.path() / "data").lexically_normal());
  EXPECT_EQ(config.projects.at("p").datasources.at("ds").text("path"), "/tmp/x.sqlite");
}

TEST(ConfigFile, ProjectsWithoutDuckdbTableGetTheMachineDefaults) {
  TempDir dir;
  Config config = load_text(dir, "[projects.empty]\n");
  duck::DuckSettings machine = duck::DuckSettings::for_this_machine();
  EXPECT_EQ(config.projects.at("empty").duckdb.memory_limit_bytes, machine.memory_limit_bytes);
  EXPECT_EQ(config.projects.at("empty").duckdb.threads, machine.threads);
  EXPECT_EQ(config.projects.at("empty").dataframe_memory_bytes, kDefaultDataframeMemoryBytes);
  EXPECT_EQ(duck_settings_for(config, "empty").threads, machine.threads);
  EXPECT_THROW(duck_settings_for(config, "other"), std::invalid_argument);
}

TEST(ConfigFile, TheExampleConfigLoadsWithEveryDatasourceType) {
  Config config = load_config_file(std::filesystem::path(AS_SOURCE_DIR) / "examples/analysis-sandbox.toml");
  std::set<DatasourceType> types;
  for (const auto& [_, project] : config.projects) {
    for (const auto& [__, datasource] : project.datasources) types.insert(datasource.type);
  }
  EXPECT_EQ(types.size(), all_datasource_types().size());
  EXPECT_EQ(config.tokens.size(), 2u);
}

// --- every error names the file, the place, the key and the problem ---------------------------

TEST(ConfigErrors, AMissingFileIsNamed) {
  TempDir dir;
  try {
    load_config_file(dir.path() / "nope.toml");
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("nope.toml"));
    EXPECT_THAT(e.what(), HasSubstr("No such file"));
  }
  EXPECT_THROW(load_config_file(dir.path()), ConfigError);  // a directory is no config file
}

TEST(ConfigErrors, ATomlSyntaxErrorNamesFileLineAndColumn) {
  TempDir dir;
  ConfigError e = load_error(dir, "[server]\nport = 80\nhost = \n");
  EXPECT_THAT(e.file(), HasSubstr("config.toml"));
  EXPECT_EQ(e.line(), 3);
  EXPECT_GT(e.column(), 0);
  EXPECT_THAT(e.what(), HasSubstr("config.toml:3:"));
  EXPECT_THAT(e.what(), HasSubstr("not valid TOML"));
}

TEST(ConfigErrors, ADuplicateTableIsASyntaxError) {
  TempDir dir;
  ConfigError e = load_error(dir, "[projects.a.datasources.x]\ntype = \"sqlite\"\npath = \"a\"\n[projects.a.datasources.x]\n");
  EXPECT_EQ(e.line(), 4);
}

TEST(ConfigErrors, AnUnknownTopLevelKeyIsNamedWithTheLikelyKey) {
  TempDir dir;
  ConfigError e = load_error(dir, "data_dri = \"x\"\n[projects.p]\n");
  EXPECT_EQ(e.key(), "data_dri");
  EXPECT_EQ(e.line(), 1);
  EXPECT_THAT(e.problem(), HasSubstr("unknown key"));
  EXPECT_THAT(e.problem(), HasSubstr("did you mean 'data_dir'"));
  EXPECT_THAT(e.what(), HasSubstr("config.toml:1:1: data_dri: unknown key"));
}

TEST(ConfigErrors, AnUnknownServerKeyIsNamed) {
  TempDir dir;
  ConfigError e = load_error(dir, "[server]\nprot = 1\n[projects.p]\n");
  EXPECT_EQ(e.key(), "server.prot");
  EXPECT_THAT(e.problem(), HasSubstr("did you mean 'port'"));
}

TEST(ConfigErrors, AKeyOfAnotherDatasourceTypeIsUnknownAndTheAllowedKeysAreListed) {
  TempDir dir;
  ConfigError e = load_error(dir, one_datasource("type = \"postgres\"\nhost = \"h\"\ndatabase = \"d\"\nbucket = \"b\"\n"));
  EXPECT_EQ(e.key(), "projects.p.datasources.ds.bucket");
  EXPECT_EQ(e.line(), 5);
  EXPECT_THAT(e.problem(), HasSubstr("unknown key in a datasource of type postgres"));
  EXPECT_THAT(e.problem(), HasSubstr("host, port, database"));
}

TEST(ConfigErrors, AnUnknownProjectKeyIsNamed) {
  TempDir dir;
  ConfigError e = load_error(dir, "[projects.p]\ndatasource = 1\n");
  EXPECT_EQ(e.key(), "projects.p.datasource");
  EXPECT_THAT(e.problem(), HasSubstr("did you mean 'datasources'"));
}

TEST(ConfigErrors, AnUnknownDatasourceTypeListsTheTypes) {
  TempDir dir;
  ConfigError e = load_error(dir, one_datasource("type = \"oracle\"\n"));
  EXPECT_EQ(e.key(), "projects.p.datasources.ds.type");
  EXPECT_THAT(e.problem(), HasSubstr("(got \"oracle\")"));
  EXPECT_THAT(e.problem(), HasSubstr("postgres, mysql, sqlite, clickhouse, s3, gcs, azure, rest, openapi, soap, graphql"));
}

TEST(ConfigErrors, AMissingTypeIsNamed) {
  TempDir dir;
  ConfigError e = load_error(dir, one_datasource("path = \"x\"\n"));
  EXPECT_EQ(e.key(), "projects.p.datasources.ds.type");
  EXPECT_THAT(e.problem(), HasSubstr("is missing"));
}

TEST(ConfigErrors, AValueOfTheWrongTypeIsNamedWithTheValue) {
  TempDir dir;
  ConfigError e = load_error(dir, one_datasource("type = \"postgres\"\nhost = \"h\"\ndatabase = \"d\"\nport = \"5432\"\n"));
  EXPECT_EQ(e.key(), "projects.p.datasources.ds.port");
  EXPECT_EQ(e.line(), 5);
  EXPECT_THAT(e.problem(), HasSubstr("must be an integer from 1 to 65535, not a string (got \"5432\")"));
}

TEST(ConfigErrors, APortOutOfRangeIsNamedWithTheValue) {
  TempDir dir;
  ConfigError e = load_error(dir, "[server]\nport = 70000\n[projects.p]\n");
  EXPECT_EQ(e.key(), "server.port");
  EXPECT_THAT(e.problem(), HasSubstr("must be from 0 to 65535 (got 70000)"));
  ConfigError ds = load_error(dir, one_datasource("type = \"mysql\"\nhost = \"h\"\ndatabase = \"d\"\nport = 0\n"));
  EXPECT_EQ(ds.key(), "projects.p.datasources.ds.port");
  EXPECT_THAT(ds.problem(), HasSubstr("(got 0)"));
}

TEST(ConfigErrors, AllowWritesMustBeABoolean) {
  TempDir dir;
  ConfigError e = load_error(dir, one_datasource("type = \"sqlite\"\npath = \"x\"\nallow_writes = \"yes\"\n"));
  EXPECT_EQ(e.key(), "projects.p.datasources.ds.allow_writes");
  EXPECT_THAT(e.problem(), HasSubstr("must be true or false"));
  EXPECT_THAT(e.problem(), HasSubstr("(got \"yes\")"));
}

TEST(ConfigErrors, ARequiredSettingIsNamedWhenMissing) {
  TempDir dir;
  ConfigError e = load_error(dir, one_datasource("type = \"postgres\"\ndatabase = \"d\"\n"));
  EXPECT_EQ(e.key(), "projects.p.datasources.ds.host");
  EXPECT_THAT(e.problem(), HasSubstr("is required for a datasource of type postgres"));
  EXPECT_GT(e.line(), 0);
}

TEST(ConfigErrors, AChoiceListsItsValues) {
  TempDir dir;
  ConfigError e = load_error(dir, one_datasource("type = \"postgres\"\nhost = \"h\"\ndatabase = \"d\"\nsslmode = \"always\"\n"));
  EXPECT_EQ(e.key(), "projects.p.datasources.ds.sslmode");
  EXPECT_THAT(e.problem(), HasSubstr("must be one of disable, allow, prefer, require, verify-ca, verify-full (got \"always\")"));
}

TEST(ConfigErrors, OpenapiNeedsExactlyOneSpec) {
  TempDir dir;
  ConfigError none = load_error(dir, one_datasource("type = \"openapi\"\n"));
  EXPECT_EQ(none.key(), "projects.p.datasources.ds");
  EXPECT_THAT(none.problem(), HasSubstr("needs one of: spec_url, spec_path"));
  ConfigError both = load_error(dir, one_datasource("type = \"openapi\"\nspec_url = \"https://x/o.json\"\nspec_path = \"o.json\"\n"));
  EXPECT_EQ(both.key(), "projects.p.datasources.ds.spec_path");
  EXPECT_THAT(both.problem(), HasSubstr("give only one of"));
}

TEST(ConfigErrors, KeysThatGoTogetherAreNamed) {
  TempDir dir;
  ConfigError e = load_error(dir, one_datasource("type = \"s3\"\nbucket = \"b\"\naccess_key_id = { env = \"AK\" }\n"));
  EXPECT_EQ(e.key(), "projects.p.datasources.ds.access_key_id");
  EXPECT_THAT(e.problem(), HasSubstr("needs secret_access_key as well"));
  ConfigError two_ways = load_error(dir, one_datasource("type = \"azure\"\naccount = \"a\"\ncontainer = \"c\"\n"
                                                        "account_key = { env = \"K\" }\nsas_token = { env = \"S\" }\n"));
  EXPECT_EQ(two_ways.key(), "projects.p.datasources.ds.sas_token");
  EXPECT_THAT(two_ways.problem(), HasSubstr("cannot be used together with account_key"));
}

TEST(ConfigErrors, AUrlMustBeHttpOrHttps) {
  TempDir dir;
  ConfigError e = load_error(dir, one_datasource("type = \"graphql\"\nurl = \"ftp://example.com/graphql\"\n"));
  EXPECT_EQ(e.key(), "projects.p.datasources.ds.url");
  EXPECT_THAT(e.problem(), HasSubstr("must be an http:// or https:// URL (got \"ftp://example.com/graphql\")"));
}

TEST(ConfigErrors, BadNamesAreRefused) {
  TempDir dir;
  ConfigError project = load_error(dir, "[projects.\"a b\"]\n");
  EXPECT_EQ(project.key(), "projects.\"a b\"");
  EXPECT_THAT(project.problem(), HasSubstr("not a valid project name"));
  ConfigError datasource = load_error(dir, "[projects.p.datasources.2fast]\ntype = \"sqlite\"\npath = \"x\"\n");
  EXPECT_EQ(datasource.key(), "projects.p.datasources.2fast");
  EXPECT_THAT(datasource.problem(), HasSubstr("ctx.datasource.<name>"));
}

TEST(ConfigErrors, AConfigNeedsAProject) {
  TempDir dir;
  ConfigError e = load_error(dir, "[server]\nport = 1\n");
  EXPECT_EQ(e.key(), "projects");
  EXPECT_THAT(e.what(), HasSubstr("config.toml: projects: is missing"));
}

TEST(ConfigErrors, DuckdbLimitsAreChecked) {
  TempDir dir;
  ConfigError size = load_error(dir, "[projects.p.duckdb]\nmemory_limit = \"lots\"\n");
  EXPECT_EQ(size.key(), "projects.p.duckdb.memory_limit");
  EXPECT_THAT(size.problem(), HasSubstr("(got \"lots\")"));
  ConfigError unitless = load_error(dir, "[projects.p.duckdb]\nmemory_limit = \"4\"\n");
  EXPECT_THAT(unitless.problem(), HasSubstr("at least 1MiB"));
  ConfigError threads = load_error(dir, "[projects.p.duckdb]\nthreads = 0\n");
  EXPECT_EQ(threads.key(), "projects.p.duckdb.threads");
}

TEST(ConfigErrors, RetainedMemoryIsChecked) {
  TempDir dir;
  EXPECT_EQ(load_text(dir, "[server]\nretain_freed_memory = \"0MB\"\n[projects.p]\n").server.retain_freed_memory_bytes, 0u);
  EXPECT_EQ(load_text(dir, "[projects.p]\n").server.retain_freed_memory_bytes, 256u << 20) << "the default";
  ConfigError tiny = load_error(dir, "[server]\nretain_freed_memory = \"12KB\"\n[projects.p]\n");
  EXPECT_EQ(tiny.key(), "server.retain_freed_memory");
  EXPECT_THAT(tiny.problem(), HasSubstr("(got \"12KB\")"));
  ConfigError huge = load_error(dir, "[server]\nretain_freed_memory = \"3GiB\"\n[projects.p]\n");
  EXPECT_THAT(huge.problem(), HasSubstr("1MiB to 2GiB"));
}

TEST(ConfigErrors, DataframeLimitIsChecked) {
  TempDir dir;
  ConfigError size = load_error(dir, "[projects.p.dataframes]\nmemory_limit = \"12 parsecs\"\n");
  EXPECT_EQ(size.key(), "projects.p.dataframes.memory_limit");
  EXPECT_THAT(size.problem(), HasSubstr("(got \"12 parsecs\")"));
  ConfigError unknown = load_error(dir, "[projects.p.dataframes]\nthreads = 2\n");
  EXPECT_EQ(unknown.key(), "projects.p.dataframes.threads");
}

// --- tokens in the file ------------------------------------------------------------------------

std::string with_token(const std::string& token_body) { return "[projects.p]\n[projects.q]\n[[tokens]]\n" + token_body; }
constexpr const char* kHash = "AbCdEf0123456789abcdef0123456789abcdef0123456789abcdef0123456789";

TEST(ConfigTokens, ATokenEntryIsReadWithItsHashInLowercase) {
  TempDir dir;
  Config config = load_text(dir, with_token(fmt::format("name = \"a\"\nsha256 = \"{}\"\nrole = \"author\"\nproject = \"q\"\n", kHash)));
  ASSERT_EQ(config.tokens.size(), 1u);
  EXPECT_EQ(config.tokens[0].name, "a");
  EXPECT_EQ(config.tokens[0].sha256_hex, "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789");
  EXPECT_EQ(config.tokens[0].role, Role::Author);
  EXPECT_EQ(config.tokens[0].project, "q");
}

TEST(ConfigTokens, ATokenForAnUnknownProjectIsRefused) {
  TempDir dir;
  ConfigError e = load_error(dir, with_token(fmt::format("name = \"a\"\nsha256 = \"{}\"\nrole = \"user\"\nproject = \"r\"\n", kHash)));
  EXPECT_EQ(e.key(), "tokens[0].project");
  EXPECT_THAT(e.problem(), HasSubstr("names no project of this config (got \"r\")"));
}

TEST(ConfigTokens, ABadRoleIsNamed) {
  TempDir dir;
  ConfigError e = load_error(dir, with_token(fmt::format("name = \"a\"\nsha256 = \"{}\"\nrole = \"admin\"\nproject = \"p\"\n", kHash)));
  EXPECT_EQ(e.key(), "tokens[0].role");
  EXPECT_THAT(e.problem(), HasSubstr("must be \"user\" or \"author\" (got \"admin\")"));
}

TEST(ConfigTokens, DuplicateNamesAndHashesAreRefused) {
  TempDir dir;
  std::string first = fmt::format("name = \"a\"\nsha256 = \"{}\"\nrole = \"user\"\nproject = \"p\"\n", kHash);
  std::string other_hash = std::string(64, 'b');
  ConfigError names = load_error(dir, with_token(first + fmt::format("[[tokens]]\nname = \"a\"\nsha256 = \"{}\"\nrole = \"user\"\nproject = \"p\"\n", other_hash)));
  EXPECT_EQ(names.key(), "tokens[1].name");
  EXPECT_THAT(names.problem(), HasSubstr("already has the name \"a\""));
  ConfigError hashes = load_error(dir, with_token(first + fmt::format("[[tokens]]\nname = \"b\"\nsha256 = \"{}\"\nrole = \"user\"\nproject = \"p\"\n", kHash)));
  EXPECT_EQ(hashes.key(), "tokens[1].sha256");
}

TEST(ConfigTokens, AMissingFieldIsNamed) {
  TempDir dir;
  ConfigError e = load_error(dir, with_token(fmt::format("name = \"a\"\nsha256 = \"{}\"\nproject = \"p\"\n", kHash)));
  EXPECT_EQ(e.key(), "tokens[0].role");
  EXPECT_THAT(e.problem(), HasSubstr("is missing"));
}

TEST(ConfigTokens, TokensMustBeAnArrayOfTables) {
  TempDir dir;
  ConfigError e = load_error(dir, "tokens = \"abc\"\n[projects.p]\n");
  EXPECT_EQ(e.key(), "tokens");
  EXPECT_THAT(e.problem(), HasSubstr("[[tokens]]"));
}

// --- sizes -------------------------------------------------------------------------------------

TEST(ByteSize, UnitsFollowDuckdb) {
  EXPECT_EQ(parse_byte_size("512MB"), 512'000'000u);
  EXPECT_EQ(parse_byte_size("4GB"), 4'000'000'000u);
  EXPECT_EQ(parse_byte_size("1GiB"), 1ull << 30);
  EXPECT_EQ(parse_byte_size("1.5 gib"), 3ull << 29);
  EXPECT_EQ(parse_byte_size("2048"), 2048u);
  EXPECT_EQ(parse_byte_size("10b"), 10u);
  EXPECT_EQ(parse_byte_size(""), std::nullopt);
  EXPECT_EQ(parse_byte_size("GB"), std::nullopt);
  EXPECT_EQ(parse_byte_size("4 gigabytes"), std::nullopt);
  EXPECT_EQ(parse_byte_size("-1GB"), std::nullopt);
  EXPECT_EQ(parse_byte_size("99999999999TB"), std::nullopt);
}

}  // namespace
}  // namespace as::config
