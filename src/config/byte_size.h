#pragma once
// Sizes written the way DuckDB's memory_limit takes them: "512MB", "4GB", "1.5GiB", "800 MiB".
// KB, MB, GB, TB are powers of 1000 and KiB, MiB, GiB, TiB powers of 1024 (as in DuckDB);
// B or no unit means bytes. Units are case-insensitive.
#include <cstdint>
#include <optional>
#include <string_view>

namespace as::config {

// The number of bytes, or nullopt when `text` is not such a size or does not fit 64 bits.
std::optional<std::uint64_t> parse_byte_size(std::string_view text);

}  // namespace as::config
