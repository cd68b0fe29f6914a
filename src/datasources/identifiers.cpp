#include "identifiers.h"

#include <fmt/format.h>

#include "datasource_error.h"

namespace as::datasources {
namespace {

std::string quote_part(std::string_view part, std::string_view whole, char quote) {
  if (part.empty()) throw DatasourceError(fmt::format("'{}' is not a valid table or column name (an empty part)", whole));
  if (part.find('\0') != std::string_view::npos) throw DatasourceError("a table or column name cannot hold a NUL character");
  std::string quoted(1, quote);
  for (char c : part) {
    if (c == quote) quoted += quote;
    quoted += c;
  }
  return quoted + quote;
}

}  // namespace

std::string quote_identifier(std::string_view name, bool dotted, char quote) {
  if (!dotted) return quote_part(name, name, quote);
  std::string quoted;
  std::size_t start = 0;
  while (true) {
    std::size_t dot = name.find('.', start);
    if (!quoted.empty()) quoted += '.';
    quoted += quote_part(name.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start), name, quote);
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return quoted;
}

std::string quote_table(const std::string& schema, const std::string& table) {
  return schema.empty() ? quote_identifier(table) : quote_identifier(schema) + "." + quote_identifier(table);
}

}  // namespace as::datasources
