export default {
    title: "ETL: Clean and transform user events",
    
    run: async function(ctx, params) {
        // 1. Load large dataset into persistent DuckDB table
        await ctx.duckdb.load(
            "raw_data",
            "SELECT * FROM events WHERE date >= '2024-01-01'",
            "events_raw_2024"  // This table persists in DuckDB
        );
        
        // 2. Transform using DuckDB's SQL engine (creates persistent table)
        await ctx.duckdb.exec(`
            CREATE OR REPLACE TABLE events_clean_2024 AS
            SELECT 
                user_id,
                event_type,
                DATE_TRUNC('day', timestamp) as event_date,
                COUNT(*) as event_count,
                ANY_VALUE(metadata) as sample_metadata
            FROM events_raw_2024
            WHERE user_id IS NOT NULL
            GROUP BY user_id, event_type, event_date
        `);
        
        // 3. Optionally export to external datasource (or keep in DuckDB)
        // await ctx.duckdb.export(
        //     "events_clean_2024",
        //     "analytics_db",
        //     "events_aggregated"
        // );
        
        // 4. Create indexes for faster querying
        await ctx.duckdb.exec(`
            CREATE INDEX idx_events_user ON events_clean_2024(user_id);
            CREATE INDEX idx_events_date ON events_clean_2024(event_date);
        `);
        
        // 5. Store metadata about the operation
        ctx.metadata.set("duckdb_table", "events_clean_2024");
        ctx.metadata.set("processing_date", new Date().toISOString());
        
        // 6. Return summary only (not the actual data)
        const stats = await ctx.duckdb.query(`
            SELECT 
                COUNT(*) as total_rows,
                COUNT(DISTINCT user_id) as unique_users,
                MIN(event_date) as start_date,
                MAX(event_date) as end_date
            FROM events_clean_2024
        `);
        
        return {
            success: true,
            statistics: stats[0],
            stored_in_duckdb: "events_clean_2024",
            message: "Data available for querying in DuckDB table: events_clean_2024"
        };
    }
}
