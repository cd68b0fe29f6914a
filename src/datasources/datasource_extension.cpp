#include "datasource_extension.h"

#include <algorithm>
#include <mutex>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "datasource_error.h"
#include "js_rows.h"
#include "sandbox/convert.h"
#include "sandbox/host_function.h"
#include "sandbox/js_value.h"

namespace as::datasources {
namespace {

using sandbox::JsCString;
using sandbox::JsValue;
using sandbox::Settle;

constexpr std::size_t kDefaultBatchSize = 1000;
constexpr std::size_t kMaxBatchSize = 1'000'000;

std::string join(const std::vector<std::string>& names) {
  if (names.empty()) return "none";
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "" : ", ") + name;
  return out;
}

std::string describe_argument(JSContext* ctx, int argc, JSValueConst* argv, int index) {
  if (argc <= index || JS_IsUndefined(argv[index])) return "nothing";
  JSValueConst value = argv[index];
  if (JS_IsString(value)) return fmt::format("the string '{}'", JsCString(ctx, value).str());
  if (JS_IsNull(value)) return "null";
  if (JS_IsArray(value)) return "an array";
  if (JS_IsObject(value)) return "an object";
  return JsCString(ctx, value).str();
}

// ---- the guard behind ctx.datasource: names nobody may use ---------------------------------

// What the guard says about each name that is not a usable datasource of the run.
struct Guard {
  std::string project;
  std::vector<std::string> declared;    // by the analysis
  std::vector<std::string> configured;  // in the project
  std::vector<std::pair<std::string, std::string>> unusable;  // declared and configured, but no driver: why

  std::string refusal(const std::string& name) const {
    for (const auto& [unusable_name, why] : unusable) {
      if (unusable_name == name) return fmt::format("ctx.datasource.{}: {}", name, why);
    }
    bool is_declared = std::find(declared.begin(), declared.end(), name) != declared.end();
    bool is_configured = std::find(configured.begin(), configured.end(), name) != configured.end();
    if (is_declared) {
      return fmt::format("ctx.datasource.{}: the analysis declares datasource '{}', but project '{}' has no datasource of that name "
                         "(its datasources: {})",
                         name, name, project, join(configured));
    }
    if (is_configured) {
      return fmt::format("ctx.datasource.{}: datasource '{}' is not declared by this analysis: add it to dependencies.datasources "
                         "to use it (declared: {})",
                         name, name, join(declared));
    }
    return fmt::format("ctx.datasource.{}: there is no datasource '{}': it is not declared in dependencies.datasources "
                       "(declared: {}) and project '{}' has none of that name (its datasources: {})",
                       name, name, join(declared), project, join(configured));
  }
};

Guard* guard_of(JSValueConst object) {
  JSClassID ignored = 0;
  return static_cast<Guard*>(JS_GetAnyOpaque(object, &ignored));
}

// The guard object owns its Guard; it goes with the run's runtime.
void finalize_guard(JSRuntime*, JSValueConst object) { std::unique_ptr<Guard> owned(guard_of(object)); }

// Names JS machinery looks up on any object (await, JSON.stringify, inspection): they read as
// undefined instead of throwing.
bool is_machinery_name(std::string_view name) {
  static constexpr std::string_view names[] = {"then", "toJSON", "constructor", "toString", "valueOf", "toLocaleString",
                                               "hasOwnProperty", "isPrototypeOf", "propertyIsEnumerable", "__proto__", "inspect"};
  return std::find(std::begin(names), std::end(names), name) != std::end(names);
}

JSValue guard_get(JSContext* ctx, JSValueConst object, JSAtom atom, JSValueConst) {
  JsValue key(ctx, JS_AtomToValue(ctx, atom));
  if (!JS_IsString(key.get())) return JS_UNDEFINED;  // symbols
  std::string name = JsCString(ctx, key.get()).str();
  if (is_machinery_name(name)) return JS_UNDEFINED;
  const Guard* guard = guard_of(object);
  if (!guard) return JS_UNDEFINED;
  return JS_ThrowReferenceError(ctx, "%s", guard->refusal(name).c_str());
}

int guard_get_own(JSContext*, JSPropertyDescriptor*, JSValueConst, JSAtom) { return 0; }
int guard_has(JSContext*, JSValueConst, JSAtom) { return 0; }

JSClassExoticMethods guard_exotic = {
    .get_own_property = guard_get_own,
    .get_own_property_names = nullptr,
    .delete_property = nullptr,
    .define_own_property = nullptr,
    .has_property = guard_has,
    .get_property = guard_get,
    .set_property = nullptr,
};

// Class ids are allocated per runtime in QuickJS-ng, and every run has its own runtime, so the
// class is registered afresh for each run (as src/frame does). 0 when it cannot be.
JSClassID register_guard_class(JSContext* ctx) {
  JSRuntime* runtime = JS_GetRuntime(ctx);
  JSClassID id = 0;
  JS_NewClassID(runtime, &id);
  JSClassDef definition{};
  definition.class_name = "DatasourceGuard";
  definition.finalizer = finalize_guard;
  definition.exotic = &guard_exotic;
  return JS_NewClass(runtime, id, &definition) == 0 ? id : 0;
}

// ---- one datasource's functions --------------------------------------------------------------

struct RunDatasource {
  std::shared_ptr<Datasource> datasource;
  sandbox::EventLoop& loop;
  StatementLimits limits;

  // Runs `work` on the pool; its DatasourceErrors reject with "ctx.datasource.<name>.<method>: ...".
  JSValue spawn(const char* method, std::function<Settle(Datasource&, std::stop_token)> work) {
    return loop.spawn([datasource = datasource, method, work = std::move(work)](std::stop_token stop) -> Settle {
      try {
        return work(*datasource, stop);
      } catch (const std::exception& e) {
        throw DatasourceError(fmt::format("ctx.datasource.{}.{}: {}", datasource->name(), method, e.what()));
      }
    });
  }
  std::string usage(const char* signature) const { return fmt::format("ctx.datasource.{}.{}", datasource->name(), signature); }
};

bool sql_argument(RunDatasource& run, JSContext* ctx, int argc, JSValueConst* argv, const char* signature, std::string& out) {
  if (argc >= 1 && JS_IsString(argv[0])) {
    out = JsCString(ctx, argv[0]).str();
    if (out.find_first_not_of(" \t\r\n") != std::string::npos) return true;
  }
  sandbox::throw_type_error(ctx, fmt::format("{} needs a non-empty string, got {}", run.usage(signature), describe_argument(ctx, argc, argv, 0)));
  return false;
}

// The params argument: an array (or nothing). False with a pending TypeError otherwise.
bool params_argument(RunDatasource& run, JSContext* ctx, int argc, JSValueConst* argv, const char* signature, std::vector<Value>& out) {
  if (argc < 2 || JS_IsUndefined(argv[1]) || JS_IsNull(argv[1])) return true;
  if (!JS_IsArray(argv[1])) {
    sandbox::throw_type_error(ctx, fmt::format("{}: params must be an array of values for the statement's parameters, got {}",
                                               run.usage(signature), describe_argument(ctx, argc, argv, 1)));
    return false;
  }
  try {
    Value converted = sandbox::to_host(ctx, argv[1], sandbox::ToHostOptions{.root_name = "params"});
    out = std::move(converted.as<ValueArray>());
    for (std::size_t i = 0; i < out.size(); ++i) check_bindable(out[i], i + 1);
  } catch (const sandbox::ConversionError& e) {
    if (!JS_HasException(ctx)) sandbox::throw_type_error(ctx, fmt::format("{}: {}", run.usage(signature), e.what()));
    return false;
  } catch (const DatasourceError& e) {
    sandbox::throw_type_error(ctx, fmt::format("{}: {}", run.usage(signature), e.what()));
    return false;
  }
  return true;
}

JSValue query(RunDatasource& run, JSContext* ctx, int argc, JSValueConst* argv) {
  constexpr const char* signature = "query(sql, params?)";
  std::string sql;
  std::vector<Value> params;
  if (!sql_argument(run, ctx, argc, argv, signature, sql) || !params_argument(run, ctx, argc, argv, signature, params)) return JS_EXCEPTION;
  return run.spawn("query", [sql = std::move(sql), params = std::move(params), limits = run.limits](Datasource& datasource,
                                                                                                     std::stop_token stop) -> Settle {
    auto rows = std::make_shared<Rows>(datasource.query(sql, params, limits, stop));
    return [rows](JSContext* c) { return rows_to_js(c, *rows); };
  });
}

JSValue execute(RunDatasource& run, JSContext* ctx, int argc, JSValueConst* argv) {
  constexpr const char* signature = "execute(sql, params?)";
  std::string sql;
  std::vector<Value> params;
  if (!sql_argument(run, ctx, argc, argv, signature, sql) || !params_argument(run, ctx, argc, argv, signature, params)) return JS_EXCEPTION;
  return run.spawn("execute", [sql = std::move(sql), params = std::move(params)](Datasource& datasource, std::stop_token stop) -> Settle {
    ExecuteResult result = datasource.execute(sql, params, stop);
    return [result](JSContext* c) { return sandbox::to_js(c, Value(ValueObject{{"rowsAffected", Value(result.rows_affected)}})); };
  });
}

JSValue insert(RunDatasource& run, JSContext* ctx, int argc, JSValueConst* argv) {
  constexpr const char* signature = "insert(table, rows)";
  std::string table;
  if (!sql_argument(run, ctx, argc, argv, signature, table)) return JS_EXCEPTION;
  if (argc < 2 || !JS_IsArray(argv[1])) {
    return sandbox::throw_type_error(ctx, fmt::format("{}: rows must be an array of objects (one property per column), got {}",
                                                      run.usage(signature), describe_argument(ctx, argc, argv, 1)));
  }
  Value converted;
  try {
    converted = sandbox::to_host(ctx, argv[1], sandbox::ToHostOptions{.root_name = "rows"});
  } catch (const sandbox::ConversionError& e) {
    if (!JS_HasException(ctx)) sandbox::throw_type_error(ctx, fmt::format("{}: {}", run.usage(signature), e.what()));
    return JS_EXCEPTION;
  }
  // Columns: every key of every row, in the order they first appear; a missing one is NULL.
  std::vector<std::string> columns;
  const auto& items = converted.as<ValueArray>();
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (!items[i].is<ValueObject>()) {
      return sandbox::throw_type_error(ctx, fmt::format("{}: rows[{}] is not an object; each row is an object with one property per column",
                                                        run.usage(signature), i));
    }
    for (const auto& [key, value] : items[i].as<ValueObject>()) {
      if (std::find(columns.begin(), columns.end(), key) == columns.end()) columns.push_back(key);
    }
  }
  std::vector<std::vector<Value>> rows;
  rows.reserve(items.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    std::vector<Value> row(columns.size());
    for (const auto& [key, value] : items[i].as<ValueObject>()) {
      std::size_t at = static_cast<std::size_t>(std::find(columns.begin(), columns.end(), key) - columns.begin());
      if (value.is<ValueArray>() || value.is<ValueObject>()) {
        return sandbox::throw_type_error(ctx, fmt::format("{}: rows[{}].{} is an {}; pass nested data as JSON text (JSON.stringify)",
                                                          run.usage(signature), i, key, value.is<ValueArray>() ? "array" : "object"));
      }
      row[at] = value;
    }
    rows.push_back(std::move(row));
  }
  if (!rows.empty() && columns.empty()) {
    return sandbox::throw_type_error(ctx, fmt::format("{}: the rows have no properties, so there are no columns to insert", run.usage(signature)));
  }
  return run.spawn("insert", [table = std::move(table), columns = std::move(columns), rows = std::move(rows)](Datasource& datasource,
                                                                                                             std::stop_token stop) -> Settle {
    ExecuteResult result = datasource.insert(table, columns, rows, stop);
    return [result](JSContext* c) { return sandbox::to_js(c, Value(ValueObject{{"rowsAffected", Value(result.rows_affected)}})); };
  });
}

// ---- stream(): an async iterator of row batches ------------------------------------------------

// One stream() call. The cursor opens on the first next() and holds a pooled connection until
// the rows run out, return() is called, or the iterator is garbage (end of the run at the latest).
struct StreamState {
  std::string sql;
  std::vector<Value> params;
  std::size_t batch_size;
  std::mutex mutex;  // next() calls of one iterator take turns
  std::unique_ptr<Stream> stream;
  bool finished = false;
};

JSValue iterator_result(JSContext* ctx, JSValue value, bool done) {
  JSValue result = JS_NewObject(ctx);
  if (JS_IsException(result)) {
    JS_FreeValue(ctx, value);
    return result;
  }
  JS_DefinePropertyValueStr(ctx, result, "value", value, JS_PROP_C_W_E);
  JS_DefinePropertyValueStr(ctx, result, "done", JS_NewBool(ctx, done), JS_PROP_C_W_E);
  return result;
}

JSValue stream_next(RunDatasource& run, const std::shared_ptr<StreamState>& state) {
  return run.spawn("stream", [state](Datasource& datasource, std::stop_token stop) -> Settle {
    std::lock_guard lock(state->mutex);
    if (!state->finished && !state->stream) state->stream = datasource.stream(state->sql, state->params, stop);
    std::shared_ptr<Rows> rows;
    if (!state->finished) {
      rows = std::make_shared<Rows>(state->stream->fetch(state->batch_size, stop));
      if (rows->rows.empty()) {
        state->finished = true;
        state->stream.reset();  // the connection goes back to the pool now
        rows.reset();
      }
    }
    return [rows](JSContext* c) -> JSValue {
      if (!rows) return iterator_result(c, JS_UNDEFINED, true);
      JSValue batch = rows_to_js(c, *rows);
      if (JS_IsException(batch)) return batch;
      return iterator_result(c, batch, false);
    };
  });
}

JSValue stream_return(RunDatasource& run, const std::shared_ptr<StreamState>& state) {
  return run.spawn("stream", [state](Datasource&, std::stop_token) -> Settle {
    std::lock_guard lock(state->mutex);
    state->finished = true;
    state->stream.reset();
    return [](JSContext* c) { return iterator_result(c, JS_UNDEFINED, true); };
  });
}

JSValue stream(const std::shared_ptr<RunDatasource>& run, JSContext* ctx, int argc, JSValueConst* argv) {
  constexpr const char* signature = "stream(sql, params?, batchSize?)";
  auto state = std::make_shared<StreamState>();
  state->batch_size = kDefaultBatchSize;
  if (!sql_argument(*run, ctx, argc, argv, signature, state->sql) || !params_argument(*run, ctx, argc, argv, signature, state->params)) {
    return JS_EXCEPTION;
  }
  if (argc >= 3 && !JS_IsUndefined(argv[2])) {
    double size = 0;
    if (!JS_IsNumber(argv[2]) || JS_ToFloat64(ctx, &size, argv[2]) < 0 || size < 1 || size > static_cast<double>(kMaxBatchSize) ||
        size != static_cast<double>(static_cast<std::size_t>(size))) {
      return sandbox::throw_type_error(ctx, fmt::format("{}: batchSize must be a whole number from 1 to {}, got {}", run->usage(signature),
                                                        kMaxBatchSize, describe_argument(ctx, argc, argv, 2)));
    }
    state->batch_size = static_cast<std::size_t>(size);
  }
  JsValue iterator(ctx, JS_NewObject(ctx));
  if (iterator.is_exception()) return JS_EXCEPTION;
  using sandbox::define_host_function;
  bool ok = define_host_function(ctx, iterator.get(), "next", 0,
                                 [run, state](JSContext*, JSValueConst, int, JSValueConst*) { return stream_next(*run, state); }) &&
            define_host_function(ctx, iterator.get(), "return", 0,
                                 [run, state](JSContext*, JSValueConst, int, JSValueConst*) { return stream_return(*run, state); });
  if (!ok) return JS_EXCEPTION;
  // for await (const batch of stream(...)) asks the object for its iterator: itself.
  JsValue global(ctx, JS_GetGlobalObject(ctx));
  JsValue symbol = global.property("Symbol").property("asyncIterator");
  JSAtom async_iterator = JS_ValueToAtom(ctx, symbol.get());
  if (async_iterator == JS_ATOM_NULL) return JS_EXCEPTION;
  JsValue self_function(ctx, sandbox::new_host_function(ctx, "[Symbol.asyncIterator]", 0,
                                                         [](JSContext* c, JSValueConst self, int, JSValueConst*) { return JS_DupValue(c, self); }));
  int defined = self_function.is_exception() ? -1 : JS_DefinePropertyValue(ctx, iterator.get(), async_iterator, self_function.release(), JS_PROP_CONFIGURABLE | JS_PROP_WRITABLE);
  JS_FreeAtom(ctx, async_iterator);
  if (defined < 0) return JS_EXCEPTION;
  return iterator.release();
}

JSValue datasource_object(JSContext* ctx, const std::shared_ptr<RunDatasource>& run) {
  JsValue object(ctx, JS_NewObject(ctx));
  if (object.is_exception()) return JS_EXCEPTION;
  using sandbox::define_host_function;
  bool ok = define_host_function(ctx, object.get(), "query", 2,
                                 [run](JSContext* c, JSValueConst, int argc, JSValueConst* argv) { return query(*run, c, argc, argv); }) &&
            define_host_function(ctx, object.get(), "stream", 3,
                                 [run](JSContext* c, JSValueConst, int argc, JSValueConst* argv) { return stream(run, c, argc, argv); }) &&
            define_host_function(ctx, object.get(), "execute", 2,
                                 [run](JSContext* c, JSValueConst, int argc, JSValueConst* argv) { return execute(*run, c, argc, argv); }) &&
            define_host_function(ctx, object.get(), "insert", 2,
                                 [run](JSContext* c, JSValueConst, int argc, JSValueConst* argv) { return insert(*run, c, argc, argv); });
  if (!ok) return JS_EXCEPTION;
  return object.release();
}

}  // namespace

std::vector<std::string> declared_datasources(const std::string& metadata_json) {
  nlohmann::json metadata = nlohmann::json::parse(metadata_json, nullptr, false);
  if (metadata.is_discarded()) throw std::invalid_argument(fmt::format("analysis metadata is not valid JSON: {}", metadata_json));
  std::vector<std::string> names;
  if (!metadata.is_object() || !metadata.contains("dependencies")) return names;
  const auto& dependencies = metadata["dependencies"];
  if (!dependencies.is_object() || !dependencies.contains("datasources")) return names;
  const auto& datasources = dependencies["datasources"];
  if (!datasources.is_array()) {
    throw std::invalid_argument(fmt::format("dependencies.datasources must be an array of datasource names, got {}", datasources.dump()));
  }
  for (const auto& name : datasources) {
    if (!name.is_string()) {
      throw std::invalid_argument(fmt::format("dependencies.datasources must hold datasource names (strings), got {}", name.dump()));
    }
    names.push_back(name.get<std::string>());
  }
  return names;
}

DatasourceExtension::DatasourceExtension(std::shared_ptr<DatasourceRegistry> registry, std::string project, std::vector<std::string> declared)
    : registry_(std::move(registry)), project_(std::move(project)), declared_(std::move(declared)) {}

bool DatasourceExtension::install(sandbox::RunScope& scope, JSValueConst ctx_object) {
  JSContext* ctx = scope.ctx;
  JSClassID guard_class = register_guard_class(ctx);
  if (guard_class == 0) {
    JS_ThrowInternalError(ctx, "could not register the ctx.datasource guard class");
    return false;
  }
  auto guard = std::make_unique<Guard>();
  guard->project = project_;
  guard->declared = declared_;
  guard->configured = registry_->names(project_);

  StatementLimits limits;
  limits.max_result_bytes = scope.limits.memory_bytes;  // rows that could never fit in the JS heap are refused early

  JsValue object(ctx, JS_NewObject(ctx));
  if (object.is_exception()) return false;
  for (const auto& name : declared_) {
    const config::DatasourceConfig* settings = registry_->find(project_, name);
    if (!settings) continue;  // the guard explains
    if (!config::is_sql(settings->type) || !has_driver(settings->type)) {
      guard->unusable.emplace_back(name, fmt::format("datasource '{}' is of type {}, which this build of the sandbox cannot reach yet",
                                                     name, config::to_string(settings->type)));
      continue;
    }
    std::shared_ptr<Datasource> datasource;
    try {
      datasource = registry_->open(project_, name);
    } catch (const DatasourceError& e) {
      guard->unusable.emplace_back(name, e.what());
      continue;
    }
    auto run = std::make_shared<RunDatasource>(RunDatasource{std::move(datasource), scope.loop, limits});
    JSValue member = datasource_object(ctx, run);
    if (JS_IsException(member)) return false;
    if (JS_DefinePropertyValueStr(ctx, object.get(), name.c_str(), member, JS_PROP_ENUMERABLE) < 0) return false;
  }
  JsValue prototype(ctx, JS_NewObjectProtoClass(ctx, JS_NULL, guard_class));
  if (prototype.is_exception()) return false;
  JS_SetOpaque(prototype.get(), guard.release());
  if (JS_SetPrototype(ctx, object.get(), prototype.get()) < 0) return false;
  return JS_DefinePropertyValueStr(ctx, ctx_object, "datasource", object.release(), JS_PROP_ENUMERABLE) >= 0;
}

}  // namespace as::datasources
