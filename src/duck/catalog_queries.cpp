#include "catalog_queries.h"

#include <fmt/format.h>

#include "duck_error.h"
#include "vector_view.h"

namespace as::duck {
namespace {

// The few value types the catalog queries below return, read as host values.
Value host_value(const VectorView& view, const ColumnType& type, idx_t row) {
  if (!view.is_valid(row)) return nullptr;
  switch (type.id) {
    case DUCKDB_TYPE_VARCHAR: {
      StringBytes text = string_bytes(view.at<duckdb_string_t>(row));
      return std::string(text.data, text.size);
    }
    case DUCKDB_TYPE_BOOLEAN: return view.at<bool>(row);
    case DUCKDB_TYPE_INTEGER: return view.at<std::int32_t>(row);
    case DUCKDB_TYPE_BIGINT: return Value(view.at<std::int64_t>(row));
    default: throw DuckError(fmt::format("catalog query returned a {} column", type_id_name(type.id)));
  }
}

std::vector<std::vector<Value>> host_rows(const FetchedRows& rows) {
  std::vector<std::vector<Value>> out;
  for (const DataChunk& chunk : rows.chunks) {
    std::vector<VectorView> views;
    for (std::size_t col = 0; col < rows.types.size(); ++col) {
      views.push_back(VectorView::of(duckdb_data_chunk_get_vector(chunk.get(), col), rows.types[col]));
    }
    idx_t size = duckdb_data_chunk_get_size(chunk.get());
    for (idx_t row = 0; row < size; ++row) {
      auto& values = out.emplace_back();
      for (std::size_t col = 0; col < views.size(); ++col) values.push_back(host_value(views[col], rows.types[col], row));
    }
  }
  return out;
}

std::vector<std::vector<Value>> run_catalog_query(DuckSession& session, const std::string& sql, ValueArray parameters,
                                                  const std::stop_token& stop) {
  QueryParameters bound;
  bound.positional = std::move(parameters);
  return host_rows(session.query(sql, bound, stop));
}

std::string quote_identifier(const std::string& name) {
  std::string quoted = "\"";
  for (char c : name) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

std::string quote_literal(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("''") : std::string(1, c);
  return quoted + "'";
}

// Tables and views of the project catalog, with their schema and kind.
constexpr const char* kRelations =
    "SELECT schema_name, table_name AS name, 'table' AS kind FROM duckdb_tables() WHERE database_name = $1 "
    "UNION ALL "
    "SELECT schema_name, view_name AS name, 'view' AS kind FROM duckdb_views() WHERE database_name = $1 AND NOT internal";

}  // namespace

std::vector<std::string> list_tables(DuckSession& session, std::stop_token stop) {
  std::string sql = fmt::format(
      "SELECT CASE WHEN schema_name = 'main' THEN name ELSE schema_name || '.' || name END AS name FROM ({}) ORDER BY 1",
      kRelations);
  std::vector<std::string> names;
  for (auto& row : run_catalog_query(session, sql, {kProjectCatalog}, stop)) names.push_back(row[0].as<std::string>());
  return names;
}

Value describe_table(DuckSession& session, const std::string& name, std::stop_token stop) {
  // DuckDB names are case-insensitive; an exact match wins, then the main schema.
  std::string find = fmt::format(
      "SELECT schema_name, name, kind FROM ({}) "
      "WHERE lower(name) = lower($2) OR lower(schema_name || '.' || name) = lower($2) "
      "ORDER BY (name = $2 OR schema_name || '.' || name = $2) DESC, schema_name <> 'main', schema_name LIMIT 1",
      kRelations);
  auto found = run_catalog_query(session, find, {kProjectCatalog, name}, stop);
  if (found.empty()) {
    std::string known;
    for (const auto& table : list_tables(session, stop)) known += (known.empty() ? "" : ", ") + table;
    throw DuckError(fmt::format("there is no table or view named '{}' in this project (it has: {})", name,
                                known.empty() ? "no tables yet" : known));
  }
  std::string schema = found[0][0].as<std::string>();
  std::string table = found[0][1].as<std::string>();
  bool is_view = found[0][2].as<std::string>() == "view";

  ValueArray columns;
  for (auto& row : run_catalog_query(session,
                                     "SELECT column_name, data_type, is_nullable FROM duckdb_columns() "
                                     "WHERE database_name = $1 AND schema_name = $2 AND table_name = $3 ORDER BY column_index",
                                     {kProjectCatalog, schema, table}, stop)) {
    columns.push_back(ValueObject{{"name", row[0]}, {"type", row[1]}, {"nullable", row[2]}});
  }

  std::string qualified = quote_identifier(schema) + "." + quote_identifier(table);
  // DuckDB does not report a table's bytes; count the storage blocks its column segments use
  // (checkpointed ones by block id, those still in memory one block each) times the block size.
  // Its name parser has no escape for a double quote, so such a table's size stays unknown (null).
  bool size_known = !is_view && schema.find('"') == std::string::npos && table.find('"') == std::string::npos;
  std::string size_sql =
      is_view       ? std::string("0")
      : !size_known ? std::string("NULL::BIGINT")
                    : fmt::format(
                    "((SELECT count(DISTINCT block) FROM (SELECT unnest(list_prepend(block_id, coalesce(additional_block_ids, []))) AS block "
                    "FROM pragma_storage_info({0}) WHERE persistent)) + "
                    "(SELECT count(*) FROM pragma_storage_info({0}) WHERE NOT persistent)) * "
                    "(SELECT block_size FROM pragma_database_size() WHERE database_name = {1})",
                    quote_literal(qualified), quote_literal(kProjectCatalog));
  auto stats = run_catalog_query(session, fmt::format("SELECT (SELECT count(*) FROM {}) AS row_count, {} AS size_bytes", qualified, size_sql),
                                 {}, stop);

  std::string shown = schema == "main" ? table : schema + "." + table;
  return ValueObject{{"name", shown}, {"columns", std::move(columns)}, {"rowCount", stats[0][0]}, {"sizeBytes", stats[0][1]}};
}

}  // namespace as::duck
