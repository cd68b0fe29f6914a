// duck::ChunkStream: chunks made on one thread become a table in a statement on another, in order;
// a failed source or a stop fails the statement (never a short table); and SQL a script writes
// cannot reach a stream.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <thread>

#include "duck/chunk_stream.h"
#include "duck/project_database.h"
#include "duck_test_support.h"
#include "run_helpers.h"

using namespace as;
using namespace as::duck;
using as::testing::DuckWorld;
using as::testing::failure_message;
using as::testing::run_duck;
using as::testing::run_duck_ok;

namespace {

std::vector<LogicalType> bigint_and_text() {
  std::vector<LogicalType> types;
  types.emplace_back(duckdb_create_logical_type(DUCKDB_TYPE_BIGINT));
  types.emplace_back(duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR));
  return types;
}

// A chunk of `count` rows (first, "row <first>"), (first + 1, ...), ...
DataChunk numbered_chunk(std::int64_t first, idx_t count) {
  std::vector<LogicalType> types = bigint_and_text();
  duckdb_logical_type raw[] = {types[0].get(), types[1].get()};
  DataChunk chunk(duckdb_create_data_chunk(raw, 2));
  auto* ids = static_cast<std::int64_t*>(duckdb_vector_get_data(duckdb_data_chunk_get_vector(chunk.get(), 0)));
  duckdb_vector labels = duckdb_data_chunk_get_vector(chunk.get(), 1);
  for (idx_t i = 0; i < count; ++i) {
    ids[i] = first + static_cast<std::int64_t>(i);
    std::string label = "row number " + std::to_string(first + static_cast<std::int64_t>(i));  // past 12 bytes: not inlined
    duckdb_vector_assign_string_element_len(labels, i, label.data(), label.size());
  }
  duckdb_data_chunk_set_size(chunk.get(), count);
  return chunk;
}

std::string scalar(duckdb_connection connection, const std::string& sql) {
  QueryResult result;
  if (duckdb_query(connection, sql.c_str(), result.out()) == DuckDBError) return std::string("error: ") + duckdb_result_error(result.get());
  return take_text(duckdb_value_varchar(result.get(), 0, 0));
}

class ChunkStreamTest : public ::testing::Test {
 protected:
  DuckWorld world_;
  std::shared_ptr<ProjectDatabase> database_ = ProjectDatabase::open(world_.dir.path(), "p", as::testing::test_settings());
  ProjectConnection connection_ = database_->connect();
};

}  // namespace

TEST_F(ChunkStreamTest, ChunksPushedOnAnotherThreadBecomeATableInOrder) {
  ChunkStream stream({"id", "label"}, bigint_and_text(), 4);
  constexpr int kChunks = 300;  // more than a row group (122,880 rows), and far more than the queue holds
  std::jthread producer([&] {
    for (int i = 0; i < kChunks; ++i) ASSERT_TRUE(stream.push(numbered_chunk(std::int64_t{i} * 2048, 2048)));
    stream.push(numbered_chunk(std::int64_t{kChunks} * 2048, 5));
    stream.finish();
  });
  std::string error = run_statement(connection_.get(), "CREATE TABLE t AS SELECT * FROM " + stream.table_sql(), {});
  producer.join();
  ASSERT_EQ(error, "");
  const std::int64_t rows = std::int64_t{kChunks} * 2048 + 5;
  EXPECT_EQ(stream.rows(), rows);
  EXPECT_EQ(scalar(connection_.get(), "SELECT count(*) FROM t"), std::to_string(rows));
  // Every row where it was pushed, with its own label: the table keeps the stream's order.
  EXPECT_EQ(scalar(connection_.get(), "SELECT count(*) FROM (SELECT id, label, row_number() OVER () - 1 AS position FROM t) "
                                      "WHERE id <> position OR label <> 'row number ' || id"),
            "0");
  EXPECT_EQ(scalar(connection_.get(), "SELECT typeof(id) || ' ' || typeof(label) FROM t LIMIT 1"), "BIGINT VARCHAR");
}

TEST_F(ChunkStreamTest, AFailedSourceFailsTheStatementAndLeavesNoTable) {
  ChunkStream stream({"id", "label"}, bigint_and_text(), 4);
  std::jthread producer([&] {
    for (int i = 0; i < 10; ++i) stream.push(numbered_chunk(i * 2048, 2048));
    stream.fail();
  });
  std::string error = run_statement(connection_.get(), "CREATE TABLE t AS SELECT * FROM " + stream.table_sql(), {});
  producer.join();
  EXPECT_NE(error.find("source failed"), std::string::npos) << error;
  EXPECT_NE(scalar(connection_.get(), "SELECT count(*) FROM t").find("does not exist"), std::string::npos);
}

TEST_F(ChunkStreamTest, TheProducerStopsWhenTheStatementFails) {
  ChunkStream stream({"id", "label"}, bigint_and_text(), 2);
  // The statement fails at once (the table exists), and the producer must not block forever.
  ASSERT_EQ(scalar(connection_.get(), "CREATE TABLE t (x INTEGER)"), "");
  bool accepted_all = true;
  std::jthread producer([&] {
    for (int i = 0; i < 100 && accepted_all; ++i) accepted_all = stream.push(numbered_chunk(i * 2048, 2048));
  });
  std::string error = run_statement(connection_.get(), "CREATE TABLE t AS SELECT * FROM " + stream.table_sql(), {});
  EXPECT_NE(error.find("already exists"), std::string::npos) << error;
  stream.fail();  // as DuckChunkWriter::write does when the statement fails
  producer.join();
  EXPECT_FALSE(accepted_all);
}

TEST_F(ChunkStreamTest, AStopEndsAStatementWaitingForChunks) {
  ChunkStream stream({"id", "label"}, bigint_and_text(), 4);
  std::stop_source stop;
  std::stop_callback fail_on_stop(stop.get_token(), [&] { stream.fail(); });  // what DuckChunkWriter sets up
  std::jthread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    stop.request_stop();
  });
  auto started = std::chrono::steady_clock::now();
  std::string error = run_statement(connection_.get(), "CREATE TABLE t AS SELECT * FROM " + stream.table_sql(), stop.get_token());
  EXPECT_FALSE(error.empty());
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(30));  // ended at all (the push never came)
}

TEST_F(ChunkStreamTest, AStreamThatIsGoneCannotBeRead) {
  std::string sql;
  {
    ChunkStream stream({"id", "label"}, bigint_and_text(), 4);
    sql = "SELECT * FROM " + stream.table_sql();
  }
  std::string error = run_statement(connection_.get(), sql, {});
  EXPECT_NE(error.find("SQL cannot call it"), std::string::npos) << error;
}

TEST(ChunkStreamFromScripts, AScriptCannotCallTheStreamFunction) {
  DuckWorld world;
  for (const char* sql : {"SELECT * FROM as_host_chunks('00000000000000000000000000000000')", "SELECT * FROM as_host_chunks('')"}) {
    auto outcome = run_duck(std::string("await ctx.duckdb.query(\"") + sql + "\");", world.databases);
    ASSERT_EQ(outcome.status, sandbox::RunStatus::Failed) << sql;
    EXPECT_NE(failure_message(outcome).find("ctx.duckdb.load"), std::string::npos) << failure_message(outcome);
  }
  // Nor can it read another run's stream while that run loads: tokens are 128 random bits.
  ChunkStream stream({"id", "label"}, bigint_and_text(), 4);
  std::string table = stream.table_sql();
  EXPECT_EQ(table.size(), std::string("as_host_chunks('')").size() + 32) << table;
}
