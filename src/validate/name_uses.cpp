#include "name_uses.h"

#include <set>

#include "token_walk.h"

namespace as::validate {
namespace {

class Finder {
 public:
  explicit Finder(const std::vector<Token>& tokens) : t_(tokens) {}

  NamesUsed run() {
    find_aliases();
    for (std::size_t i = 0; i < t_.size(); ++i) {
      if (t_[i].kind != TokenKind::Identifier) continue;
      if (is_datasource_object(i) || (aliases_.count(t_[i].value) != 0 && !is_property_name(t_, i))) {
        member_after(i, used_.datasources);
      } else if (t_[i].value == "duckdb" && i + 3 < t_.size() && is_punctuator(t_[i + 1], ".")) {
        duckdb_call(i + 2);
      } else if (t_[i].value == "runAnalysis" && i + 2 < t_.size() && is_punctuator(t_[i + 1], "(") &&
                 t_[i + 2].kind == TokenKind::String) {
        used_.analyses.push_back({t_[i + 2].value, t_[i + 2].line, t_[i + 2].column});
      }
    }
    return std::move(used_);
  }

 private:
  // tokens[i] is `datasource` in `x.datasource` or a bare `datasource` (destructured ctx).
  bool is_datasource_object(std::size_t i) const {
    if (t_[i].value != "datasource") return false;
    bool member = i > 0 && (is_punctuator(t_[i - 1], ".") || is_punctuator(t_[i - 1], "?."));
    return member || !is_property_name(t_, i);
  }

  // `.X`, `?.X`, `["X"]`, `?.["X"]` after tokens[i].
  void member_after(std::size_t i, std::vector<NameUse>& out) const {
    std::size_t j = i + 1;
    if (j >= t_.size()) return;
    if ((is_punctuator(t_[j], ".") || is_punctuator(t_[j], "?.")) && j + 1 < t_.size()) {
      if (t_[j + 1].kind == TokenKind::Identifier) {
        out.push_back({t_[j + 1].value, t_[j + 1].line, t_[j + 1].column});
        return;
      }
      if (is_punctuator(t_[j], "?.")) ++j;  // ?.[
      else return;
    }
    if (j + 2 < t_.size() && is_punctuator(t_[j], "[") && t_[j + 1].kind == TokenKind::String && is_punctuator(t_[j + 2], "]")) {
      out.push_back({t_[j + 1].value, t_[j + 1].line, t_[j + 1].column});
    }
  }

  // At tokens[m] after `duckdb.`: load("X", ...) or export(table, "X", ...).
  void duckdb_call(std::size_t m) {
    if (m + 2 >= t_.size() || !is_punctuator(t_[m + 1], "(")) return;
    if (is_identifier(t_[m], "load") && t_[m + 2].kind == TokenKind::String) {
      used_.datasources.push_back({t_[m + 2].value, t_[m + 2].line, t_[m + 2].column});
    } else if (is_identifier(t_[m], "export") && m + 4 < t_.size() && is_punctuator(t_[m + 3], ",") &&
               t_[m + 4].kind == TokenKind::String) {
      used_.datasources.push_back({t_[m + 4].value, t_[m + 4].line, t_[m + 4].column});
    }
  }

  // `ALIAS = x.datasource;` and `{ X, Y: z } = x.datasource`.
  void find_aliases() {
    for (std::size_t i = 2; i < t_.size(); ++i) {
      if (!is_datasource_object(i)) continue;
      bool ends_here = i + 1 >= t_.size() || !(is_punctuator(t_[i + 1], ".") || is_punctuator(t_[i + 1], "?.") || is_punctuator(t_[i + 1], "["));
      if (!ends_here) continue;
      std::size_t eq = i - 1;
      if (is_punctuator(t_[eq], ".") || is_punctuator(t_[eq], "?.")) {
        if (i < 3) continue;
        eq = i - 3;  // `= ctx . datasource`
      }
      if (!is_punctuator(t_[eq], "=") || eq == 0) continue;
      const Token& target = t_[eq - 1];
      if (target.kind == TokenKind::Identifier) {
        aliases_.insert(target.value);
      } else if (is_punctuator(target, "}")) {
        std::size_t open = matching_open(eq - 1);
        if (open < t_.size()) {
          for (const Token* key : pattern_names(t_, open, true)) used_.datasources.push_back({key->value, key->line, key->column});
        }
      }
    }
  }

  std::size_t matching_open(std::size_t close) const {
    int depth = 0;
    for (std::size_t k = close + 1; k-- > 0;) {
      if (t_[k].kind != TokenKind::Punctuator) continue;
      const std::string& v = t_[k].value;
      if (v == ")" || v == "]" || v == "}") ++depth;
      if (v == "(" || v == "[" || v == "{") {
        if (--depth == 0) return k;
      }
    }
    return t_.size();
  }

  const std::vector<Token>& t_;
  std::set<std::string> aliases_;
  NamesUsed used_;
};

}  // namespace

NamesUsed find_names_used(const std::vector<Token>& tokens) { return Finder(tokens).run(); }

}  // namespace as::validate
