#pragma once
// The trivial analysis every sandbox benchmark runs: a module whose run() returns a small plain
// object, so a run does everything a real one does (compile, load, link, evaluate, call,
// convert the result to JSON) and almost nothing else.
#include <string_view>

namespace as::bench {
constexpr std::string_view kTrivialSource =
    "export default {\n"
    "  title: 'trivial',\n"
    "  run(ctx, params) { return { ok: true, answer: 42 }; },\n"
    "};\n";
constexpr std::string_view kTrivialJson = R"({"ok":true,"answer":42})";
}  // namespace as::bench
