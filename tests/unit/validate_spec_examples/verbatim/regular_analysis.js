export default {
    title: "Monthly sales summary",
    
    run: async function(ctx, params) {
        const sales = await ctx.datasource.postgres_main.query(
            "SELECT SUM(amount) as total, COUNT(*) as count FROM sales WHERE month = $1",
            [params.month]
        );
        
        // Return small result (< 10MB)
        return {
            month: params.month,
            total_sales: sales[0].total,
            transaction_count: sales[0].count
        };
    }
}
