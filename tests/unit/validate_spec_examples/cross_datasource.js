export default {
    title: "Cross-datasource customer analysis",
    // Added to the spec's example, which uses these datasources without declaring them:
    dependencies: { datasources: ["postgres_main", "clickhouse_events", "mysql_orders"] },
    
    run: async function(ctx) {
        // Load from multiple datasources into DuckDB
        await ctx.duckdb.load("postgres_main", 
            "SELECT * FROM customers", "customers");
        await ctx.duckdb.load("clickhouse_events", 
            "SELECT * FROM user_events", "events");
        await ctx.duckdb.load("mysql_orders", 
            "SELECT * FROM orders", "orders");
        
        // Join and analyze across sources
        const analysis = await ctx.duckdb.query(`
            SELECT 
                c.customer_segment,
                COUNT(DISTINCT c.id) as customer_count,
                COUNT(DISTINCT e.user_id) as active_users,
                SUM(o.amount) as total_revenue
            FROM customers c
            LEFT JOIN events e ON c.id = e.user_id
            LEFT JOIN orders o ON c.id = o.customer_id
            GROUP BY c.customer_segment
        `);
        
        return { segments: analysis };
    }
}
