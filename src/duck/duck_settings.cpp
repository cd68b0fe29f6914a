#include "duck_settings.h"

#include <unistd.h>

#include <algorithm>
#include <thread>

namespace as::duck {

DuckSettings DuckSettings::for_this_machine() {
  DuckSettings settings;
  long pages = sysconf(_SC_PHYS_PAGES);
  long page_size = sysconf(_SC_PAGE_SIZE);
  if (pages > 0 && page_size > 0) {
    std::uint64_t half_of_ram = static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page_size) / 2;
    settings.memory_limit_bytes = std::min(settings.memory_limit_bytes, half_of_ram);
  }
  // hardware_concurrency() may report 0 when unknown; DuckDB needs at least one thread.
  unsigned hardware = std::max(1u, std::thread::hardware_concurrency());
  settings.threads = std::min(settings.threads, hardware);
  return settings;
}

}  // namespace as::duck
