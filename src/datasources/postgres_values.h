#pragma once
// PostgreSQL values in text form (how the server sends them with DateStyle=ISO, TimeZone=UTC,
// IntervalStyle=iso_8601, bytea_output=hex, extra_float_digits=1) turned into the shared type
// table of docs/datasources.md. Pure functions, so they are tested without a server.
#include <cstdint>
#include <string>
#include <string_view>

#include "sandbox/value.h"

namespace as::datasources::postgres {

using Oid = unsigned int;

// The value of a non-NULL cell of type `type` (a pg_type OID). Types the table does not name
// come back as the server's text.
Value decode_text(Oid type, std::string_view text);

// The DuckDB type ctx.duckdb.load makes a column of type `type` with type modifier `typmod`
// (PQfmod), or "" when the values decide (numeric without a precision, or above DECIMAL's 38
// digits: a double when exact, else text; arrays, intervals and types the table does not
// name). numeric(p, s) with p <= 38 is DECIMAL(p, s), as the binary COPY path makes it.
std::string duck_type(Oid type, int typmod = -1);

// The element type of a built-in array type, or 0 when `type` is not one.
Oid array_element_type(Oid type);

// The pieces, exposed for tests.
std::string normalize_date(std::string_view text);                    // "0044-03-15 BC" -> "-000043-03-15"
std::string normalize_timestamp(std::string_view text, bool with_zone);  // "2024-01-02 03:04:05.5+00" -> "2024-01-02T03:04:05.500Z"
std::string normalize_time(std::string_view text);                    // "12:00:00.5+05" -> "12:00:00.500+05:00"
Value decode_numeric(std::string_view text);                          // number when exact in a double, else the text
Value decode_interval(std::string_view text);                         // "P1Y2M3DT4H5M6.5S" -> {months, days, micros}
Value decode_array(Oid element_type, std::string_view text);          // "{1,NULL,\"a b\"}" -> [1, null, "a b"]
Bytes decode_bytea(std::string_view text);                            // "\\x00ff" -> [0, 255]

}  // namespace as::datasources::postgres
