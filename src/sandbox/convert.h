#pragma once
// The one place values cross between C++ (as::Value) and JS. Values are built directly as
// JSValues and read directly from them; no JSON text in the middle.
#include <quickjs.h>

#include <cstddef>
#include <limits>
#include <stdexcept>
#include <string>

#include "../sandbox/value.h"

namespace as::sandbox {

// A JS value that cannot become a host value; the message names the path ("result.rows[3]").
class ConversionError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
// The value grew past ToHostOptions::max_json_bytes while converting.
class ConversionTooLarge : public ConversionError {
 public:
  ConversionTooLarge(const std::string& what, std::size_t seen) : ConversionError(what), bytes_seen(seen) {}
  std::size_t bytes_seen;
};

struct ToHostOptions {
  std::size_t max_depth = 256;
  // Stop early once the JSON form of the value is known to be larger than this.
  std::size_t max_json_bytes = std::numeric_limits<std::size_t>::max();
  std::string root_name = "value";
};

// JS -> host, with JSON.stringify's rules for what is left out: `undefined`, functions and
// symbols are dropped from objects and become null in arrays. Dates, BigInts and Uint8Arrays
// keep their type. Circular references and too-deep nesting throw ConversionError. A JS
// exception raised meanwhile (a getter that throws, an interrupt) is left pending and
// reported as ConversionError with message "exception".
Value to_host(JSContext* ctx, JSValueConst value, const ToHostOptions& options = {});

// host -> JS. Returns JS_EXCEPTION (pending) when out of memory.
JSValue to_js(JSContext* ctx, const Value& value);

}  // namespace as::sandbox
