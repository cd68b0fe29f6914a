#pragma once
// Finds, in the tokens of an analysis, the datasources and analyses it names in code, so the
// validator can require each to be declared in `dependencies`.
//
// Seen: ctx.datasource.X, ctx.datasource["X"], ctx.datasource?.X (any object name before
// `.datasource`, and a bare `datasource` from `run({ datasource }, params)`); aliases
// `const ds = ctx.datasource` then ds.X / ds["X"]; destructuring `const { X } = ctx.datasource`;
// ctx.duckdb.load("X", ...) and ctx.duckdb.export(table, "X", ...) (X is a datasource);
// ctx.runAnalysis("X", ...) (X is an analysis).
// Not seen (a run still cannot reach an undeclared datasource; it fails when it tries): names
// computed at run time (ctx.datasource[name]), aliases passed through functions or reassigned.
#include <string>
#include <vector>

#include "js_tokens.h"

namespace as::validate {

struct NameUse {
  std::string name;
  int line = 0;
  int column = 0;
};

struct NamesUsed {
  std::vector<NameUse> datasources;
  std::vector<NameUse> analyses;
};

NamesUsed find_names_used(const std::vector<Token>& tokens);

}  // namespace as::validate
