#include "local_token.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <utility>

#include <fmt/format.h>

#include "config_error.h"
#include "tokens.h"

namespace as::config {
namespace {

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  // Closes now, reporting the error close() gives (a late write failure shows up there).
  int close() { return ::close(std::exchange(fd_, -1)); }

 private:
  int fd_;
};

[[noreturn]] void fail(const std::filesystem::path& file, const std::string& problem) {
  throw ConfigError(file.string(), 0, 0, "", problem);
}

std::string read_token_file(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) fail(file, fmt::format("cannot read the local author token: {}", std::strerror(errno)));
  std::string token;
  std::getline(in, token);
  if (!looks_like_token(token)) {
    fail(file, "does not hold a token made by analysis-sandbox; delete the file and a new token is made at the next start");
  }
  // The token gives full access to the default project: only its owner may read it.
  struct stat status {};
  if (::stat(file.c_str(), &status) == 0 && (status.st_mode & 077) != 0) ::chmod(file.c_str(), 0600);
  return token;
}

// Writes a new token to a private temporary file and links it into place, so the file appears
// whole and, when two processes race, both end up with the token of whichever linked first.
std::string create_token_file(const std::filesystem::path& file) {
  std::filesystem::path temporary = file.string() + fmt::format(".new-{}", ::getpid());
  ::unlink(temporary.c_str());
  std::string token = generate_token();
  {
    FileDescriptor fd(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (fd.get() < 0) fail(file, fmt::format("cannot create the local author token: {}", std::strerror(errno)));
    std::string line = token + "\n";
    bool written = ::write(fd.get(), line.data(), line.size()) == static_cast<ssize_t>(line.size()) && ::fsync(fd.get()) == 0;
    int saved = errno;
    if (fd.close() != 0 || !written) {
      ::unlink(temporary.c_str());
      fail(file, fmt::format("cannot write the local author token: {}", std::strerror(written ? errno : saved)));
    }
  }
  int linked = ::link(temporary.c_str(), file.c_str());
  int saved = errno;
  ::unlink(temporary.c_str());
  if (linked != 0 && saved == EEXIST) return read_token_file(file);
  if (linked != 0) fail(file, fmt::format("cannot store the local author token: {}", std::strerror(saved)));
  return token;
}

}  // namespace

std::optional<std::string> ensure_local_author_token(Config& config) {
  if (!config.embedded_defaults || !config.tokens.empty() || config.projects.empty()) return std::nullopt;
  std::error_code error;
  std::filesystem::create_directories(config.data_dir, error);
  if (error) fail(config.data_dir, fmt::format("cannot create the data directory: {}", error.message()));
  std::filesystem::path file = config.data_dir / kLocalTokenFileName;
  std::string token = std::filesystem::exists(file) ? read_token_file(file) : create_token_file(file);
  config.tokens.push_back(TokenConfig{.name = kLocalTokenName,
                                      .sha256_hex = sha256_hex(token),
                                      .role = Role::Author,
                                      .project = config.projects.begin()->first});
  return token;
}

}  // namespace as::config
