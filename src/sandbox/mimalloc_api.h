#pragma once
// The part of mimalloc's C API (mimalloc.h) the sandbox uses. There is one mimalloc in the
// process: the one frame-rs compiles from crates.io (libmimalloc-sys, pinned in
// frame-rs/Cargo.lock) and uses as Rust's global allocator; its C functions are linked from the
// frame_rs static library. A second copy (Debian's libmimalloc) would have separate state
// behind the same symbol names, so the sandbox uses this one.
#include <cstddef>

extern "C" {
void* mi_malloc(std::size_t size);
void* mi_calloc(std::size_t count, std::size_t size);
void* mi_realloc(void* p, std::size_t newsize);
void mi_free(void* p);
std::size_t mi_usable_size(const void* p);
std::size_t mi_good_size(std::size_t size);  // the usable size an allocation of `size` gets
}
