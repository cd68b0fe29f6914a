#pragma once
// Quoting names for SQL text that the sandbox writes itself (insert()).
#include <string>
#include <string_view>

namespace as::datasources {

// `name` as a double-quoted SQL identifier ("a""b"). A dotted name (schema.table) quotes each
// part. Throws DatasourceError for an empty name or part, or one holding a NUL character.
// `quote` is the database's identifier quote (MySQL and ClickHouse: '`').
std::string quote_identifier(std::string_view name, bool dotted = false, char quote = '"');

// A DuckDB table name for SQL text: "table", or "schema"."table" when `schema` is not empty.
std::string quote_table(const std::string& schema, const std::string& table);

}  // namespace as::datasources
