#pragma once
// The jobs service: the queue of analysis runs and the workers that execute them.
//
//   JobService jobs(store, {.data_dir = "data", .workers = 4}, environment_factory);
//   std::string id = jobs.submit("default", "sales", params, RunTrigger::Manual, "alice");
//   JobStatus done = jobs.wait(id, 30s);
//
// Every run is a row in the catalog first (submit writes it, then wakes a worker); workers claim
// rows from the catalog, so runs queued before a restart, or by another process, are found too.
// At most one run of an analysis runs at a time. Results and logs of finished runs are files
// under <data_dir>/results (ResultStore). See docs/jobs.md.
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "job_types.h"
#include "live_run.h"
#include "result_store.h"
#include "run_executor.h"
#include "run_registry.h"
#include "worker_pool.h"

namespace as::jobs {

class JobService {
 public:
  // Start-up recovery first (runs a dead process left running become failed), then the workers
  // start and pick up pending runs. `store` must outlive the service.
  JobService(catalog::Store& store, JobServiceOptions options, RunEnvironmentFactory environment = {});
  JobService(const JobService&) = delete;
  JobService& operator=(const JobService&) = delete;
  // Stops the workers; runs still running are stopped and recorded as failed ("the job service
  // shut down"); pending runs stay pending for the next start.
  ~JobService();

  // Queues a run of the analysis's current version and returns its id. The parameters are
  // checked against the declared ones and given their defaults first (resolve_run_parameters).
  // Throws catalog::NotFound for an unknown analysis, InvalidParameters when they do not fit,
  // std::invalid_argument when params is not an object or the trigger is Nested (nested runs
  // come from ctx.runAnalysis).
  std::string submit(const std::string& project, const std::string& analysis, const Value& params, catalog::RunTrigger trigger,
                     const std::string& executed_by);
  // Pending: cancelled at once. Running: asked to stop (it ends as cancelled within
  // milliseconds, also inside while(true){} or a host call). Throws catalog::NotFound.
  CancelResult cancel(const std::string& run_id);
  // The row, the stored result of a completed run, and the log so far. Throws catalog::NotFound,
  // std::runtime_error naming the file when a stored result or log cannot be read.
  JobStatus status(const std::string& run_id);
  // Returns as soon as the run has finished, or when `timeout` passes (status then says it is
  // still pending or running). Throws catalog::NotFound.
  JobStatus wait(const std::string& run_id, std::chrono::milliseconds timeout);
  // Streams the run's status changes and log lines to `listener`: first the log so far and the
  // current status, then what happens next, ending with the final status. For a finished run
  // everything arrives before subscribe returns. Throws catalog::NotFound.
  Subscription subscribe(const std::string& run_id, JobListener listener);

  // Runs start-up recovery marked failed.
  const std::vector<std::string>& recovered_runs() const { return recovered_; }
  const ResultStore& results() const { return results_; }

 private:
  bool claim_and_execute();
  JobStatus status_of(const catalog::RunRecord& run);

  catalog::Store& store_;
  JobServiceOptions options_;
  ResultStore results_;
  RunRegistry registry_;
  std::vector<std::string> recovered_;
  // Joined in the destructor; destroyed after the executor, whose last nested runs may still
  // wake it while they finish.
  WorkerPool workers_;
  RunExecutor executor_;
};

}  // namespace as::jobs
