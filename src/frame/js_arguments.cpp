#include "js_arguments.h"

#include <cmath>

#include <fmt/format.h>

#include "js_errors.h"

namespace as::frame {

using sandbox::JsValue;

std::vector<JsValue> flatten_arguments(JSContext* ctx, int argc, JSValueConst* argv, int from) {
  std::vector<JsValue> out;
  for (int i = from; i < argc; ++i) {
    if (!JS_IsArray(argv[i])) {
      out.push_back(JsValue::borrow(ctx, argv[i]));
      continue;
    }
    std::int64_t length = 0;
    if (JS_GetLength(ctx, argv[i], &length) < 0) throw PendingException{};
    for (std::int64_t k = 0; k < length; ++k) out.emplace_back(ctx, check_js(JS_GetPropertyInt64(ctx, argv[i], k)));
  }
  return out;
}

std::string name_argument(JSContext* ctx, JSValueConst value, const std::string& usage) {
  if (!JS_IsString(value)) throw ArgumentError(fmt::format("{} needs a column name (a string), got {}", usage, describe_js(ctx, value)));
  return sandbox::JsCString(ctx, value).str();
}

std::int64_t count_argument(JSContext* ctx, JSValueConst value, const std::string& usage) {
  double number = NAN;
  if (!JS_IsNumber(value) || JS_ToFloat64(ctx, &number, value) < 0 || !std::isfinite(number) || number < 0 ||
      number != std::trunc(number)) {
    throw ArgumentError(fmt::format("{} needs a whole number >= 0, got {}", usage, describe_js(ctx, value)));
  }
  return static_cast<std::int64_t>(number);
}

bool is_plain_object(JSContext* ctx, JSValueConst value) {
  if (!JS_IsObject(value) || JS_IsArray(value) || JS_IsFunction(ctx, value) || JS_IsDate(value) || JS_IsRegExp(value)) return false;
  return JS_GetClassID(value) == 1;  // JS_CLASS_OBJECT: a plain object, not a DataFrame or Expr
}

std::optional<JsValue> option(JSContext* ctx, JSValueConst options, const char* key) {
  if (!JS_IsObject(options)) return std::nullopt;
  JsValue value(ctx, check_js(JS_GetPropertyStr(ctx, options, key)));
  if (value.is_undefined()) return std::nullopt;
  return value;
}

}  // namespace as::frame
