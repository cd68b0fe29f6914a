#include "run_record.h"

#include <array>
#include <stdexcept>

#include <fmt/format.h>

namespace as::catalog {
namespace {

constexpr std::array<const char*, 5> kStateNames = {"pending", "running", "completed", "failed", "cancelled"};
constexpr std::array<const char*, 4> kTriggerNames = {"manual", "scheduled", "nested", "api"};

template <class Enum, std::size_t N>
Enum parse_name(std::string_view text, const std::array<const char*, N>& names, const char* what) {
  for (std::size_t i = 0; i < N; ++i) {
    if (text == names[i]) return static_cast<Enum>(i);
  }
  throw std::invalid_argument(fmt::format("unknown {} '{}' (expected one of: {})", what, text, fmt::join(names, ", ")));
}

}  // namespace

const char* to_string(RunState state) { return kStateNames.at(static_cast<std::size_t>(state)); }
const char* to_string(RunTrigger trigger) { return kTriggerNames.at(static_cast<std::size_t>(trigger)); }
RunState parse_run_state(std::string_view text) { return parse_name<RunState>(text, kStateNames, "run status"); }
RunTrigger parse_run_trigger(std::string_view text) { return parse_name<RunTrigger>(text, kTriggerNames, "trigger type"); }

}  // namespace as::catalog
