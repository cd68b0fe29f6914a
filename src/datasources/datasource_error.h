#pragma once
// Errors of SQL datasources. The message is what the script sees after
// "ctx.datasource.<name>.<method>: ": the database's own text where there is one, and the
// datasource's name wherever the error could be read without that prefix (connection errors).
#include <stdexcept>
#include <string>

namespace as::datasources {

class DatasourceError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The statement stopped because the run was stopped (cancelled, out of time or over).
class StatementCancelled : public DatasourceError {
 public:
  StatementCancelled() : DatasourceError("the statement was cancelled: the run was stopped (cancelled, out of time or over)") {}
};

}  // namespace as::datasources
