#include "memory_budget.h"

#include <algorithm>

#include "mimalloc_api.h"

// JS heaps live in mimalloc, not glibc malloc. A run's heap is made of millions of small blocks
// (a 1M-row query result is ~300 MB of 16–80 byte objects) and is freed whole when the run ends;
// glibc hands such memory back to the kernel (trim / MADV_DONTNEED) and the next run takes a page
// fault per 4 KiB to get it back — half of the time of building a large result (measured:
// docs/performance.md, "DuckDB"). mimalloc keeps freed pages for a short delay and reuses them,
// and its small-object path is faster than glibc's.

namespace as::sandbox {
namespace {

// Admits by the block's real (size-class) size, which is what account() then counts, so `used`
// never passes the limit.
bool admit(MemoryBudget& b, std::size_t releasing, std::size_t requesting) {
  if (b.used - releasing + mi_good_size(requesting) > b.limit) {
    b.exceeded = true;
    return false;
  }
  return true;
}

void account(MemoryBudget& b, std::size_t released, void* allocated) {
  b.used -= released;
  if (allocated) b.used += mi_usable_size(allocated);
  b.peak = std::max(b.peak, b.used);
}

void* budget_calloc(void* opaque, std::size_t count, std::size_t size) {
  auto& b = *static_cast<MemoryBudget*>(opaque);
  if (size != 0 && count > static_cast<std::size_t>(-1) / size) return nullptr;
  if (!admit(b, 0, count * size)) return nullptr;
  void* p = mi_calloc(count, size);
  account(b, 0, p);
  return p;
}

void* budget_malloc(void* opaque, std::size_t size) {
  auto& b = *static_cast<MemoryBudget*>(opaque);
  if (!admit(b, 0, size)) return nullptr;
  void* p = mi_malloc(size);
  account(b, 0, p);
  return p;
}

void budget_free(void* opaque, void* ptr) {
  if (!ptr) return;
  auto& b = *static_cast<MemoryBudget*>(opaque);
  b.used -= mi_usable_size(ptr);
  mi_free(ptr);
}

void* budget_realloc(void* opaque, void* ptr, std::size_t size) {
  auto& b = *static_cast<MemoryBudget*>(opaque);
  std::size_t old_size = ptr ? mi_usable_size(ptr) : 0;
  if (size == 0) {
    budget_free(opaque, ptr);
    return nullptr;
  }
  if (!admit(b, old_size, size)) return nullptr;
  void* p = mi_realloc(ptr, size);
  if (!p) return nullptr;  // the old block is still allocated and still counted
  account(b, old_size, p);
  return p;
}

std::size_t usable_size(const void* ptr) { return mi_usable_size(ptr); }

}  // namespace

const JSMallocFunctions& MemoryBudget::allocator() {
  static const JSMallocFunctions functions{budget_calloc, budget_malloc, budget_free, budget_realloc, usable_size};
  return functions;
}

}  // namespace as::sandbox
