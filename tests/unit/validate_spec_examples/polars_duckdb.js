export default {
    title: "Advanced customer scoring with Polars",
    // Added to the spec's example, which uses these datasources without declaring them:
    dependencies: { datasources: ["postgres_main"] },
    
    run: async function(ctx, params) {
        // 1. Query raw data
        const customers = await ctx.datasource.postgres_main.query( 
            "SELECT * FROM customers WHERE created_at > $1", [params.start_date]);
        const transactions = await ctx.datasource.postgres_main.query(
            "SELECT * FROM transactions WHERE date > $1", [params.start_date]);
        
        // 2. Use Polars for complex in-memory processing
        const customerDf = ctx.DataFrame(customers);
        const transDf = ctx.DataFrame(transactions);
        
        // Complex operations that Polars excels at
        const scored = customerDf
            .join(transDf, "customer_id")
            .groupBy("customer_id")
            .agg({
                total_spent: col("amount").sum(),
                transaction_count: col("amount").count(),
                avg_amount: col("amount").mean(),
                days_active: col("date").nUnique()
            })
            .withColumn("score", 
                col("total_spent") * 0.4 + 
                col("transaction_count") * 0.3 + 
                col("days_active") * 0.3
            )
            .sort("score", true);
        
        // 3. Persist results to DuckDB for future queries
        const tableName = `customer_scores_${params.start_date.replace(/-/g, '_')}`;
        await ctx.duckdb.saveDataFrame(scored, tableName);
        
        // 4. Create view for easy access
        await ctx.duckdb.exec(`
            CREATE OR REPLACE VIEW latest_customer_scores AS
            SELECT * FROM ${tableName}
        `);
        
        // 5. Return summary
        const topCustomers = scored.head(10).toJSON();
        const stats = await ctx.duckdb.query(`
            SELECT 
                COUNT(*) as total_customers,
                AVG(score) as avg_score,
                PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY score) as median_score
            FROM ${tableName}
        `);
        
        return {
            top_customers: topCustomers,
            statistics: stats[0],
            stored_table: tableName,
            message: "Customer scores calculated with Polars and stored in DuckDB"
        };
    }
}
