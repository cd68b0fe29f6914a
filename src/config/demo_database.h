#pragma once
// The bundled demo data: a small SQLite database of a made-up shop (customers, products, orders,
// order_items), generated the same way every time, so a fresh install has something to query.
#include <filesystem>
#include <vector>

#include "config.h"

namespace as::config {

// Row counts of the demo tables (order_items varies per order but is the same on every build).
inline constexpr int kDemoCustomers = 500;
inline constexpr int kDemoProducts = 60;
inline constexpr int kDemoOrders = 3000;

// Writes the demo database to `path` unless a file is already there. It is built in a temporary
// file next to `path` and renamed into place, so `path` never holds half a database. Throws
// std::runtime_error naming the file when it cannot be written.
void create_demo_database(const std::filesystem::path& path);

// create_demo_database() for every sqlite datasource with `demo = true` whose file is missing.
// Returns the files it created.
std::vector<std::filesystem::path> ensure_demo_datasources(const Config& config);

}  // namespace as::config
