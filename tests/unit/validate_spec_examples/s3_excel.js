export default {
    title: "Process monthly Excel reports from S3",
    dependencies: {
        datasources: ["s3_reports", "postgres_main"]
    },
    
    run: async function(ctx, params) {
        // List all Excel files in S3
        const files = await ctx.datasource.s3_reports.list("/monthly/2024/");
        
        const results = [];
        for (const file of files) {
            if (file.key.endsWith('.xlsx')) {
                // Stream and process large Excel file
                await ctx.datasource.s3_reports.stream(file.key, {
                    format: 'excel',
                    decompress: 'gzip',  // If compressed
                    onChunk: async (rows) => {
                        // Process each chunk with Polars
                        const df = ctx.DataFrame(rows);
                        const summary = df
                            .groupBy("region")
                            .agg({ 
                                total_sales: col("amount").sum(),
                                order_count: col("order_id").count()
                            });
                        
                        // Append to DuckDB table
                        await ctx.duckdb.saveDataFrame(summary, 
                            `regional_sales_${params.month}`, 
                            { mode: 'append' }
                        );
                    }
                });
                
                results.push({ file: file.key, processed: true });
            }
        }
        
        // Aggregate final results
        const totals = await ctx.duckdb.query(`
            SELECT region, SUM(total_sales) as total, SUM(order_count) as orders
            FROM regional_sales_${params.month}
            GROUP BY region
        `);
        
        return { 
            processed_files: results.length,
            regional_summary: totals
        };
    }
}
