#include "job_json.h"

#include <fmt/format.h>

#include "sandbox/log_buffer.h"
#include "sandbox/value.h"

namespace as::server {
namespace {

Json optional_text(const std::optional<std::string>& text) { return text ? Json(*text) : Json(nullptr); }
Json optional_number(const std::optional<std::int64_t>& number) { return number ? Json(*number) : Json(nullptr); }
Json parsed_or_null(const std::optional<std::string>& text) {
  if (!text) return nullptr;
  Json doc = Json::parse(*text, nullptr, false);
  return doc.is_discarded() ? Json(nullptr) : doc;
}

Json record_json(const catalog::RunRecord& run) {
  Json parameters = Json::parse(run.parameters_json, nullptr, false);
  return {{"job_id", run.id},
          {"analysis_id", run.analysis_name},
          {"analysis_version", run.analysis_version},
          {"status", catalog::to_string(run.state)},
          {"trigger_type", catalog::to_string(run.trigger)},
          {"executed_by", run.executed_by},
          {"parent_run_id", optional_text(run.parent_run_id)},
          {"parameters", parameters.is_discarded() ? Json::object() : parameters},
          {"queued_at", run.queued_at},
          {"started_at", optional_text(run.started_at)},
          {"completed_at", optional_text(run.completed_at)},
          {"execution_time_ms", optional_number(run.execution_time_ms)},
          {"result_size_bytes", optional_number(run.result_size_bytes)},
          {"error", optional_text(run.error)}};
}

}  // namespace

std::string log_line(const sandbox::LogEntry& entry) {
  return fmt::format("[{}] {}: {}", iso8601_utc(entry.timestamp_ms), sandbox::to_string(entry.level), entry.message);
}

Json job_status_json(const jobs::JobStatus& status) {
  Json out = record_json(status.run);
  out["result"] = parsed_or_null(status.result_json);
  Json logs = Json::array();
  for (const auto& entry : status.logs) logs.push_back(log_line(entry));
  out["logs"] = std::move(logs);
  out["logs_truncated"] = status.logs_truncated;
  return out;
}

Json run_summary_json(const catalog::RunRecord& run) {
  Json out = record_json(run);
  out["result_preview"] = parsed_or_null(run.result_preview_json);
  out["metadata"] = parsed_or_null(run.metadata_json);
  return out;
}

}  // namespace as::server
