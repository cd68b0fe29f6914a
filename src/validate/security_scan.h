#pragma once
// The static security check run before an analysis is saved: finds code that tries to turn text
// into code (eval, the Function constructor), to load modules (import, require, re-exports) or
// to reach files, the network or the host process (fetch, XMLHttpRequest, WebSocket, process,
// std/os, Deno, Bun, ...). It reads tokens, so names inside strings, comments, template text
// and regex literals are never flagged.
//
// Limits (the sandbox enforces all of these at run time anyway; this check names the mistake
// early and precisely): computed access such as globalThis["ev" + "al"] cannot be seen; a
// forbidden global name the script declares itself (`const os = ...`) is taken to be the
// script's own variable, wherever it is declared.
#include <vector>

#include "js_tokens.h"
#include "problem.h"

namespace as::validate {

std::vector<ValidationProblem> find_forbidden_code(const std::vector<Token>& tokens);

}  // namespace as::validate
