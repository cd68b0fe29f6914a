#include "byte_size.h"

#include <array>
#include <cctype>
#include <cmath>
#include <string>
#include <utility>

namespace as::config {
namespace {

std::string lowercase(std::string_view text) {
  std::string lower;
  for (char c : text) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

std::optional<double> unit_factor(std::string_view unit) {
  static const std::array<std::pair<std::string_view, double>, 10> kUnits{{
      {"", 1.0}, {"b", 1.0},
      {"kb", 1e3}, {"mb", 1e6}, {"gb", 1e9}, {"tb", 1e12},
      {"kib", 1024.0}, {"mib", 1024.0 * 1024}, {"gib", 1024.0 * 1024 * 1024}, {"tib", 1024.0 * 1024 * 1024 * 1024},
  }};
  std::string lower = lowercase(unit);
  for (const auto& [name, factor] : kUnits) {
    if (name == lower) return factor;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::uint64_t> parse_byte_size(std::string_view text) {
  std::size_t end = 0;
  bool seen_digit = false;
  bool seen_point = false;
  while (end < text.size() && (std::isdigit(static_cast<unsigned char>(text[end])) || (text[end] == '.' && !seen_point))) {
    seen_point |= text[end] == '.';
    seen_digit |= text[end] != '.';
    ++end;
  }
  if (!seen_digit) return std::nullopt;
  double number = std::stod(std::string(text.substr(0, end)));
  std::string_view unit = text.substr(end);
  while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
  std::optional<double> factor = unit_factor(unit);
  if (!factor) return std::nullopt;
  double bytes = std::floor(number * *factor);
  if (!(bytes < 18446744073709551616.0)) return std::nullopt;  // 2^64
  return static_cast<std::uint64_t>(bytes);
}

}  // namespace as::config
