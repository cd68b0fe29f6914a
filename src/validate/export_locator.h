#pragma once
// Maps paths in the default export ("parameters.month.type", "dependencies.datasources.1") to
// where they are written in the source, so structure errors carry a line and column. It reads
// the object literal after `export default` (or the `NAME = {` that `export default NAME`
// refers to) from tokens; values built by code (spreads, function calls) have no entry and
// fall back to their nearest written ancestor.
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "js_tokens.h"

namespace as::validate {

struct SourceLocation {
  int line = 0;  // 0: unknown
  int column = 0;
};

class ExportLocator {
 public:
  explicit ExportLocator(const std::vector<Token>& tokens);
  // The key (or array element) at `path`, else its nearest located ancestor, else the export.
  SourceLocation locate(std::string_view path) const;
  SourceLocation export_location() const { return export_; }

 private:
  std::size_t read_value(std::size_t i, const std::string& path);
  std::size_t read_object(std::size_t open, const std::string& path);
  std::size_t read_array(std::size_t open, const std::string& path);
  std::size_t skip_expression(std::size_t i) const;
  void record(const std::string& path, const Token& token);

  const std::vector<Token>& tokens_;
  std::map<std::string, SourceLocation, std::less<>> keys_;
  SourceLocation export_;
};

}  // namespace as::validate
