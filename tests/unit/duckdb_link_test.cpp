// Proves the pinned libduckdb.so is the one we link and load: DuckDB v1.4.4 through the C API.
#include <duckdb.h>
#include <gtest/gtest.h>

#include <string>


TEST(DuckDBLink, SelectVersionReportsThePinnedRelease) {
  duckdb_database db;
  ASSERT_EQ(duckdb_open(nullptr, &db), DuckDBSuccess);
  duckdb_connection con;
  ASSERT_EQ(duckdb_connect(db, &con), DuckDBSuccess);
  duckdb_result result;
  ASSERT_EQ(duckdb_query(con, "select version()", &result), DuckDBSuccess);
  char* text = duckdb_value_varchar(&result, 0, 0);
  std::string version(text);
  duckdb_free(text);
  duckdb_destroy_result(&result);
  duckdb_disconnect(&con);
  duckdb_close(&db);
  EXPECT_EQ(version, "v1.4.4");
  EXPECT_STREQ(duckdb_library_version(), "v1.4.4");
}
