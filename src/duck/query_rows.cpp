#include "query_rows.h"

#include <exception>
#include <memory>
#include <optional>

#include "duck_error.h"
#include "js_rows.h"
#include "row_feed.h"

namespace as::duck {
namespace {

// Chunks (2,048 rows each) the fetching side may run ahead of the building side.
constexpr std::size_t kChunksAhead = 16;

// Rejects with an Error carrying `message`, as a failed host call does.
JSValue throw_error(JSContext* ctx, const std::string& message) {
  JSValue error = JS_NewError(ctx);
  if (JS_IsException(error)) return error;
  JS_DefinePropertyValueStr(ctx, error, "message", JS_NewStringLen(ctx, message.data(), message.size()),
                            JS_PROP_WRITABLE | JS_PROP_CONFIGURABLE);
  return JS_Throw(ctx, error);
}

// Runs on the JS thread: builds the rows of every chunk the feed brings, then waits until the
// fetching side is done with DuckDB (also when building failed: it stops at its next chunk).
// Past the run's deadline it stops the run, which ends the fetching (through the stop token).
JSValue build_from(JSContext* ctx, RowFeed& feed, sandbox::RunControl& control) {
  std::optional<RowBuilder> builder(std::in_place, ctx, feed.names(), feed.types());
  bool built = builder->ok();
  while (built) {
    if (control.past_deadline()) control.stop(sandbox::StopReason::TimeLimit);
    bool timed_out = false;
    std::optional<DataChunk> chunk = feed.next(control.deadline(), timed_out);
    if (timed_out) control.stop(sandbox::StopReason::TimeLimit);
    if (!chunk) break;
    built = builder->add(chunk->get());
  }
  if (!built) feed.abandon();
  std::optional<std::string> failure = feed.wait_done();
  if (!built) return JS_EXCEPTION;  // the builder's exception (JS heap limit, bad JSON) is pending
  if (failure) {
    builder.reset();  // the rows so far are garbage now; free them before the error is made
    return throw_error(ctx, *failure);
  }
  return builder->finish();
}

}  // namespace

sandbox::Settle query_rows(DuckSession& session, const std::string& sql, const QueryParameters& parameters,
                           const std::stop_token& stop, const sandbox::Deliver& deliver, sandbox::RunControl& control,
                           const std::string& error_prefix) {
  auto feed = std::make_shared<RowFeed>(kChunksAhead);
  // A stopped run may never run the delivered Settle: a push waiting for it must return.
  std::stop_callback abandon_on_stop(stop, [feed] { feed->abandon(); });
  bool delivered = false;
  try {
    session.query_chunks(
        sql, parameters, stop, [&](const ResultColumns& columns) { feed->set_columns(columns); },
        [&](DataChunk chunk) {
          if (!delivered) {
            delivered = true;
            deliver([feed, &control](JSContext* ctx) { return build_from(ctx, *feed, control); });
          }
          return feed->push(std::move(chunk));
        });
    // Fetching ends early when the building side gave up (it has its own error) or the run was
    // stopped: then the rows are not all there, and the script must not see them as a result.
    if (stop.stop_requested()) throw DuckError("the query was interrupted: the run was stopped");
  } catch (const std::exception& e) {
    if (!delivered) throw;
    feed->fail(error_prefix + e.what());
  }
  if (!delivered) {
    // No rows: an empty array (nothing was delivered).
    return [](JSContext* ctx) { return JS_NewArray(ctx); };
  }
  // The statement is over and its lock released: the JS thread may return now.
  feed->end();
  feed->done();
  return {};
}

}  // namespace as::duck
