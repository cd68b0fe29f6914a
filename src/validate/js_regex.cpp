#include "js_regex.h"

#include <quickjs.h>

extern "C" {
#include <libregexp.h>
}

#include "sandbox/js_handles.h"

namespace as::validate {
namespace {

using Clock = std::chrono::steady_clock;

// libregexp allocates through, and asks for time-outs from, a JSContext (its `opaque`). One
// small runtime per thread serves both; its interrupt handler enforces the match deadline.
struct RegexHost {
  sandbox::JsRuntimePtr runtime{JS_NewRuntime()};
  sandbox::JsContextPtr context{runtime ? JS_NewContextRaw(runtime.get()) : nullptr};
  Clock::time_point deadline = Clock::time_point::max();

  RegexHost() {
    if (runtime) {
      JS_SetInterruptHandler(runtime.get(), [](JSRuntime*, void* self) {
        return Clock::now() >= static_cast<RegexHost*>(self)->deadline ? 1 : 0;
      }, this);
    }
  }
};

RegexHost& host() {
  thread_local RegexHost instance;
  return instance;
}

// UTF-8 to UTF-16 code units, the way JS strings hold text. Invalid bytes become U+FFFD.
std::vector<std::uint16_t> utf16(std::string_view text) {
  std::vector<std::uint16_t> out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    auto c = static_cast<unsigned char>(text[i]);
    std::uint32_t cp = 0xFFFD;
    std::size_t len = 1;
    if (c < 0x80) {
      cp = c;
    } else if ((c >> 5) == 0x6 && i + 1 < text.size()) {
      cp = ((c & 0x1Fu) << 6) | (static_cast<unsigned char>(text[i + 1]) & 0x3Fu);
      len = 2;
    } else if ((c >> 4) == 0xE && i + 2 < text.size()) {
      cp = ((c & 0x0Fu) << 12) | ((static_cast<unsigned char>(text[i + 1]) & 0x3Fu) << 6) | (static_cast<unsigned char>(text[i + 2]) & 0x3Fu);
      len = 3;
    } else if ((c >> 3) == 0x1E && i + 3 < text.size()) {
      cp = ((c & 0x07u) << 18) | ((static_cast<unsigned char>(text[i + 1]) & 0x3Fu) << 12) |
           ((static_cast<unsigned char>(text[i + 2]) & 0x3Fu) << 6) | (static_cast<unsigned char>(text[i + 3]) & 0x3Fu);
      len = 4;
    }
    if (cp >= 0x10000) {
      cp -= 0x10000;
      out.push_back(static_cast<std::uint16_t>(0xD800 + (cp >> 10)));
      out.push_back(static_cast<std::uint16_t>(0xDC00 + (cp & 0x3FF)));
    } else {
      out.push_back(static_cast<std::uint16_t>(cp));
    }
    i += len;
  }
  return out;
}

}  // namespace

std::optional<JsRegex> JsRegex::compile(std::string_view pattern, std::string& error) {
  RegexHost& h = host();
  if (!h.context) {
    error = "could not create the regular expression engine";
    return std::nullopt;
  }
  char message[128] = {0};
  int length = 0;
  std::string text(pattern);  // lre_compile reads a NUL-terminated buffer
  h.deadline = Clock::now() + std::chrono::seconds(1);
  std::uint8_t* code = lre_compile(&length, message, sizeof message, text.c_str(), text.size(), 0, h.context.get());
  h.deadline = Clock::time_point::max();
  if (!code) {
    error = message[0] ? message : "invalid regular expression";
    return std::nullopt;
  }
  JsRegex regex;
  regex.bytecode_ = std::make_shared<const std::vector<std::uint8_t>>(code, code + length);
  js_free(h.context.get(), code);
  return regex;
}

JsRegex::Match JsRegex::test(std::string_view text, std::chrono::milliseconds limit) const {
  RegexHost& h = host();
  auto units = utf16(text);
  const std::uint8_t* code = bytecode_->data();
  std::vector<std::uint8_t*> capture(static_cast<std::size_t>(std::max(lre_get_alloc_count(code), 2)));
  static const std::uint16_t empty = 0;
  const auto* input = reinterpret_cast<const std::uint8_t*>(units.empty() ? &empty : units.data());
  h.deadline = Clock::now() + limit;
  int rc = lre_exec(capture.data(), code, input, 0, static_cast<int>(units.size()), 1, h.context.get());
  h.deadline = Clock::time_point::max();
  if (rc == 1) return Match::Yes;
  if (rc == 0) return Match::No;
  return Match::TimedOut;  // LRE_RET_TIMEOUT, or out of memory: either way no answer in time
}

}  // namespace as::validate
