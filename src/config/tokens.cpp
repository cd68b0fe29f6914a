#include "tokens.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <stdexcept>

namespace as::config {
namespace {

constexpr std::string_view kTokenPrefix = "as_";
constexpr std::size_t kTokenRandomBytes = 32;
constexpr std::size_t kEncodedRandomChars = 43;  // ceil(32 * 8 / 6), no padding

constexpr char kBase64Url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string base64url(const unsigned char* bytes, std::size_t size) {
  std::string text;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (std::size_t i = 0; i < size; ++i) {
    buffer = (buffer << 8) | bytes[i];
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      text += kBase64Url[(buffer >> bits) & 0x3f];
    }
  }
  if (bits > 0) text += kBase64Url[(buffer << (6 - bits)) & 0x3f];
  return text;
}

bool is_base64url_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

}  // namespace

std::string sha256_hex(std::string_view text) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  if (EVP_Digest(text.data(), text.size(), digest.data(), &size, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("OpenSSL could not compute a SHA-256 digest");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(size * 2);
  for (unsigned int i = 0; i < size; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 0xf];
  }
  return hex;
}

bool is_sha256_hex(std::string_view text) {
  if (text.size() != 64) return false;
  for (char c : text) {
    bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (!hex) return false;
  }
  return true;
}

std::string generate_token() {
  std::array<unsigned char, kTokenRandomBytes> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    throw std::runtime_error("OpenSSL could not produce random bytes for a token");
  }
  std::string token = std::string(kTokenPrefix) + base64url(bytes.data(), bytes.size());
  OPENSSL_cleanse(bytes.data(), bytes.size());
  return token;
}

bool looks_like_token(std::string_view text) {
  if (!text.starts_with(kTokenPrefix) || text.size() != kTokenPrefix.size() + kEncodedRandomChars) return false;
  for (char c : text.substr(kTokenPrefix.size())) {
    if (!is_base64url_char(c)) return false;
  }
  return true;
}

bool is_token_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
              c == '.' || c == '@';
    if (!ok) return false;
  }
  return true;
}

std::optional<TokenConfig> authenticate(const Config& config, std::string_view presented) {
  if (presented.empty()) return std::nullopt;
  const std::string presented_hash = sha256_hex(presented);
  std::optional<TokenConfig> match;
  for (const auto& token : config.tokens) {
    // Configured hashes are lowercase 64-digit hex (the reader normalises them), like ours.
    bool same = token.sha256_hex.size() == presented_hash.size() &&
                CRYPTO_memcmp(token.sha256_hex.data(), presented_hash.data(), presented_hash.size()) == 0;
    if (same && !match) match = token;
  }
  return match;
}

}  // namespace as::config
