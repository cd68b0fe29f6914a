#pragma once
// The catalog: analyses with their full version history and the metadata ctx.metadata keeps
// between runs. One interface; SQLite is the embedded implementation, PostgreSQL will follow
// and must pass the same tests (tests/unit/catalog_store_test.cpp is written against Store).
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "sandbox/value.h"

namespace as::catalog {

// The caller asked for something that does not exist (maps to 404).
class NotFound : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
// The request conflicts with what is stored, e.g. a name already taken (maps to 409).
class Conflict : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Analysis {
  std::string id;             // UUID
  std::string project;
  std::string name;           // unique among the project's active analyses
  std::string title;
  std::string script;
  std::string metadata_json;  // dependencies, parameters, schedule... as JSON
  int version = 1;            // = the newest row in its version history
  std::string created_at;     // ISO-8601 UTC
  std::string updated_at;
  std::string created_by;
};

struct AnalysisVersion {
  int version = 0;
  std::string script;
  std::string metadata_json;
  std::string change_description;
  std::string created_at;
  std::string created_by;
  std::optional<int> restored_from;  // set when this version restored an older one
};

struct NewAnalysis {
  std::string project;
  std::string name;
  std::string title;
  std::string script;
  std::string metadata_json = "{}";
  std::string created_by = "mcp";
  std::string change_description = "Initial version";
};

struct AnalysisChange {
  std::string title;
  std::string script;
  std::string metadata_json = "{}";
  std::string change_description;
  std::string changed_by = "mcp";
};

class Store {
 public:
  virtual ~Store() = default;

  virtual Analysis create_analysis(const NewAnalysis& analysis) = 0;                       // Conflict if the name is taken
  virtual Analysis update_analysis(const std::string& project, const std::string& name, const AnalysisChange& change) = 0;
  virtual std::optional<Analysis> find_analysis(const std::string& project, const std::string& name) = 0;
  virtual std::vector<Analysis> list_analyses(const std::string& project) = 0;              // active ones, by name
  virtual void delete_analysis(const std::string& project, const std::string& name) = 0;   // soft delete; NotFound
  virtual std::vector<AnalysisVersion> versions(const std::string& project, const std::string& name) = 0;  // newest first
  virtual AnalysisVersion version(const std::string& project, const std::string& name, int version) = 0;   // NotFound
  // Makes a new version whose script and metadata are those of `version`. The title lives in the
  // script, so the caller (which validated it) passes it; empty keeps the current title.
  virtual Analysis restore_version(const std::string& project, const std::string& name, int version,
                                   const std::string& title, const std::string& reason, const std::string& restored_by) = 0;

  // What ctx.metadata holds for an analysis between runs.
  virtual std::map<std::string, Value> load_run_metadata(const std::string& project, const std::string& name) = 0;
  // Replaces the stored metadata with `metadata` in one transaction.
  virtual void save_run_metadata(const std::string& project, const std::string& name,
                                 const std::map<std::string, Value>& metadata) = 0;

  // Analysis that must exist: throws NotFound naming it.
  Analysis get_analysis(const std::string& project, const std::string& name) {
    if (auto found = find_analysis(project, name)) return *found;
    throw NotFound("analysis '" + name + "' not found in project '" + project + "'");
  }
};

}  // namespace as::catalog
