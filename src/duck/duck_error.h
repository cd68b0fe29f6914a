#pragma once
// Errors of the project DuckDB, carrying a message meant for the script author or operator.
#include <stdexcept>
#include <string>

namespace as::duck {

class DuckError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// DuckDB's message for a failed statement, with a hint when the failure is one of the sandbox
// rules (no file or network access, locked configuration) so the author knows it is deliberate.
std::string explain_duckdb_error(std::string message);

}  // namespace as::duck
