/*
 * frame.h - C ABI of frame-rs: Polars DataFrames for Analysis Sandbox.
 *
 * Written by hand; frame-rs/tests/header.rs checks every declaration here against the
 * Rust `extern "C"` functions and compiles + links + runs a C program that calls them all.
 * See frame-rs/README.md for the plan format and the column-buffer layout.
 *
 * Conventions for every function returning frame_status:
 *   - FRAME_OK (0) on success: out-pointers are filled and *err is set to NULL.
 *   - otherwise: frame_df** / frame_field_list** out-pointers are set to NULL and *err receives a
 *     new frame_error (free it with frame_error_free). `err` itself may be NULL.
 *   - Rust panics are caught and reported as FRAME_ERR_PANIC; nothing unwinds into C.
 * Frames are immutable. Functions taking `const frame_df*` may run concurrently on the same
 * frame from several threads; frame_free must not race with them.
 */
#ifndef FRAME_RS_FRAME_H
#define FRAME_RS_FRAME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Arrow C data / stream interface (standard definitions, standard guards) ---------- */
#ifndef ARROW_C_DATA_INTERFACE
#define ARROW_C_DATA_INTERFACE

#define ARROW_FLAG_DICTIONARY_ORDERED 1
#define ARROW_FLAG_NULLABLE 2
#define ARROW_FLAG_MAP_KEYS_SORTED 4

struct ArrowSchema {
  const char* format;
  const char* name;
  const char* metadata;
  int64_t flags;
  int64_t n_children;
  struct ArrowSchema** children;
  struct ArrowSchema* dictionary;
  void (*release)(struct ArrowSchema*);
  void* private_data;
};

struct ArrowArray {
  int64_t length;
  int64_t null_count;
  int64_t offset;
  int64_t n_buffers;
  int64_t n_children;
  const void** buffers;
  struct ArrowArray** children;
  struct ArrowArray* dictionary;
  void (*release)(struct ArrowArray*);
  void* private_data;
};

#endif /* ARROW_C_DATA_INTERFACE */

#ifndef ARROW_C_STREAM_INTERFACE
#define ARROW_C_STREAM_INTERFACE

struct ArrowArrayStream {
  int (*get_schema)(struct ArrowArrayStream*, struct ArrowSchema* out);
  int (*get_next)(struct ArrowArrayStream*, struct ArrowArray* out);
  const char* (*get_last_error)(struct ArrowArrayStream*);
  void (*release)(struct ArrowArrayStream*);
  void* private_data;
};

#endif /* ARROW_C_STREAM_INTERFACE */

/* ---- Types --------------------------------------------------------------------------- */

typedef enum frame_status {
  FRAME_OK = 0,
  FRAME_ERR_INVALID_ARGUMENT = 1, /* NULL pointer, bad UTF-8, mask length, column buffers */
  FRAME_ERR_PLAN = 2,             /* malformed plan: JSON, unknown op/function, missing field */
  FRAME_ERR_COLUMN_NOT_FOUND = 3, /* a column named in the plan does not exist */
  FRAME_ERR_TYPE = 4,             /* types do not fit (string + number, bad cast, Arrow type) */
  FRAME_ERR_COMPUTE = 5,          /* any other error raised by Polars while executing */
  FRAME_ERR_PANIC = 6             /* a bug: a Rust panic caught at the boundary */
} frame_status;

/* An immutable, materialised Polars DataFrame. */
typedef struct frame_df frame_df;

/* An error: status code + owned UTF-8 message. */
typedef struct frame_error frame_error;

/* Column buffers for frame_from_columns (values are copied). */
#define FRAME_COL_NULL 0         /* all null; values ignored */
#define FRAME_COL_BOOL 1         /* values: uint8_t[length], nonzero = true */
#define FRAME_COL_INT64 2        /* values: int64_t[length] */
#define FRAME_COL_FLOAT64 3      /* values: double[length] */
#define FRAME_COL_UTF8 4         /* values: char bytes; offsets: int64_t[length + 1] */
#define FRAME_COL_DATE32 5       /* values: int32_t[length], days since 1970-01-01 */
#define FRAME_COL_TIMESTAMP_MS 6 /* values: int64_t[length], ms since 1970-01-01T00:00:00, no zone */

typedef struct frame_column {
  const char* name;        /* NUL-terminated UTF-8, unique within the frame */
  int32_t type;            /* FRAME_COL_* */
  size_t length;           /* rows; equal for every column */
  const void* values;      /* see FRAME_COL_*; may be NULL when length == 0 */
  const int64_t* offsets;  /* FRAME_COL_UTF8 only: byte offsets into values, non-decreasing */
  const uint8_t* validity; /* optional uint8_t[length]: 0 = null, nonzero = valid; NULL = no nulls */
} frame_column;

typedef struct frame_field {
  const char* name;  /* column name */
  const char* dtype; /* "int64", "float64", "string", "bool", "date", "datetime[ms]", ... */
} frame_field;

typedef struct frame_field_list {
  size_t n_fields;
  const frame_field* fields;
} frame_field_list;

/* frame_to_arrow_stream flags */
#define FRAME_ARROW_STRING_VIEW 1u /* strings as string_view (zero-copy) instead of large_string */

/* ---- Creating frames ------------------------------------------------------------------ */

/* Consume an Arrow C stream of record batches. *stream is moved out (left released) even on
 * failure; the caller must not release it again. */
frame_status frame_from_arrow_stream(struct ArrowArrayStream* stream, frame_df** out,
                                     frame_error** err);

/* Build a frame from column buffers; the buffers stay owned by the caller. */
frame_status frame_from_columns(const frame_column* columns, size_t n_columns, frame_df** out,
                                frame_error** err);

/* ---- Running plans -------------------------------------------------------------------- */

/* Run a JSON plan (README "Plan format") over `input`; the input is not changed. */
frame_status frame_plan_execute(const frame_df* input, const char* plan_json, frame_df** out,
                                frame_error** err);

/* Same with several inputs: the plan's "input": i indexes `inputs` (0 is the main input;
 * join "right" sides name the others). */
frame_status frame_plan_execute_multi(const frame_df* const* inputs, size_t n_inputs,
                                      const char* plan_json, frame_df** out, frame_error** err);

/* The column names and dtypes a plan would produce over `inputs` (as for
 * frame_plan_execute_multi), without running it: every op is checked as when it runs.
 * Free with frame_schema_free. */
frame_status frame_plan_schema(const frame_df* const* inputs, size_t n_inputs, const char* plan_json,
                               frame_field_list** out, frame_error** err);

/* Keep the rows whose mask byte is nonzero; mask_len must equal the frame's height. */
frame_status frame_filter_mask(const frame_df* df, const uint8_t* mask, size_t mask_len,
                               frame_df** out, frame_error** err);

/* ---- Reading frames ------------------------------------------------------------------- */

/* Export as an Arrow C stream of record batches into the caller-owned *out; release it with
 * out->release(out). The stream does not borrow the frame (frame_free may come first). */
frame_status frame_to_arrow_stream(const frame_df* df, uint32_t flags,
                                   struct ArrowArrayStream* out, frame_error** err);

frame_status frame_height(const frame_df* df, uint64_t* out, frame_error** err);

/* Estimated bytes held by the frame's buffers (for the per-run native memory budget). */
frame_status frame_estimated_size(const frame_df* df, uint64_t* out, frame_error** err);

/* Column names and dtype names; free with frame_schema_free. */
frame_status frame_schema(const frame_df* df, frame_field_list** out, frame_error** err);
void frame_schema_free(frame_field_list* schema);

/* ---- Freeing and errors --------------------------------------------------------------- */

void frame_free(frame_df* df);                          /* NULL is ignored */
const char* frame_error_message(const frame_error* err); /* valid until frame_error_free */
frame_status frame_error_code(const frame_error* err);
void frame_error_free(frame_error* err);                /* NULL is ignored */

/* "frame-rs <version> (polars <version>)"; static storage. */
const char* frame_version(void);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* FRAME_RS_FRAME_H */
