export default {
    title: "Monthly customer report",
    
    // Optional: Schedule for automatic execution
    schedule: {
        cron: "0 2 * * *",  // Daily at 2 AM
        timezone: "UTC",    // Optional, defaults to UTC
        enabled: true       // Can be toggled on/off
    },
    
    dependencies: {
        datasources: ["postgres_main", "clickhouse"],  // Required datasources
        analyses: ["customer_metrics", "sales_summary"] // Other analyses to call
    },
    
    parameters: {
        month: { 
            type: "date", 
            required: true,
            default: "current_month"  // Special value for scheduled runs
        },
        category: {
            type: "select",
            required: true,
            default: "all",  // Default for scheduled runs
            options: async (ctx, params) => {
                // Dynamic options from database
                const categories = await ctx.datasource.postgres_main.query(
                    "SELECT id as value, name as label FROM categories");
                return categories;
            }
        }
    },
    
    run: async function(ctx, params) {
        // Main execution logic
        const users = await ctx.datasource.postgres_main.query("SELECT * FROM users");
        const events = await ctx.datasource.clickhouse.query("SELECT * FROM events");
        
        // Call another analysis
        const metrics = await ctx.runAnalysis("customer_metrics", params);
        
        // Must return an object (not array)
        return {
            users: users.length,
            events: events.length,
            metrics: metrics.result
        };
    }
}
