export default {
    title: "Sync customer data from CRM API",
    dependencies: {
        datasources: ["api_crm", "postgres_main"]
    },
    
    run: async function(ctx, params) {
        // Paginate through all customers from API
        const customers = await ctx.datasource.api_crm.paginate('/api/v2/customers', {
            pageParam: 'page',
            limitParam: 'per_page',
            limit: 100,
            dataPath: 'data',
            nextPagePath: 'links.next'
        });
        
        // Enrich with additional API calls
        const enriched = [];
        for (const customer of customers) {
            // Get detailed customer info
            const details = await ctx.datasource.api_crm.get(
                `/api/v2/customers/${customer.id}/details`
            );
            
            enriched.push({
                ...customer,
                ...details,
                sync_date: new Date().toISOString()
            });
        }
        
        // Store in DuckDB for analysis
        const df = ctx.DataFrame(enriched);
        await ctx.duckdb.saveDataFrame(df, "customers_synced");
        
        // Update PostgreSQL with latest data
        for (const customer of enriched) {
            await ctx.datasource.postgres_main.query(
                `INSERT INTO customers (id, name, email, synced_at) 
                 VALUES ($1, $2, $3, $4) 
                 ON CONFLICT (id) DO UPDATE 
                 SET name = EXCLUDED.name, 
                     email = EXCLUDED.email, 
                     synced_at = EXCLUDED.synced_at`,
                [customer.id, customer.name, customer.email, customer.sync_date]
            );
        }
        
        return {
            synced_count: enriched.length,
            last_sync: new Date().toISOString()
        };
    }
}
