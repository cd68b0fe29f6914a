// Stopping runs: pending ones never start; running ones stop inside while(true){}, inside
// await ctx.sleep(60000) and inside a host call; shutdown stops what is running.
#include <gtest/gtest.h>

#include <iostream>

#include "jobs_test_support.h"

using namespace as;
using namespace as::jobs;
using as::catalog::RunState;
using as::catalog::RunTrigger;
using as::testing::describe;

namespace {

class JobsCancel : public as::testing::JobsTest {
 protected:
  // Cancels `id` (running, stopped where the script said `signal`) and returns its final status.
  JobStatus cancel_when_signalled(const std::string& id, const std::string& signal) {
    EXPECT_TRUE(hooks_->wait_for_signal(signal)) << "the run never reached '" << signal << "'";
    auto asked = std::chrono::steady_clock::now();
    CancelResult result = service_->cancel(id);
    EXPECT_EQ(result.outcome, CancelOutcome::StopRequested);
    JobStatus done = wait(id);
    auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - asked).count();
    std::cout << "[ info ] '" << signal << "': stopped and recorded " << ms << " ms after cancel()\n";
    return done;
  }
};

}  // namespace

TEST_F(JobsCancel, PendingRunIsCancelledAndNeverRuns) {
  add("busy", "ctx.signal('busy'); await ctx.waitForGate(); return {};");
  start(2);
  std::string first = service_->submit("default", "busy", ValueObject{}, RunTrigger::Manual, "a");
  ASSERT_TRUE(hooks_->wait_for_signal("busy"));
  std::string second = service_->submit("default", "busy", ValueObject{}, RunTrigger::Manual, "a");
  as::testing::EventLog events;
  Subscription subscription = service_->subscribe(second, events.listener());
  CancelResult result = service_->cancel(second);
  EXPECT_EQ(result.outcome, CancelOutcome::Cancelled);
  EXPECT_EQ(result.state, RunState::Cancelled);
  ASSERT_TRUE(events.wait_for_final());
  EXPECT_EQ(events.summary().back(), "status:cancelled");
  hooks_->open_gate();
  EXPECT_EQ(wait(first).run.state, RunState::Completed);
  JobStatus cancelled = wait(second);
  EXPECT_EQ(cancelled.run.state, RunState::Cancelled);
  EXPECT_FALSE(cancelled.run.started_at.has_value()) << "it never started";
  EXPECT_EQ(service_->cancel(second).outcome, CancelOutcome::AlreadyFinished);
  EXPECT_EQ(service_->cancel(first).state, RunState::Completed);
}

TEST_F(JobsCancel, StopInterruptsAnEndlessLoop) {
  add("spin", "ctx.signal('spinning'); while (true) {}");
  start();
  std::string id = service_->submit("default", "spin", ValueObject{}, RunTrigger::Manual, "a");
  JobStatus done = cancel_when_signalled(id, "spinning");
  EXPECT_EQ(done.run.state, RunState::Cancelled) << describe(done);
  EXPECT_EQ(done.run.error, "the run was cancelled");
}

TEST_F(JobsCancel, StopInterruptsALongSleep) {
  add("sleeper", "ctx.signal('sleeping'); await ctx.sleep(60000); return { woke: true };");
  start();
  std::string id = service_->submit("default", "sleeper", ValueObject{}, RunTrigger::Manual, "a");
  JobStatus done = cancel_when_signalled(id, "sleeping");
  EXPECT_EQ(done.run.state, RunState::Cancelled) << describe(done);
  EXPECT_FALSE(done.result_json.has_value());
}

TEST_F(JobsCancel, StopInterruptsAHostCall) {
  add("waiting", "ctx.signal('in host call'); await ctx.waitForGate(); return { finished: true };");
  start();
  std::string id = service_->submit("default", "waiting", ValueObject{}, RunTrigger::Manual, "a");
  JobStatus done = cancel_when_signalled(id, "in host call");
  EXPECT_EQ(done.run.state, RunState::Cancelled) << describe(done);
  // The host call saw the stop token too and gave up its work.
  EXPECT_TRUE(hooks_->wait_for_stopped_host_calls(1));
}

TEST_F(JobsCancel, ARunThatCatchesTheInterruptStillEndsCancelled) {
  add("stubborn", "ctx.signal('go');\ntry { while (true) {} } catch (e) { ctx.log('caught'); }\nreturn { escaped: true };");
  start();
  std::string id = service_->submit("default", "stubborn", ValueObject{}, RunTrigger::Manual, "a");
  JobStatus done = cancel_when_signalled(id, "go");
  EXPECT_EQ(done.run.state, RunState::Cancelled) << describe(done);
  EXPECT_FALSE(done.result_json.has_value());
}

TEST_F(JobsCancel, TheNextRunOfTheAnalysisStartsAfterACancelledOne) {
  add("again", "if (params.spin) { ctx.signal('spin'); while (true) {} }\nreturn { ok: true };", as::testing::boolean_parameter("spin"));
  start(2);
  std::string spinning = service_->submit("default", "again", parse_json(R"({"spin":true})"), RunTrigger::Manual, "a");
  ASSERT_TRUE(hooks_->wait_for_signal("spin"));
  std::string next = service_->submit("default", "again", ValueObject{}, RunTrigger::Manual, "a");
  service_->cancel(spinning);
  EXPECT_EQ(wait(spinning).run.state, RunState::Cancelled);
  EXPECT_EQ(wait(next).run.state, RunState::Completed);
}

TEST_F(JobsCancel, ShutdownStopsRunningRunsAndKeepsPendingOnes) {
  add("forever", "ctx.signal('forever'); while (true) {}");
  start(1);
  std::string running = service_->submit("default", "forever", ValueObject{}, RunTrigger::Manual, "a");
  ASSERT_TRUE(hooks_->wait_for_signal("forever"));
  std::string pending = service_->submit("default", "forever", ValueObject{}, RunTrigger::Manual, "a");
  stop_service();
  auto stopped = store_->find_run(running);
  EXPECT_EQ(stopped->state, RunState::Failed);
  EXPECT_NE(stopped->error->find("shut down"), std::string::npos) << *stopped->error;
  EXPECT_EQ(store_->find_run(pending)->state, RunState::Pending) << "it runs after the next start";
}
