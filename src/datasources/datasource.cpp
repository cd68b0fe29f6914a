#include "datasource.h"

#include <fmt/format.h>

#include "clickhouse_datasource.h"
#include "datasource_error.h"
#include "mysql_datasource.h"
#include "postgres_datasource.h"
#include "sqlite_datasource.h"

namespace as::datasources {

void check_bindable(const Value& value, std::size_t position) {
  if (value.is<ValueArray>() || value.is<ValueObject>()) {
    throw DatasourceError(fmt::format(
        "parameter {} is an {}: only null, booleans, numbers, strings, BigInts, Dates and Uint8Arrays can be bound; "
        "for nested data pass JSON text (JSON.stringify) and convert it in SQL",
        position, value.is<ValueArray>() ? "array" : "object"));
  }
}

bool has_driver(config::DatasourceType type) {
  return type == config::DatasourceType::Sqlite || type == config::DatasourceType::Postgres || type == config::DatasourceType::Mysql ||
         type == config::DatasourceType::Clickhouse;
}

std::unique_ptr<Connection> connect(const config::DatasourceConfig& config) {
  switch (config.type) {
    case config::DatasourceType::Sqlite: return connect_sqlite(config);
    case config::DatasourceType::Postgres: return connect_postgres(config);
    case config::DatasourceType::Mysql: return connect_mysql(config);
    case config::DatasourceType::Clickhouse: return connect_clickhouse(config);
    default:
      throw DatasourceError(fmt::format("datasource '{}' is of type {}, which this build of the sandbox cannot reach yet",
                                        config.name, config::to_string(config.type)));
  }
}

Datasource::Datasource(config::DatasourceConfig config)
    : config_(std::move(config)),
      pool_(static_cast<std::size_t>(config_.integer("pool_size").value_or(4)), [this] { return connect(config_); }) {}

void Datasource::require_writes(const char* method) const {
  if (config_.allow_writes) return;
  throw DatasourceError(fmt::format(
      "datasource '{}' is read-only: {}() needs allow_writes = true in its configuration (query() and stream() read)", config_.name,
      method));
}

Rows Datasource::query(const std::string& sql, const std::vector<Value>& params, const StatementLimits& limits, std::stop_token stop) {
  auto lease = pool_.acquire(stop);
  return lease->query(sql, params, limits, stop);
}

std::unique_ptr<Stream> Datasource::stream(const std::string& sql, const std::vector<Value>& params, std::stop_token stop) {
  auto lease = pool_.acquire(stop);
  auto cursor = lease->stream(sql, params, stop);
  return std::make_unique<Stream>(std::move(lease), std::move(cursor));
}

ExecuteResult Datasource::execute(const std::string& sql, const std::vector<Value>& params, std::stop_token stop) {
  require_writes("execute");
  auto lease = pool_.acquire(stop);
  return lease->execute(sql, params, stop);
}

ExecuteResult Datasource::insert(const std::string& table, const std::vector<std::string>& columns,
                                 const std::vector<std::vector<Value>>& rows, std::stop_token stop) {
  require_writes("insert");
  if (rows.empty()) return {};
  auto lease = pool_.acquire(stop);
  return lease->insert(table, columns, rows, stop);
}

ExecuteResult Datasource::bulk_insert(const std::string& table, const std::vector<std::string>& columns,
                                      const std::vector<std::vector<Value>>& rows, std::stop_token stop) {
  require_writes("insert");
  if (rows.empty()) return {};
  auto lease = pool_.acquire(stop);
  return lease->bulk_insert(table, columns, rows, stop);
}

}  // namespace as::datasources
