#pragma once
// Reading the arguments of DataFrame methods: lists that may be given spread or as one array
// (select("a", "b") or select(["a", "b"])), names, counts and options objects.
#include <quickjs.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sandbox/js_value.h"

namespace as::frame {

// argv[from..], with arrays among them flattened one level. The values are new references.
std::vector<sandbox::JsValue> flatten_arguments(JSContext* ctx, int argc, JSValueConst* argv, int from = 0);
// A string argument; ArgumentError naming `usage` otherwise.
std::string name_argument(JSContext* ctx, JSValueConst value, const std::string& usage);
// A whole number >= 0 (row counts); ArgumentError naming `usage` otherwise.
std::int64_t count_argument(JSContext* ctx, JSValueConst value, const std::string& usage);
// True for a plain object (not an array, function, Date, RegExp or native class instance).
bool is_plain_object(JSContext* ctx, JSValueConst value);
// A property of an options object, or nullopt when absent/undefined.
std::optional<sandbox::JsValue> option(JSContext* ctx, JSValueConst options, const char* key);

}  // namespace as::frame
