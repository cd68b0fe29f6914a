#pragma once
// The author token of a local install: with the embedded defaults (no config file) nobody has
// written a [[tokens]] entry, so the server makes one token for the person running it, keeps it
// in <data_dir>/local-author-token (mode 0600) so it stays the same across restarts, and prints it.
#include <filesystem>
#include <optional>
#include <string>

#include "config.h"

namespace as::config {

inline constexpr const char* kLocalTokenFileName = "local-author-token";
inline constexpr const char* kLocalTokenName = "local-author";

// With the embedded defaults and no tokens: reads the token from <data_dir>/local-author-token,
// making it first when the file is missing, adds its hash to config.tokens (role author,
// project "default") and returns it for printing. Otherwise changes nothing and returns nullopt.
// Throws ConfigError naming the file when it cannot be read or written or holds something else.
std::optional<std::string> ensure_local_author_token(Config& config);

}  // namespace as::config
