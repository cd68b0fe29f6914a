#include "demo_database.h"

#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <system_error>

#include <fmt/format.h>

#include "catalog/sqlite_handle.h"

namespace as::config {
namespace {

constexpr const char* kSchema = R"(
CREATE TABLE customers (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  email TEXT NOT NULL UNIQUE,
  country TEXT NOT NULL,
  city TEXT NOT NULL,
  segment TEXT NOT NULL CHECK (segment IN ('consumer', 'small_business', 'enterprise')),
  signup_date TEXT NOT NULL
);
CREATE TABLE products (
  id INTEGER PRIMARY KEY,
  sku TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  category TEXT NOT NULL,
  unit_price REAL NOT NULL
);
CREATE TABLE orders (
  id INTEGER PRIMARY KEY,
  customer_id INTEGER NOT NULL REFERENCES customers(id),
  order_date TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('completed', 'shipped', 'cancelled', 'refunded')),
  total REAL NOT NULL
);
CREATE TABLE order_items (
  order_id INTEGER NOT NULL REFERENCES orders(id),
  line INTEGER NOT NULL,
  product_id INTEGER NOT NULL REFERENCES products(id),
  quantity INTEGER NOT NULL,
  unit_price REAL NOT NULL,
  PRIMARY KEY (order_id, line)
);
CREATE INDEX orders_by_customer ON orders(customer_id);
CREATE INDEX orders_by_date ON orders(order_date);
CREATE INDEX order_items_by_product ON order_items(product_id);
)";

// SplitMix64: tiny, and the same sequence on every platform and standard library (unlike the
// <random> distributions), which is what makes the demo data the same everywhere.
class DemoRandom {
 public:
  explicit DemoRandom(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  int below(int bound) { return static_cast<int>(next() % static_cast<std::uint64_t>(bound)); }
  int between(int low, int high) { return low + below(high - low + 1); }
  template <typename T, std::size_t N>
  const T& pick(const std::array<T, N>& items) { return items[static_cast<std::size_t>(below(static_cast<int>(N)))]; }

 private:
  std::uint64_t state_;
};

constexpr std::array<const char*, 24> kFirstNames{"Ada", "Ben", "Chloe", "David", "Elena", "Farid", "Grace", "Hugo",
                                                   "Ines", "Jonas", "Kira", "Liam", "Maya", "Noah", "Olga", "Pablo",
                                                   "Quinn", "Rosa", "Sven", "Tara", "Umar", "Vera", "Wen", "Yusuf"};
constexpr std::array<const char*, 20> kLastNames{"Almeida", "Becker", "Chen", "Dubois", "Eriksen", "Fischer", "Garcia",
                                                 "Hansen", "Ivanova", "Jensen", "Kowalski", "Lopez", "Moreau", "Nakamura",
                                                 "Okafor", "Petrov", "Rossi", "Schmidt", "Tanaka", "Weber"};
struct Place {
  const char* country;
  std::array<const char*, 3> cities;
};
constexpr std::array<Place, 6> kPlaces{{{"USA", {"New York", "Chicago", "Austin"}},
                                        {"Germany", {"Berlin", "Hamburg", "Munich"}},
                                        {"France", {"Paris", "Lyon", "Marseille"}},
                                        {"Japan", {"Tokyo", "Osaka", "Kyoto"}},
                                        {"Brazil", {"Sao Paulo", "Rio de Janeiro", "Recife"}},
                                        {"Canada", {"Toronto", "Vancouver", "Montreal"}}}};
struct Category {
  const char* name;
  std::array<const char*, 5> items;
  int low_cents;
  int high_cents;
};
constexpr std::array<Category, 6> kCategories{{{"electronics", {"Headphones", "Keyboard", "Monitor", "Charger", "Speaker"}, 1500, 45000},
                                               {"books", {"Cookbook", "Novel", "Atlas", "Field Guide", "Biography"}, 800, 6000},
                                               {"home", {"Lamp", "Kettle", "Blanket", "Vase", "Clock"}, 1200, 15000},
                                               {"garden", {"Hose", "Shovel", "Planter", "Seed Kit", "Gloves"}, 500, 9000},
                                               {"toys", {"Puzzle", "Kite", "Robot", "Board Game", "Yo-yo"}, 400, 8000},
                                               {"sports", {"Ball", "Racket", "Yoga Mat", "Helmet", "Bottle"}, 900, 20000}}};
constexpr std::array<const char*, 10> kAdjectives{"Classic", "Compact", "Deluxe", "Eco", "Handy",
                                                  "Pro", "Smart", "Sturdy", "Travel", "Vintage"};

std::string date_after(std::chrono::sys_days start, int days) {
  std::chrono::year_month_day date{start + std::chrono::days{days}};
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                     static_cast<unsigned>(date.day()));
}

std::string lowercase_ascii(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return text;
}

// Prices are bound as integer cents and divided in SQL, so every REAL is exactly cents / 100.
void insert_customers(catalog::SqliteDatabase& db, DemoRandom& random) {
  auto insert = db.prepare("INSERT INTO customers VALUES (?, ?, ?, ?, ?, ?, ?)");
  const std::chrono::sys_days signups_start = std::chrono::year{2021} / 1 / 1;
  for (int id = 1; id <= kDemoCustomers; ++id) {
    std::string first = random.pick(kFirstNames);
    std::string last = random.pick(kLastNames);
    const Place& place = random.pick(kPlaces);
    int roll = random.below(100);
    const char* segment = roll < 70 ? "consumer" : roll < 92 ? "small_business" : "enterprise";
    insert.bind(1, std::int64_t{id})
        .bind(2, first + " " + last)
        .bind(3, lowercase_ascii(fmt::format("{}.{}{}@example.com", first, last, id)))
        .bind(4, place.country)
        .bind(5, random.pick(place.cities))
        .bind(6, segment)
        .bind(7, date_after(signups_start, random.below(3 * 365)));
    insert.run();
    insert.reset();
  }
}

// Returns each product's price in cents (index = id - 1), which order lines copy.
std::vector<std::int64_t> insert_products(catalog::SqliteDatabase& db, DemoRandom& random) {
  auto insert = db.prepare("INSERT INTO products VALUES (?, ?, ?, ?, ? / 100.0)");
  std::vector<std::int64_t> prices;
  for (int id = 1; id <= kDemoProducts; ++id) {
    const Category& category = kCategories[static_cast<std::size_t>(id - 1) % kCategories.size()];
    std::int64_t cents = std::int64_t{random.between(category.low_cents / 100, category.high_cents / 100)} * 100 + 99;
    prices.push_back(cents);
    insert.bind(1, std::int64_t{id})
        .bind(2, fmt::format("SKU-{:04}", id))
        .bind(3, fmt::format("{} {}", random.pick(kAdjectives), random.pick(category.items)))
        .bind(4, category.name)
        .bind(5, cents);
    insert.run();
    insert.reset();
  }
  return prices;
}

struct OrderLine {
  int product_id;
  int quantity;
  std::int64_t unit_cents;
};

void insert_orders(catalog::SqliteDatabase& db, DemoRandom& random, const std::vector<std::int64_t>& prices) {
  auto insert_order = db.prepare("INSERT INTO orders VALUES (?, ?, ?, ?, ? / 100.0)");
  auto insert_line = db.prepare("INSERT INTO order_items VALUES (?, ?, ?, ?, ? / 100.0)");
  const std::chrono::sys_days orders_start = std::chrono::year{2023} / 1 / 1;
  for (int id = 1; id <= kDemoOrders; ++id) {
    std::vector<OrderLine> lines(static_cast<std::size_t>(random.between(1, 4)));
    std::int64_t total = 0;
    for (auto& line : lines) {
      line.product_id = random.between(1, kDemoProducts);
      line.quantity = random.between(1, 5);
      line.unit_cents = prices[static_cast<std::size_t>(line.product_id - 1)];
      total += line.unit_cents * line.quantity;
    }
    int roll = random.below(100);
    const char* status = roll < 80 ? "completed" : roll < 88 ? "shipped" : roll < 95 ? "cancelled" : "refunded";
    insert_order.bind(1, std::int64_t{id})
        .bind(2, std::int64_t{random.between(1, kDemoCustomers)})
        .bind(3, date_after(orders_start, random.below(2 * 365)))
        .bind(4, status)
        .bind(5, total);
    insert_order.run();
    insert_order.reset();
    for (std::size_t i = 0; i < lines.size(); ++i) {
      insert_line.bind(1, std::int64_t{id})
          .bind(2, static_cast<std::int64_t>(i + 1))
          .bind(3, std::int64_t{lines[i].product_id})
          .bind(4, std::int64_t{lines[i].quantity})
          .bind(5, lines[i].unit_cents);
      insert_line.run();
      insert_line.reset();
    }
  }
}

// Removes the temporary file unless the build finished and renamed it.
class TemporaryFile {
 public:
  explicit TemporaryFile(std::filesystem::path file) : path_(std::move(file)) {}
  TemporaryFile(const TemporaryFile&) = delete;
  TemporaryFile& operator=(const TemporaryFile&) = delete;
  ~TemporaryFile() {
    std::error_code ignored;
    if (!kept_) std::filesystem::remove(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }
  void keep() { kept_ = true; }

 private:
  std::filesystem::path path_;
  bool kept_ = false;
};

}  // namespace

void create_demo_database(const std::filesystem::path& path) {
  if (std::filesystem::exists(path)) return;
  std::error_code error;
  std::filesystem::create_directories(path.parent_path(), error);
  if (error) throw std::runtime_error(fmt::format("cannot create the folder of the demo database '{}': {}", path.string(), error.message()));
  TemporaryFile temporary(path.string() + fmt::format(".building-{}", ::getpid()));
  std::filesystem::remove(temporary.path(), error);
  try {
    catalog::SqliteDatabase db(temporary.path().string());
    // One self-contained file: no WAL, so it can be opened read-only from a read-only folder.
    db.exec("PRAGMA journal_mode = DELETE");
    catalog::SqliteTransaction transaction(db);
    db.exec(kSchema);
    DemoRandom random(20240115);
    insert_customers(db, random);
    std::vector<std::int64_t> prices = insert_products(db, random);
    insert_orders(db, random, prices);
    transaction.commit();
  } catch (const catalog::SqliteError& e) {
    throw std::runtime_error(fmt::format("cannot build the demo database '{}': {}", path.string(), e.what()));
  }
  // Another process may have finished first; its file is identical, so either one may win.
  std::filesystem::rename(temporary.path(), path, error);
  if (error) throw std::runtime_error(fmt::format("cannot move the demo database into place at '{}': {}", path.string(), error.message()));
  temporary.keep();
}

std::vector<std::filesystem::path> ensure_demo_datasources(const Config& config) {
  std::vector<std::filesystem::path> created;
  for (const auto& [_, project] : config.projects) {
    for (const auto& [__, datasource] : project.datasources) {
      if (datasource.type != DatasourceType::Sqlite || !datasource.flag("demo").value_or(false)) continue;
      std::filesystem::path path = datasource.text("path").value_or("");
      if (path.empty() || std::filesystem::exists(path)) continue;
      create_demo_database(path);
      created.push_back(path);
    }
  }
  return created;
}

}  // namespace as::config
