#include "rows.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <variant>

namespace as::datasources {
namespace {

std::string lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

}  // namespace

Value integer_cell(std::int64_t value) {
  constexpr std::int64_t kLimit = std::int64_t{1} << 53;
  if (value >= -kLimit && value <= kLimit) return Value(static_cast<double>(value));
  return Value(BigInt{std::to_string(value)});
}

std::size_t measure_cell(const Value& value) {
  constexpr std::size_t kHeader = 16;
  if (const auto* text = std::get_if<std::string>(&value.data)) return kHeader + text->size();
  if (const auto* bytes = std::get_if<Bytes>(&value.data)) return kHeader + bytes->size();
  if (const auto* big = std::get_if<BigInt>(&value.data)) return kHeader + big->decimal.size();
  if (const auto* array = std::get_if<ValueArray>(&value.data)) {
    std::size_t total = kHeader;
    for (const auto& item : *array) total += measure_cell(item);
    return total;
  }
  if (const auto* object = std::get_if<ValueObject>(&value.data)) {
    std::size_t total = kHeader;
    for (const auto& [key, item] : *object) total += key.size() + measure_cell(item);
    return total;
  }
  return kHeader;
}

void make_names_unique(std::vector<std::string>& names) {
  std::set<std::string> taken;
  for (const auto& name : names) taken.insert(lowercase(name));
  std::set<std::string> seen;
  for (auto& name : names) {
    std::string key = lowercase(name);
    if (seen.insert(key).second) continue;
    for (int suffix = 1;; ++suffix) {
      std::string candidate = name + "_" + std::to_string(suffix);
      std::string candidate_key = lowercase(candidate);
      if (!taken.contains(candidate_key) && !seen.contains(candidate_key)) {
        name = candidate;
        taken.insert(candidate_key);
        seen.insert(candidate_key);
        break;
      }
    }
  }
}

}  // namespace as::datasources
