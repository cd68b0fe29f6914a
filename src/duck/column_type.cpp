#include "column_type.h"

#include <fmt/format.h>

#include "duck_error.h"
#include "duck_handles.h"

namespace as::duck {

ColumnType ColumnType::from(duckdb_logical_type type) {
  ColumnType column;
  column.id = duckdb_get_type_id(type);
  switch (column.id) {
    case DUCKDB_TYPE_VARCHAR: {
      DuckText alias(duckdb_logical_type_get_alias(type));
      column.is_json = alias && std::string_view(alias.get()) == "JSON";
      break;
    }
    case DUCKDB_TYPE_DECIMAL:
      column.storage = duckdb_decimal_internal_type(type);
      column.scale = duckdb_decimal_scale(type);
      break;
    case DUCKDB_TYPE_ENUM: {
      column.storage = duckdb_enum_internal_type(type);
      std::uint32_t size = duckdb_enum_dictionary_size(type);
      column.dictionary.reserve(size);
      for (std::uint32_t i = 0; i < size; ++i) column.dictionary.push_back(take_text(duckdb_enum_dictionary_value(type, i)));
      break;
    }
    case DUCKDB_TYPE_LIST: {
      LogicalType child(duckdb_list_type_child_type(type));
      column.children.push_back(from(child.get()));
      break;
    }
    case DUCKDB_TYPE_ARRAY: {
      LogicalType child(duckdb_array_type_child_type(type));
      column.array_size = duckdb_array_type_array_size(type);
      column.children.push_back(from(child.get()));
      break;
    }
    case DUCKDB_TYPE_MAP: {
      LogicalType key(duckdb_map_type_key_type(type));
      LogicalType value(duckdb_map_type_value_type(type));
      column.children.push_back(from(key.get()));
      column.children.push_back(from(value.get()));
      break;
    }
    case DUCKDB_TYPE_STRUCT: {
      idx_t count = duckdb_struct_type_child_count(type);
      for (idx_t i = 0; i < count; ++i) {
        column.names.push_back(take_text(duckdb_struct_type_child_name(type, i)));
        LogicalType child(duckdb_struct_type_child_type(type, i));
        column.children.push_back(from(child.get()));
      }
      break;
    }
    case DUCKDB_TYPE_UNION: {
      idx_t count = duckdb_union_type_member_count(type);
      for (idx_t i = 0; i < count; ++i) {
        column.names.push_back(take_text(duckdb_union_type_member_name(type, i)));
        LogicalType member(duckdb_union_type_member_type(type, i));
        column.children.push_back(from(member.get()));
      }
      break;
    }
    case DUCKDB_TYPE_INVALID:
    case DUCKDB_TYPE_ANY:
    case DUCKDB_TYPE_STRING_LITERAL:
    case DUCKDB_TYPE_INTEGER_LITERAL:
      throw DuckError(fmt::format("DuckDB returned a column of type {}, which has no JS form", type_id_name(column.id)));
    default:
      if (value_width(column.id) == 0 && column.id != DUCKDB_TYPE_SQLNULL) {
        throw DuckError(fmt::format("DuckDB returned a column of type id {}, which this version of the sandbox does not know; "
                                    "cast it to VARCHAR in the query",
                                    static_cast<int>(column.id)));
      }
      break;
  }
  return column;
}

std::size_t value_width(duckdb_type id) {
  switch (id) {
    case DUCKDB_TYPE_BOOLEAN:
    case DUCKDB_TYPE_TINYINT:
    case DUCKDB_TYPE_UTINYINT: return 1;
    case DUCKDB_TYPE_SMALLINT:
    case DUCKDB_TYPE_USMALLINT: return 2;
    case DUCKDB_TYPE_INTEGER:
    case DUCKDB_TYPE_UINTEGER:
    case DUCKDB_TYPE_FLOAT:
    case DUCKDB_TYPE_DATE: return 4;
    case DUCKDB_TYPE_BIGINT:
    case DUCKDB_TYPE_UBIGINT:
    case DUCKDB_TYPE_DOUBLE:
    case DUCKDB_TYPE_TIME:
    case DUCKDB_TYPE_TIME_NS:
    case DUCKDB_TYPE_TIME_TZ:
    case DUCKDB_TYPE_TIMESTAMP:
    case DUCKDB_TYPE_TIMESTAMP_S:
    case DUCKDB_TYPE_TIMESTAMP_MS:
    case DUCKDB_TYPE_TIMESTAMP_NS:
    case DUCKDB_TYPE_TIMESTAMP_TZ: return 8;
    case DUCKDB_TYPE_HUGEINT:
    case DUCKDB_TYPE_UHUGEINT:
    case DUCKDB_TYPE_UUID:
    case DUCKDB_TYPE_INTERVAL:
    case DUCKDB_TYPE_VARCHAR:
    case DUCKDB_TYPE_BLOB:
    case DUCKDB_TYPE_BIT:
    case DUCKDB_TYPE_BIGNUM:
    case DUCKDB_TYPE_LIST:
    case DUCKDB_TYPE_MAP: return 16;
    case DUCKDB_TYPE_DECIMAL:
    case DUCKDB_TYPE_ENUM: return 0;  // depends on `storage`; see value_width(storage)
    default: return 0;
  }
}

const char* type_id_name(duckdb_type id) {
  switch (id) {
    case DUCKDB_TYPE_BOOLEAN: return "BOOLEAN";
    case DUCKDB_TYPE_TINYINT: return "TINYINT";
    case DUCKDB_TYPE_SMALLINT: return "SMALLINT";
    case DUCKDB_TYPE_INTEGER: return "INTEGER";
    case DUCKDB_TYPE_BIGINT: return "BIGINT";
    case DUCKDB_TYPE_UTINYINT: return "UTINYINT";
    case DUCKDB_TYPE_USMALLINT: return "USMALLINT";
    case DUCKDB_TYPE_UINTEGER: return "UINTEGER";
    case DUCKDB_TYPE_UBIGINT: return "UBIGINT";
    case DUCKDB_TYPE_FLOAT: return "FLOAT";
    case DUCKDB_TYPE_DOUBLE: return "DOUBLE";
    case DUCKDB_TYPE_TIMESTAMP: return "TIMESTAMP";
    case DUCKDB_TYPE_DATE: return "DATE";
    case DUCKDB_TYPE_TIME: return "TIME";
    case DUCKDB_TYPE_INTERVAL: return "INTERVAL";
    case DUCKDB_TYPE_HUGEINT: return "HUGEINT";
    case DUCKDB_TYPE_UHUGEINT: return "UHUGEINT";
    case DUCKDB_TYPE_VARCHAR: return "VARCHAR";
    case DUCKDB_TYPE_BLOB: return "BLOB";
    case DUCKDB_TYPE_DECIMAL: return "DECIMAL";
    case DUCKDB_TYPE_TIMESTAMP_S: return "TIMESTAMP_S";
    case DUCKDB_TYPE_TIMESTAMP_MS: return "TIMESTAMP_MS";
    case DUCKDB_TYPE_TIMESTAMP_NS: return "TIMESTAMP_NS";
    case DUCKDB_TYPE_ENUM: return "ENUM";
    case DUCKDB_TYPE_LIST: return "LIST";
    case DUCKDB_TYPE_STRUCT: return "STRUCT";
    case DUCKDB_TYPE_MAP: return "MAP";
    case DUCKDB_TYPE_ARRAY: return "ARRAY";
    case DUCKDB_TYPE_UUID: return "UUID";
    case DUCKDB_TYPE_UNION: return "UNION";
    case DUCKDB_TYPE_BIT: return "BIT";
    case DUCKDB_TYPE_TIME_TZ: return "TIME WITH TIME ZONE";
    case DUCKDB_TYPE_TIMESTAMP_TZ: return "TIMESTAMP WITH TIME ZONE";
    case DUCKDB_TYPE_ANY: return "ANY";
    case DUCKDB_TYPE_BIGNUM: return "BIGNUM";
    case DUCKDB_TYPE_SQLNULL: return "NULL";
    case DUCKDB_TYPE_STRING_LITERAL: return "STRING_LITERAL";
    case DUCKDB_TYPE_INTEGER_LITERAL: return "INTEGER_LITERAL";
    case DUCKDB_TYPE_TIME_NS: return "TIME_NS";
    case DUCKDB_TYPE_INVALID: return "INVALID";
  }
  return "UNKNOWN";
}

}  // namespace as::duck
