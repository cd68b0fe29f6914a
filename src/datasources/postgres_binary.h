#pragma once
// PostgreSQL's binary wire forms (COPY ... (FORMAT binary)) read into DuckDB cells for the fast
// path of ctx.duckdb.load. Which columns take it, and as what DuckDB type, keeps the mapping of
// the text path (postgres::duck_type): a column whose type this file does not name makes the
// whole load take the text path instead. Pure functions, so they are tested without a server.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "duck_chunk_writer.h"
#include "postgres_values.h"

namespace as::datasources::postgres {

// How one column's binary cells are read.
enum class BinaryKind {
  Bool, Int2, Int4, Int8, ObjectId, Float4, Float8,
  Decimal,        // numeric(p, s) with p <= 38: DECIMAL(p, s), exact
  NumericText,    // numeric(p, s) with p > 38: PostgreSQL's own text of the value
  Text,           // text, varchar, bpchar, name, "char": the bytes as they are
  Json, Jsonb,    // their JSON text, re-serialized as the text path does (compact)
  Bytea, Uuid, Date, Timestamp, TimestampTz, Time,
};

struct BinaryColumn {
  BinaryKind kind;
  DuckColumn duck;
};

// The binary reading of a column of type `type` with type modifier `typmod` (PQfmod), or
// nullopt when the load must take the text path (numeric without precision, arrays, intervals,
// timetz, and every type not named above).
std::optional<BinaryColumn> binary_column(Oid type, int typmod);

// Big-endian integers of the wire format.
inline std::int16_t read_int16(const char* at) {
  auto* b = reinterpret_cast<const unsigned char*>(at);
  return static_cast<std::int16_t>(b[0] << 8 | b[1]);
}
inline std::int32_t read_int32(const char* at) {
  auto* b = reinterpret_cast<const unsigned char*>(at);
  return static_cast<std::int32_t>(std::uint32_t(b[0]) << 24 | std::uint32_t(b[1]) << 16 | std::uint32_t(b[2]) << 8 | b[3]);
}
inline std::int64_t read_int64(const char* at) {
  return static_cast<std::int64_t>(std::uint64_t(static_cast<std::uint32_t>(read_int32(at))) << 32 |
                                   static_cast<std::uint32_t>(read_int32(at + 4)));
}

// A binary numeric as PostgreSQL prints it ("-12.50", "NaN", "Infinity"). Throws
// DatasourceError when `binary` is not one.
std::string numeric_text(std::string_view binary);
// GCC's 128-bit integer (DuckDB's hugeint), without -Wpedantic's complaint.
__extension__ typedef __int128 Int128;

// A binary numeric of a numeric(precision, scale) column as DECIMAL(precision, scale) stores
// it: the value times 10^scale, exactly. Throws DatasourceError for NaN and the infinities
// (which a DECIMAL cannot hold), a value with more fraction digits than `scale` or more than
// `precision` digits, and data that is not a binary numeric.
Int128 numeric_scaled(std::string_view binary, int precision, int scale);

// PostgreSQL counts from 2000-01-01, DuckDB from 1970-01-01; both keep +-infinity at the ends.
std::int64_t timestamp_micros(std::int64_t postgres_micros);
std::int32_t date_days(std::int32_t postgres_days);
// A uuid's 16 bytes as DuckDB stores a UUID.
duckdb_hugeint uuid_hugeint(const char* bytes);

}  // namespace as::datasources::postgres
