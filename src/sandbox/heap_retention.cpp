#include "heap_retention.h"

#include <malloc.h>

#include <algorithm>
#include <climits>

namespace as::sandbox {

bool retain_freed_heap(std::size_t bytes) {
  if (bytes == 0) return true;
  // mallopt takes an int; glibc caps the mmap threshold at 32 MiB on 64-bit.
  constexpr std::size_t kLargestMmapThreshold = std::size_t{32} << 20;
  int keep = static_cast<int>(std::min<std::size_t>(bytes, INT_MAX));
  bool ok = true;
  // Free memory at the top of an arena is given back only beyond this much...
  ok &= mallopt(M_TRIM_THRESHOLD, keep) == 1;
  // ...and this much is kept when it is (for threads' arenas: whole sub-heaps are not unmapped
  // while the arena keeps less than this).
  ok &= mallopt(M_TOP_PAD, keep) == 1;
  // Blocks up to this size come from the arenas, so they are reused too, rather than mmap'd and
  // unmapped one by one (setting the trim threshold also stops glibc's sliding mmap threshold).
  ok &= mallopt(M_MMAP_THRESHOLD, static_cast<int>(std::min(bytes, kLargestMmapThreshold))) == 1;
  return ok;
}

}  // namespace as::sandbox
