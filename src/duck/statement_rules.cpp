#include "statement_rules.h"

#include <array>
#include <cctype>
#include <string>

#include <fmt/format.h>

#include "duck_error.h"

namespace as::duck {
namespace {

// DuckDB identifiers may hold letters, digits, '_', '$' and any non-ASCII character.
bool is_identifier_byte(char c) {
  auto byte = static_cast<unsigned char>(c);
  return std::isalnum(byte) || c == '_' || c == '$' || byte >= 0x80;
}

bool equals_ignoring_case(std::string_view text, std::size_t at, std::string_view word) {
  if (at + word.size() > text.size()) return false;
  for (std::size_t i = 0; i < word.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[at + i])) != word[i]) return false;
  }
  return true;
}

// After a name: skips blanks, a closing identifier quote and comments; true when a '(' follows.
bool call_follows(std::string_view text, std::size_t at) {
  while (at < text.size()) {
    char c = text[at];
    if (std::isspace(static_cast<unsigned char>(c)) || c == '"') {
      ++at;
    } else if (text.substr(at, 2) == "--") {
      std::size_t end = text.find('\n', at);
      at = end == std::string_view::npos ? text.size() : end + 1;
    } else if (text.substr(at, 2) == "/*") {
      std::size_t end = text.find("*/", at + 2);
      at = end == std::string_view::npos ? text.size() : end + 2;
    } else {
      return c == '(';
    }
  }
  return false;
}

struct Forbidden {
  std::string_view name;
  bool only_as_call;  // a common word ("query" is a fine column name): refused only before '('
  const char* reason;
};

constexpr std::array<Forbidden, 6> kForbidden{{
    {"enable_logging", false, "it changes logging for the whole project database, which the sandbox cannot lock"},
    {"disable_logging", false, "it changes logging for the whole project database, which the sandbox cannot lock"},
    {"truncate_duckdb_logs", false, "it changes logging for the whole project database, which the sandbox cannot lock"},
    {"query_table", false, "it runs SQL assembled at run time, which the sandbox cannot check"},
    {"json_execute_serialized_sql", false, "it runs SQL assembled at run time, which the sandbox cannot check"},
    {"query", true, "it runs SQL assembled at run time, which the sandbox cannot check; write the SQL directly"},
}};

}  // namespace

void refuse_unlockable_functions(std::string_view sql) {
  for (std::size_t at = 0; at < sql.size(); ++at) {
    if (at > 0 && is_identifier_byte(sql[at - 1])) continue;  // only at the start of a word
    for (const Forbidden& forbidden : kForbidden) {
      std::size_t end = at + forbidden.name.size();
      if (!equals_ignoring_case(sql, at, forbidden.name)) continue;
      if (end < sql.size() && is_identifier_byte(sql[end])) continue;  // a longer word
      if (forbidden.only_as_call && !call_follows(sql, end)) continue;
      throw DuckError(fmt::format("{}() is not allowed in the sandbox: {} (a mention inside a string literal counts too)",
                                  forbidden.name, forbidden.reason));
    }
  }
}

void refuse_statement_type(duckdb_statement_type type) {
  switch (type) {
    case DUCKDB_STATEMENT_TYPE_ATTACH:
    case DUCKDB_STATEMENT_TYPE_DETACH:
      throw DuckError(fmt::format("{} is not allowed in the sandbox: a run works with its project's own database only",
                                  type == DUCKDB_STATEMENT_TYPE_ATTACH ? "ATTACH" : "DETACH"));
    case DUCKDB_STATEMENT_TYPE_PREPARE:
    case DUCKDB_STATEMENT_TYPE_EXECUTE:
      throw DuckError(
          "SQL-level PREPARE and EXECUTE are not allowed in the sandbox: pass parameters to "
          "ctx.duckdb.query(sql, params) instead, e.g. query('SELECT * FROM t WHERE id = $1', [42])");
    default: return;
  }
}

}  // namespace as::duck
