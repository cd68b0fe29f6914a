#pragma once
// Binds a C++ callable as a JS function. The JS function object owns the callable.
#include <quickjs.h>

#include <functional>
#include <string>

namespace as::sandbox {

using HostFunction = std::function<JSValue(JSContext* ctx, JSValueConst this_value, int argc, JSValueConst* argv)>;

// Returns a new function object (JS_EXCEPTION when out of memory).
JSValue new_host_function(JSContext* ctx, const char* name, int length, HostFunction function);
// Defines `name` on `target` as a host function; false (exception pending) on failure.
bool define_host_function(JSContext* ctx, JSValueConst target, const char* name, int length, HostFunction function);

// Throws a JS TypeError with the given message; returns JS_EXCEPTION for `return` statements.
JSValue throw_type_error(JSContext* ctx, const std::string& message);

}  // namespace as::sandbox
