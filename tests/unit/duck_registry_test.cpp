// Project names, where their DuckDB files live, and that each is opened once per process.
#include <gtest/gtest.h>

#include <thread>

#include "duck/database_registry.h"
#include "duck/duck_error.h"
#include "duck_test_support.h"

using namespace as;
using as::testing::DuckWorld;
using as::testing::TempDir;

TEST(DuckProjectName, LettersDigitsUnderscoreAndDashAreValid) {
  EXPECT_NO_THROW(duck::validate_project_name("default"));
  EXPECT_NO_THROW(duck::validate_project_name("Sales_EU-2024"));
}

TEST(DuckProjectName, AnythingElseIsRefusedNamingTheValue) {
  for (const char* bad : {"", "../etc", "a/b", "a b", "proj.duckdb", "é"}) {
    try {
      duck::validate_project_name(bad);
      ADD_FAILURE() << "'" << bad << "' was accepted";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(std::string("'") + bad + "'"), std::string::npos) << e.what();
    }
  }
}

TEST(DuckProjectDatabase, FileLivesUnderProjectsInTheDataDirectory) {
  EXPECT_EQ(duck::project_database_path("/srv/data", "sales"), std::filesystem::path("/srv/data/projects/sales/analytics.duckdb"));
}

TEST(DuckRegistry, OpensEachProjectOncePerProcess) {
  DuckWorld world;
  auto first = world.databases->open("alpha");
  auto again = world.databases->open("alpha");
  auto other = world.databases->open("beta");
  EXPECT_EQ(first.get(), again.get());
  EXPECT_NE(first.get(), other.get());
  EXPECT_EQ(first->path(), world.dir.path() / "projects" / "alpha" / "analytics.duckdb");
}

TEST(DuckRegistry, ConcurrentFirstUseStillOpensOnce) {
  DuckWorld world;
  std::vector<std::shared_ptr<duck::ProjectDatabase>> seen(8);
  {
    std::vector<std::jthread> threads;
    for (std::size_t i = 0; i < seen.size(); ++i) threads.emplace_back([&, i] { seen[i] = world.databases->open("shared"); });
  }
  for (const auto& database : seen) EXPECT_EQ(database.get(), seen[0].get());
}

TEST(DuckRegistry, InvalidProjectNameIsRefusedBeforeTouchingDisk) {
  DuckWorld world;
  EXPECT_THROW(world.databases->open("../escape"), std::invalid_argument);
  EXPECT_FALSE(std::filesystem::exists(world.dir.path() / "projects"));
}

TEST(DuckRegistry, UnopenableFileGivesAnErrorNamingProjectAndPath) {
  TempDir dir;
  // A directory where the database file should be: DuckDB cannot open it.
  std::filesystem::create_directories(duck::project_database_path(dir.path(), "broken"));
  duck::DatabaseRegistry databases(dir.path(), as::testing::test_settings());
  try {
    databases.open("broken");
    FAIL() << "opened a directory as a database";
  } catch (const duck::DuckError& e) {
    EXPECT_NE(std::string(e.what()).find("project 'broken'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("analytics.duckdb"), std::string::npos) << e.what();
  }
}

TEST(DuckRegistry, SettingsLookupIsAskedPerProject) {
  TempDir dir;
  duck::DatabaseRegistry databases(dir.path(), [](const std::string& project) {
    auto settings = as::testing::test_settings();
    settings.threads = project == "wide" ? 2 : 1;
    return settings;
  });
  EXPECT_EQ(databases.open("wide")->settings().threads, 2u);
  EXPECT_EQ(databases.open("narrow")->settings().threads, 1u);
}
