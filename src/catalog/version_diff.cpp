#include "version_diff.h"

#include <algorithm>
#include <set>
#include <sstream>
#include <vector>

namespace as::catalog {
namespace {

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Walks the longest-common-subsequence alignment; each gap between matched lines is a hunk whose
// removed/added lines pair up as modifications.
LineChanges count_hunks(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  const size_t n = a.size(), m = b.size();
  std::vector<std::vector<int>> lcs(n + 1, std::vector<int>(m + 1, 0));
  for (size_t i = n; i-- > 0;) {
    for (size_t j = m; j-- > 0;) {
      lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  LineChanges changes;
  int hunk_removed = 0, hunk_added = 0;
  auto close_hunk = [&] {
    int paired = std::min(hunk_removed, hunk_added);
    changes.modified += paired;
    changes.removed += hunk_removed - paired;
    changes.added += hunk_added - paired;
    hunk_removed = hunk_added = 0;
  };
  size_t i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] == b[j]) {
      close_hunk();
      ++i, ++j;
    } else if (j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j])) {
      ++hunk_added, ++j;
    } else {
      ++hunk_removed, ++i;
    }
  }
  close_hunk();
  return changes;
}

nlohmann::ordered_json parse_or_empty(const std::string& text) {
  auto doc = nlohmann::ordered_json::parse(text, nullptr, false);
  return doc.is_object() ? doc : nlohmann::ordered_json::object();
}

std::set<std::string> string_set(const nlohmann::ordered_json& doc, const char* outer, const char* inner) {
  std::set<std::string> out;
  if (doc.contains(outer) && doc[outer].is_object() && doc[outer].contains(inner) && doc[outer][inner].is_array()) {
    for (const auto& item : doc[outer][inner]) {
      if (item.is_string()) out.insert(item.get<std::string>());
    }
  }
  return out;
}

nlohmann::ordered_json added_removed(const std::set<std::string>& before, const std::set<std::string>& after) {
  std::vector<std::string> added, removed;
  std::set_difference(after.begin(), after.end(), before.begin(), before.end(), std::back_inserter(added));
  std::set_difference(before.begin(), before.end(), after.begin(), after.end(), std::back_inserter(removed));
  return {{"added", added}, {"removed", removed}};
}

}  // namespace

LineChanges diff_lines(const std::string& before, const std::string& after) {
  auto a = split_lines(before);
  auto b = split_lines(after);
  // Common prefix and suffix cost nothing to align and keep the quadratic part small.
  size_t prefix = 0;
  while (prefix < a.size() && prefix < b.size() && a[prefix] == b[prefix]) ++prefix;
  size_t suffix = 0;
  while (suffix < a.size() - prefix && suffix < b.size() - prefix && a[a.size() - 1 - suffix] == b[b.size() - 1 - suffix]) ++suffix;
  std::vector<std::string> mid_a(a.begin() + prefix, a.end() - suffix);
  std::vector<std::string> mid_b(b.begin() + prefix, b.end() - suffix);
  if (mid_a.size() * mid_b.size() > 16'000'000) {
    // Too large to align line by line: report the whole middle as one hunk.
    int paired = static_cast<int>(std::min(mid_a.size(), mid_b.size()));
    return {static_cast<int>(mid_b.size()) - paired, static_cast<int>(mid_a.size()) - paired, paired};
  }
  return count_hunks(mid_a, mid_b);
}

nlohmann::ordered_json diff_versions(const AnalysisVersion& v1, const AnalysisVersion& v2) {
  auto m1 = parse_or_empty(v1.metadata_json);
  auto m2 = parse_or_empty(v2.metadata_json);

  auto p1 = m1.contains("parameters") && m1["parameters"].is_object() ? m1["parameters"] : nlohmann::ordered_json::object();
  auto p2 = m2.contains("parameters") && m2["parameters"].is_object() ? m2["parameters"] : nlohmann::ordered_json::object();
  std::vector<std::string> added, removed, modified;
  for (const auto& [name, definition] : p2.items()) {
    if (!p1.contains(name)) {
      added.push_back(name);
    } else if (p1[name] != definition) {
      modified.push_back(name);
    }
  }
  for (const auto& [name, _] : p1.items()) {
    if (!p2.contains(name)) removed.push_back(name);
  }

  LineChanges lines = diff_lines(v1.script, v2.script);
  nlohmann::ordered_json changes;
  changes["dependencies"] = {
      {"datasources", added_removed(string_set(m1, "dependencies", "datasources"), string_set(m2, "dependencies", "datasources"))},
      {"analyses", added_removed(string_set(m1, "dependencies", "analyses"), string_set(m2, "dependencies", "analyses"))}};
  changes["parameters"] = {{"added", added}, {"removed", removed}, {"modified", modified}};
  changes["script_lines"] = {{"added", lines.added}, {"removed", lines.removed}, {"modified", lines.modified}};
  return {{"version1", v1.version}, {"version2", v2.version}, {"changes", changes}};
}

}  // namespace as::catalog
