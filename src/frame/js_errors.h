#pragma once
// How the DataFrame bindings report problems to the script. Host code throws these C++
// exceptions; `guarded` turns them into the JS error the script sees:
//   ArgumentError          -> TypeError  (a bad argument; the message names it and its value)
//   FrameError             -> Error      (Polars refused the plan: unknown column, wrong type, ...)
//   FrameLimitExceeded     -> RangeError (the run's DataFrame memory budget)
//   PendingException       -> the JS exception already pending (a getter threw, interrupt, ...)
#include <quickjs.h>

#include <stdexcept>
#include <string>

namespace as::frame {

class ArgumentError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct PendingException {};

// Throws PendingException when `value` is JS_EXCEPTION; returns it otherwise.
JSValue check_js(JSValue value);

// Runs `body` (returning a JSValue) and maps the exceptions above to JS errors.
template <class Body>
JSValue guarded(JSContext* ctx, Body&& body);

JSValue throw_mapped(JSContext* ctx, std::exception_ptr error);

template <class Body>
JSValue guarded(JSContext* ctx, Body&& body) {
  try {
    return body();
  } catch (...) {
    return throw_mapped(ctx, std::current_exception());
  }
}

// A short readable form of a JS value for messages: strings quoted, objects by kind.
std::string describe_js(JSContext* ctx, JSValueConst value);

}  // namespace as::frame
