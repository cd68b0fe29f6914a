#pragma once
// ctx.duckdb.query's work: the pool thread fetches the result chunk by chunk and, from the first
// chunk on, the run's JS thread builds the rows of each chunk while the next is fetched (a
// RowFeed between them, EventLoop::spawn_early). On two cores this hides most of the fetch
// behind the building (docs/performance.md, "Fetch and build at once").
#include <stop_token>
#include <string>

#include "duck_session.h"
#include "query_parameters.h"
#include "sandbox/event_loop.h"
#include "sandbox/run_control.h"

namespace as::duck {

// Runs on a pool thread. Errors before the first chunk are thrown (DuckError); later ones reach
// the script through the delivered Settle, prefixed with `error_prefix`. Returns the Settle when
// there was no chunk to deliver (an empty result). The delivered Settle keeps the JS thread until
// the rows are built, so it enforces the run's deadline itself (the event loop, which does that
// otherwise, waits for it): past the deadline it stops the run through `control`.
sandbox::Settle query_rows(DuckSession& session, const std::string& sql, const QueryParameters& parameters,
                           const std::stop_token& stop, const sandbox::Deliver& deliver, sandbox::RunControl& control,
                           const std::string& error_prefix);

}  // namespace as::duck
