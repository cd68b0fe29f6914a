#include "vector_view.h"

namespace as::duck {

VectorView VectorView::of(duckdb_vector vector, const ColumnType& type) {
  VectorView view;
  view.data = duckdb_vector_get_data(vector);
  view.validity = duckdb_vector_get_validity(vector);
  switch (type.id) {
    case DUCKDB_TYPE_LIST: {
      view.child_rows = duckdb_list_vector_get_size(vector);
      view.children.push_back(of(duckdb_list_vector_get_child(vector), type.children[0]));
      break;
    }
    case DUCKDB_TYPE_ARRAY:
      view.children.push_back(of(duckdb_array_vector_get_child(vector), type.children[0]));
      break;
    case DUCKDB_TYPE_MAP: {
      // A map is a list of {key, value} structs.
      view.child_rows = duckdb_list_vector_get_size(vector);
      duckdb_vector entries = duckdb_list_vector_get_child(vector);
      view.children.push_back(of(duckdb_struct_vector_get_child(entries, 0), type.children[0]));
      view.children.push_back(of(duckdb_struct_vector_get_child(entries, 1), type.children[1]));
      break;
    }
    case DUCKDB_TYPE_STRUCT:
      for (idx_t i = 0; i < type.children.size(); ++i) {
        view.children.push_back(of(duckdb_struct_vector_get_child(vector, i), type.children[i]));
      }
      break;
    case DUCKDB_TYPE_UNION: {
      static const ColumnType tag_type{.id = DUCKDB_TYPE_UTINYINT};
      view.children.push_back(of(duckdb_struct_vector_get_child(vector, 0), tag_type));
      for (idx_t i = 0; i < type.children.size(); ++i) {
        view.children.push_back(of(duckdb_struct_vector_get_child(vector, i + 1), type.children[i]));
      }
      break;
    }
    default: break;
  }
  return view;
}

}  // namespace as::duck
