#include "js_group_api.h"

#include <algorithm>
#include <array>
#include <optional>
#include <string_view>

#include <fmt/format.h>

#include "js_arguments.h"
#include "js_errors.h"
#include "js_expr_api.h"
#include "sandbox/host_function.h"

namespace as::frame {
namespace {

using nlohmann::json;
using sandbox::JsValue;

// Aggregation names accepted in the string form, and the plan function each one runs.
struct AggName {
  std::string_view name;
  const char* fn;
};
constexpr std::array<AggName, 14> kAggNames{{
    {"sum", "sum"}, {"mean", "mean"}, {"avg", "mean"}, {"min", "min"}, {"max", "max"}, {"median", "median"},
    {"std", "std"}, {"var", "var"}, {"first", "first"}, {"last", "last"}, {"count", "count"},
    {"nUnique", "n_unique"}, {"n_unique", "n_unique"}, {"len", "len"},
}};

bool numeric(const std::string& dtype) {
  return dtype.starts_with("int") || dtype.starts_with("uint") || dtype.starts_with("float");
}

std::string join_texts(const std::vector<std::string>& texts) {
  std::string out;
  for (const auto& text : texts) out += (out.empty() ? "" : ", ") + text;
  return out;
}

// The string form: { out: "sum" } aggregates the column `out`; { out: "sum(amount)" } names the
// column; { out: "count" } with no such column counts rows. When `out` is not a column and
// the input has exactly one numeric column besides the keys, that is the one (the spec's
// `{ total: "sum", count: "count" }` over category + amount).
Expr string_aggregation(const GroupedFrame& group, const Schema& schema, const std::string& out, const std::string& spec) {
  std::string name = spec;
  std::string column;
  if (auto open = spec.find('('); open != std::string::npos && spec.ends_with(")")) {
    name = spec.substr(0, open);
    column = spec.substr(open + 1, spec.size() - open - 2);
  }
  auto known = std::find_if(kAggNames.begin(), kAggNames.end(), [&](const AggName& a) { return a.name == name; });
  if (known == kAggNames.end()) {
    std::vector<std::string> names;
    for (const AggName& a : kAggNames) names.emplace_back(a.name);
    throw ArgumentError(fmt::format("{}.agg({{ {}: \"{}\" }}): unknown aggregation '{}'; expected one of: {} (optionally with a column: \"sum(amount)\")",
                                    group.text, out, spec, name, join_texts(names)));
  }
  auto has_column = [&](const std::string& wanted) {
    return std::any_of(schema.begin(), schema.end(), [&](const Field& f) { return f.name == wanted; });
  };
  const std::string fn = known->fn;
  auto aggregate = [&](const std::string& of) {
    Expr expr = method_expr(column_expr(of), std::string(known->name), fn, {});
    return method_expr(expr, "alias", "alias", {}, json{{"name", out}}, js_quoted(out));
  };
  if (!column.empty() && column != "*") return aggregate(column);
  if (fn == "len" || ((fn == "count") && (column == "*" || !has_column(out)))) {
    Expr rows{json{{"fn", "len"}, {"args", json::array()}}, "len()"};
    return method_expr(rows, "alias", "alias", {}, json{{"name", out}}, js_quoted(out));
  }
  if (has_column(out)) return aggregate(out);
  std::vector<std::string> candidates;
  for (const Field& field : schema) {
    bool is_key = std::find(group.key_names.begin(), group.key_names.end(), field.name) != group.key_names.end();
    if (!is_key && numeric(field.dtype)) candidates.push_back(field.name);
  }
  if (candidates.size() == 1) return aggregate(candidates[0]);
  throw ArgumentError(fmt::format(
      "{}.agg({{ {}: \"{}\" }}): '{}' is not a column, and {} numeric column(s) besides the keys could be meant ({}); name it: "
      "{{ {}: \"{}({})\" }} or {{ {}: col(\"{}\").{}() }}",
      group.text, out, spec, out, candidates.size(), candidates.empty() ? "none" : join_texts(candidates), out, name,
      candidates.empty() ? "column" : candidates[0], out, candidates.empty() ? "column" : candidates[0], name));
}

const GroupedFrame& self_group(const FrameRun& run, JSValueConst this_value, const char* method) {
  const GroupedFrame* group = run.groups.get(this_value);
  if (!group) throw ArgumentError(fmt::format("GroupBy.{}() was called on something that is not the result of groupBy(...)", method));
  return *group;
}

JSValue finish(const FrameRun& run, JSContext* ctx, const GroupedFrame& group, const json& aggs, const std::string& shown) {
  json op{{"op", "group_by_agg"}, {"by", group.keys}, {"aggs", aggs}};
  return check_js(run.dataframes.make(ctx, group.frame.then(std::move(op), fmt::format("{}.{}", group.text, shown))));
}

JSValue agg(const FrameRun& run, JSContext* ctx, const GroupedFrame& group, int argc, JSValueConst* argv) {
  json aggs = json::array();
  std::vector<std::string> texts;
  if (argc == 1 && is_plain_object(ctx, argv[0])) {
    JSPropertyEnum* props = nullptr;
    std::uint32_t count = 0;
    if (JS_GetOwnPropertyNames(ctx, &props, &count, argv[0], JS_GPN_STRING_MASK | JS_GPN_ENUM_ONLY) < 0) throw PendingException{};
    struct Free {
      JSContext* ctx;
      JSPropertyEnum* props;
      std::uint32_t count;
      ~Free() { JS_FreePropertyEnum(ctx, props, count); }
    } free_props{ctx, props, count};
    std::optional<Schema> schema;  // resolved (without running anything) when a string form needs it
    for (std::uint32_t i = 0; i < count; ++i) {
      const char* key = JS_AtomToCString(ctx, props[i].atom);
      if (!key) throw PendingException{};
      std::string out(key);
      JS_FreeCString(ctx, key);
      JsValue value(ctx, check_js(JS_GetProperty(ctx, argv[0], props[i].atom)));
      Expr expr;
      if (JS_IsString(value.get())) {
        if (!schema) schema = group.frame.schema();
        expr = string_aggregation(group, *schema, out, sandbox::JsCString(ctx, value.get()).str());
        texts.push_back(fmt::format("{}: {}", out, js_quoted(sandbox::JsCString(ctx, value.get()).str())));
      } else if (const Expr* given = run.exprs.get(value.get())) {
        expr = method_expr(*given, "alias", "alias", {}, json{{"name", out}}, js_quoted(out));
        texts.push_back(fmt::format("{}: {}", out, given->text));
      } else {
        throw ArgumentError(fmt::format("{}.agg({{ {}: ... }}) needs an aggregation name such as \"sum\" or an expression such as "
                                        "col(\"amount\").sum(), got {}",
                                        group.text, out, describe_js(ctx, value.get())));
      }
      aggs.push_back(expr.json);
    }
    if (aggs.empty()) throw ArgumentError(fmt::format("{}.agg({{}}) needs at least one aggregation", group.text));
    return finish(run, ctx, group, aggs, fmt::format("agg({{ {} }})", join_texts(texts)));
  }
  for (const JsValue& value : flatten_arguments(ctx, argc, argv)) {
    const Expr* expr = run.exprs.get(value.get());
    if (!expr) {
      throw ArgumentError(fmt::format("{}.agg(...) takes {{ name: \"sum\" | expression }} or expressions such as "
                                      "col(\"amount\").sum().alias(\"total\"), got {}",
                                      group.text, describe_js(ctx, value.get())));
    }
    aggs.push_back(expr->json);
    texts.push_back(expr->text);
  }
  if (aggs.empty()) throw ArgumentError(fmt::format("{}.agg(...) needs at least one aggregation", group.text));
  return finish(run, ctx, group, aggs, fmt::format("agg({})", join_texts(texts)));
}

}  // namespace

JSValue group_by(FrameRun& run, JSContext* ctx, LazyFrame& frame, int argc, JSValueConst* argv) {
  GroupedFrame group{frame, json::array(), {}, {}};
  std::vector<std::string> texts;
  for (const JsValue& value : flatten_arguments(ctx, argc, argv)) {
    Expr key = to_column_expr(run, ctx, value.get(), "groupBy(...columns)");
    if (JS_IsString(value.get())) {
      std::string name = key.json["col"].get<std::string>();
      group.keys.push_back(name);
      group.key_names.push_back(name);
      texts.push_back(js_quoted(name));
    } else {
      group.keys.push_back(key.json);
      texts.push_back(key.text);
    }
  }
  if (group.keys.empty()) throw ArgumentError("groupBy(...columns) needs at least one column name or expression");
  group.text = fmt::format("groupBy({})", join_texts(texts));
  return check_js(run.groups.make(ctx, std::move(group)));
}

bool install_group_class(JSContext* ctx, const std::shared_ptr<FrameRun>& run) {
  JsValue proto(ctx, JS_NewObject(ctx));
  if (proto.is_exception()) return false;
  bool ok = sandbox::define_host_function(ctx, proto.get(), "agg", 1,
                                          [run](JSContext* c, JSValueConst self, int argc, JSValueConst* argv) {
                                            return guarded(c, [&] { return agg(*run, c, self_group(*run, self, "agg"), argc, argv); });
                                          }) &&
            sandbox::define_host_function(ctx, proto.get(), "count", 0, [run](JSContext* c, JSValueConst self, int, JSValueConst*) {
              return guarded(c, [&] {
                const GroupedFrame& group = self_group(*run, self, "count");
                json count{{"fn", "alias"}, {"name", "count"}, {"args", json::array({json{{"fn", "len"}, {"args", json::array()}}})}};
                return finish(*run, c, group, json::array({count}), "count()");
              });
            });
  if (!ok) return false;
  return run->groups.define(ctx, "GroupBy", proto.release());
}

}  // namespace as::frame
