#pragma once
// Compiles analysis source to QuickJS bytecode. Compilation happens in a separate compile-only
// context that has the parser; run contexts load the bytecode and have no parser (no eval
// intrinsic), so nothing inside a run can turn a string into code.
#include <quickjs.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace as::sandbox {

struct CompiledScript {
  std::vector<std::uint8_t> bytecode;
  std::string filename;
  bool is_module = true;
};

// A syntax error (or a script too large for the compile limits), with where it is.
class CompileError : public std::runtime_error {
 public:
  CompileError(const std::string& message, int at_line, int at_column)
      : std::runtime_error(message), line(at_line), column(at_column) {}
  int line;
  int column;
};

struct CompileLimits {
  std::size_t memory_bytes = 256u << 20;
  std::size_t stack_bytes = 1u << 20;
};

// Module loader for every runtime we make: analyses may not import anything, and the error
// names the module. (QuickJS resolves static imports while compiling, so the compiler needs it too.)
JSModuleDef* refuse_import(JSContext* ctx, const char* module_name, void* opaque);

// Compiles an ES module (`export default {...}`). Throws CompileError.
std::shared_ptr<const CompiledScript> compile_module(std::string_view source, const std::string& filename,
                                                     const CompileLimits& limits = {});
// Compiles a classic script whose completion value is used (the sandbox's own prelude).
std::shared_ptr<const CompiledScript> compile_script(std::string_view source, const std::string& filename);

// Bytecode of recently run scripts, keyed by file name and exact source text, so a script that
// runs again skips the parser. Thread-safe; evicts the oldest entry past `capacity`.
class BytecodeCache {
 public:
  explicit BytecodeCache(std::size_t capacity = 256) : capacity_(capacity) {}
  std::shared_ptr<const CompiledScript> get_or_compile(std::string_view source, const std::string& filename,
                                                       const CompileLimits& limits);
  std::size_t size() const;

 private:
  std::size_t capacity_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<const CompiledScript>> entries_;
  std::vector<std::string> order_;
};

}  // namespace as::sandbox
