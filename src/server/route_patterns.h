#pragma once
// The path segments the routes capture, in one place so that every route and the 405 logic agree.
namespace as::server {

// An analysis name (service::check_analysis_name), but never "jobs" or "validate": those are the
// literal segments of /api/analysis/jobs/... and /api/analysis/validate, so that PUT
// /api/analysis/validate is a 405, not an update of an analysis no one can create.
inline constexpr const char* kAnalysisIdPattern = "((?!(?:jobs|validate)(?:/|$))[A-Za-z0-9_-]+)";
// A job (run) id: a UUID, but any such text is accepted and answered 404 when unknown.
inline constexpr const char* kJobIdPattern = "([A-Za-z0-9-]+)";
// A parameter name or a version number: checked by the handler, which names the bad value.
inline constexpr const char* kSegmentPattern = "([^/]+)";

}  // namespace as::server
