#include "memory_budget.h"

#include <malloc.h>

#include <algorithm>
#include <cstdlib>

namespace as::sandbox {
namespace {

bool admit(MemoryBudget& b, std::size_t releasing, std::size_t requesting) {
  if (b.used - releasing + requesting > b.limit) {
    b.exceeded = true;
    return false;
  }
  return true;
}

void account(MemoryBudget& b, std::size_t released, void* allocated) {
  b.used -= released;
  if (allocated) b.used += malloc_usable_size(allocated);
  b.peak = std::max(b.peak, b.used);
}

void* budget_calloc(void* opaque, std::size_t count, std::size_t size) {
  auto& b = *static_cast<MemoryBudget*>(opaque);
  if (size != 0 && count > static_cast<std::size_t>(-1) / size) return nullptr;
  if (!admit(b, 0, count * size)) return nullptr;
  void* p = std::calloc(count, size);
  account(b, 0, p);
  return p;
}

void* budget_malloc(void* opaque, std::size_t size) {
  auto& b = *static_cast<MemoryBudget*>(opaque);
  if (!admit(b, 0, size)) return nullptr;
  void* p = std::malloc(size);
  account(b, 0, p);
  return p;
}

void budget_free(void* opaque, void* ptr) {
  if (!ptr) return;
  auto& b = *static_cast<MemoryBudget*>(opaque);
  b.used -= malloc_usable_size(ptr);
  std::free(ptr);
}

void* budget_realloc(void* opaque, void* ptr, std::size_t size) {
  auto& b = *static_cast<MemoryBudget*>(opaque);
  std::size_t old_size = ptr ? malloc_usable_size(ptr) : 0;
  if (size == 0) {
    budget_free(opaque, ptr);
    return nullptr;
  }
  if (!admit(b, old_size, size)) return nullptr;
  void* p = std::realloc(ptr, size);
  if (!p) return nullptr;  // the old block is still allocated and still counted
  account(b, old_size, p);
  return p;
}

std::size_t usable_size(const void* ptr) { return malloc_usable_size(const_cast<void*>(ptr)); }

}  // namespace

const JSMallocFunctions& MemoryBudget::allocator() {
  static const JSMallocFunctions functions{budget_calloc, budget_malloc, budget_free, budget_realloc, usable_size};
  return functions;
}

}  // namespace as::sandbox
