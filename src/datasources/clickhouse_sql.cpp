#include "clickhouse_sql.h"

#include <cctype>
#include <cmath>
#include <cstdint>

#include <fmt/format.h>

#include "connection.h"
#include "datasource_error.h"

namespace as::datasources::clickhouse {
namespace {

// Calls `code(i)` for every character of `sql` that is SQL code: not inside a '...' string,
// a "..." or `...` identifier (the opening quote counts as code), a -- line comment or a
// /* ... */ comment (ClickHouse reads backslash escapes inside quotes, and does not nest comments).
template <class OnCode>
void scan(std::string_view sql, OnCode code) {
  std::size_t i = 0;
  const std::size_t n = sql.size();
  while (i < n) {
    char c = sql[i];
    if (c == '\'' || c == '"' || c == '`') {
      code(i);
      ++i;
      while (i < n) {
        if (sql[i] == '\\') {
          i += 2;
        } else if (sql[i] == c) {
          if (i + 1 < n && sql[i + 1] == c) {
            i += 2;  // a doubled quote stands for itself
          } else {
            ++i;
            break;
          }
        } else {
          ++i;
        }
      }
    } else if (c == '-' && i + 1 < n && sql[i + 1] == '-') {
      while (i < n && sql[i] != '\n') ++i;
    } else if (c == '/' && i + 1 < n && sql[i + 1] == '*') {
      std::size_t end = sql.find("*/", i + 2);
      i = end == std::string_view::npos ? n : end + 2;
    } else {
      code(i);
      ++i;
    }
  }
}

bool is_word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.'; }

// Whether a literal put between `before` and `after` could run into them: a '-' before a
// negative number would make "--" (a comment); a quote next to a quote would merge strings.
bool needs_space(char neighbour) { return neighbour == '-' || neighbour == '\'' || neighbour == '"' || neighbour == '`' || is_word_char(neighbour); }

void append_escaped(std::string& out, unsigned char c) {
  switch (c) {
    case '\\': out += "\\\\"; return;
    case '\'': out += "\\'"; return;
    case '\0': out += "\\0"; return;
    case '\n': out += "\\n"; return;
    case '\r': out += "\\r"; return;
    case '\t': out += "\\t"; return;
    default:
      if (c < 0x20 || c == 0x7f) {
        out += fmt::format("\\x{:02X}", c);
      } else {
        out += static_cast<char>(c);
      }
  }
}

std::string quoted_string(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out += '\'';
  for (char c : text) append_escaped(out, static_cast<unsigned char>(c));
  out += '\'';
  return out;
}

bool is_integer_text(std::string_view text) {
  std::size_t start = !text.empty() && text[0] == '-' ? 1 : 0;
  if (start == text.size()) return false;
  for (std::size_t i = start; i < text.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return false;
  }
  return true;
}

std::string quote_part(std::string_view part, std::string_view whole) {
  if (part.empty()) throw DatasourceError(fmt::format("'{}' is not a valid table or column name (an empty part)", whole));
  if (part.find('\0') != std::string_view::npos) throw DatasourceError("a table or column name cannot hold a NUL character");
  std::string quoted = "`";
  for (char c : part) {
    if (c == '`' || c == '\\') quoted += '\\';
    quoted += c;
  }
  return quoted + '`';
}

}  // namespace

std::string format_literal(const Value& value, std::size_t position) {
  check_bindable(value, position);
  if (value.is_null()) return "NULL";
  if (value.is<bool>()) return value.as<bool>() ? "1" : "0";
  if (value.is<double>()) {
    double number = value.as<double>();
    if (std::isnan(number)) return "nan";
    if (std::isinf(number)) return number > 0 ? "inf" : "-inf";
    if (std::trunc(number) == number && std::fabs(number) <= 9007199254740992.0) return std::to_string(static_cast<std::int64_t>(number));
    return fmt::format("{}", number);  // the shortest text that reads back as the same double
  }
  if (value.is<std::string>()) return quoted_string(value.as<std::string>());
  if (value.is<BigInt>()) {
    const std::string& digits = value.as<BigInt>().decimal;
    if (!is_integer_text(digits)) throw DatasourceError(fmt::format("parameter {} is a BigInt with the text '{}', which is not an integer", position, digits));
    return digits;
  }
  if (value.is<Bytes>()) {
    const Bytes& bytes = value.as<Bytes>();
    std::string out;
    out.reserve(bytes.size() * 4 + 2);
    out += '\'';
    for (std::uint8_t byte : bytes) out += fmt::format("\\x{:02X}", byte);
    return out + '\'';
  }
  if (value.is<Timestamp>()) {
    double seconds = std::floor(value.as<Timestamp>().epoch_ms / 1000.0);
    if (!(seconds >= 0 && seconds <= 4294967295.0)) {
      throw DatasourceError(fmt::format("parameter {} is the Date {}, outside what ClickHouse's DateTime holds (1970 to 2106)", position,
                                        iso8601_utc(value.as<Timestamp>().epoch_ms)));
    }
    return fmt::format("toDateTime({})", static_cast<std::int64_t>(seconds));
  }
  throw DatasourceError(fmt::format("parameter {} has a type ClickHouse cannot take", position));
}

std::string bind_parameters(std::string_view sql, const std::vector<Value>& params) {
  if (params.empty()) return std::string(sql);
  std::vector<std::size_t> marks;
  scan(sql, [&](std::size_t i) {
    if (sql[i] == '?') marks.push_back(i);
  });
  if (marks.size() != params.size()) {
    throw DatasourceError(fmt::format("the statement has {} parameter{} but {} value{} given", marks.size(), marks.size() == 1 ? "" : "s",
                                      params.size(), params.size() == 1 ? " was" : "s were"));
  }
  std::string out;
  out.reserve(sql.size() + params.size() * 8);
  std::size_t copied = 0;
  for (std::size_t k = 0; k < marks.size(); ++k) {
    out.append(sql.substr(copied, marks[k] - copied));
    std::string literal = format_literal(params[k], k + 1);
    if (!out.empty() && needs_space(out.back())) out += ' ';
    out += literal;
    std::size_t next = marks[k] + 1;
    if (next < sql.size() && needs_space(sql[next])) out += ' ';
    copied = next;
  }
  out.append(sql.substr(copied));
  return out;
}

std::vector<std::string> split_statements(std::string_view sql) {
  std::vector<std::string> statements;
  std::size_t start = 0;
  bool has_code = false;  // a part of comments and blanks only is no statement
  auto add = [&](std::size_t end) {
    if (!has_code) return;
    has_code = false;
    std::string_view part = sql.substr(start, end - start);
    std::size_t first = part.find_first_not_of(" \t\r\n");
    if (first != std::string_view::npos) {
      std::size_t last = part.find_last_not_of(" \t\r\n");
      statements.emplace_back(part.substr(first, last - first + 1));
    }
  };
  scan(sql, [&](std::size_t i) {
    if (sql[i] != ';') {
      if (!std::isspace(static_cast<unsigned char>(sql[i]))) has_code = true;
      return;
    }
    add(i);
    start = i + 1;
  });
  add(sql.size());
  return statements;
}

std::string quote_identifier(std::string_view name, bool dotted) {
  if (!dotted) return quote_part(name, name);
  std::string quoted;
  std::size_t start = 0;
  while (true) {
    std::size_t dot = name.find('.', start);
    if (!quoted.empty()) quoted += '.';
    quoted += quote_part(name.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start), name);
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return quoted;
}

}  // namespace as::datasources::clickhouse
