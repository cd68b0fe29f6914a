#include "datasource_schema.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <string>

namespace as::config {
namespace {

constexpr std::int64_t kMaxMilliseconds = 86'400'000;  // one day

SettingSpec text(std::string_view key) { return {.key = key, .kind = SettingKind::Text}; }
SettingSpec required_text(std::string_view key) { return {.key = key, .kind = SettingKind::Text, .required = true}; }
SettingSpec text_or(std::string_view key, std::string_view fallback) {
  return {.key = key, .kind = SettingKind::Text, .default_value = SettingValue(std::string(fallback))};
}
SettingSpec url(std::string_view key) { return {.key = key, .kind = SettingKind::Url}; }
SettingSpec required_url(std::string_view key) { return {.key = key, .kind = SettingKind::Url, .required = true}; }
SettingSpec url_or(std::string_view key, std::string_view fallback) {
  return {.key = key, .kind = SettingKind::Url, .default_value = SettingValue(std::string(fallback))};
}
SettingSpec path(std::string_view key) { return {.key = key, .kind = SettingKind::Path}; }
SettingSpec required_path(std::string_view key) { return {.key = key, .kind = SettingKind::Path, .required = true}; }
SettingSpec integer(std::string_view key, std::int64_t min, std::int64_t max, std::int64_t fallback) {
  return {.key = key, .kind = SettingKind::Integer, .default_value = SettingValue(fallback), .min = min, .max = max};
}
SettingSpec flag(std::string_view key, bool fallback) {
  return {.key = key, .kind = SettingKind::Flag, .default_value = SettingValue(fallback)};
}
SettingSpec choice(std::string_view key, std::vector<std::string_view> choices, std::string_view fallback) {
  return {.key = key,
          .kind = SettingKind::Choice,
          .default_value = SettingValue(std::string(fallback)),
          .choices = std::move(choices)};
}
SettingSpec secret(std::string_view key) { return {.key = key, .kind = SettingKind::Secret}; }
SettingSpec headers() { return {.key = "headers", .kind = SettingKind::Headers}; }

SettingSpec port(std::int64_t fallback) { return integer("port", 1, 65535, fallback); }

// Every SQL datasource: connections kept per datasource and the per-statement time limit.
void add_sql_common(std::vector<SettingSpec>& settings) {
  settings.push_back(integer("pool_size", 1, 64, 4));
  settings.push_back(integer("statement_timeout_ms", 1, kMaxMilliseconds, 30'000));
}

// Every datasource reached over HTTP(S): request time limit and an extra CA bundle.
void add_http_common(std::vector<SettingSpec>& settings) {
  settings.push_back(integer("timeout_ms", 1, kMaxMilliseconds, 30'000));
  settings.push_back(path("ca_file"));
}

// HTTP APIs: extra headers and one way of authenticating.
void add_api_auth(TypeSchema& schema) {
  schema.settings.push_back(headers());
  schema.settings.push_back(secret("bearer_token"));
  schema.settings.push_back(text("username"));
  schema.settings.push_back(secret("password"));
  schema.all_or_none.push_back({"username", "password"});
  schema.at_most_one_of.push_back({"bearer_token", "username"});
  add_http_common(schema.settings);
}

std::map<DatasourceType, TypeSchema> build_schemas() {
  std::map<DatasourceType, TypeSchema> schemas;
  auto add = [&schemas](TypeSchema schema) { schemas.emplace(schema.type, std::move(schema)); };

  TypeSchema postgres{.type = DatasourceType::Postgres,
                      .settings = {required_text("host"), port(5432), required_text("database"), text("user"),
                                   secret("password"),
                                   choice("sslmode", {"disable", "allow", "prefer", "require", "verify-ca", "verify-full"}, "prefer"),
                                   path("sslrootcert"), text_or("application_name", "analysis-sandbox"),
                                   integer("connect_timeout_ms", 1, kMaxMilliseconds, 10'000)}};
  add_sql_common(postgres.settings);
  add(std::move(postgres));

  TypeSchema mysql{.type = DatasourceType::Mysql,
                   .settings = {required_text("host"), port(3306), required_text("database"), text("user"),
                                secret("password"),
                                choice("ssl_mode", {"disabled", "preferred", "required", "verify-ca", "verify-identity"}, "preferred"),
                                path("ssl_ca"), integer("connect_timeout_ms", 1, kMaxMilliseconds, 10'000)}};
  add_sql_common(mysql.settings);
  add(std::move(mysql));

  TypeSchema sqlite{.type = DatasourceType::Sqlite,
                    .settings = {required_path("path"), flag("demo", false),
                                 integer("busy_timeout_ms", 0, kMaxMilliseconds, 5'000)}};
  add_sql_common(sqlite.settings);
  add(std::move(sqlite));

  TypeSchema clickhouse{.type = DatasourceType::Clickhouse,
                        .settings = {required_url("url"), text_or("database", "default"), text_or("user", "default"),
                                     secret("password"), path("ca_file"),
                                     integer("connect_timeout_ms", 1, kMaxMilliseconds, 10'000)}};
  add_sql_common(clickhouse.settings);
  add(std::move(clickhouse));

  TypeSchema s3{.type = DatasourceType::S3,
                .settings = {required_text("bucket"), text_or("region", "us-east-1"), url("endpoint"),
                             flag("path_style", false), text("prefix"), secret("access_key_id"),
                             secret("secret_access_key"), secret("session_token")},
                .all_or_none = {{"access_key_id", "secret_access_key"}}};
  add_http_common(s3.settings);
  add(std::move(s3));

  TypeSchema gcs{.type = DatasourceType::Gcs,
                 .settings = {required_text("bucket"), url_or("endpoint", "https://storage.googleapis.com"),
                              text("prefix"), secret("access_key_id"), secret("secret_access_key"),
                              secret("service_account_json")},
                 .at_most_one_of = {{"access_key_id", "service_account_json"}},
                 .all_or_none = {{"access_key_id", "secret_access_key"}}};
  add_http_common(gcs.settings);
  add(std::move(gcs));

  TypeSchema azure{.type = DatasourceType::Azure,
                   .settings = {required_text("account"), required_text("container"), url("endpoint"), text("prefix"),
                                secret("account_key"), secret("sas_token")},
                   .at_most_one_of = {{"account_key", "sas_token"}}};
  add_http_common(azure.settings);
  add(std::move(azure));

  TypeSchema rest{.type = DatasourceType::Rest, .settings = {required_url("base_url")}};
  add_api_auth(rest);
  add(std::move(rest));

  TypeSchema openapi{.type = DatasourceType::Openapi,
                     .settings = {url("spec_url"), path("spec_path"), url("base_url")},
                     .exactly_one_of = {{"spec_url", "spec_path"}}};
  add_api_auth(openapi);
  add(std::move(openapi));

  TypeSchema soap{.type = DatasourceType::Soap,
                  .settings = {url("wsdl_url"), path("wsdl_path"), url("endpoint"), choice("soap_version", {"1.1", "1.2"}, "1.1")},
                  .exactly_one_of = {{"wsdl_url", "wsdl_path"}}};
  add_api_auth(soap);
  add(std::move(soap));

  TypeSchema graphql{.type = DatasourceType::Graphql, .settings = {required_url("url")}};
  add_api_auth(graphql);
  add(std::move(graphql));
  return schemas;
}

bool contains_ignoring_case(std::string_view text, std::string_view part) {
  auto lower = [](unsigned char c) { return static_cast<char>(std::tolower(c)); };
  return std::search(text.begin(), text.end(), part.begin(), part.end(),
                     [&](char a, char b) { return lower(a) == lower(b); }) != text.end();
}

}  // namespace

const SettingSpec* TypeSchema::find(std::string_view key) const {
  for (const auto& spec : settings) {
    if (spec.key == key) return &spec;
  }
  return nullptr;
}

const TypeSchema& schema_for(DatasourceType type) {
  static const std::map<DatasourceType, TypeSchema> schemas = build_schemas();
  return schemas.at(type);
}

bool is_sensitive_header(std::string_view name) {
  if (contains_ignoring_case(name, "cookie")) return true;
  for (std::string_view part : {"auth", "token", "secret", "password", "key"}) {
    if (contains_ignoring_case(name, part)) return true;
  }
  return false;
}

}  // namespace as::config
