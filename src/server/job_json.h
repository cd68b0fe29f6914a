#pragma once
// The JSON the API gives for a job (a run): GET /api/analysis/jobs/{id}, the run history and the
// events stream all use these, so a run looks the same everywhere.
#include "jobs/job_types.h"
#include "server/http_json.h"

namespace as::server {

// The spec's job status ({status, result, error, logs}) plus the run's record: ids, trigger,
// who ran it, parameters, timings, result size.
Json job_status_json(const jobs::JobStatus& status);
// One row of run history: the record without result and logs, with the small preview.
Json run_summary_json(const catalog::RunRecord& run);
// "[2024-01-15T10:30:00.123Z] info: message": the log lines of the spec's `logs` array.
std::string log_line(const sandbox::LogEntry& entry);

}  // namespace as::server
