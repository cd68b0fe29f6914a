#pragma once
// Formats ctx.log arguments the way a developer expects from console.log: strings as they are,
// other values in a compact readable form ({ a: 1, b: [ 1, 2 ] }), errors with their stack.
#include <quickjs.h>

#include <cstddef>
#include <string>

namespace as::sandbox {

// Joins the formatted arguments with spaces; stops at `max_bytes` (adding "…").
std::string format_log_arguments(JSContext* ctx, int argc, JSValueConst* argv, std::size_t max_bytes);

}  // namespace as::sandbox
