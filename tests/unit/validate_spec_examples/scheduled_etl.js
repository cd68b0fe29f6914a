export default {
    title: "Daily data sync and aggregation",
    
    schedule: {
        cron: "0 1 * * *",  // Daily at 1 AM
        timezone: "UTC",
        enabled: true,
        retry_on_failure: true,  // Optional: retry if fails
        max_retries: 3
    },
    
    parameters: {
        // Parameters can use special values for scheduled runs
        date: {
            type: "date",
            required: true,
            default: "yesterday"  // Special value
        },
        mode: {
            type: "select",
            required: true,
            default: "incremental",
            options: [
                { value: "full", label: "Full refresh" },
                { value: "incremental", label: "Incremental update" }
            ]
        }
    },
    
    dependencies: {
        datasources: ["production_db", "analytics_db"]
    },
    
    run: async function(ctx, params) {
        // Handle special parameter values
        const targetDate = params.date === "yesterday" 
            ? new Date(Date.now() - 86400000).toISOString().split('T')[0]
            : params.date;
        
        // Load yesterday's data
        await ctx.duckdb.load(
            "production_db",
            `SELECT * FROM events WHERE date = '${targetDate}'`,
            `events_${targetDate.replace(/-/g, '_')}`
        );
        
        // Process and aggregate
        await ctx.duckdb.exec(`
            CREATE OR REPLACE TABLE daily_summary_${targetDate.replace(/-/g, '_')} AS
            SELECT 
                user_segment,
                COUNT(*) as event_count,
                COUNT(DISTINCT user_id) as unique_users
            FROM events_${targetDate.replace(/-/g, '_')}
            GROUP BY user_segment
        `);
        
        // Update materialized view
        await ctx.duckdb.exec(`
            CREATE OR REPLACE VIEW latest_daily_summary AS
            SELECT * FROM daily_summary_${targetDate.replace(/-/g, '_')}
        `);
        
        return {
            date_processed: targetDate,
            status: "success",
            next_run: ctx.schedule.next_run  // Next scheduled execution
        };
    }
}
