#include "js_expr_api.h"

#include <charconv>
#include <cmath>

#include <fmt/format.h>

#include "js_errors.h"
#include "sandbox/convert.h"
#include "sandbox/host_function.h"
#include "sandbox/js_value.h"

namespace as::frame {
namespace {

using nlohmann::json;
using sandbox::JsCString;
using sandbox::JsValue;

constexpr double kMaxSafeInteger = 9007199254740992.0;  // 2^53

// How an Expr method maps onto the plan: `receiver.name(args)` becomes {"fn": fn, "args": [receiver, args...]}.
enum class Arity { None, One, Many };
struct Method {
  const char* name;
  const char* fn;
  Arity arity;
};

// Aliases follow Polars' own names in Python and JavaScript (nodejs-polars).
constexpr Method kMethods[] = {
    // arithmetic
    {"add", "+", Arity::One}, {"plus", "+", Arity::One},
    {"sub", "-", Arity::One}, {"minus", "-", Arity::One},
    {"mul", "*", Arity::One}, {"multiply", "*", Arity::One}, {"multiplyBy", "*", Arity::One},
    {"div", "/", Arity::One}, {"divide", "/", Arity::One}, {"divideBy", "/", Arity::One},
    {"mod", "%", Arity::One}, {"modulo", "%", Arity::One}, {"rem", "%", Arity::One},
    {"neg", "neg", Arity::None},
    // comparisons
    {"eq", "==", Arity::One}, {"equals", "==", Arity::One},
    {"neq", "!=", Arity::One}, {"notEquals", "!=", Arity::One},
    {"lt", "<", Arity::One}, {"lessThan", "<", Arity::One},
    {"lte", "<=", Arity::One}, {"ltEq", "<=", Arity::One}, {"lessThanEquals", "<=", Arity::One},
    {"gt", ">", Arity::One}, {"greaterThan", ">", Arity::One},
    {"gte", ">=", Arity::One}, {"gtEq", ">=", Arity::One}, {"greaterThanEquals", ">=", Arity::One},
    // boolean logic
    {"and", "and", Arity::Many}, {"or", "or", Arity::Many}, {"not", "not", Arity::None},
    // nulls
    {"isNull", "is_null", Arity::None}, {"isNotNull", "is_not_null", Arity::None}, {"fillNull", "fill_null", Arity::One},
    // strings
    {"startsWith", "str.starts_with", Arity::One}, {"endsWith", "str.ends_with", Arity::One},
    {"lower", "str.to_lowercase", Arity::None}, {"toLowerCase", "str.to_lowercase", Arity::None},
    {"upper", "str.to_uppercase", Arity::None}, {"toUpperCase", "str.to_uppercase", Arity::None},
    {"len", "str.len_chars", Arity::None}, {"lengths", "str.len_chars", Arity::None}, {"lenBytes", "str.len_bytes", Arity::None},
    // date parts
    {"year", "dt.year", Arity::None}, {"quarter", "dt.quarter", Arity::None}, {"month", "dt.month", Arity::None},
    {"week", "dt.week", Arity::None}, {"weekday", "dt.weekday", Arity::None}, {"day", "dt.day", Arity::None},
    {"ordinalDay", "dt.ordinal_day", Arity::None}, {"hour", "dt.hour", Arity::None}, {"minute", "dt.minute", Arity::None},
    {"second", "dt.second", Arity::None}, {"millisecond", "dt.millisecond", Arity::None}, {"date", "dt.date", Arity::None},
    // aggregations
    {"sum", "sum", Arity::None}, {"mean", "mean", Arity::None}, {"avg", "mean", Arity::None},
    {"count", "count", Arity::None}, {"min", "min", Arity::None}, {"max", "max", Arity::None},
    {"nUnique", "n_unique", Arity::None}, {"median", "median", Arity::None},
    {"first", "first", Arity::None}, {"last", "last", Arity::None},
};

const Expr& self_expr(const FrameRun& run, JSValueConst this_value, const char* method) {
  const Expr* self = run.exprs.get(this_value);
  if (!self) throw ArgumentError(fmt::format("Expr.{}() was called on something that is not an expression (use col(name) or lit(value))", method));
  return *self;
}

std::string string_argument(JSContext* ctx, int argc, JSValueConst* argv, int index, const std::string& usage) {
  if (argc <= index || !JS_IsString(argv[index])) {
    throw ArgumentError(fmt::format("{} needs a string, got {}", usage, argc <= index ? "nothing" : describe_js(ctx, argv[index])));
  }
  return JsCString(ctx, argv[index]).str();
}

// Reads `{ key: boolean }` from an options argument; `fallback` when absent.
bool bool_option(JSContext* ctx, int argc, JSValueConst* argv, int index, const char* key, bool fallback) {
  if (argc <= index || JS_IsUndefined(argv[index])) return fallback;
  if (JS_IsBool(argv[index])) return JS_ToBool(ctx, argv[index]);
  if (!JS_IsObject(argv[index])) return fallback;
  JsValue value(ctx, check_js(JS_GetPropertyStr(ctx, argv[index], key)));
  return value.is_undefined() ? fallback : JS_ToBool(ctx, value.get()) != 0;
}

JSValue make(const FrameRun& run, JSContext* ctx, Expr expr) { return check_js(run.exprs.make(ctx, std::move(expr))); }

// The methods that take options or special arguments.
bool install_special_methods(JSContext* ctx, const std::shared_ptr<FrameRun>& run, JSValueConst proto) {
  using sandbox::define_host_function;
  auto method = [&](const char* name, int length, auto body) {
    return define_host_function(ctx, proto, name, length, [run, name, body](JSContext* c, JSValueConst self, int argc, JSValueConst* argv) {
      return guarded(c, [&] { return body(*run, c, self_expr(*run, self, name), argc, argv); });
    });
  };
  auto alias = [](const FrameRun& r, JSContext* c, const Expr& self, int argc, JSValueConst* argv) {
    std::string name = string_argument(c, argc, argv, 0, fmt::format("{}.alias(name)", self.text));
    return make(r, c, method_expr(self, "alias", "alias", {}, json{{"name", name}}, js_quoted(name)));
  };
  auto stat = [](const char* which) {
    return [which](const FrameRun& r, JSContext* c, const Expr& self, int argc, JSValueConst* argv) {
      double ddof = 1;
      if (argc >= 1 && !JS_IsUndefined(argv[0])) {
        if (!JS_IsNumber(argv[0]) || JS_ToFloat64(c, &ddof, argv[0]) < 0 || ddof < 0 || ddof != std::trunc(ddof)) {
          throw ArgumentError(fmt::format("{}.{}(ddof) needs a whole number >= 0, got {}", self.text, which, describe_js(c, argv[0])));
        }
      }
      auto ddof_value = static_cast<std::int64_t>(ddof);
      return make(r, c, method_expr(self, which, which, {}, json{{"ddof", ddof_value}}, ddof_value == 1 ? "" : std::to_string(ddof_value)));
    };
  };
  return method("alias", 1, alias) && method("as", 1, alias) && method("std", 0, stat("std")) && method("var", 0, stat("var")) &&
         method("cast", 1,
                [](const FrameRun& r, JSContext* c, const Expr& self, int argc, JSValueConst* argv) {
                  std::string dtype = string_argument(c, argc, argv, 0, fmt::format("{}.cast(dtype)", self.text));
                  bool strict = bool_option(c, argc, argv, 1, "strict", true);
                  return make(r, c, method_expr(self, "cast", "cast", {}, json{{"dtype", dtype}, {"strict", strict}},
                                                js_quoted(dtype) + (strict ? "" : ", false")));
                }) &&
         method("contains", 1,
                [](const FrameRun& r, JSContext* c, const Expr& self, int argc, JSValueConst* argv) {
                  // A RegExp argument is a regular expression; a string is literal text unless { literal: false }.
                  if (argc >= 1 && JS_IsRegExp(argv[0])) {
                    JsValue source(c, check_js(JS_GetPropertyStr(c, argv[0], "source")));
                    std::string pattern = JsCString(c, source.get()).str();
                    return make(r, c, method_expr(self, "contains", "str.contains", {literal_expr(pattern)}, json{{"literal", false}},
                                                  "/" + pattern + "/"));
                  }
                  std::string pattern = string_argument(c, argc, argv, 0, fmt::format("{}.contains(pattern)", self.text));
                  bool literal = bool_option(c, argc, argv, 1, "literal", true);
                  Expr text = literal_expr(pattern);
                  text.text = js_quoted(pattern);
                  return make(r, c, method_expr(self, "contains", "str.contains", {text}, json{{"literal", literal}},
                                                literal ? "" : "{ literal: false }"));
                }) &&
         method("truncate", 1,
                [](const FrameRun& r, JSContext* c, const Expr& self, int argc, JSValueConst* argv) {
                  std::string every = string_argument(c, argc, argv, 0, fmt::format("{}.truncate(every) (e.g. '1mo', '1d', '1h')", self.text));
                  return make(r, c, method_expr(self, "truncate", "dt.truncate", {}, json{{"every", every}}, js_quoted(every)));
                }) &&
         method("toString", 0,
                [](const FrameRun&, JSContext* c, const Expr& self, int, JSValueConst*) { return JS_NewString(c, self.text.c_str()); }) &&
         method("toJSON", 0,
                [](const FrameRun&, JSContext* c, const Expr& self, int, JSValueConst*) { return JS_NewString(c, self.text.c_str()); });
}

// col("a") * 2 would silently compute NaN: refuse operators with a message that shows the method form.
bool install_operator_guard(JSContext* ctx, const std::shared_ptr<FrameRun>& run, JSValueConst proto) {
  JsValue guard(ctx, sandbox::new_host_function(ctx, "[Symbol.toPrimitive]", 1,
                                                 [run](JSContext* c, JSValueConst self, int argc, JSValueConst* argv) -> JSValue {
                                                   return guarded(c, [&]() -> JSValue {
                                                     const Expr& expr = self_expr(*run, self, "[Symbol.toPrimitive]");
                                                     if (argc >= 1 && JS_IsString(argv[0]) && JsCString(c, argv[0]).view() == "string") {
                                                       return JS_NewString(c, expr.text.c_str());  // `${expr}` shows it
                                                     }
                                                     throw ArgumentError(fmt::format(
                                                         "{} was used with a JavaScript operator (+, -, *, /, <, ==, ...): JavaScript cannot "
                                                         "overload operators, so write them as methods, e.g. {}.mul(0.4).add(col(\"b\")), "
                                                         "{}.gt(100), {}.eq(\"x\").and(...)",
                                                         expr.text, expr.text, expr.text, expr.text));
                                                   });
                                                 }));
  if (guard.is_exception()) return false;
  JsValue global(ctx, JS_GetGlobalObject(ctx));
  JsValue symbol = global.property("Symbol");
  JsValue to_primitive = symbol.property("toPrimitive");
  JSAtom atom = JS_ValueToAtom(ctx, to_primitive.get());
  if (atom == JS_ATOM_NULL) return false;
  int rc = JS_DefinePropertyValue(ctx, proto, atom, guard.release(), JS_PROP_CONFIGURABLE);
  JS_FreeAtom(ctx, atom);
  return rc >= 0;
}

// `col("a").str.contains("x")` and `col("d").dt.year()` as in Polars: the namespaces are the expression itself.
bool install_namespaces(JSContext* ctx, const std::shared_ptr<FrameRun>& run, JSValueConst proto) {
  for (const char* name : {"str", "dt"}) {
    JsValue getter(ctx, sandbox::new_host_function(ctx, name, 0, [run, name](JSContext* c, JSValueConst self, int, JSValueConst*) {
      return guarded(c, [&] {
        self_expr(*run, self, name);
        return JS_DupValue(c, self);
      });
    }));
    if (getter.is_exception()) return false;
    JSAtom atom = JS_NewAtom(ctx, name);
    int rc = JS_DefinePropertyGetSet(ctx, proto, atom, getter.release(), JS_UNDEFINED, JS_PROP_CONFIGURABLE);
    JS_FreeAtom(ctx, atom);
    if (rc < 0) return false;
  }
  return true;
}

json number_literal(double number) {
  if (number == std::trunc(number) && std::fabs(number) <= kMaxSafeInteger) return json(static_cast<std::int64_t>(number));
  return json(number);
}

}  // namespace

Expr to_expr(const FrameRun& run, JSContext* ctx, JSValueConst value, const std::string& where) {
  if (const Expr* expr = run.exprs.get(value)) return *expr;
  Expr literal;
  if (JS_IsNull(value) || JS_IsUndefined(value)) {
    literal = literal_expr(nullptr);
  } else if (JS_IsBool(value)) {
    literal = literal_expr(static_cast<bool>(JS_ToBool(ctx, value)));
  } else if (JS_IsNumber(value)) {
    double number = 0;
    JS_ToFloat64(ctx, &number, value);
    if (!std::isfinite(number)) throw ArgumentError(fmt::format("{}: {} cannot be a literal (only finite numbers)", where, describe_js(ctx, value)));
    literal = literal_expr(number_literal(number));
  } else if (JS_IsBigInt(value)) {
    std::string decimal = JsCString(ctx, value).str();
    std::int64_t integer = 0;
    auto [end, ec] = std::from_chars(decimal.data(), decimal.data() + decimal.size(), integer);
    if (ec != std::errc() || end != decimal.data() + decimal.size()) {
      throw ArgumentError(fmt::format("{}: the BigInt {}n does not fit in a 64-bit integer", where, decimal));
    }
    literal = literal_expr(integer);
    literal.text = decimal + "n";
    return literal;
  } else if (JS_IsString(value)) {
    literal = literal_expr(JsCString(ctx, value).str());
  } else if (JS_IsDate(value)) {
    Value host;
    try {
      host = sandbox::to_host(ctx, value);
    } catch (const sandbox::ConversionError&) {
      throw PendingException{};
    }
    double ms = host.is<Timestamp>() ? host.as<Timestamp>().epoch_ms : NAN;
    if (!std::isfinite(ms)) throw ArgumentError(fmt::format("{}: an Invalid Date cannot be a literal", where));
    literal = literal_expr(static_cast<std::int64_t>(ms), "datetime[ms]");
    literal.text = fmt::format("new Date({})", iso8601_utc(ms));
    return literal;
  } else {
    throw ArgumentError(fmt::format("{} needs an expression (col(name), lit(value)) or a plain value, got {}", where, describe_js(ctx, value)));
  }
  literal.text = literal.json["lit"].dump();  // an implicit literal shows as the value itself
  return literal;
}

Expr to_column_expr(const FrameRun& run, JSContext* ctx, JSValueConst value, const std::string& where) {
  if (JS_IsString(value)) return column_expr(JsCString(ctx, value).str());
  if (const Expr* expr = run.exprs.get(value)) return *expr;
  throw ArgumentError(fmt::format("{} needs a column name or an expression such as col(\"a\"), got {}", where, describe_js(ctx, value)));
}

bool install_expr_class(JSContext* ctx, const std::shared_ptr<FrameRun>& run) {
  JsValue proto(ctx, JS_NewObject(ctx));
  if (proto.is_exception()) return false;
  for (const Method& m : kMethods) {
    bool ok = sandbox::define_host_function(
        ctx, proto.get(), m.name, m.arity == Arity::None ? 0 : 1, [run, m](JSContext* c, JSValueConst self, int argc, JSValueConst* argv) {
          return guarded(c, [&] {
            const Expr& receiver = self_expr(*run, self, m.name);
            std::vector<Expr> args;
            if (m.arity == Arity::One && argc < 1) {
              throw ArgumentError(fmt::format("{}.{}(value) needs an argument", receiver.text, m.name));
            }
            int count = m.arity == Arity::None ? 0 : m.arity == Arity::One ? 1 : argc;
            if (m.arity == Arity::Many && argc < 1) {
              throw ArgumentError(fmt::format("{}.{}(...) needs at least one expression", receiver.text, m.name));
            }
            for (int i = 0; i < count; ++i) {
              args.push_back(to_expr(*run, c, argv[i], fmt::format("{}.{}()", receiver.text, m.name)));
            }
            return make(*run, c, method_expr(receiver, m.name, m.fn, args));
          });
        });
    if (!ok) return false;
  }
  if (!install_special_methods(ctx, run, proto.get()) || !install_operator_guard(ctx, run, proto.get()) ||
      !install_namespaces(ctx, run, proto.get())) {
    return false;
  }
  return run->exprs.define(ctx, "Expr", proto.release());
}

bool define_expr_functions(JSContext* ctx, const std::shared_ptr<FrameRun>& run, JSValueConst ctx_object) {
  auto col = [run](JSContext* c, JSValueConst, int argc, JSValueConst* argv) {
    return guarded(c, [&] { return make(*run, c, column_expr(string_argument(c, argc, argv, 0, "col(name)"))); });
  };
  auto lit = [run](JSContext* c, JSValueConst, int argc, JSValueConst* argv) {
    return guarded(c, [&] {
      Expr literal = to_expr(*run, c, argc >= 1 ? argv[0] : JS_UNDEFINED, "lit(value)");
      if (argc >= 2 && !JS_IsUndefined(argv[1])) {  // lit("2024-01-31", "date")
        std::string dtype = string_argument(c, argc, argv, 1, "lit(value, dtype)");
        literal = Expr{json{{"fn", "cast"}, {"dtype", dtype}, {"strict", true}, {"args", json::array({literal.json})}},
                       fmt::format("lit({}, {})", literal.text, js_quoted(dtype))};
      } else if (!literal.text.starts_with("lit(")) {
        literal.text = fmt::format("lit({})", literal.text);
      }
      return make(*run, c, std::move(literal));
    });
  };
  // The spec's scripts call col() and lit() as globals; ctx.col / ctx.lit are the same functions.
  JsValue global(ctx, JS_GetGlobalObject(ctx));
  for (JSValueConst target : {ctx_object, global.get()}) {
    if (!sandbox::define_host_function(ctx, target, "col", 1, col) || !sandbox::define_host_function(ctx, target, "lit", 1, lit)) return false;
  }
  return true;
}

}  // namespace as::frame
