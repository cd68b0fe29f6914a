#include "postgres_copy.h"

#include <libpq-fe.h>

#include <charconv>
#include <cmath>
#include <cstring>
#include <memory>

#include <fmt/format.h>

#include "connection.h"
#include "datasource_error.h"

namespace as::datasources::postgres {
namespace {

struct FreeCopyData {
  void operator()(char* data) const { PQfreemem(data); }
};
using CopyData = std::unique_ptr<char, FreeCopyData>;

constexpr char kSignature[] = "PGCOPY\n\377\r\n";  // + its NUL: 11 bytes
constexpr std::size_t kSignatureSize = 11;

[[noreturn]] void malformed(const char* what) {
  throw DatasourceError(fmt::format("PostgreSQL sent binary COPY data this sandbox cannot read: {}", what));
}

void expect_size(std::int32_t length, std::int32_t size, const char* type) {
  if (length != size) throw DatasourceError(fmt::format("PostgreSQL sent a {}-byte {} in binary COPY data", length, type));
}

// A json value as the text path stores it: its compact JSON text (a string keeps its quotes),
// JSON null as NULL.
void write_json(DuckChunkBuilder& chunk, std::size_t column, std::string_view text) {
  Value value;
  try {
    value = parse_json(text);
  } catch (const std::invalid_argument& e) {
    throw DatasourceError(fmt::format("PostgreSQL sent JSON this sandbox cannot parse: {}", e.what()));
  }
  if (value.is_null()) return chunk.set_null(column);
  std::string json = to_json(value);
  chunk.set_string(column, json.data(), json.size());
}

// A DECIMAL cell in the integer type of its width.
void write_decimal(DuckChunkBuilder& chunk, std::size_t column, const DuckColumn& type, std::string_view binary) {
  Int128 scaled = numeric_scaled(binary, type.width, type.scale);
  if (type.width <= 4) chunk.cell<std::int16_t>(column) = static_cast<std::int16_t>(scaled);
  else if (type.width <= 9) chunk.cell<std::int32_t>(column) = static_cast<std::int32_t>(scaled);
  else if (type.width <= 18) chunk.cell<std::int64_t>(column) = static_cast<std::int64_t>(scaled);
  else chunk.cell<duckdb_hugeint>(column) = duckdb_hugeint{static_cast<std::uint64_t>(scaled), static_cast<std::int64_t>(scaled >> 64)};
}

void write_cell(DuckChunkBuilder& chunk, std::size_t column, const BinaryColumn& type, const char* data, std::int32_t length) {
  switch (type.kind) {
    case BinaryKind::Bool: expect_size(length, 1, "boolean"); chunk.cell<bool>(column) = data[0] != 0; return;
    case BinaryKind::Int2: expect_size(length, 2, "smallint"); chunk.cell<std::int64_t>(column) = read_int16(data); return;
    case BinaryKind::Int4: expect_size(length, 4, "integer"); chunk.cell<std::int64_t>(column) = read_int32(data); return;
    case BinaryKind::ObjectId: expect_size(length, 4, "oid"); chunk.cell<std::int64_t>(column) = static_cast<std::uint32_t>(read_int32(data)); return;
    case BinaryKind::Int8: expect_size(length, 8, "bigint"); chunk.cell<std::int64_t>(column) = read_int64(data); return;
    case BinaryKind::Float4: {
      expect_size(length, 4, "real");
      auto bits = static_cast<std::uint32_t>(read_int32(data));
      float value;
      std::memcpy(&value, &bits, sizeof value);
      // The double nearest the float's shortest decimal form, as the text path parses the
      // server's "0.33333334" (not the float's exact binary value, 0.3333333432674408).
      char text[32];
      auto printed = std::to_chars(text, text + sizeof text, value);
      double widened = value;
      std::from_chars(text, printed.ptr, widened);
      chunk.cell<double>(column) = widened;
      return;
    }
    case BinaryKind::Float8: {
      expect_size(length, 8, "double precision");
      auto bits = static_cast<std::uint64_t>(read_int64(data));
      double value;
      std::memcpy(&value, &bits, sizeof value);
      chunk.cell<double>(column) = value;
      return;
    }
    case BinaryKind::Decimal: write_decimal(chunk, column, type.duck, {data, static_cast<std::size_t>(length)}); return;
    case BinaryKind::NumericText: {
      std::string text = numeric_text({data, static_cast<std::size_t>(length)});
      chunk.set_string(column, text.data(), text.size());
      return;
    }
    case BinaryKind::Text:
    case BinaryKind::Bytea: chunk.set_string(column, data, static_cast<std::size_t>(length)); return;
    case BinaryKind::Json: write_json(chunk, column, {data, static_cast<std::size_t>(length)}); return;
    case BinaryKind::Jsonb:
      if (length < 1 || data[0] != 1) malformed("jsonb of an unknown version");
      write_json(chunk, column, {data + 1, static_cast<std::size_t>(length - 1)});
      return;
    case BinaryKind::Uuid: expect_size(length, 16, "uuid"); chunk.cell<duckdb_hugeint>(column) = uuid_hugeint(data); return;
    case BinaryKind::Date: expect_size(length, 4, "date"); chunk.cell<std::int32_t>(column) = date_days(read_int32(data)); return;
    case BinaryKind::Timestamp:
    case BinaryKind::TimestampTz:
      expect_size(length, 8, "timestamp");
      chunk.cell<std::int64_t>(column) = timestamp_micros(read_int64(data));
      return;
    case BinaryKind::Time: expect_size(length, 8, "time"); chunk.cell<std::int64_t>(column) = read_int64(data); return;
  }
}

void append_escaped(std::string& out, std::string_view text) {
  std::size_t start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    const char* escape = c == '\\' ? "\\\\" : c == '\t' ? "\\t" : c == '\n' ? "\\n" : c == '\r' ? "\\r" : nullptr;
    if (!escape) {
      if (c == '\0') throw DatasourceError("a text value holds a NUL character, which PostgreSQL text cannot hold; pass bytes as a Uint8Array");
      continue;
    }
    out.append(text.data() + start, i - start);
    out += escape;
    start = i + 1;
  }
  out.append(text.data() + start, text.size() - start);
}

}  // namespace

void read_binary_copy(PGconn* connection, const std::vector<BinaryColumn>& columns, DuckChunkBuilder& builder,
                      const std::function<bool(duck::DataChunk)>& emit, const std::stop_token& stop) {
  bool header = true;
  std::size_t since_check = 0;
  for (;;) {
    char* raw = nullptr;
    int length = PQgetCopyData(connection, &raw, 0);
    if (length == -1) {  // the COPY is over: its result says how
      if (builder.rows() > 0) emit(builder.take());
      return;
    }
    if (length < 0) throw DatasourceError(fmt::format("reading COPY data failed: {}", PQerrorMessage(connection)));
    CopyData message(raw);
    const char* at = raw;
    const char* end = raw + length;
    if (header) {
      if (length < static_cast<int>(kSignatureSize + 8) || std::memcmp(at, kSignature, kSignatureSize) != 0) malformed("no COPY signature");
      at += kSignatureSize + 4;  // the flags word: no flag is defined that changes the tuples
      std::int32_t extension = read_int32(at);
      at += 4;
      if (extension < 0 || extension > end - at) malformed("a header extension longer than the data");
      at += extension;
      header = false;
    }
    while (at < end) {
      if (end - at < 2) malformed("a truncated tuple");
      std::int16_t fields = read_int16(at);
      at += 2;
      if (fields == -1) break;  // the trailer
      if (static_cast<std::size_t>(fields) != columns.size()) malformed("a tuple with a different number of columns");
      for (std::size_t c = 0; c < columns.size(); ++c) {
        if (end - at < 4) malformed("a truncated tuple");
        std::int32_t size = read_int32(at);
        at += 4;
        if (size == -1) {
          builder.set_null(c);
          continue;
        }
        if (size < 0 || size > end - at) malformed("a field longer than its tuple");
        write_cell(builder, c, columns[c], at, size);
        at += size;
      }
      if (builder.end_row() && !emit(builder.take())) return;
    }
    if (++since_check == 4096) {
      since_check = 0;
      if (stop.stop_requested()) throw StatementCancelled();
    }
  }
}

void append_copy_text_row(std::string& out, const std::vector<Value>& row) {
  for (std::size_t c = 0; c < row.size(); ++c) {
    if (c) out += '\t';
    const Value& value = row[c];
    check_bindable(value, c + 1);
    const auto& data = value.data;
    if (value.is_null()) {
      out += "\\N";
    } else if (const auto* flag = std::get_if<bool>(&data)) {
      out += *flag ? 't' : 'f';
    } else if (const auto* number = std::get_if<double>(&data)) {
      if (std::isnan(*number)) out += "NaN";
      else if (std::isinf(*number)) out += *number > 0 ? "Infinity" : "-Infinity";
      else if (std::trunc(*number) == *number && std::fabs(*number) < 9.2e18) fmt::format_to(std::back_inserter(out), "{}", static_cast<std::int64_t>(*number));
      else fmt::format_to(std::back_inserter(out), "{}", *number);
    } else if (const auto* text = std::get_if<std::string>(&data)) {
      append_escaped(out, *text);
    } else if (const auto* big = std::get_if<BigInt>(&data)) {
      out += big->decimal;
    } else if (const auto* moment = std::get_if<Timestamp>(&data)) {
      out += iso8601_utc(moment->epoch_ms);
    } else if (const auto* bytes = std::get_if<Bytes>(&data)) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\\\x";  // bytea's hex input "\x...", its backslash escaped for COPY
      for (std::uint8_t byte : *bytes) {
        out += kHex[byte >> 4];
        out += kHex[byte & 15];
      }
    }
  }
  out += '\n';
}

}  // namespace as::datasources::postgres
