// Transactions across exec calls of one run (spec: "Transaction Patterns"), and the promise
// that whatever a failed, timed-out, cancelled (or simply finished) run left uncommitted is
// rolled back.
#include <gtest/gtest.h>

#include <thread>

#include "duck_test_support.h"
#include "run_helpers.h"

using namespace as;
using namespace as::sandbox;
using as::testing::DuckWorld;
using as::testing::failure_message;
using as::testing::run_duck;
using as::testing::run_duck_ok;

namespace {

class DuckTransactions : public ::testing::Test {
 protected:
  void SetUp() override { run_duck_ok("await ctx.duckdb.exec('CREATE TABLE ledger (id INTEGER PRIMARY KEY, note VARCHAR)'); return {};", world_.databases); }
  // The ids in the ledger as another run sees them.
  std::string committed_ids() {
    return run_duck_ok("return { ids: (await ctx.duckdb.query('SELECT id FROM ledger ORDER BY id')).map(r => r.id) };", world_.databases);
  }
  DuckWorld world_;
};

}  // namespace

TEST_F(DuckTransactions, CommitAcrossExecCallsKeepsEveryChange) {
  run_duck_ok("await ctx.duckdb.exec('BEGIN TRANSACTION');\n"
              "await ctx.duckdb.exec(\"INSERT INTO ledger VALUES (1, 'a')\");\n"
              "await ctx.duckdb.exec(\"INSERT INTO ledger VALUES (2, 'b')\");\n"
              "await ctx.duckdb.exec('COMMIT');\nreturn {};",
              world_.databases);
  EXPECT_EQ(committed_ids(), R"({"ids":[1,2]})");
}

TEST_F(DuckTransactions, RollbackDropsEveryChangeAndTheRunSeesItsOwnWritesBefore) {
  EXPECT_EQ(run_duck_ok("await ctx.duckdb.exec('BEGIN TRANSACTION');\n"
                        "await ctx.duckdb.exec(\"INSERT INTO ledger VALUES (1, 'a')\");\n"
                        "const inside = (await ctx.duckdb.query('SELECT count(*) AS n FROM ledger'))[0].n;\n"
                        "await ctx.duckdb.exec('ROLLBACK');\n"
                        "const after = (await ctx.duckdb.query('SELECT count(*) AS n FROM ledger'))[0].n;\n"
                        "return { inside, after };",
                        world_.databases),
            R"({"inside":1,"after":0})");
  EXPECT_EQ(committed_ids(), R"({"ids":[]})");
}

TEST_F(DuckTransactions, SpecPatternRollsBackWhenAStatementFails) {
  auto outcome = run_duck("try {\n"
                          "  await ctx.duckdb.exec('BEGIN TRANSACTION');\n"
                          "  await ctx.duckdb.exec(\"INSERT INTO ledger VALUES (1, 'a')\");\n"
                          "  await ctx.duckdb.exec(\"INSERT INTO ledger VALUES (1, 'duplicate key')\");\n"
                          "  await ctx.duckdb.exec('COMMIT');\n"
                          "  return { success: true };\n"
                          "} catch (error) {\n"
                          "  await ctx.duckdb.exec('ROLLBACK');\n"
                          "  throw error;\n"
                          "}",
                          world_.databases);
  ASSERT_EQ(outcome.status, RunStatus::Failed);
  EXPECT_NE(failure_message(outcome).find("Constraint Error"), std::string::npos) << failure_message(outcome);
  EXPECT_EQ(committed_ids(), R"({"ids":[]})");
}

TEST_F(DuckTransactions, RunThatThrowsInsideATransactionIsRolledBack) {
  auto outcome = run_duck("await ctx.duckdb.exec('BEGIN');\n"
                          "await ctx.duckdb.exec(\"INSERT INTO ledger VALUES (1, 'a')\");\n"
                          "throw new Error('analysis failed halfway');",
                          world_.databases);
  ASSERT_EQ(outcome.status, RunStatus::Failed);
  EXPECT_EQ(committed_ids(), R"({"ids":[]})");
}

TEST_F(DuckTransactions, RunThatTimesOutInsideATransactionIsRolledBack) {
  RunRequest request;
  request.limits.timeout = std::chrono::milliseconds(300);
  auto outcome = run_duck("await ctx.duckdb.exec('BEGIN');\n"
                          "await ctx.duckdb.exec(\"INSERT INTO ledger VALUES (1, 'a')\");\n"
                          "while (true) {}",
                          world_.databases, "test", request);
  ASSERT_EQ(outcome.status, RunStatus::Failed);
  EXPECT_EQ(outcome.failure->limit, "timeout_ms");
  EXPECT_EQ(committed_ids(), R"({"ids":[]})");
}

TEST_F(DuckTransactions, CancelledRunIsRolledBack) {
  std::stop_source cancel;
  RunRequest request;
  request.cancel = cancel.get_token();
  as::testing::StopLater canceller(cancel, std::chrono::milliseconds(300));
  auto outcome = run_duck("await ctx.duckdb.exec('BEGIN');\n"
                          "await ctx.duckdb.exec(\"INSERT INTO ledger VALUES (1, 'a')\");\n"
                          "await ctx.sleep(60000);",
                          world_.databases, "test", request);
  ASSERT_EQ(outcome.status, RunStatus::Cancelled) << failure_message(outcome);
  EXPECT_EQ(committed_ids(), R"({"ids":[]})");
}

TEST_F(DuckTransactions, TransactionLeftOpenByACompletedRunIsRolledBack) {
  run_duck_ok("await ctx.duckdb.exec('BEGIN');\nawait ctx.duckdb.exec(\"INSERT INTO ledger VALUES (1, 'a')\");\nreturn {};", world_.databases);
  EXPECT_EQ(committed_ids(), R"({"ids":[]})");
}

TEST_F(DuckTransactions, WithoutBeginEachStatementCommitsOnItsOwn) {
  auto outcome = run_duck("await ctx.duckdb.exec(\"INSERT INTO ledger VALUES (1, 'a')\");\nthrow new Error('later failure');", world_.databases);
  ASSERT_EQ(outcome.status, RunStatus::Failed);
  EXPECT_EQ(committed_ids(), R"({"ids":[1]})");
}
