#pragma once
#include <string>

namespace as::catalog {
// A UUIDv7: random but ordered by creation time, so new rows append to indexes.
std::string new_uuid();
// Current time as ISO-8601 UTC with milliseconds ("2024-01-15T10:30:00.123Z").
std::string now_iso8601();
}  // namespace as::catalog
