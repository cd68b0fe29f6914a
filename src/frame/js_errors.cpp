#include "js_errors.h"

#include <fmt/format.h>

#include "frame_handle.h"
#include "native_frame.h"
#include "sandbox/js_value.h"

namespace as::frame {

JSValue check_js(JSValue value) {
  if (JS_IsException(value)) throw PendingException{};
  return value;
}

JSValue throw_mapped(JSContext* ctx, std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const PendingException&) {
    return JS_EXCEPTION;
  } catch (const ArgumentError& e) {
    return JS_ThrowTypeError(ctx, "%s", e.what());
  } catch (const FrameLimitExceeded& e) {
    return JS_ThrowRangeError(ctx, "%s", e.what());
  } catch (const FrameError& e) {
    return JS_ThrowPlainError(ctx, "%s", e.what());
  } catch (const std::bad_alloc&) {
    return JS_ThrowOutOfMemory(ctx);
  } catch (const std::exception& e) {
    return JS_ThrowInternalError(ctx, "%s", e.what());
  }
}

std::string describe_js(JSContext* ctx, JSValueConst value) {
  if (JS_IsUndefined(value)) return "undefined";
  if (JS_IsNull(value)) return "null";
  if (JS_IsString(value)) {
    std::string text = sandbox::JsCString(ctx, value).str();
    if (text.size() > 60) text = text.substr(0, 57) + "...";
    return fmt::format("'{}'", text);
  }
  if (JS_IsFunction(ctx, value)) return "a function";
  if (JS_IsArray(value)) return "an array";
  if (JS_IsDate(value)) return "a Date";
  if (JS_IsObject(value)) return "an object";
  if (JS_IsSymbol(value)) return "a symbol";
  sandbox::JsCString text(ctx, value);
  if (!text.ok()) {
    JS_FreeValue(ctx, JS_GetException(ctx));
    return "a value";
  }
  return text.str();
}

}  // namespace as::frame
