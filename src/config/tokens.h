#pragma once
// API tokens: made from 32 random bytes, kept only as SHA-256 hashes, checked in constant time.
#include <optional>
#include <string>
#include <string_view>

#include "config.h"

namespace as::config {

// Lowercase hex SHA-256 of `text`.
std::string sha256_hex(std::string_view text);

// Whether `text` is 64 hex digits (either case).
bool is_sha256_hex(std::string_view text);

// A new token: "as_" followed by 32 random bytes (OpenSSL's CSPRNG) in unpadded base64url, 46
// characters in all. Throws std::runtime_error when the system has no randomness to give.
std::string generate_token();

// Whether `text` has the shape generate_token() gives.
bool looks_like_token(std::string_view text);

// Whether `name` can name a token: letters, digits and _ - . @, at most 64 characters.
bool is_token_name(std::string_view name);

// The configured token whose hash matches the hash of `presented`, or nullopt. Every configured
// hash is compared, each in constant time, so the time taken does not tell how close a guess was.
// The returned token says which project the caller may use and with which role.
std::optional<TokenConfig> authenticate(const Config& config, std::string_view presented);

}  // namespace as::config
