// Job endpoints: execute (always async), status (optionally waiting for the end), stop, the
// Server-Sent Events stream, run history, and dynamic parameter options.
#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>

#include <fmt/format.h>

#include "api_server.h"
#include "route_patterns.h"
#include "jobs/job_service.h"
#include "jobs/run_parameters.h"
#include "sandbox/sandbox.h"
#include "server/job_json.h"
#include "server/options_json.h"
#include "service/analysis_service.h"

namespace as::server {

using service::ErrorCode;
using service::ServiceError;

namespace {

constexpr std::int64_t kMaxWaitMs = 60'000;
// ?wait_ms waits in slices this long, so that a stopping server is not held up by it.
constexpr std::chrono::milliseconds kWaitSlice{250};

// The run, if it exists and belongs to the caller's project (others' runs are 404, not 403:
// their ids are not even confirmed to exist).
template <typename Operation>
auto for_own_job(jobs::JobService& jobs, catalog::Store& store, const Caller& caller, const std::string& job_id,
                 Operation&& operation) {
  auto run = store.find_run(job_id);
  if (!run || run->project != caller.project) {
    throw ServiceError(ErrorCode::NotFound, fmt::format("job '{}' not found", job_id), {{"job_id", job_id}});
  }
  try {
    return operation(jobs);
  } catch (const catalog::NotFound& e) {
    throw ServiceError(ErrorCode::NotFound, e.what(), {{"job_id", job_id}});
  }
}

Value json_to_value(const Json& json) { return parse_json(json.dump()); }

// What a Server-Sent Events response reads from: the listener (a worker thread) appends
// formatted events; the HTTP thread waits for them and writes them out.
struct EventQueue {
  std::mutex mutex;
  std::condition_variable changed;
  std::deque<std::string> events;
  bool finished = false;        // the final status is queued: end the stream after it
  bool server_stopping = false;  // end the stream now, the server is going down
  jobs::Subscription subscription;
  StopSignal::Subscription on_stop;
};

std::string sse(const char* event, const Json& data) { return fmt::format("event: {}\ndata: {}\n\n", event, data.dump()); }

}  // namespace

void add_job_routes(ApiServer& server, ApiServices services) {
  std::shared_ptr<StopSignal> stopping = server.stop_signal();
  auto& jobs = services.jobs;
  auto& analyses = services.analyses;
  std::string id = kAnalysisIdPattern;
  std::string segment = kSegmentPattern;
  std::string job = kJobIdPattern;

  server.route("POST", "/api/analysis/" + id + "/execute", Access::User,
               [&jobs, &analyses](const auto& request, auto& response, const Caller& caller) {
                 Json body = body_object(request);
                 Json given = body.value("parameters", Json::object());
                 if (given.is_null()) given = Json::object();  // docs/parameters.md: null = no parameters
                 if (!given.is_object()) {
                   throw ServiceError(ErrorCode::BadRequest, fmt::format("'parameters' must be an object, got {}", given.type_name()),
                                      {{"field", "parameters"}});
                 }
                 std::string name = request.matches[1];
                 analyses.require(caller.project, name);  // 404 in the service's words before anything else
                 std::string job_id;
                 try {
                   job_id = jobs.submit(caller.project, name, json_to_value(given), catalog::RunTrigger::Manual, caller.name);
                 } catch (const jobs::InvalidParameters& e) {
                   // 400 with one error per parameter (docs/api.md); code "bad_request".
                   Json errors = Json::array();
                   for (const auto& error : e.errors()) errors.push_back(Json{{"parameter", error.parameter}, {"message", error.message}});
                   throw ServiceError(ErrorCode::BadRequest, e.what(), {{"parameters", errors}});
                 } catch (const catalog::NotFound& e) {
                   throw ServiceError(ErrorCode::NotFound, e.what());
                 }
                 send_json(response, 202, {{"job_id", job_id}, {"status", "pending"}});
               });

  server.route("GET", "/api/analysis/jobs/" + job, Access::User,
               [&jobs, &analyses, stopping](const auto& request, auto& response, const Caller& caller) {
                 std::int64_t wait_ms = query_integer(request, "wait_ms", 0, 0, kMaxWaitMs);
                 std::string job_id = request.matches[1];
                 jobs::JobStatus status = for_own_job(jobs, analyses.store(), caller, job_id, [&](jobs::JobService& service) {
                   if (wait_ms == 0) return service.status(job_id);
                   // wait() returns as soon as the run ends, so slicing costs nothing but a look at the flag.
                   auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
                   while (true) {
                     auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
                     jobs::JobStatus now = service.wait(job_id, std::clamp(left, std::chrono::milliseconds(1), kWaitSlice));
                     if (now.finished() || stopping->raised() || std::chrono::steady_clock::now() >= deadline) return now;
                   }
                 });
                 send_json(response, 200, job_status_json(status));
               });

  server.route("DELETE", "/api/analysis/jobs/" + job, Access::User,
               [&jobs, &analyses](const auto& request, auto& response, const Caller& caller) {
                 std::string job_id = request.matches[1];
                 jobs::CancelResult result =
                     for_own_job(jobs, analyses.store(), caller, job_id, [&](jobs::JobService& service) { return service.cancel(job_id); });
                 send_json(response, 200,
                           {{"job_id", job_id}, {"outcome", jobs::to_string(result.outcome)}, {"status", catalog::to_string(result.state)}});
               });

  server.route("GET", "/api/analysis/jobs/" + job + "/events", Access::User,
               [&jobs, &analyses, stopping](const auto& request, auto& response, const Caller& caller) {
                 std::string job_id = request.matches[1];
                 auto queue = std::make_shared<EventQueue>();
                 std::weak_ptr<EventQueue> weak = queue;
                 queue->subscription = for_own_job(jobs, analyses.store(), caller, job_id, [&](jobs::JobService& service) {
                   return service.subscribe(job_id, [weak, job_id](const jobs::JobEvent& event) {
                     auto target = weak.lock();
                     if (!target) return;
                     std::string text;
                     if (event.kind == jobs::JobEvent::Kind::Log) {
                       text = sse("log", {{"job_id", job_id}, {"level", sandbox::to_string(event.log.level)},
                                          {"timestamp", iso8601_utc(event.log.timestamp_ms)}, {"message", event.log.message}, {"line", log_line(event.log)}});
                     } else {
                       Json data = {{"job_id", job_id}, {"status", catalog::to_string(event.state)}};
                       if (event.error) data["error"] = *event.error;
                       text = sse("status", data);
                     }
                     std::lock_guard lock(target->mutex);
                     target->events.push_back(std::move(text));
                     if (event.kind == jobs::JobEvent::Kind::Status && catalog::is_finished(event.state)) target->finished = true;
                     target->changed.notify_all();
                   });
                 });
                 queue->on_stop = StopSignal::subscribe(stopping, [weak] {
                   auto target = weak.lock();
                   if (!target) return;
                   std::lock_guard lock(target->mutex);
                   target->server_stopping = true;
                   target->changed.notify_all();
                 });
                 response.set_header("Cache-Control", "no-cache");
                 response.set_chunked_content_provider(
                     "text/event-stream",
                     [queue](std::size_t, httplib::DataSink& sink) {
                       std::unique_lock lock(queue->mutex);
                       // A comment line every 15 s keeps proxies from closing an idle stream.
                       if (!queue->changed.wait_for(lock, std::chrono::seconds(15),
                                                    [&] { return !queue->events.empty() || queue->finished || queue->server_stopping; })) {
                         lock.unlock();
                         return sink.write(": keep-alive\n\n", 14);
                       }
                       std::deque<std::string> ready;
                       ready.swap(queue->events);
                       bool finished = queue->finished || queue->server_stopping;
                       lock.unlock();
                       for (const auto& text : ready) {
                         if (!sink.write(text.data(), text.size())) return false;
                       }
                       if (finished) sink.done();
                       return true;
                     },
                     [queue](bool) {
                       queue->subscription.reset();
                       queue->on_stop = {};
                     });
               });

  // Runs the parameter's options function in the sandbox, with the analysis's own extensions and
  // limits, and answers at once (options are meant to be quick; the run's time limit applies).
  server.route("POST", "/api/analysis/" + id + "/parameters/" + segment + "/options", Access::User,
               [&analyses, environment = services.environment](const auto& request, auto& response, const Caller& caller) {
                 Json body = body_object(request);
                 Json current = body.value("current_params", Json::object());
                 if (current.is_null()) current = Json::object();
                 if (!current.is_object()) {
                   throw ServiceError(ErrorCode::BadRequest, fmt::format("'current_params' must be an object, got {}", current.type_name()),
                                      {{"field", "current_params"}});
                 }
                 std::string name = request.matches[1];
                 std::string parameter = request.matches[2];
                 catalog::Analysis analysis = analyses.require(caller.project, name);
                 Json metadata = Json::parse(analysis.metadata_json, nullptr, false);
                 const Json* definition = nullptr;
                 if (metadata.is_object() && metadata.contains("parameters") && metadata["parameters"].contains(parameter)) {
                   definition = &metadata["parameters"][parameter];
                 }
                 if (!definition) {
                   throw ServiceError(ErrorCode::NotFound, fmt::format("analysis '{}' has no parameter '{}'", name, parameter),
                                      {{"parameter", parameter}});
                 }
                 if (!definition->value("has_dynamic_options", false)) {
                   // Static options need no sandbox: answer with what validation stored.
                   send_json(response, 200, {{"options", definition->value("options", Json::array())}});
                   return;
                 }
                 jobs::RunEnvironment run = environment ? environment(analysis) : jobs::RunEnvironment{};
                 sandbox::RunRequest options_request;
                 options_request.source = analysis.script;
                 options_request.filename = name + ".js";
                 options_request.params = json_to_value(current);
                 options_request.limits = run.limits;
                 options_request.extensions = std::move(run.extensions);
                 options_request.options_of = parameter;
                 sandbox::RunOutcome outcome = sandbox::run_analysis(options_request);
                 if (outcome.status != sandbox::RunStatus::Completed) {
                   throw ServiceError(ErrorCode::Invalid,
                                      fmt::format("the options function of parameter '{}' failed: {}", parameter, outcome.failure->message),
                                      {{"parameter", parameter}, {"kind", sandbox::to_string(outcome.failure->kind)}});
                 }
                 send_json(response, 200, {{"options", normalize_options(Json::parse(outcome.result_json), parameter)}});
               });

  server.route("GET", "/api/analysis/" + id + "/runs", Access::User,
               [&analyses](const auto& request, auto& response, const Caller& caller) {
                 catalog::RunPageRequest page;
                 page.limit = static_cast<int>(query_integer(request, "limit", 50, 1, 1000));
                 page.offset = static_cast<int>(query_integer(request, "offset", 0, 0, 1'000'000'000));
                 if (request.has_param("cursor")) page.cursor = request.get_param_value("cursor");
                 catalog::RunPage found;
                 try {
                   found = analyses.store().list_runs(caller.project, request.matches[1], page);
                 } catch (const catalog::NotFound& e) {
                   throw ServiceError(ErrorCode::NotFound, e.what());
                 } catch (const std::invalid_argument& e) {
                   throw ServiceError(ErrorCode::BadRequest, e.what());
                 }
                 Json runs = Json::array();
                 for (const auto& run : found.runs) runs.push_back(run_summary_json(run));
                 Json out = {{"runs", runs}, {"limit", page.limit}, {"offset", page.offset}};
                 out["next_cursor"] = found.next_cursor ? Json(*found.next_cursor) : Json(nullptr);
                 send_json(response, 200, out);
               });
}

}  // namespace as::server
