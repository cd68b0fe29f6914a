#pragma once
// SQL text for ClickHouse written by the sandbox: `?` parameters bound client-side as literals,
// identifiers quoted, a text of several statements split. ClickHouse before 19.x has no
// server-side parameters, so (as clickhouse-driver and clickhouse-connect do) each value becomes
// a typed literal whose every quote and backslash is escaped: a value can only ever be a value.
// Pure functions, so they are tested without a server.
#include <string>
#include <string_view>
#include <vector>

#include "sandbox/value.h"

namespace as::datasources::clickhouse {

// A value as a ClickHouse literal: NULL, 1/0 for booleans, digits for whole numbers and BigInts,
// the shortest decimal text (nan, inf, -inf) for other numbers, a '...' string with ', \ and
// control characters escaped (bytes: every byte as \xHH), a Date as toDateTime(<unix seconds>)
// (DateTime holds whole seconds: milliseconds are dropped). `position` (1-based) names the
// parameter in errors; arrays and objects are refused (check_bindable).
std::string format_literal(const Value& value, std::size_t position);

// `sql` with each `?` outside string literals, quoted identifiers and comments replaced by the
// literal of the next value. With no values the text is returned as it is (so the ternary
// operator `a ? b : c` works there). Throws DatasourceError
// "the statement has N parameters but M values were given" when the counts differ.
std::string bind_parameters(std::string_view sql, const std::vector<Value>& params);

// The statements of a text separated by `;` outside literals and comments, each trimmed, empty
// ones left out.
std::vector<std::string> split_statements(std::string_view sql);

// `name` as a ClickHouse identifier in backquotes, with ` and \ escaped by a backslash (a
// doubled quote is not enough: ClickHouse reads backslash escapes inside quoted names). With
// `dotted`, database.table quotes each part. Throws DatasourceError for an empty part or a NUL.
std::string quote_identifier(std::string_view name, bool dotted = false);

}  // namespace as::datasources::clickhouse
