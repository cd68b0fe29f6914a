#pragma once
// Allocator for one JSRuntime that enforces the run's memory limit. When an allocation would go
// over, it fails and latches `exceeded`, and the interrupt handler then ends the run with an
// uncatchable error, so a script cannot catch "out of memory" and keep going.
#include <quickjs.h>

#include <cstddef>

namespace as::sandbox {

struct MemoryBudget {
  std::size_t limit = 0;
  std::size_t used = 0;
  std::size_t peak = 0;
  bool exceeded = false;

  static const JSMallocFunctions& allocator();  // opaque must point at a MemoryBudget
};

}  // namespace as::sandbox
