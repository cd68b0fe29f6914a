#pragma once
// A data chunk's vector as plain pointers, with its child vectors, so converters walk nested
// values without C API calls per value. Valid while the chunk it came from lives.
#include <duckdb.h>

#include <cstdint>
#include <vector>

#include "column_type.h"

namespace as::duck {

struct VectorView {
  const void* data = nullptr;
  const std::uint64_t* validity = nullptr;  // nullptr: every row holds a value
  idx_t child_rows = 0;                     // LIST, MAP: rows in the child vectors
  // LIST, ARRAY: {elements}; STRUCT: fields; MAP: {keys, values};
  // UNION: {tags, member 0, member 1, ...} (DuckDB stores a union as a struct led by its tag).
  std::vector<VectorView> children;

  bool is_valid(idx_t row) const { return !validity || ((validity[row >> 6] >> (row & 63)) & 1u); }
  template <class T>
  const T& at(idx_t row) const {
    return static_cast<const T*>(data)[row];
  }

  static VectorView of(duckdb_vector vector, const ColumnType& type);
};

// The bytes of a duckdb_string_t (VARCHAR, BLOB, BIT, BIGNUM), inline or not.
struct StringBytes {
  const char* data;
  std::uint32_t size;
};
inline StringBytes string_bytes(const duckdb_string_t& value) {
  std::uint32_t size = value.value.inlined.length;
  // DuckDB keeps strings of up to 12 bytes inside the 16-byte header.
  return {size <= 12 ? value.value.inlined.inlined : value.value.pointer.ptr, size};
}

}  // namespace as::duck
