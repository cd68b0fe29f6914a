#pragma once
// The small preview a run row keeps of its result (result_preview), so lists of runs can show
// what came out without opening the result file.
#include <cstddef>
#include <string>

#include "sandbox/value.h"

namespace as::jobs {

struct PreviewLimits {
  std::size_t max_keys = 20;          // members shown per object
  std::size_t max_items = 3;          // elements shown per array
  std::size_t max_string_chars = 120; // longer strings are cut, with "…" appended
  std::size_t max_depth = 3;          // deeper values become "{…}" / "[…]"
};

// A JSON value shaped like the result but bounded: extra object members are summarised under
// the key "…" ("12 more keys"), extra array elements by a last element "… 997 more items".
Value make_result_preview(const Value& result, const PreviewLimits& limits = {});

}  // namespace as::jobs
