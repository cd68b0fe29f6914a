#pragma once
// JavaScript regular expressions from C++, with QuickJS-ng's own engine (libregexp), so a
// parameter `pattern` means exactly what `new RegExp(pattern)` means in the analysis.
// Matching has a time limit: a pattern with catastrophic backtracking gives up instead of
// hanging the server on a hostile input.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace as::validate {

class JsRegex {
 public:
  // Compiles `pattern` as `new RegExp(pattern)` would (no flags). On a bad pattern returns
  // nullopt and puts QuickJS's message in `error`.
  static std::optional<JsRegex> compile(std::string_view pattern, std::string& error);

  enum class Match { Yes, No, TimedOut };
  // As `regex.test(text)`: a match anywhere; anchor with ^...$ to match the whole text.
  Match test(std::string_view text, std::chrono::milliseconds limit = std::chrono::milliseconds(100)) const;

 private:
  std::shared_ptr<const std::vector<std::uint8_t>> bytecode_;
};

}  // namespace as::validate
