// Secrets: written only as environment variable names, read only when used, and never printed
// (not in the redacted config, not in any error), even while the variable is set.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/config_file.h"
#include "config/redacted_json.h"
#include "config/secrets.h"
#include "config_test_support.h"

namespace as::config {
namespace {

using testing::load_error;
using testing::load_text;
using testing::one_datasource;
using testing::ScopedEnv;
using testing::TempDir;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kDistinctSecret = "Zq9-very-distinct-SECRET-value-4471";

TEST(ConfigSecrets, APlainTextPasswordIsRefusedWithoutShowingItAndTheMessageSaysHowToWriteIt) {
  TempDir dir;
  ConfigError e = load_error(dir, one_datasource(fmt::format("type = \"postgres\"\nhost = \"h\"\ndatabase = \"d\"\npassword = \"{}\"\n", kDistinctSecret)));
  EXPECT_EQ(e.key(), "projects.p.datasources.ds.password");
  EXPECT_EQ(e.line(), 5);
  EXPECT_THAT(e.problem(), HasSubstr("is a secret and must not be written in the config file"));
  EXPECT_THAT(e.problem(), HasSubstr("password = { env = \"NAME\" }"));
  EXPECT_THAT(e.what(), Not(HasSubstr(kDistinctSecret)));
}

TEST(ConfigSecrets, APlaceholderStringGetsTheRightSyntaxWithItsName) {
  TempDir dir;
  ConfigError e = load_error(dir, one_datasource("type = \"clickhouse\"\nurl = \"http://h:8123\"\npassword = \"${CH_PASSWORD}\"\n"));
  EXPECT_EQ(e.key(), "projects.p.datasources.ds.password");
  EXPECT_THAT(e.problem(), HasSubstr("password = { env = \"CH_PASSWORD\" }"));
}

TEST(ConfigSecrets, ASecretOfAnotherTypeIsNotShownEither) {
  TempDir dir;
  ConfigError e = load_error(dir, one_datasource("type = \"postgres\"\nhost = \"h\"\ndatabase = \"d\"\npassword = 987654321\n"));
  EXPECT_EQ(e.key(), "projects.p.datasources.ds.password");
  EXPECT_THAT(e.what(), Not(HasSubstr("987654321")));
}

TEST(ConfigSecrets, ASecretTableMustHoldOnlyAnEnvironmentVariableName) {
  TempDir dir;
  ConfigError extra = load_error(dir, one_datasource("type = \"graphql\"\nurl = \"https://h/g\"\nbearer_token = { env = \"T\", value = \"x\" }\n"));
  EXPECT_EQ(extra.key(), "projects.p.datasources.ds.bearer_token");
  EXPECT_THAT(extra.problem(), HasSubstr("must be { env = \"NAME\" } and nothing else"));
  ConfigError bad_name = load_error(dir, one_datasource("type = \"graphql\"\nurl = \"https://h/g\"\nbearer_token = { env = \"MY-TOKEN\" }\n"));
  EXPECT_EQ(bad_name.key(), "projects.p.datasources.ds.bearer_token.env");
  EXPECT_THAT(bad_name.problem(), HasSubstr("(got \"MY-TOKEN\")"));
}

TEST(ConfigSecrets, AnAuthorizationHeaderInPlainTextIsRefused) {
  TempDir dir;
  ConfigError e = load_error(dir, one_datasource(fmt::format(
      "type = \"rest\"\nbase_url = \"https://h/api\"\nheaders = {{ Accept = \"application/json\", X-Api-Key = \"{}\" }}\n", kDistinctSecret)));
  EXPECT_EQ(e.key(), "projects.p.datasources.ds.headers.X-Api-Key");
  EXPECT_THAT(e.problem(), HasSubstr("headers.X-Api-Key = { env = \"NAME\" }"));
  EXPECT_THAT(e.what(), Not(HasSubstr(kDistinctSecret)));
}

TEST(ConfigSecrets, HeadersAreSplitIntoSettingsAndSecrets) {
  TempDir dir;
  Config config = load_text(dir, one_datasource("type = \"rest\"\nbase_url = \"https://h/api\"\n"
                                                "headers = { Accept = \"application/json\", Authorization = { env = \"API_AUTH\" } }\n"));
  const DatasourceConfig& ds = config.projects.at("p").datasources.at("ds");
  EXPECT_EQ(ds.text("headers.Accept"), "application/json");
  ASSERT_TRUE(ds.has_secret("headers.Authorization"));
  EXPECT_EQ(ds.secrets.at("headers.Authorization").env_var, "API_AUTH");
}

TEST(ConfigSecrets, CredentialsInAUrlAreRefusedWithoutShowingTheUrl) {
  TempDir dir;
  ConfigError e = load_error(dir, one_datasource(fmt::format("type = \"clickhouse\"\nurl = \"https://reader:{}@ch.example.com:8443\"\n", kDistinctSecret)));
  EXPECT_EQ(e.key(), "projects.p.datasources.ds.url");
  EXPECT_THAT(e.problem(), HasSubstr("must not contain credentials"));
  EXPECT_THAT(e.what(), Not(HasSubstr(kDistinctSecret)));
}

TEST(ConfigSecrets, TomlSyntaxErrorsDoNotQuoteTheTextTheyStoppedAt) {
  TempDir dir;
  for (std::string_view line : {"password = trueQz\n", "password = \"ab\\Qz\"\n", "password = 0xQz\n", "password = 1.5Qz\n"}) {
    ConfigError e = load_error(dir, one_datasource("type = \"postgres\"\n" + std::string(line)));
    EXPECT_EQ(e.line(), 3) << e.what();
    EXPECT_THAT(e.what(), HasSubstr("not valid TOML"));
    EXPECT_THAT(e.what(), Not(HasSubstr("Q"))) << e.what();
  }
  // Quoted keys stay: they are no secret and say what is wrong.
  ConfigError twice = load_error(dir, "[projects.a]\n[projects.a]\n");
  EXPECT_THAT(twice.what(), HasSubstr("'projects.a'"));
}

TEST(ConfigSecrets, ResolveSecretReadsTheEnvironmentWhenAsked) {
  TempDir dir;
  Config config = load_text(dir, one_datasource("type = \"postgres\"\nhost = \"h\"\ndatabase = \"d\"\npassword = { env = \"AS_TEST_PW\" }\n"));
  const DatasourceConfig& ds = config.projects.at("p").datasources.at("ds");
  {
    ScopedEnv set("AS_TEST_PW", kDistinctSecret);
    EXPECT_EQ(resolve_secret(ds, "password"), kDistinctSecret);
  }
  {
    ScopedEnv changed("AS_TEST_PW", "rotated");
    EXPECT_EQ(resolve_secret(ds, "password"), "rotated");  // read at use, not at load
  }
}

TEST(ConfigSecrets, AnUnsetOrEmptyVariableIsNamedInTheError) {
  TempDir dir;
  Config config = load_text(dir, one_datasource("type = \"postgres\"\nhost = \"h\"\ndatabase = \"d\"\npassword = { env = \"AS_TEST_PW\" }\n"));
  const DatasourceConfig& ds = config.projects.at("p").datasources.at("ds");
  {
    ScopedEnv unset("AS_TEST_PW", std::nullopt);
    try {
      resolve_secret(ds, "password");
      FAIL() << "no error";
    } catch (const SecretError& e) {
      EXPECT_THAT(e.what(), HasSubstr("AS_TEST_PW"));
      EXPECT_THAT(e.what(), HasSubstr("is not set"));
      EXPECT_THAT(e.what(), HasSubstr("'ds'"));
    }
    ASSERT_EQ(unset_secrets(config).size(), 1u);
    EXPECT_THAT(unset_secrets(config)[0], HasSubstr("projects.p.datasources.ds.password: environment variable AS_TEST_PW"));
  }
  ScopedEnv empty("AS_TEST_PW", "");
  EXPECT_THROW(resolve_secret(ds, "password"), SecretError);
  EXPECT_THROW(resolve_secret(ds, "token"), SecretError);
}

TEST(ConfigSecrets, SecretsNeverAppearInTheRedactedConfigOrInErrorsWhileSet) {
  TempDir dir;
  ScopedEnv pg("AS_TEST_PG_PW", kDistinctSecret);
  ScopedEnv s3("AS_TEST_S3_SECRET", kDistinctSecret);
  ScopedEnv header("AS_TEST_AUTH", kDistinctSecret);
  ScopedEnv unset_id("AS_TEST_S3_ID", std::nullopt);
  const std::string toml =
      "[projects.p.datasources.pg]\ntype = \"postgres\"\nhost = \"h\"\ndatabase = \"d\"\npassword = { env = \"AS_TEST_PG_PW\" }\n"
      "[projects.p.datasources.lake]\ntype = \"s3\"\nbucket = \"b\"\naccess_key_id = { env = \"AS_TEST_S3_ID\" }\n"
      "secret_access_key = { env = \"AS_TEST_S3_SECRET\" }\n"
      "[projects.p.datasources.api]\ntype = \"graphql\"\nurl = \"https://h/g\"\nheaders = { Authorization = { env = \"AS_TEST_AUTH\" } }\n";
  Config config = load_text(dir, toml);
  std::string json = redacted_json(config);
  EXPECT_THAT(json, Not(HasSubstr(kDistinctSecret)));
  EXPECT_THAT(json, HasSubstr("\"env\": \"AS_TEST_PG_PW\""));
  EXPECT_THAT(json, HasSubstr("\"set\": true"));
  for (const auto& line : unset_secrets(config)) EXPECT_THAT(line, Not(HasSubstr(kDistinctSecret)));

  // Errors found later in the same file do not carry the values either.
  for (const std::string& broken : {toml + "[server]\nport = -1\n", toml + "[projects.p.datasources.pg2]\ntype = \"postgres\"\n",
                                    toml + "oops = 1\n", toml + "[projects.p.datasources.x]\ntype = \"s3\"\nbucket = 1\n"}) {
    ConfigError e = load_error(dir, broken);
    EXPECT_THAT(e.what(), Not(HasSubstr(kDistinctSecret)));
  }
  // Nor does a resolve error for another datasource's secret.
  try {
    resolve_secret(config.projects.at("p").datasources.at("lake"), "access_key_id");
    ADD_FAILURE() << "an unset variable resolved";
  } catch (const SecretError& e) {
    EXPECT_THAT(e.what(), Not(HasSubstr(kDistinctSecret)));
  }
}

}  // namespace
}  // namespace as::config
