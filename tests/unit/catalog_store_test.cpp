// The catalog Store contract. Written against the interface so the PostgreSQL store can run
// the same suite: add its factory to the instantiation at the bottom.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <thread>

#include "catalog/sqlite_store.h"
#include "catalog/version_diff.h"

using namespace as;
using namespace as::catalog;

namespace {

NewAnalysis sample(const std::string& name, const std::string& project = "default") {
  NewAnalysis a;
  a.project = project;
  a.name = name;
  a.title = "Title of " + name;
  a.script = "export default {\n  title: 'x',\n  run() { return {}; }\n};\n";
  a.metadata_json = R"({"dependencies":{"datasources":["pg"],"analyses":[]},"parameters":{"month":{"type":"date"}}})";
  return a;
}

AnalysisChange change(const std::string& script, const std::string& metadata, const std::string& description) {
  AnalysisChange c;
  c.title = "changed";
  c.script = script;
  c.metadata_json = metadata;
  c.change_description = description;
  return c;
}

std::filesystem::path temp_file(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("as-catalog-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  auto path = dir / name;
  std::filesystem::remove(path);
  std::filesystem::remove(path.string() + "-wal");
  std::filesystem::remove(path.string() + "-shm");
  return path;
}

using StoreFactory = std::function<std::unique_ptr<Store>()>;

class StoreContract : public ::testing::TestWithParam<StoreFactory> {
 protected:
  void SetUp() override { store_ = GetParam()(); }
  Store& store() { return *store_; }
  std::unique_ptr<Store> store_;
};

}  // namespace

TEST_P(StoreContract, CreateThenGet) {
  Analysis created = store().create_analysis(sample("sales"));
  EXPECT_EQ(created.version, 1);
  EXPECT_EQ(created.id.size(), 36u);
  Analysis got = store().get_analysis("default", "sales");
  EXPECT_EQ(got.id, created.id);
  EXPECT_EQ(got.script, created.script);
  EXPECT_EQ(got.metadata_json, created.metadata_json);
  EXPECT_EQ(got.created_by, "mcp");
}

TEST_P(StoreContract, NamesAreUniquePerProject) {
  store().create_analysis(sample("sales"));
  EXPECT_THROW(store().create_analysis(sample("sales")), Conflict);
  EXPECT_NO_THROW(store().create_analysis(sample("sales", "other_project")));
  EXPECT_EQ(store().list_analyses("default").size(), 1u);
  EXPECT_EQ(store().list_analyses("other_project").size(), 1u);
  Analysis listed = store().list_analyses("default").front();
  EXPECT_EQ(listed.name, "sales");
  EXPECT_EQ(listed.version, 1);
  EXPECT_TRUE(listed.script.empty()) << "lists carry no scripts";
}

TEST_P(StoreContract, UnknownAnalysisIsNotFoundWithItsName) {
  try {
    store().get_analysis("default", "ghost");
    FAIL();
  } catch (const NotFound& e) {
    EXPECT_STREQ(e.what(), "analysis 'ghost' not found in project 'default'");
  }
  EXPECT_THROW(store().update_analysis("default", "ghost", change("x", "{}", "d")), NotFound);
  EXPECT_THROW(store().delete_analysis("default", "ghost"), NotFound);
}

TEST_P(StoreContract, VersioningRoundTrip) {
  store().create_analysis(sample("report"));
  std::string v2 = "export default {\n  title: 'x',\n  run() { return { a: 1 }; }\n};\n";
  std::string v3 = "export default {\n  title: 'x',\n  // a comment\n  run() { return { a: 2 }; }\n};\n";
  std::string v4 = "export default {\n  title: 'y',\n  run() { return { a: 3 }; }\n};\n";
  store().update_analysis("default", "report", change(v2, R"({"dependencies":{"datasources":["pg","ch"]},"parameters":{"month":{"type":"date"}}})", "second"));
  store().update_analysis("default", "report", change(v3, R"({"dependencies":{"datasources":["ch"]},"parameters":{"month":{"type":"string"},"cid":{"type":"number"}}})", "third"));
  Analysis after = store().update_analysis("default", "report", change(v4, "{}", "fourth"));
  EXPECT_EQ(after.version, 4);

  auto diff = diff_versions(store().version("default", "report", 1), store().version("default", "report", 3));
  EXPECT_EQ(diff.dump(),
            R"({"version1":1,"version2":3,"changes":{"dependencies":{"datasources":{"added":["ch"],"removed":["pg"]},"analyses":{"added":[],"removed":[]}},"parameters":{"added":["cid"],"removed":[],"modified":["month"]},"script_lines":{"added":1,"removed":0,"modified":1}}})");

  Analysis restored = store().restore_version("default", "report", 2, "Title of v2", "the comment broke the parser", "alice");
  EXPECT_EQ(restored.version, 5);
  EXPECT_EQ(restored.title, "Title of v2");
  EXPECT_EQ(restored.script, v2);
  EXPECT_EQ(store().get_analysis("default", "report").script, v2);

  auto versions = store().versions("default", "report");
  ASSERT_EQ(versions.size(), 5u);
  EXPECT_EQ(versions.front().version, 5);
  EXPECT_EQ(versions.front().restored_from, 2);
  EXPECT_EQ(versions.front().created_by, "alice");
  EXPECT_EQ(versions.front().change_description, "Restored version 2: the comment broke the parser");
  EXPECT_EQ(versions.back().version, 1);
  EXPECT_EQ(versions.back().change_description, "Initial version");
  EXPECT_EQ(versions[1].change_description, "fourth");
}

TEST_P(StoreContract, MissingVersionNamesTheRange) {
  store().create_analysis(sample("r"));
  try {
    store().version("default", "r", 7);
    FAIL();
  } catch (const NotFound& e) {
    EXPECT_STREQ(e.what(), "analysis 'r' has no version 7 (its versions are 1 to 1)");
  }
  EXPECT_THROW(store().restore_version("default", "r", 0, "", "why", "me"), NotFound);
}

TEST_P(StoreContract, SoftDeleteHidesAndFreesTheName) {
  store().create_analysis(sample("old"));
  store().delete_analysis("default", "old");
  EXPECT_FALSE(store().find_analysis("default", "old").has_value());
  EXPECT_TRUE(store().list_analyses("default").empty());
  Analysis again = store().create_analysis(sample("old"));
  EXPECT_EQ(again.version, 1);
}

TEST_P(StoreContract, RunMetadataPersistsBetweenRuns) {
  store().create_analysis(sample("etl"));
  std::map<std::string, Value> metadata{{"last_processed", Value("2024-01-31")}, {"counts", parse_json(R"({"a":[1,2]})")}};
  store().save_run_metadata("default", "etl", metadata);
  EXPECT_EQ(store().load_run_metadata("default", "etl"), metadata);
  store().save_run_metadata("default", "etl", {{"only", Value(true)}});
  auto loaded = store().load_run_metadata("default", "etl");
  ASSERT_EQ(loaded.size(), 1u);
  EXPECT_EQ(loaded.at("only"), Value(true));
}

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreContract,
                         ::testing::Values(StoreFactory([] { return std::make_unique<SqliteStore>(":memory:"); })));

TEST(SqliteStore, DataSurvivesReopening) {
  auto path = temp_file("reopen.db");
  {
    SqliteStore store(path.string());
    store.create_analysis(sample("kept"));
    store.update_analysis("default", "kept", change("v2", "{}", "second"));
  }
  SqliteStore reopened(path.string());
  EXPECT_EQ(reopened.schema_version(), 2);
  EXPECT_EQ(reopened.get_analysis("default", "kept").version, 2);
  EXPECT_EQ(reopened.versions("default", "kept").size(), 2u);
}

TEST(SqliteStore, KillDuringUpdatesLeavesAConsistentStore) {
  auto path = temp_file("crash.db");
  { SqliteStore(path.string()).create_analysis(sample("hammered")); }
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  pid_t child = fork();
  ASSERT_NE(child, -1);
  if (child == 0) {
    SqliteStore store(path.string());
    for (int i = 0; i < 1000; ++i) {
      store.update_analysis("default", "hammered", change("script " + std::to_string(i), "{}", "update"));
      if (i == 200) (void)!write(ready[1], "x", 1);  // tell the parent we are well under way
    }
    _exit(0);
  }
  char byte = 0;
  ASSERT_EQ(read(ready[0], &byte, 1), 1);
  kill(child, SIGKILL);  // lands somewhere in updates 200..1000, most likely inside a transaction
  close(ready[0]);
  close(ready[1]);
  int status = 0;
  waitpid(child, &status, 0);

  SqliteStore store(path.string());
  Analysis current = store.get_analysis("default", "hammered");
  auto versions = store.versions("default", "hammered");
  ASSERT_FALSE(versions.empty());
  EXPECT_EQ(versions.front().version, current.version) << "current version must equal the last version row";
  EXPECT_EQ(versions.front().script, current.script);
  for (size_t i = 0; i < versions.size(); ++i) {
    EXPECT_EQ(versions[i].version, current.version - static_cast<int>(i)) << "gap in the version history";
  }
  std::cout << "[ info ] killed after " << current.version - 1 << " of 1000 updates\n";
}

TEST(VersionDiff, LineCounts) {
  EXPECT_EQ(diff_lines("a\nb\nc\n", "a\nb\nc\n").added, 0);
  auto appended = diff_lines("a\nb\n", "a\nb\nc\nd\n");
  EXPECT_EQ(appended.added, 2);
  EXPECT_EQ(appended.modified, 0);
  auto replaced = diff_lines("a\nb\nc\n", "a\nX\nc\n");
  EXPECT_EQ(replaced.modified, 1);
  EXPECT_EQ(replaced.added + replaced.removed, 0);
  auto removed = diff_lines("a\nb\nc\nd\n", "a\nd\n");
  EXPECT_EQ(removed.removed, 2);
  auto mixed = diff_lines("1\n2\n3\n4\n5\n", "1\nB\nC\nX\n4\n5\n6\n");
  EXPECT_EQ(mixed.modified, 2);
  EXPECT_EQ(mixed.added, 2);
  EXPECT_EQ(mixed.removed, 0);
}
