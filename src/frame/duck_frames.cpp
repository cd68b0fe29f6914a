#include "duck_frames.h"

#include <fmt/format.h>

#include "duck/duck_error.h"
#include "duck_arrow.h"
#include "frame_extension.h"
#include "js_arguments.h"
#include "js_dataframe_api.h"
#include "js_errors.h"
#include "sandbox/host_function.h"

namespace as::frame {
namespace {

using sandbox::JsValue;
using sandbox::Settle;

// Errors on the pool thread reject the promise with "ctx.duckdb.<method>: ..." (as ctx.duckdb's own methods do).
template <class Work>
JSValue spawn(sandbox::EventLoop& loop, const char* method, Work work) {
  return loop.spawn([method, work = std::move(work)](std::stop_token stop) mutable -> Settle {
    try {
      return work(stop);
    } catch (const duck::DuckError& e) {
      throw duck::DuckError(fmt::format("ctx.duckdb.{}: {}", method, e.what()));
    } catch (const FrameError& e) {
      throw duck::DuckError(fmt::format("ctx.duckdb.{}: {}", method, e.what()));
    } catch (const FrameLimitExceeded& e) {
      throw duck::DuckError(fmt::format("ctx.duckdb.{}: {}", method, e.what()));
    }
  });
}

JSValue save_data_frame(FrameRun& run, sandbox::EventLoop& loop, const std::shared_ptr<duck::DuckSession>& session, JSContext* ctx,
                        int argc, JSValueConst* argv) {
  const char* usage = "ctx.duckdb.saveDataFrame(df, table, { mode })";
  LazyFrame* frame = argc >= 1 ? frame_of(run, argv[0]) : nullptr;
  if (!frame) throw ArgumentError(fmt::format("{} needs a DataFrame, got {}", usage, argc < 1 ? "nothing" : describe_js(ctx, argv[0])));
  if (argc < 2 || !JS_IsString(argv[1])) {
    throw ArgumentError(fmt::format("{} needs a table name, got {}", usage, argc < 2 ? "nothing" : describe_js(ctx, argv[1])));
  }
  std::string table = quoted_table_name(sandbox::JsCString(ctx, argv[1]).str());
  SaveMode mode = SaveMode::Overwrite;
  if (argc >= 3 && !JS_IsUndefined(argv[2])) {
    if (!is_plain_object(ctx, argv[2])) throw ArgumentError(fmt::format("{}: the options must be an object, got {}", usage, describe_js(ctx, argv[2])));
    if (auto value = option(ctx, argv[2], "mode")) {
      std::string text = JS_IsString(value->get()) ? sandbox::JsCString(ctx, value->get()).str() : "";
      if (text == "append") {
        mode = SaveMode::Append;
      } else if (text != "overwrite") {
        throw ArgumentError(fmt::format("{}: mode must be 'overwrite' or 'append', got {}", usage, describe_js(ctx, value->get())));
      }
    }
  }
  // The plan runs here, on the JS thread (like collect()); the frame then crosses on the pool.
  FrameRef result = frame->materialize(run.budget);
  if (schema_of(result->get()).empty()) throw ArgumentError(fmt::format("{}: the DataFrame has no columns", usage));
  return spawn(loop, "saveDataFrame", [session, result, table, mode](std::stop_token stop) -> Settle {
    ArrowStream stream = to_arrow(result->get(), FRAME_ARROW_STRING_VIEW);
    session->with_connection(stop, [&](duckdb_connection connection) { save_stream(connection, stream, table, mode); });
    return [](JSContext*) { return JS_UNDEFINED; };
  });
}

JSValue query_frame(const std::shared_ptr<FrameRun>& run, sandbox::EventLoop& loop, const std::shared_ptr<duck::DuckSession>& session,
                    JSContext* ctx, int argc, JSValueConst* argv) {
  if (argc < 1 || !JS_IsString(argv[0])) {
    throw ArgumentError(fmt::format("ctx.duckdb.queryFrame(sql) needs an SQL string, got {}", argc < 1 ? "nothing" : describe_js(ctx, argv[0])));
  }
  std::string sql = sandbox::JsCString(ctx, argv[0]).str();
  std::shared_ptr<FrameBudget> budget = run->budget;
  return spawn(loop, "queryFrame", [run, session, budget, sql](std::stop_token stop) -> Settle {
    FrameRef frame;
    session->query_result(sql, stop, [&](duckdb_result* result, const duck::ProjectConnection&) {
      FramePtr made = frame_from_result(result, *budget, [&] { return stop.stop_requested(); });
      frame = NativeFrame::adopt(std::move(made), budget, "ctx.duckdb.queryFrame()'s result");
    });
    return [run, frame](JSContext* c) { return guarded(c, [&] { return check_js(run->dataframes.make(c, LazyFrame(frame))); }); };
  });
}

}  // namespace

bool FrameDuckMethods::install(sandbox::RunScope& scope, JSValueConst duckdb_object, const std::shared_ptr<duck::DuckSession>& session) {
  std::shared_ptr<FrameRun> run = frames_->run_for(scope);
  if (!run) return false;
  sandbox::EventLoop& loop = scope.loop;
  return sandbox::define_host_function(scope.ctx, duckdb_object, "saveDataFrame", 2,
                                       [run, &loop, session](JSContext* c, JSValueConst, int argc, JSValueConst* argv) {
                                         return guarded(c, [&] { return save_data_frame(*run, loop, session, c, argc, argv); });
                                       }) &&
         sandbox::define_host_function(scope.ctx, duckdb_object, "queryFrame", 1,
                                       [run, &loop, session](JSContext* c, JSValueConst, int argc, JSValueConst* argv) {
                                         return guarded(c, [&] { return query_frame(run, loop, session, c, argc, argv); });
                                       });
}

}  // namespace as::frame
