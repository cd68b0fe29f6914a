// A server-side example (seeded by `make run`): it uses the bundled SQLite `demo` datasource,
// so it runs as a job of the server, not with `analysis-sandbox run` (which has no datasources).
// The ETL pattern in small: copy the shop's orders into the project DuckDB, then summarise them
// there and with a Polars DataFrame.
export default {
  title: "Demo: sales by status",
  dependencies: { datasources: ["demo"] },
  parameters: {
    min_total: { type: "number", required: false, default: 0, min: 0, description: "Ignore orders below this total" },
  },
  async run(ctx, params) {
    const loaded = await ctx.duckdb.load("demo", "SELECT * FROM orders", "demo_orders");
    ctx.log(`loaded ${loaded.rows} orders into DuckDB`);

    const columns = await ctx.duckdb.describe("demo_orders");
    const byStatus = await ctx.duckdb.query(
      "SELECT status, count(*) AS orders, round(sum(total), 2) AS revenue FROM demo_orders " +
      "WHERE total >= $1 GROUP BY status ORDER BY orders DESC", [params.min_total]);

    // The same question in Polars, on a frame that crossed from DuckDB as Arrow.
    const frame = await ctx.duckdb.queryFrame("SELECT status, total FROM demo_orders");
    const big = frame.filter(col("total").gt(params.min_total)).groupBy("status").count().sort("status");
    return {
      orders: loaded.rows,
      columns: columns.columns.map((c) => c.name),
      by_status: byStatus,
      above_min_by_status: big.collect(),
    };
  },
};
