#pragma once
// Reading a whole file the commands were given (analysis scripts, parameter files).
#include <stdexcept>
#include <string>

namespace as::cli {

// The file's bytes; std::runtime_error "cannot read <what> '<path>': <reason>" when it cannot be read.
std::string read_text_file(const std::string& path, const char* what);

}  // namespace as::cli
