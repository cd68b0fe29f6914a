#pragma once
// One configured SQL datasource of a project: its settings and its connection pool, and the
// operations scripts call (ctx.datasource.<name>.query/stream/execute/insert). Thread-safe:
// every run that declares the datasource shares this object.
#include <cstddef>
#include <memory>
#include <stop_token>
#include <string>
#include <vector>

#include "config/config.h"
#include "connection.h"
#include "connection_pool.h"

namespace as::datasources {

// An open stream: the cursor and the connection it holds until the stream is destroyed.
class Stream {
 public:
  Stream(ConnectionPool::Lease lease, std::unique_ptr<Cursor> cursor) : lease_(std::move(lease)), cursor_(std::move(cursor)) {}
  // Up to `max_rows` further rows; empty once exhausted.
  Rows fetch(std::size_t max_rows, std::stop_token stop) { return cursor_->fetch(max_rows, stop); }

 private:
  ConnectionPool::Lease lease_;      // declared first: outlives the cursor that borrows it
  std::unique_ptr<Cursor> cursor_;
};

class Datasource {
 public:
  explicit Datasource(config::DatasourceConfig config);
  Datasource(const Datasource&) = delete;  // the pool's connector points at this object
  Datasource& operator=(const Datasource&) = delete;

  const config::DatasourceConfig& config() const { return config_; }
  const std::string& name() const { return config_.name; }
  bool allow_writes() const { return config_.allow_writes; }

  Rows query(const std::string& sql, const std::vector<Value>& params, const StatementLimits& limits, std::stop_token stop);
  std::unique_ptr<Stream> stream(const std::string& sql, const std::vector<Value>& params, std::stop_token stop);
  // Both refuse (DatasourceError) unless the datasource allows writes.
  ExecuteResult execute(const std::string& sql, const std::vector<Value>& params, std::stop_token stop);
  ExecuteResult insert(const std::string& table, const std::vector<std::string>& columns,
                       const std::vector<std::vector<Value>>& rows, std::stop_token stop);

  // Connection::bulk_insert on a pooled connection; refuses unless the datasource allows writes.
  ExecuteResult bulk_insert(const std::string& table, const std::vector<std::string>& columns,
                            const std::vector<std::vector<Value>>& rows, std::stop_token stop);

  ConnectionPool& pool() { return pool_; }

 private:
  void require_writes(const char* method) const;

  config::DatasourceConfig config_;
  ConnectionPool pool_;
};

// A new connection for `config` (its driver chosen by type). Throws DatasourceError naming the
// datasource when it cannot connect, or when its type is not a SQL database this build reaches.
std::unique_ptr<Connection> connect(const config::DatasourceConfig& config);

// Whether this build has a driver for datasources of `type`.
bool has_driver(config::DatasourceType type);

}  // namespace as::datasources
