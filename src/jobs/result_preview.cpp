#include "result_preview.h"

#include <fmt/format.h>

namespace as::jobs {
namespace {

// Cuts at a UTF-8 character boundary so the preview stays valid text.
std::string cut_string(const std::string& text, std::size_t max_chars) {
  std::size_t chars = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;  // continuation byte
    if (chars++ == max_chars) return text.substr(0, i) + "…";
  }
  return text;
}

Value preview(const Value& value, const PreviewLimits& limits, std::size_t depth) {
  if (value.is<std::string>()) return cut_string(value.as<std::string>(), limits.max_string_chars);
  if (value.is<Bytes>()) return fmt::format("<{} bytes>", value.as<Bytes>().size());
  if (value.is<ValueArray>()) {
    const auto& items = value.as<ValueArray>();
    if (depth >= limits.max_depth) return items.empty() ? Value(ValueArray{}) : Value("[…]");
    ValueArray shown;
    for (std::size_t i = 0; i < items.size() && i < limits.max_items; ++i) shown.push_back(preview(items[i], limits, depth + 1));
    if (items.size() > limits.max_items) shown.emplace_back(fmt::format("… {} more items", items.size() - limits.max_items));
    return shown;
  }
  if (value.is<ValueObject>()) {
    const auto& members = value.as<ValueObject>();
    if (depth >= limits.max_depth) return members.empty() ? Value(ValueObject{}) : Value("{…}");
    ValueObject shown;
    for (std::size_t i = 0; i < members.size() && i < limits.max_keys; ++i) {
      shown.emplace_back(members[i].first, preview(members[i].second, limits, depth + 1));
    }
    if (members.size() > limits.max_keys) shown.emplace_back("…", fmt::format("{} more keys", members.size() - limits.max_keys));
    return shown;
  }
  return value;  // null, booleans, numbers, BigInt, dates
}

}  // namespace

Value make_result_preview(const Value& result, const PreviewLimits& limits) { return preview(result, limits, 0); }

}  // namespace as::jobs
