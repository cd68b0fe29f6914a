// frame.h as C++ sees it: the header compiles as C++20 and links against libframe_rs.a through
// the CMake target `frame_rs`, and every function it declares is called once here. (The crate's
// own tests check the declarations against the Rust exports; this one checks our build.)
#include <frame.h>

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace {

TEST(FrameAbi, EveryFunctionOfTheHeaderLinksAndWorks) {
  EXPECT_EQ(std::string(frame_version()), "frame-rs 0.1.0 (polars 0.55.2)");

  const std::int64_t ids[] = {1, 2, 3};
  const std::uint8_t ids_valid[] = {1, 1, 0};
  const char text[] = "abbccc";
  const std::int64_t offsets[] = {0, 1, 3, 6};
  frame_column columns[2] = {};
  columns[0] = {"id", FRAME_COL_INT64, 3, ids, nullptr, ids_valid};
  columns[1] = {"s", FRAME_COL_UTF8, 3, text, offsets, nullptr};
  frame_df* df = nullptr;
  frame_error* err = nullptr;
  ASSERT_EQ(frame_from_columns(columns, 2, &df, &err), FRAME_OK);
  ASSERT_NE(df, nullptr);
  EXPECT_EQ(err, nullptr);

  std::uint64_t height = 0;
  std::uint64_t bytes = 0;
  EXPECT_EQ(frame_height(df, &height, &err), FRAME_OK);
  EXPECT_EQ(height, 3u);
  EXPECT_EQ(frame_estimated_size(df, &bytes, &err), FRAME_OK);
  EXPECT_GT(bytes, 0u);

  frame_field_list* schema = nullptr;
  ASSERT_EQ(frame_schema(df, &schema, &err), FRAME_OK);
  ASSERT_EQ(schema->n_fields, 2u);
  EXPECT_STREQ(schema->fields[0].name, "id");
  EXPECT_STREQ(schema->fields[0].dtype, "int64");
  EXPECT_STREQ(schema->fields[1].dtype, "string");
  frame_schema_free(schema);

  const char* plan = R"({"ops":[{"op":"filter","predicate":{"fn":">","args":[{"fn":"str.len","args":[{"col":"s"}]},1]}}]})";
  frame_df* filtered = nullptr;
  ASSERT_EQ(frame_plan_execute(df, plan, &filtered, &err), FRAME_OK);
  EXPECT_EQ(frame_height(filtered, &height, &err), FRAME_OK);
  EXPECT_EQ(height, 2u);

  const frame_df* inputs[] = {df, filtered};
  const char* join = R"({"ops":[{"op":"join","right":1,"on":"s","how":"semi"}]})";
  frame_field_list* planned = nullptr;
  ASSERT_EQ(frame_plan_schema(inputs, 2, join, &planned, &err), FRAME_OK);
  EXPECT_EQ(planned->n_fields, 2u);
  frame_schema_free(planned);
  frame_df* joined = nullptr;
  ASSERT_EQ(frame_plan_execute_multi(inputs, 2, join, &joined, &err), FRAME_OK);
  EXPECT_EQ(frame_height(joined, &height, &err), FRAME_OK);
  EXPECT_EQ(height, 2u);

  const std::uint8_t mask[] = {1, 0, 1};
  frame_df* masked = nullptr;
  ASSERT_EQ(frame_filter_mask(df, mask, 3, &masked, &err), FRAME_OK);
  EXPECT_EQ(frame_height(masked, &height, &err), FRAME_OK);
  EXPECT_EQ(height, 2u);

  // Export, then import the stream again: the same rows come back.
  ArrowArrayStream stream{};
  ASSERT_EQ(frame_to_arrow_stream(masked, 0, &stream, &err), FRAME_OK);
  ArrowSchema arrow_schema{};
  ASSERT_EQ(stream.get_schema(&stream, &arrow_schema), 0);
  EXPECT_EQ(arrow_schema.n_children, 2);
  EXPECT_STREQ(arrow_schema.children[1]->format, "U");  // large_string
  arrow_schema.release(&arrow_schema);
  frame_df* imported = nullptr;
  ASSERT_EQ(frame_from_arrow_stream(&stream, &imported, &err), FRAME_OK);
  EXPECT_EQ(stream.release, nullptr);  // moved out
  EXPECT_EQ(frame_height(imported, &height, &err), FRAME_OK);
  EXPECT_EQ(height, 2u);

  // Errors: code and message, freed by their own function.
  frame_df* bad = nullptr;
  EXPECT_EQ(frame_plan_execute(df, R"({"ops":[{"op":"select","exprs":["nope"]}]})", &bad, &err), FRAME_ERR_COLUMN_NOT_FOUND);
  EXPECT_EQ(bad, nullptr);
  ASSERT_NE(err, nullptr);
  EXPECT_EQ(frame_error_code(err), FRAME_ERR_COLUMN_NOT_FOUND);
  EXPECT_NE(std::string(frame_error_message(err)).find("unknown column 'nope'"), std::string::npos) << frame_error_message(err);
  frame_error_free(err);

  for (frame_df* owned : {df, filtered, joined, masked, imported}) frame_free(owned);
  frame_free(nullptr);
  frame_error_free(nullptr);
}

}  // namespace
