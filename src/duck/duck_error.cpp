#include "duck_error.h"

namespace as::duck {

std::string explain_duckdb_error(std::string message) {
  if (message.empty()) return "DuckDB reported an error without a message";
  // DuckDB prefixes each message with its exception type ("Permission Error: ...").
  if (message.starts_with("Permission Error:")) {
    return message +
           "\n(the project's DuckDB is sandboxed: SQL cannot read or write files, reach the network, attach "
           "other databases or install and load extensions; keep data in the project's own tables)";
  }
  if (message.find("the configuration has been locked") != std::string::npos) {
    return message + "\n(the project's DuckDB settings are fixed by the operator and cannot be changed from SQL)";
  }
  return message;
}

}  // namespace as::duck
