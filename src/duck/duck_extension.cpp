#include "duck_extension.h"

#include <fmt/format.h>

#include "catalog_queries.h"
#include "duck_error.h"
#include "duck_session.h"
#include "js_rows.h"
#include "query_rows.h"
#include "sandbox/convert.h"
#include "sandbox/host_function.h"
#include "sandbox/js_value.h"

namespace as::duck {
namespace {

using sandbox::JsCString;
using sandbox::JsValue;
using sandbox::Settle;

// Owned by the ctx.duckdb functions, so it goes away with the run's JS runtime. Ending the run
// interrupts statements still in flight; the session itself lives on until they let go of it,
// then closes its connection (which rolls back anything uncommitted).
struct RunDuck {
  std::shared_ptr<DuckSession> session;
  sandbox::EventLoop& loop;
  sandbox::RunControl& control;

  RunDuck(std::shared_ptr<DuckSession> s, sandbox::EventLoop& l, sandbox::RunControl& c) : session(std::move(s)), loop(l), control(c) {}
  RunDuck(const RunDuck&) = delete;
  RunDuck& operator=(const RunDuck&) = delete;
  ~RunDuck() { session->end_run(); }

  // Runs `work` on the pool; its DuckErrors reject the promise with "ctx.duckdb.<method>: ...".
  JSValue spawn(const char* method, std::function<Settle(DuckSession&, std::stop_token)> work) {
    return loop.spawn([session = session, method, work = std::move(work)](std::stop_token stop) -> Settle {
      try {
        return work(*session, stop);
      } catch (const DuckError& e) {
        throw DuckError(fmt::format("ctx.duckdb.{}: {}", method, e.what()));
      } catch (const std::invalid_argument& e) {
        throw DuckError(fmt::format("ctx.duckdb.{}: {}", method, e.what()));
      }
    });
  }
  // spawn() for work that may deliver its Settle before it is done (see EventLoop::spawn_early);
  // errors it throws before delivering are prefixed as spawn() does.
  JSValue spawn_early(const char* method, std::function<Settle(DuckSession&, std::stop_token, const sandbox::Deliver&)> work) {
    return loop.spawn_early([session = session, method, work = std::move(work)](std::stop_token stop, const sandbox::Deliver& deliver) -> Settle {
      try {
        return work(*session, stop, deliver);
      } catch (const DuckError& e) {
        throw DuckError(fmt::format("ctx.duckdb.{}: {}", method, e.what()));
      } catch (const std::invalid_argument& e) {
        throw DuckError(fmt::format("ctx.duckdb.{}: {}", method, e.what()));
      }
    });
  }
};

std::string describe_argument(JSContext* ctx, int argc, JSValueConst* argv, int index) {
  if (argc <= index || JS_IsUndefined(argv[index])) return "nothing";
  JSValueConst value = argv[index];
  if (JS_IsString(value)) return fmt::format("the string '{}'", JsCString(ctx, value).str());
  if (JS_IsNull(value)) return "null";
  if (JS_IsArray(value)) return "an array";
  if (JS_IsObject(value)) return "an object";
  return JsCString(ctx, value).str();
}

// The SQL (or name) argument: a non-empty string, else a TypeError naming what was passed.
bool text_argument(JSContext* ctx, int argc, JSValueConst* argv, const char* usage, std::string& out) {
  if (argc >= 1 && JS_IsString(argv[0])) {
    out = JsCString(ctx, argv[0]).str();
    if (out.find_first_not_of(" \t\r\n") != std::string::npos) return true;
  }
  sandbox::throw_type_error(ctx, fmt::format("{} needs a non-empty string, got {}", usage, describe_argument(ctx, argc, argv, 0)));
  return false;
}

JSValue exec(RunDuck& duck, JSContext* ctx, int argc, JSValueConst* argv) {
  std::string sql;
  if (!text_argument(ctx, argc, argv, "ctx.duckdb.exec(sql)", sql)) return JS_EXCEPTION;
  return duck.spawn("exec", [sql = std::move(sql)](DuckSession& session, std::stop_token stop) -> Settle {
    session.execute(sql, stop);
    return [](JSContext*) { return JS_UNDEFINED; };
  });
}

JSValue query(RunDuck& duck, JSContext* ctx, int argc, JSValueConst* argv) {
  std::string sql;
  if (!text_argument(ctx, argc, argv, "ctx.duckdb.query(sql, params?)", sql)) return JS_EXCEPTION;
  QueryParameters parameters;
  if (argc >= 2 && !JS_IsUndefined(argv[1]) && !JS_IsNull(argv[1])) {
    if (!JS_IsObject(argv[1])) {
      return sandbox::throw_type_error(ctx, fmt::format("ctx.duckdb.query(sql, params): params must be an array or an object, got {}",
                                                        describe_argument(ctx, argc, argv, 1)));
    }
    try {
      parameters = QueryParameters::from(sandbox::to_host(ctx, argv[1], sandbox::ToHostOptions{.root_name = "params"}));
    } catch (const sandbox::ConversionError& e) {
      if (JS_HasException(ctx)) return JS_EXCEPTION;
      return sandbox::throw_type_error(ctx, fmt::format("ctx.duckdb.query(sql, params): {}", e.what()));
    } catch (const DuckError& e) {
      return sandbox::throw_type_error(ctx, fmt::format("ctx.duckdb.query(sql, params): {}", e.what()));
    }
  }
  return duck.spawn_early("query", [sql = std::move(sql), parameters = std::move(parameters), &control = duck.control](
                                       DuckSession& session, std::stop_token stop, const sandbox::Deliver& deliver) -> Settle {
    return query_rows(session, sql, parameters, stop, deliver, control, "ctx.duckdb.query: ");
  });
}

JSValue tables(RunDuck& duck) {
  return duck.spawn("tables", [](DuckSession& session, std::stop_token stop) -> Settle {
    ValueArray names;
    for (auto& name : list_tables(session, stop)) names.emplace_back(std::move(name));
    return [names = Value(std::move(names))](JSContext* c) { return sandbox::to_js(c, names); };
  });
}

JSValue describe(RunDuck& duck, JSContext* ctx, int argc, JSValueConst* argv) {
  std::string name;
  if (!text_argument(ctx, argc, argv, "ctx.duckdb.describe(tableName)", name)) return JS_EXCEPTION;
  return duck.spawn("describe", [name = std::move(name)](DuckSession& session, std::stop_token stop) -> Settle {
    Value info = describe_table(session, name, stop);
    return [info = std::move(info)](JSContext* c) { return sandbox::to_js(c, info); };
  });
}

}  // namespace

DuckExtension::DuckExtension(std::shared_ptr<DatabaseRegistry> databases, std::string project)
    : databases_(std::move(databases)), project_(std::move(project)) {}

bool DuckExtension::install(sandbox::RunScope& scope, JSValueConst ctx_object) {
  JSContext* ctx = scope.ctx;
  auto session = std::make_shared<DuckSession>([databases = databases_, project = project_] { return databases->open(project); });
  auto duck = std::make_shared<RunDuck>(std::move(session), scope.loop, scope.control);
  JsValue object(ctx, JS_NewObject(ctx));
  if (object.is_exception()) return false;
  using sandbox::define_host_function;
  bool ok = define_host_function(ctx, object.get(), "exec", 1,
                                 [duck](JSContext* c, JSValueConst, int argc, JSValueConst* argv) { return exec(*duck, c, argc, argv); }) &&
            define_host_function(ctx, object.get(), "query", 2,
                                 [duck](JSContext* c, JSValueConst, int argc, JSValueConst* argv) { return query(*duck, c, argc, argv); }) &&
            define_host_function(ctx, object.get(), "tables", 0, [duck](JSContext*, JSValueConst, int, JSValueConst*) { return tables(*duck); }) &&
            define_host_function(ctx, object.get(), "describe", 1,
                                 [duck](JSContext* c, JSValueConst, int argc, JSValueConst* argv) { return describe(*duck, c, argc, argv); });
  if (!ok) return false;
  for (const auto& methods : methods_) {
    if (!methods->install(scope, object.get(), duck->session)) return false;
  }
  return JS_DefinePropertyValueStr(ctx, ctx_object, "duckdb", object.release(), JS_PROP_ENUMERABLE) >= 0;
}

}  // namespace as::duck
