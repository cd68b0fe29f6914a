/* Compiled, linked against libframe_rs.a and run by tests/header.rs.
 * Calls every function in frame.h with the declared types, then prints the layout of the
 * shared structs and the values of the constants so the Rust side can compare them. */
#include "frame.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

static int failures = 0;

#define CHECK(cond)                                                        \
  do {                                                                     \
    if (!(cond)) {                                                         \
      fprintf(stderr, "abi_smoke.c:%d: check failed: %s\n", __LINE__, #cond); \
      failures++;                                                          \
    }                                                                      \
  } while (0)

int main(void) {
  frame_error* err = NULL;
  frame_df* df = NULL;

  /* frame_from_columns: an int64 column with a null and a utf8 column */
  int64_t ids[3] = {1, 2, 3};
  uint8_t ids_valid[3] = {1, 0, 1};
  const char* text = "abbccc";
  int64_t offsets[4] = {0, 1, 3, 6};
  frame_column cols[2];
  memset(cols, 0, sizeof cols);
  cols[0].name = "id";
  cols[0].type = FRAME_COL_INT64;
  cols[0].length = 3;
  cols[0].values = ids;
  cols[0].validity = ids_valid;
  cols[1].name = "s";
  cols[1].type = FRAME_COL_UTF8;
  cols[1].length = 3;
  cols[1].values = text;
  cols[1].offsets = offsets;
  CHECK(frame_from_columns(cols, 2, &df, &err) == FRAME_OK);
  CHECK(err == NULL && df != NULL);

  uint64_t h = 0, size = 0;
  CHECK(frame_height(df, &h, &err) == FRAME_OK && h == 3);
  CHECK(frame_estimated_size(df, &size, &err) == FRAME_OK && size > 0);

  frame_field_list* schema = NULL;
  CHECK(frame_schema(df, &schema, &err) == FRAME_OK);
  CHECK(schema->n_fields == 2);
  CHECK(strcmp(schema->fields[0].name, "id") == 0 && strcmp(schema->fields[0].dtype, "int64") == 0);
  CHECK(strcmp(schema->fields[1].name, "s") == 0 && strcmp(schema->fields[1].dtype, "string") == 0);
  frame_schema_free(schema);

  /* frame_plan_execute */
  frame_df* filtered = NULL;
  CHECK(frame_plan_execute(df,
                           "{\"ops\":[{\"op\":\"filter\",\"predicate\":{\"fn\":\">\",\"args\":"
                           "[{\"fn\":\"str.len\",\"args\":[{\"col\":\"s\"}]},1]}}]}",
                           &filtered, &err) == FRAME_OK);
  CHECK(frame_height(filtered, &h, &err) == FRAME_OK && h == 2);

  /* frame_plan_execute_multi: join the frame with the filtered one */
  const frame_df* inputs[2] = {df, filtered};
  frame_df* joined = NULL;
  CHECK(frame_plan_execute_multi(inputs, 2,
                                 "{\"ops\":[{\"op\":\"join\",\"right\":1,\"on\":\"s\",\"how\":\"semi\"}]}",
                                 &joined, &err) == FRAME_OK);
  CHECK(frame_height(joined, &h, &err) == FRAME_OK && h == 2);

  /* frame_plan_schema: the join's output columns, without running it */
  frame_field_list* planned = NULL;
  CHECK(frame_plan_schema(inputs, 2,
                          "{\"ops\":[{\"op\":\"join\",\"right\":1,\"on\":\"s\"},"
                          "{\"op\":\"with_columns\",\"exprs\":[{\"fn\":\"alias\",\"name\":\"n\","
                          "\"args\":[{\"fn\":\"str.len\",\"args\":[{\"col\":\"s\"}]}]}]}]}",
                          &planned, &err) == FRAME_OK);
  CHECK(planned->n_fields == 4);
  CHECK(strcmp(planned->fields[2].name, "id_right") == 0 && strcmp(planned->fields[3].dtype, "uint32") == 0);
  frame_schema_free(planned);

  /* an error: unknown column */
  frame_df* bad = NULL;
  frame_status st = frame_plan_execute(df, "{\"ops\":[{\"op\":\"select\",\"exprs\":[\"nope\"]}]}", &bad, &err);
  CHECK(st == FRAME_ERR_COLUMN_NOT_FOUND && bad == NULL && err != NULL);
  CHECK(frame_error_code(err) == FRAME_ERR_COLUMN_NOT_FOUND);
  CHECK(strstr(frame_error_message(err), "unknown column 'nope'; available: id, s") != NULL);
  frame_error_free(err);
  err = NULL;

  /* frame_filter_mask */
  uint8_t mask[3] = {0, 1, 1};
  frame_df* masked = NULL;
  CHECK(frame_filter_mask(df, mask, 3, &masked, &err) == FRAME_OK);
  CHECK(frame_height(masked, &h, &err) == FRAME_OK && h == 2);

  /* Arrow round trip */
  struct ArrowArrayStream stream;
  memset(&stream, 0, sizeof stream);
  CHECK(frame_to_arrow_stream(masked, FRAME_ARROW_STRING_VIEW, &stream, &err) == FRAME_OK);
  CHECK(stream.release != NULL);
  struct ArrowSchema aschema;
  CHECK(stream.get_schema(&stream, &aschema) == 0);
  CHECK(strcmp(aschema.format, "+s") == 0 && aschema.n_children == 2);
  aschema.release(&aschema);
  frame_df* back = NULL;
  CHECK(frame_from_arrow_stream(&stream, &back, &err) == FRAME_OK);
  CHECK(stream.release == NULL); /* consumed */
  CHECK(frame_height(back, &h, &err) == FRAME_OK && h == 2);

  CHECK(strncmp(frame_version(), "frame-rs ", 9) == 0);

  frame_free(back);
  frame_free(masked);
  frame_free(joined);
  frame_free(filtered);
  frame_free(df);
  frame_free(NULL);
  frame_error_free(NULL);

  /* layout and constants, compared by tests/header.rs */
  printf("sizeof frame_column %zu\n", sizeof(frame_column));
  printf("offsetof frame_column.name %zu\n", offsetof(frame_column, name));
  printf("offsetof frame_column.type %zu\n", offsetof(frame_column, type));
  printf("offsetof frame_column.length %zu\n", offsetof(frame_column, length));
  printf("offsetof frame_column.values %zu\n", offsetof(frame_column, values));
  printf("offsetof frame_column.offsets %zu\n", offsetof(frame_column, offsets));
  printf("offsetof frame_column.validity %zu\n", offsetof(frame_column, validity));
  printf("sizeof frame_field %zu\n", sizeof(frame_field));
  printf("offsetof frame_field.dtype %zu\n", offsetof(frame_field, dtype));
  printf("sizeof frame_field_list %zu\n", sizeof(frame_field_list));
  printf("offsetof frame_field_list.fields %zu\n", offsetof(frame_field_list, fields));
  printf("sizeof frame_status %zu\n", sizeof(frame_status));
  printf("sizeof ArrowArrayStream %zu\n", sizeof(struct ArrowArrayStream));
  printf("failures %d\n", failures);
  return failures == 0 ? 0 : 1;
}
