// Result and log files: layout, compression, atomic writes, the size limit, damaged files.
#include <gtest/gtest.h>

#include <unistd.h>

#include <fstream>

#include "jobs/result_preview.h"
#include "jobs/result_store.h"
#include "jobs/zstd_codec.h"

using namespace as;
using namespace as::jobs;

namespace {

class ResultStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("as-results-" + std::to_string(getpid()) + "-" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

const std::string kRunId = "0190f5e2-7a3b-7c4d-8e5f-0123456789ab";

}  // namespace

TEST_F(ResultStoreTest, ResultIsStoredCompressedUnderItsDayAndReadBack) {
  ResultStore results(dir_);
  std::string json = R"({"total":42,"rows":[1,2,3]})";
  std::string path = results.write_result(kRunId, json, "2024-01-15T10:30:00.123Z");
  EXPECT_EQ(path, "results/2024/01/15/" + kRunId + ".json.zst");
  ASSERT_TRUE(std::filesystem::exists(dir_ / path));
  std::ifstream file(dir_ / path, std::ios::binary);
  std::string stored((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  EXPECT_EQ(zstd_decompress(stored, 1 << 20), json) << "the file is plain zstd of the JSON";
  EXPECT_EQ(results.read_result(path), json);
}

TEST_F(ResultStoreTest, LargeResultsCompressWell) {
  ResultStore results(dir_);
  std::string json = R"({"rows":[)";
  for (int i = 0; i < 20000; ++i) json += (i ? "," : "") + std::string(R"({"id":)") + std::to_string(i) + R"(,"status":"ok"})";
  json += "]}";
  std::string path = results.write_result(kRunId, json, "2024-01-15T00:00:00.000Z");
  EXPECT_LT(std::filesystem::file_size(dir_ / path) * 5, json.size());
  EXPECT_EQ(results.read_result(path), json);
}

TEST_F(ResultStoreTest, WritesLeaveNoTemporaryFiles) {
  ResultStore results(dir_);
  results.write_result(kRunId, "{}", "2024-01-15T00:00:00.000Z");
  results.write_result(kRunId, R"({"again":true})", "2024-01-15T00:00:00.000Z");  // replaces atomically
  int files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir_)) {
    if (entry.is_regular_file()) {
      ++files;
      EXPECT_EQ(entry.path().string().find(".tmp-"), std::string::npos) << entry.path();
    }
  }
  EXPECT_EQ(files, 1);
  EXPECT_EQ(results.read_result("results/2024/01/15/" + kRunId + ".json.zst"), R"({"again":true})");
}

TEST_F(ResultStoreTest, OversizedResultIsRefusedWithTheSpecMessage) {
  ResultStore results(dir_, 10u << 20);
  std::string json(12u << 20, 'x');
  try {
    results.write_result(kRunId, json, "2024-01-15T00:00:00.000Z");
    FAIL() << "expected ResultTooLarge";
  } catch (const ResultTooLarge& e) {
    EXPECT_STREQ(e.what(), "Result size 12.0MB exceeds 10MB limit. Use DuckDB for large datasets.");
  }
  EXPECT_FALSE(std::filesystem::exists(dir_ / "results")) << "nothing is written, not even a truncated file";
  EXPECT_EQ(result_too_large_message(50u << 20, 10u << 20, true), "Result size over 50.0MB exceeds 10MB limit. Use DuckDB for large datasets.");
}

TEST_F(ResultStoreTest, LogsRoundTripBesideTheResult) {
  ResultStore results(dir_);
  StoredLogs logs{{{1700000000123.0, sandbox::LogLevel::Info, "hello"}, {1700000000124.5, sandbox::LogLevel::Error, "bad \xff byte"}}, true};
  std::string path = results.write_logs(kRunId, "2024-01-15T00:00:00.000Z", logs);
  EXPECT_EQ(path, "results/2024/01/15/" + kRunId + ".logs.json.zst");
  StoredLogs read = results.read_logs(kRunId, "2024-01-15T00:00:00.000Z");
  ASSERT_EQ(read.entries.size(), 2u);
  EXPECT_TRUE(read.truncated);
  EXPECT_EQ(read.entries[0].message, "hello");
  EXPECT_EQ(read.entries[0].timestamp_ms, 1700000000123.0);
  EXPECT_EQ(read.entries[1].level, sandbox::LogLevel::Error);
  EXPECT_EQ(read.entries[1].message.substr(0, 4), "bad ") << "invalid UTF-8 is replaced, not fatal";
  EXPECT_TRUE(results.read_logs(kRunId, "2024-01-16T00:00:00.000Z").entries.empty()) << "no file: an empty log";
}

TEST_F(ResultStoreTest, BadInputIsRefusedNamingIt) {
  ResultStore results(dir_);
  EXPECT_THROW(results.write_result("../../etc/passwd", "{}", "2024-01-15T00:00:00.000Z"), std::invalid_argument);
  EXPECT_THROW(results.write_result(kRunId, "{}", "yesterday"), std::invalid_argument);
  try {
    results.read_result("../outside.json.zst");
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("../outside.json.zst"), std::string::npos);
  }
}

TEST_F(ResultStoreTest, DamagedFileGivesAClearError) {
  ResultStore results(dir_);
  std::string path = results.write_result(kRunId, R"({"a":1})", "2024-01-15T00:00:00.000Z");
  std::ofstream(dir_ / path, std::ios::binary | std::ios::trunc) << "not zstd at all";
  try {
    results.read_result(path);
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(kRunId), std::string::npos) << e.what();
  }
  EXPECT_THROW(results.read_result("results/2024/01/15/missing.json.zst"), std::runtime_error);
}

TEST(ZstdCodec, RoundTripAndLimits) {
  std::string text(100000, 'a');
  std::string packed = zstd_compress(text);
  EXPECT_LT(packed.size(), 1000u);
  EXPECT_EQ(zstd_decompress(packed, text.size()), text);
  EXPECT_THROW(zstd_decompress(packed, text.size() - 1), ZstdError) << "the output cap holds";
  EXPECT_THROW(zstd_decompress(packed.substr(0, packed.size() / 2), 1 << 20), ZstdError) << "a truncated frame is an error";
  EXPECT_EQ(zstd_decompress(zstd_compress(""), 10), "");
}

TEST(ResultPreview, KeepsSmallResultsAndBoundsLargeOnes) {
  Value small = parse_json(R"({"total":42,"name":"ok"})");
  EXPECT_EQ(make_result_preview(small), small);

  ValueArray rows;
  for (int i = 0; i < 1000; ++i) rows.push_back(ValueObject{{"id", i}});
  ValueObject wide;
  for (int i = 0; i < 30; ++i) wide.emplace_back("k" + std::to_string(i), i);
  Value big = ValueObject{{"rows", rows}, {"text", std::string(500, 'y')}, {"wide", wide},
                          {"deep", parse_json(R"({"a":{"b":{"c":{"d":1}}}})")}};
  std::string preview = to_json(make_result_preview(big));
  EXPECT_LT(preview.size(), 1000u) << preview;
  EXPECT_NE(preview.find(R"("rows":[{"id":0},{"id":1},{"id":2},"… 997 more items"])"), std::string::npos) << preview;
  EXPECT_NE(preview.find(std::string(120, 'y') + "…"), std::string::npos);
  EXPECT_NE(preview.find(R"("…":"10 more keys")"), std::string::npos) << preview;
  EXPECT_NE(preview.find(R"("deep":{"a":{"b":"{…}"}})"), std::string::npos) << preview;
}
