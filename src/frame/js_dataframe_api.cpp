#include "js_dataframe_api.h"

#include <cmath>

#include <fmt/format.h>

#include "exported_frame.h"
#include "js_arguments.h"
#include "js_columns.h"
#include "js_errors.h"
#include "js_expr_api.h"
#include "js_group_api.h"
#include "sandbox/convert.h"
#include "sandbox/host_function.h"

namespace as::frame {
namespace {

using nlohmann::json;
using sandbox::JsValue;

LazyFrame& self_frame(const FrameRun& run, JSValueConst this_value, const char* method) {
  LazyFrame* frame = run.dataframes.get(this_value);
  if (!frame) throw ArgumentError(fmt::format("DataFrame.{}() was called on something that is not a DataFrame", method));
  return *frame;
}

JSValue wrap(const FrameRun& run, JSContext* ctx, LazyFrame frame) { return check_js(run.dataframes.make(ctx, std::move(frame))); }

std::string join_texts(const std::vector<std::string>& texts) {
  std::string out;
  for (const auto& text : texts) out += (out.empty() ? "" : ", ") + text;
  return out;
}

// select(...) and friends: names stay bare strings in the plan, expressions go in as they are.
struct ExprList {
  json items = json::array();
  std::vector<std::string> texts;
};

ExprList expr_list(const FrameRun& run, JSContext* ctx, int argc, JSValueConst* argv, const std::string& usage, bool names_only = false) {
  ExprList out;
  for (const JsValue& value : flatten_arguments(ctx, argc, argv)) {
    if (JS_IsString(value.get())) {
      std::string name = sandbox::JsCString(ctx, value.get()).str();
      out.items.push_back(name);
      out.texts.push_back(js_quoted(name));
    } else if (names_only) {
      name_argument(ctx, value.get(), usage);  // throws with the usage
    } else {
      Expr expr = to_column_expr(run, ctx, value.get(), usage);
      out.items.push_back(expr.json);
      out.texts.push_back(expr.text);
    }
  }
  return out;
}

JSValue select(const FrameRun& run, JSContext* ctx, LazyFrame& frame, int argc, JSValueConst* argv) {
  ExprList list = expr_list(run, ctx, argc, argv, "select(...columns)");
  if (list.items.empty()) throw ArgumentError("select(...columns) needs at least one column name or expression");
  return wrap(run, ctx, frame.then(json{{"op", "select"}, {"exprs", list.items}}, fmt::format("select({})", join_texts(list.texts))));
}

JSValue filter(FrameRun& run, JSContext* ctx, LazyFrame& frame, int argc, JSValueConst* argv) {
  if (argc < 1) throw ArgumentError("filter(predicate) needs an expression such as col(\"amount\").gt(100), or a function row => boolean");
  if (JS_IsFunction(ctx, argv[0])) return filter_by_callback(run, ctx, frame, argv[0]);
  Expr predicate = to_expr(run, ctx, argv[0], "filter(predicate)");
  return wrap(run, ctx, frame.then(json{{"op", "filter"}, {"predicate", predicate.json}}, fmt::format("filter({})", predicate.text)));
}

JSValue with_column(const FrameRun& run, JSContext* ctx, LazyFrame& frame, int argc, JSValueConst* argv) {
  std::string name = name_argument(ctx, argc >= 1 ? argv[0] : JS_UNDEFINED, "withColumn(name, expr)");
  if (argc < 2) throw ArgumentError(fmt::format("withColumn(\"{}\", expr) needs an expression or a value", name));
  Expr value = to_expr(run, ctx, argv[1], fmt::format("withColumn(\"{}\", expr)", name));
  json aliased{{"fn", "alias"}, {"name", name}, {"args", json::array({value.json})}};
  return wrap(run, ctx, frame.then(json{{"op", "with_columns"}, {"exprs", json::array({aliased})}},
                                   fmt::format("withColumn({}, {})", js_quoted(name), value.text)));
}

JSValue with_columns(const FrameRun& run, JSContext* ctx, LazyFrame& frame, int argc, JSValueConst* argv) {
  json exprs = json::array();
  std::vector<std::string> texts;
  if (argc == 1 && is_plain_object(ctx, argv[0])) {  // withColumns({ name: expr, ... })
    JSPropertyEnum* props = nullptr;
    std::uint32_t count = 0;
    if (JS_GetOwnPropertyNames(ctx, &props, &count, argv[0], JS_GPN_STRING_MASK | JS_GPN_ENUM_ONLY) < 0) throw PendingException{};
    struct Free {
      JSContext* ctx;
      JSPropertyEnum* props;
      std::uint32_t count;
      ~Free() { JS_FreePropertyEnum(ctx, props, count); }
    } free_props{ctx, props, count};
    for (std::uint32_t i = 0; i < count; ++i) {
      const char* key = JS_AtomToCString(ctx, props[i].atom);
      if (!key) throw PendingException{};
      std::string name(key);
      JS_FreeCString(ctx, key);
      JsValue value(ctx, check_js(JS_GetProperty(ctx, argv[0], props[i].atom)));
      Expr expr = to_expr(run, ctx, value.get(), fmt::format("withColumns({{ {}: ... }})", name));
      exprs.push_back(json{{"fn", "alias"}, {"name", name}, {"args", json::array({expr.json})}});
      texts.push_back(fmt::format("{}: {}", name, expr.text));
    }
  } else {  // withColumns(col("a").mul(2).alias("b"), ...)
    for (const JsValue& value : flatten_arguments(ctx, argc, argv)) {
      const Expr* expr = run.exprs.get(value.get());
      if (!expr) {
        throw ArgumentError(fmt::format("withColumns(...) takes expressions (named with .alias()) or one object {{ name: expr }}, got {}",
                                        describe_js(ctx, value.get())));
      }
      exprs.push_back(expr->json);
      texts.push_back(expr->text);
    }
  }
  if (exprs.empty()) throw ArgumentError("withColumns(...) needs at least one expression");
  return wrap(run, ctx, frame.then(json{{"op", "with_columns"}, {"exprs", exprs}}, fmt::format("withColumns({})", join_texts(texts))));
}

JSValue drop(const FrameRun& run, JSContext* ctx, LazyFrame& frame, int argc, JSValueConst* argv) {
  ExprList list = expr_list(run, ctx, argc, argv, "drop(...columns)", true);
  if (list.items.empty()) throw ArgumentError("drop(...columns) needs at least one column name");
  return wrap(run, ctx, frame.then(json{{"op", "drop"}, {"columns", list.items}}, fmt::format("drop({})", join_texts(list.texts))));
}

JSValue rename(const FrameRun& run, JSContext* ctx, LazyFrame& frame, int argc, JSValueConst* argv) {
  if (argc < 1 || !is_plain_object(ctx, argv[0])) {
    throw ArgumentError(fmt::format("rename(mapping) needs an object such as {{ old_name: \"new_name\" }}, got {}",
                                    argc < 1 ? "nothing" : describe_js(ctx, argv[0])));
  }
  Value mapping;
  try {
    mapping = sandbox::to_host(ctx, argv[0]);
  } catch (const sandbox::ConversionError&) {
    throw PendingException{};
  }
  json plan_mapping = json::object();
  std::vector<std::string> texts;
  for (const auto& [old_name, new_name] : mapping.as<ValueObject>()) {
    if (!new_name.is<std::string>()) throw ArgumentError(fmt::format("rename({{ {}: ... }}) needs the new name as a string", old_name));
    plan_mapping[old_name] = new_name.as<std::string>();
    texts.push_back(fmt::format("{}: {}", old_name, js_quoted(new_name.as<std::string>())));
  }
  return wrap(run, ctx, frame.then(json{{"op", "rename"}, {"mapping", plan_mapping}}, fmt::format("rename({{ {} }})", join_texts(texts))));
}

JSValue join(const FrameRun& run, JSContext* ctx, LazyFrame& frame, int argc, JSValueConst* argv) {
  const char* usage = "join(other, on, { how })";
  LazyFrame* other = argc >= 1 ? frame_of(run, argv[0]) : nullptr;
  if (!other) throw ArgumentError(fmt::format("{} needs a DataFrame to join with, got {}", usage, argc < 1 ? "nothing" : describe_js(ctx, argv[0])));
  json op{{"op", "join"}};
  std::vector<std::string> shown{"other"};
  // join(other, "id"), join(other, ["a", "b"]), join(other, "id", { how }), join(other, { on | leftOn + rightOn, how, suffix })
  JSValueConst options = JS_UNDEFINED;
  if (argc >= 2 && (JS_IsString(argv[1]) || JS_IsArray(argv[1]))) {
    ExprList on = expr_list(run, ctx, 1, argv + 1, usage, true);
    op["on"] = on.items;
    shown.push_back(on.items.size() == 1 ? on.texts[0] : "[" + join_texts(on.texts) + "]");
    if (argc >= 3) options = argv[2];
  } else if (argc >= 2) {
    options = argv[1];
  }
  if (!JS_IsUndefined(options) && !is_plain_object(ctx, options)) {
    throw ArgumentError(fmt::format("{}: the options must be an object such as {{ how: \"left\" }}, got {}", usage, describe_js(ctx, options)));
  }
  std::vector<std::string> option_texts;
  auto names_option = [&](const char* key, const char* plan_key) {
    if (auto value = option(ctx, options, key)) {
      JSValueConst v = value->get();
      ExprList names = expr_list(run, ctx, 1, &v, usage, true);
      op[plan_key] = names.items;
      option_texts.push_back(fmt::format("{}: [{}]", key, join_texts(names.texts)));
    }
  };
  names_option("on", "on");
  names_option("leftOn", "left_on");
  names_option("rightOn", "right_on");
  if (!op.contains("on") && !op.contains("left_on")) {
    throw ArgumentError(fmt::format("{} needs the key column(s): join(other, \"id\") or join(other, {{ leftOn: \"a\", rightOn: \"b\" }})", usage));
  }
  for (const char* key : {"how", "suffix"}) {
    if (auto value = option(ctx, options, key)) {
      std::string text = name_argument(ctx, value->get(), fmt::format("{} option '{}'", usage, key));
      op[key] = text;
      option_texts.push_back(fmt::format("{}: {}", key, js_quoted(text)));
    }
  }
  if (!option_texts.empty()) shown.push_back("{ " + join_texts(option_texts) + " }");
  return wrap(run, ctx, frame.join(*other, std::move(op), fmt::format("join({})", join_texts(shown))));
}

JSValue sort(const FrameRun& run, JSContext* ctx, LazyFrame& frame, int argc, JSValueConst* argv) {
  const char* usage = "sort(column, ascending?)";
  if (argc < 1) throw ArgumentError(fmt::format("{} needs a column name, an expression or a list of them", usage));
  JSValueConst by_arg = argv[0];
  ExprList by = expr_list(run, ctx, 1, &by_arg, usage);
  if (by.items.empty()) throw ArgumentError(fmt::format("{} needs at least one column", usage));
  json descending = false;
  json nulls_last = false;
  std::string shown = by.items.size() == 1 ? by.texts[0] : "[" + join_texts(by.texts) + "]";
  if (argc >= 2 && !JS_IsUndefined(argv[1])) {
    auto flags = [&](JSValueConst value, bool invert, const char* what) -> json {
      if (JS_IsBool(value)) return static_cast<bool>(JS_ToBool(ctx, value)) != invert;
      if (JS_IsArray(value)) {
        json list = json::array();
        for (const JsValue& item : flatten_arguments(ctx, 1, &value)) {
          if (!JS_IsBool(item.get())) throw ArgumentError(fmt::format("{}: {} must be booleans, got {}", usage, what, describe_js(ctx, item.get())));
          list.push_back(static_cast<bool>(JS_ToBool(ctx, item.get())) != invert);
        }
        return list;
      }
      throw ArgumentError(fmt::format("{}: {} must be a boolean or one boolean per column, got {}", usage, what, describe_js(ctx, value)));
    };
    if (is_plain_object(ctx, argv[1])) {  // sort("a", { descending: true, nullsLast: true })
      if (auto value = option(ctx, argv[1], "descending")) descending = flags(value->get(), false, "descending");
      if (auto value = option(ctx, argv[1], "ascending")) descending = flags(value->get(), true, "ascending");
      if (auto value = option(ctx, argv[1], "nullsLast")) nulls_last = flags(value->get(), false, "nullsLast");
      shown += fmt::format(", {{ descending: {}, nullsLast: {} }}", descending.dump(), nulls_last.dump());
    } else {  // the TypeScript signature: sort(column, ascending?)
      descending = flags(argv[1], true, "ascending");
      shown += ", " + sandbox::JsCString(ctx, argv[1]).str();
    }
  }
  return wrap(run, ctx, frame.then(json{{"op", "sort"}, {"by", by.items}, {"descending", descending}, {"nulls_last", nulls_last}},
                                   fmt::format("sort({})", shown)));
}

JSValue limit(const FrameRun& run, JSContext* ctx, LazyFrame& frame, int argc, JSValueConst* argv, const char* name, std::int64_t fallback) {
  std::int64_t n = fallback;
  if (argc >= 1 && !JS_IsUndefined(argv[0])) n = count_argument(ctx, argv[0], fmt::format("{}(n)", name));
  if (n < 0) throw ArgumentError(fmt::format("{}(n) needs the number of rows", name));
  return wrap(run, ctx, frame.then(json{{"op", "limit"}, {"n", n}}, fmt::format("{}({})", name, n)));
}

JSValue slice(const FrameRun& run, JSContext* ctx, LazyFrame& frame, int argc, JSValueConst* argv) {
  double offset = 0;
  if (argc < 1 || !JS_IsNumber(argv[0]) || JS_ToFloat64(ctx, &offset, argv[0]) < 0 || offset != std::trunc(offset)) {
    throw ArgumentError(fmt::format("slice(offset, length?) needs a whole-number offset, got {}", argc < 1 ? "nothing" : describe_js(ctx, argv[0])));
  }
  json op{{"op", "slice"}, {"offset", static_cast<std::int64_t>(offset)}};
  std::string shown = std::to_string(static_cast<std::int64_t>(offset));
  if (argc >= 2 && !JS_IsUndefined(argv[1])) {
    std::int64_t length = count_argument(ctx, argv[1], "slice(offset, length)");
    op["length"] = length;
    shown += ", " + std::to_string(length);
  } else {  // to the end
    op["length"] = offset < 0 ? static_cast<std::int64_t>(-offset) : std::int64_t{1} << 53;
  }
  return wrap(run, ctx, frame.then(op, fmt::format("slice({})", shown)));
}

JSValue unique(const FrameRun& run, JSContext* ctx, LazyFrame& frame, int argc, JSValueConst* argv) {
  json op{{"op", "unique"}};
  std::string shown;
  int names_end = argc;
  if (argc >= 1 && is_plain_object(ctx, argv[argc - 1])) {
    names_end = argc - 1;
    if (auto keep = option(ctx, argv[argc - 1], "keep")) op["keep"] = name_argument(ctx, keep->get(), "unique(..., { keep })");
  }
  ExprList subset = expr_list(run, ctx, names_end, argv, "unique(...columns)", true);
  if (!subset.items.empty()) {
    op["subset"] = subset.items;
    shown = join_texts(subset.texts);
  }
  return wrap(run, ctx, frame.then(op, fmt::format("unique({})", shown)));
}

JSValue collect(FrameRun& run, JSContext* ctx, LazyFrame& frame) {
  FrameRef result = frame.materialize(run.budget);
  if (schema_of(result->get()).empty()) return check_js(JS_NewArray(ctx));
  ExportedFrame exported(result->get());
  return check_js(rows_to_js(ctx, exported));
}

JSValue schema_object(JSContext* ctx, const Schema& schema) {
  JsValue object(ctx, check_js(JS_NewObject(ctx)));
  for (const Field& field : schema) {
    JSAtom atom = JS_NewAtomLen(ctx, field.name.data(), field.name.size());
    int rc = JS_DefinePropertyValue(ctx, object.get(), atom, JS_NewString(ctx, field.dtype.c_str()), JS_PROP_C_W_E);
    JS_FreeAtom(ctx, atom);
    if (rc < 0) throw PendingException{};
  }
  return object.release();
}

JSValue column_names(JSContext* ctx, const Schema& schema) {
  JsValue array(ctx, check_js(JS_NewArray(ctx)));
  for (std::size_t i = 0; i < schema.size(); ++i) {
    if (JS_DefinePropertyValueUint32(ctx, array.get(), static_cast<std::uint32_t>(i), JS_NewString(ctx, schema[i].name.c_str()),
                                     JS_PROP_C_W_E) < 0) {
      throw PendingException{};
    }
  }
  return array.release();
}

JSValue describe(FrameRun& run, JSContext* ctx, LazyFrame& frame) {
  FrameRef result = frame.materialize(run.budget);
  Schema schema = schema_of(result->get());
  std::vector<std::string> columns;
  for (const Field& field : schema) columns.push_back(fmt::format("{} {}", field.name, field.dtype));
  return JS_NewString(ctx, fmt::format("DataFrame ({} rows x {} columns: {})", height_of(result->get()), schema.size(), join_texts(columns)).c_str());
}

using MethodBody = JSValue (*)(FrameRun&, JSContext*, LazyFrame&, int, JSValueConst*);

struct MethodEntry {
  const char* name;
  int length;
  MethodBody body;
};

const MethodEntry kMethods[] = {
    {"select", 1, [](FrameRun& r, JSContext* c, LazyFrame& f, int n, JSValueConst* v) { return select(r, c, f, n, v); }},
    {"filter", 1, [](FrameRun& r, JSContext* c, LazyFrame& f, int n, JSValueConst* v) { return filter(r, c, f, n, v); }},
    {"withColumn", 2, [](FrameRun& r, JSContext* c, LazyFrame& f, int n, JSValueConst* v) { return with_column(r, c, f, n, v); }},
    {"withColumns", 1, [](FrameRun& r, JSContext* c, LazyFrame& f, int n, JSValueConst* v) { return with_columns(r, c, f, n, v); }},
    {"drop", 1, [](FrameRun& r, JSContext* c, LazyFrame& f, int n, JSValueConst* v) { return drop(r, c, f, n, v); }},
    {"rename", 1, [](FrameRun& r, JSContext* c, LazyFrame& f, int n, JSValueConst* v) { return rename(r, c, f, n, v); }},
    {"groupBy", 1, [](FrameRun& r, JSContext* c, LazyFrame& f, int n, JSValueConst* v) { return group_by(r, c, f, n, v); }},
    {"join", 2, [](FrameRun& r, JSContext* c, LazyFrame& f, int n, JSValueConst* v) { return join(r, c, f, n, v); }},
    {"sort", 1, [](FrameRun& r, JSContext* c, LazyFrame& f, int n, JSValueConst* v) { return sort(r, c, f, n, v); }},
    {"limit", 1, [](FrameRun& r, JSContext* c, LazyFrame& f, int n, JSValueConst* v) { return limit(r, c, f, n, v, "limit", -1); }},
    {"head", 1, [](FrameRun& r, JSContext* c, LazyFrame& f, int n, JSValueConst* v) { return limit(r, c, f, n, v, "head", 5); }},
    {"slice", 2, [](FrameRun& r, JSContext* c, LazyFrame& f, int n, JSValueConst* v) { return slice(r, c, f, n, v); }},
    {"unique", 0, [](FrameRun& r, JSContext* c, LazyFrame& f, int n, JSValueConst* v) { return unique(r, c, f, n, v); }},
    {"collect", 0, [](FrameRun& r, JSContext* c, LazyFrame& f, int, JSValueConst*) { return collect(r, c, f); }},
    {"toJSON", 0, [](FrameRun& r, JSContext* c, LazyFrame& f, int, JSValueConst*) { return collect(r, c, f); }},
    {"toArray", 0, [](FrameRun& r, JSContext* c, LazyFrame& f, int, JSValueConst*) { return collect(r, c, f); }},
    {"toString", 0, [](FrameRun& r, JSContext* c, LazyFrame& f, int, JSValueConst*) { return describe(r, c, f); }},
};

struct GetterEntry {
  const char* name;
  JSValue (*body)(FrameRun&, JSContext*, LazyFrame&);
};

const GetterEntry kGetters[] = {
    {"columns", [](FrameRun&, JSContext* c, LazyFrame& f) { return column_names(c, f.schema()); }},
    {"schema", [](FrameRun&, JSContext* c, LazyFrame& f) { return schema_object(c, f.schema()); }},
    {"width", [](FrameRun&, JSContext* c, LazyFrame& f) { return JS_NewInt64(c, static_cast<std::int64_t>(f.schema().size())); }},
    {"height",
     [](FrameRun& r, JSContext* c, LazyFrame& f) {
       return JS_NewInt64(c, static_cast<std::int64_t>(height_of(f.materialize(r.budget)->get())));
     }},
};

}  // namespace

LazyFrame* frame_of(const FrameRun& run, JSValueConst value) { return run.dataframes.get(value); }

JSValue FrameRun::new_frame(JSContext* ctx, FramePtr frame, const std::string& what) const {
  return wrap(*this, ctx, LazyFrame(NativeFrame::adopt(std::move(frame), budget, what)));
}

bool install_dataframe_classes(JSContext* ctx, const std::shared_ptr<FrameRun>& run) {
  JsValue proto(ctx, JS_NewObject(ctx));
  if (proto.is_exception()) return false;
  for (const MethodEntry& m : kMethods) {
    bool ok = sandbox::define_host_function(ctx, proto.get(), m.name, m.length, [run, m](JSContext* c, JSValueConst self, int argc, JSValueConst* argv) {
      return guarded(c, [&] { return m.body(*run, c, self_frame(*run, self, m.name), argc, argv); });
    });
    if (!ok) return false;
  }
  for (const GetterEntry& g : kGetters) {
    JsValue getter(ctx, sandbox::new_host_function(ctx, g.name, 0, [run, g](JSContext* c, JSValueConst self, int, JSValueConst*) {
      return guarded(c, [&] { return g.body(*run, c, self_frame(*run, self, g.name)); });
    }));
    if (getter.is_exception()) return false;
    JSAtom atom = JS_NewAtom(ctx, g.name);
    int rc = JS_DefinePropertyGetSet(ctx, proto.get(), atom, getter.release(), JS_UNDEFINED, JS_PROP_CONFIGURABLE);
    JS_FreeAtom(ctx, atom);
    if (rc < 0) return false;
  }
  return run->dataframes.define(ctx, "DataFrame", proto.release()) && install_group_class(ctx, run) && install_row_class(ctx, run);
}

bool define_dataframe_function(JSContext* ctx, const std::shared_ptr<FrameRun>& run, JSValueConst ctx_object) {
  return sandbox::define_host_function(ctx, ctx_object, "DataFrame", 1, [run](JSContext* c, JSValueConst, int argc, JSValueConst* argv) {
    return guarded(c, [&] {
      JSValueConst data = argc >= 1 ? argv[0] : JS_UNDEFINED;
      if (LazyFrame* existing = frame_of(*run, data)) return wrap(*run, c, *existing);
      JsColumns columns = JsColumns::read(c, data);
      FramePtr frame = from_columns(columns.views());
      return run->new_frame(c, std::move(frame), fmt::format("ctx.DataFrame() of {} rows", columns.rows()));
    });
  });
}

}  // namespace as::frame
