#pragma once
// ClickHouse values as the HTTP interface sends them in TabSeparatedWithNamesAndTypes, turned into
// the shared type table of docs/datasources.md. A top-level cell is in TSV's escaped form; the
// elements of arrays and tuples are in ClickHouse's quoted form ('text', NULL, [..], (..)).
// Pure functions, so they are tested without a server.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sandbox/value.h"

namespace date {
class time_zone;
}

namespace as::datasources::clickhouse {

// A column type, parsed from its name ("Nullable(DateTime('Asia/Tokyo'))", "Array(Decimal(10, 2))").
struct ColumnType {
  enum class Kind {
    Integer,     // Int8 ... Int64, UInt8 ... UInt32: numbers (BigInt past 2^53)
    Unsigned64,  // UInt64: a BigInt past 2^53, also past Int64's range
    Float,       // Float32, Float64 (nan, inf)
    Decimal,     // Decimal(P, S), Decimal32/64/128(S)
    String,      // String, Enum8/16 (the name), UUID, and types the table does not name (their text)
    FixedString, // trailing NUL padding removed
    Date,        // "YYYY-MM-DD"
    DateTime,    // ISO-8601 UTC, from the wall time in the column's (or the server's) zone
    Nothing,     // Nullable(Nothing): SELECT NULL
    Nullable,    // children[0]
    Array,       // children[0]
    Tuple,       // children: the elements (a JS array)
  };
  Kind kind = Kind::String;
  std::string name;                    // as the server wrote it
  std::vector<ColumnType> children;
  const date::time_zone* zone = nullptr;  // DateTime: nullptr for UTC
};

// Parses a type name. `server_zone` is the zone of a DateTime without one (nullptr: UTC).
// Throws DatasourceError naming a DateTime zone this machine's tz database lacks.
ColumnType parse_type(std::string_view name, const date::time_zone* server_zone);
// A zone by name (nullptr for UTC and its aliases); throws DatasourceError when unknown.
const date::time_zone* find_zone(std::string_view name);

// The value of a top-level cell (TSV escaped form; "\N" is NULL).
Value decode_cell(const ColumnType& type, std::string_view field);
// The DuckDB type ctx.duckdb.load gives a column, or "" when the values decide.
std::string duck_type(const ColumnType& type);

// TSV's escapes (\t \n \\ \' \0 \xHH ...) undone.
std::string unescape(std::string_view field);

// "2024-01-02 03:04:05" in `zone` (nullptr: UTC) as "2024-01-02T03:04:05Z". ClickHouse writes the
// zero DateTime as "0000-00-00 00:00:00": that is the Unix epoch. Returns the text unchanged
// when it is not a date and time.
std::string datetime_to_utc(std::string_view text, const date::time_zone* zone);

}  // namespace as::datasources::clickhouse
