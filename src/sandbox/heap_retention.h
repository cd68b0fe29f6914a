#pragma once
// How much freed heap the process keeps for the next runs instead of handing it back to the
// kernel at once (glibc malloc's trim threshold, top pad and mmap threshold).
//
// Why: a run's JS heap is freed whole when the run ends. With glibc's defaults each worker
// thread's arena gives such memory back (its 64 MB sub-heaps are unmapped, the rest trimmed), so
// the next large run takes a page fault per 4 KiB to get it back: building 1M query rows spent
// half its time in the kernel (docs/performance.md, "DuckDB"). Keeping up to `bytes` per arena
// removes that at the price of a resident set that stays up to that much higher after a large
// run, per arena (one per worker thread at most).
#include <cstddef>

namespace as::sandbox {

// The server's default: the JS heap one run may use by default (RunLimits::memory_bytes).
inline constexpr std::size_t kDefaultRetainedHeapBytes = std::size_t{256} << 20;

// Applies the policy to the whole process; call once at start-up, before threads allocate.
// 0 leaves glibc's own defaults. Returns false when the allocator refused a setting.
bool retain_freed_heap(std::size_t bytes);

}  // namespace as::sandbox
