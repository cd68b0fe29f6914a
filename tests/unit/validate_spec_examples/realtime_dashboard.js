export default {
    title: "Real-time operations dashboard",
    schedule: {
        cron: "*/5 * * * *",  // Every 5 minutes
        timezone: "UTC"
    },
    dependencies: {
        datasources: [
            "postgres_main",
            "clickhouse_events", 
            "s3_logs",
            "api_monitoring",
            "graphql_analytics"
        ]
    },
    
    run: async function(ctx) {
        const now = new Date();
        const fiveMinutesAgo = new Date(now - 5 * 60 * 1000);
        
        // 1. Get current system metrics from monitoring API
        const systemHealth = await ctx.datasource.api_monitoring.get('/metrics/current');
        
        // 2. Query real-time events from ClickHouse
        const events = await ctx.datasource.clickhouse_events.query(
            `SELECT event_type, COUNT(*) as count, AVG(duration_ms) as avg_duration
             FROM events 
             WHERE timestamp >= ? AND timestamp < ?
             GROUP BY event_type`,
            [fiveMinutesAgo, now]
        );
        
        // 3. Check for new error logs in S3
        const errorLogs = await ctx.datasource.s3_logs.list('/errors/', {
            maxKeys: 100
        });
        
        const recentErrors = errorLogs.filter(
            log => new Date(log.lastModified) >= fiveMinutesAgo
        );
        
        // 4. Get user activity from GraphQL
        const activity = await ctx.datasource.graphql_analytics.query({
            query: `
                query RecentActivity($since: DateTime!) {
                    activeUsers(since: $since) {
                        count
                        topActions {
                            action
                            count
                        }
                    }
                }
            `,
            variables: { since: fiveMinutesAgo.toISOString() }
        });
        
        // 5. Get business metrics from PostgreSQL
        const metrics = await ctx.datasource.postgres_main.query(
            `SELECT 
                COUNT(*) FILTER (WHERE created_at >= $1) as new_orders,
                SUM(amount) FILTER (WHERE created_at >= $1) as revenue,
                AVG(processing_time) as avg_processing_time
             FROM orders 
             WHERE created_at >= $1`,
            [fiveMinutesAgo]
        );
        
        // 6. Store snapshot in DuckDB
        const snapshot = {
            timestamp: now.toISOString(),
            system_health: systemHealth,
            event_counts: events,
            error_count: recentErrors.length,
            active_users: activity.activeUsers.count,
            business_metrics: metrics[0]
        };
        
        await ctx.duckdb.exec(`
            INSERT INTO dashboard_snapshots 
            VALUES ('${snapshot.timestamp}', '${JSON.stringify(snapshot)}')
        `);
        
        // 7. Check for alerts
        const alerts = [];
        if (systemHealth.cpu_usage > 80) {
            alerts.push({ type: 'high_cpu', value: systemHealth.cpu_usage });
        }
        if (recentErrors.length > 10) {
            alerts.push({ type: 'error_spike', count: recentErrors.length });
        }
        
        return {
            timestamp: now.toISOString(),
            interval: '5_minutes',
            metrics: snapshot,
            alerts: alerts
        };
    }
}
