// A realistic analysis of about 200 lines for bench/validate_bench.cpp.
function summarise0(rows, key) {
    const groups = new Map();
    for (const row of rows) {
        const k = row[key] ?? "unknown";
        const g = groups.get(k) || { count: 0, total: 0, max: 0 };
        g.count += 1;
        g.total += Number(row.amount || 0);
        g.max = Math.max(g.max, Number(row.amount || 0));
        groups.set(k, g);
    }
    return [...groups.entries()].map(([k, g]) => ({ key: k, ...g, mean: g.count ? g.total / g.count : 0 }));
}
function summarise1(rows, key) {
    const groups = new Map();
    for (const row of rows) {
        const k = row[key] ?? "unknown";
        const g = groups.get(k) || { count: 0, total: 0, max: 0 };
        g.count += 1;
        g.total += Number(row.amount || 0);
        g.max = Math.max(g.max, Number(row.amount || 0));
        groups.set(k, g);
    }
    return [...groups.entries()].map(([k, g]) => ({ key: k, ...g, mean: g.count ? g.total / g.count : 0 }));
}
function summarise2(rows, key) {
    const groups = new Map();
    for (const row of rows) {
        const k = row[key] ?? "unknown";
        const g = groups.get(k) || { count: 0, total: 0, max: 0 };
        g.count += 1;
        g.total += Number(row.amount || 0);
        g.max = Math.max(g.max, Number(row.amount || 0));
        groups.set(k, g);
    }
    return [...groups.entries()].map(([k, g]) => ({ key: k, ...g, mean: g.count ? g.total / g.count : 0 }));
}
function summarise3(rows, key) {
    const groups = new Map();
    for (const row of rows) {
        const k = row[key] ?? "unknown";
        const g = groups.get(k) || { count: 0, total: 0, max: 0 };
        g.count += 1;
        g.total += Number(row.amount || 0);
        g.max = Math.max(g.max, Number(row.amount || 0));
        groups.set(k, g);
    }
    return [...groups.entries()].map(([k, g]) => ({ key: k, ...g, mean: g.count ? g.total / g.count : 0 }));
}
function summarise4(rows, key) {
    const groups = new Map();
    for (const row of rows) {
        const k = row[key] ?? "unknown";
        const g = groups.get(k) || { count: 0, total: 0, max: 0 };
        g.count += 1;
        g.total += Number(row.amount || 0);
        g.max = Math.max(g.max, Number(row.amount || 0));
        groups.set(k, g);
    }
    return [...groups.entries()].map(([k, g]) => ({ key: k, ...g, mean: g.count ? g.total / g.count : 0 }));
}
function summarise5(rows, key) {
    const groups = new Map();
    for (const row of rows) {
        const k = row[key] ?? "unknown";
        const g = groups.get(k) || { count: 0, total: 0, max: 0 };
        g.count += 1;
        g.total += Number(row.amount || 0);
        g.max = Math.max(g.max, Number(row.amount || 0));
        groups.set(k, g);
    }
    return [...groups.entries()].map(([k, g]) => ({ key: k, ...g, mean: g.count ? g.total / g.count : 0 }));
}
function summarise6(rows, key) {
    const groups = new Map();
    for (const row of rows) {
        const k = row[key] ?? "unknown";
        const g = groups.get(k) || { count: 0, total: 0, max: 0 };
        g.count += 1;
        g.total += Number(row.amount || 0);
        g.max = Math.max(g.max, Number(row.amount || 0));
        groups.set(k, g);
    }
    return [...groups.entries()].map(([k, g]) => ({ key: k, ...g, mean: g.count ? g.total / g.count : 0 }));
}
function summarise7(rows, key) {
    const groups = new Map();
    for (const row of rows) {
        const k = row[key] ?? "unknown";
        const g = groups.get(k) || { count: 0, total: 0, max: 0 };
        g.count += 1;
        g.total += Number(row.amount || 0);
        g.max = Math.max(g.max, Number(row.amount || 0));
        groups.set(k, g);
    }
    return [...groups.entries()].map(([k, g]) => ({ key: k, ...g, mean: g.count ? g.total / g.count : 0 }));
}
function summarise8(rows, key) {
    const groups = new Map();
    for (const row of rows) {
        const k = row[key] ?? "unknown";
        const g = groups.get(k) || { count: 0, total: 0, max: 0 };
        g.count += 1;
        g.total += Number(row.amount || 0);
        g.max = Math.max(g.max, Number(row.amount || 0));
        groups.set(k, g);
    }
    return [...groups.entries()].map(([k, g]) => ({ key: k, ...g, mean: g.count ? g.total / g.count : 0 }));
}
function summarise9(rows, key) {
    const groups = new Map();
    for (const row of rows) {
        const k = row[key] ?? "unknown";
        const g = groups.get(k) || { count: 0, total: 0, max: 0 };
        g.count += 1;
        g.total += Number(row.amount || 0);
        g.max = Math.max(g.max, Number(row.amount || 0));
        groups.set(k, g);
    }
    return [...groups.entries()].map(([k, g]) => ({ key: k, ...g, mean: g.count ? g.total / g.count : 0 }));
}
function summarise10(rows, key) {
    const groups = new Map();
    for (const row of rows) {
        const k = row[key] ?? "unknown";
        const g = groups.get(k) || { count: 0, total: 0, max: 0 };
        g.count += 1;
        g.total += Number(row.amount || 0);
        g.max = Math.max(g.max, Number(row.amount || 0));
        groups.set(k, g);
    }
    return [...groups.entries()].map(([k, g]) => ({ key: k, ...g, mean: g.count ? g.total / g.count : 0 }));
}
function summarise11(rows, key) {
    const groups = new Map();
    for (const row of rows) {
        const k = row[key] ?? "unknown";
        const g = groups.get(k) || { count: 0, total: 0, max: 0 };
        g.count += 1;
        g.total += Number(row.amount || 0);
        g.max = Math.max(g.max, Number(row.amount || 0));
        groups.set(k, g);
    }
    return [...groups.entries()].map(([k, g]) => ({ key: k, ...g, mean: g.count ? g.total / g.count : 0 }));
}

export default {
    title: "Monthly sales by region and channel",
    description: "Orders, events and customer metrics for one month",
    schedule: { cron: "0 2 1 * *", timezone: "Europe/Paris", enabled: true, retry_on_failure: true, max_retries: 3, retry_delay_seconds: 600 },
    dependencies: { datasources: ["postgres_main", "clickhouse"], analyses: ["customer_metrics"] },
    parameters: {
        month: { type: "date", required: true, default: "current_month", description: "Report month" },
        region: {
            type: "select", required: false, default: "all", description: "Sales region",
            options: [
                { value: "all", label: "All regions" },
                { label: "Europe", options: [{ value: "fr", label: "France" }, { value: "de", label: "Germany" }] },
                { label: "Americas", options: [{ value: "us", label: "United States" }, { value: "br", label: "Brazil" }] },
            ],
        },
        city: {
            type: "select", required: false, description: "City (depends on region)",
            options: async (ctx, params) => {
                if (!params.region || params.region === "all") return [{ value: "", label: "Pick a region first" }];
                return ctx.datasource.postgres_main.query(
                    "SELECT id AS value, name AS label FROM cities WHERE region = $1 ORDER BY name", [params.region]);
            },
        },
        channels: { type: "multiselect", required: false, default: ["web", "store"], options: ["web", "store", "phone", "partner"], max: 4 },
        min_amount: { type: "number", required: false, default: 0, min: 0, max: 1000000, description: "Ignore smaller orders" },
        customer_code: { type: "string", required: false, pattern: "^[A-Z]{3}-[0-9]{4}$", description: "One customer" },
        include_returns: { type: "boolean", required: false, default: false },
        window: { type: "object", required: false, default: { start: "week_start", end: "week_end" } },
    },
    run: async function(ctx, params) {
        const started = Date.now();
        const filters = [];
        const args = [params.month];
        if (params.region && params.region !== "all") { filters.push(`region = $${args.length + 1}`); args.push(params.region); }
        if (params.city) { filters.push(`city_id = $${args.length + 1}`); args.push(params.city); }
        if (params.customer_code) { filters.push(`customer_code = $${args.length + 1}`); args.push(params.customer_code); }
        const where = filters.length ? " AND " + filters.join(" AND ") : "";
        const orders = await ctx.datasource.postgres_main.query(
            `SELECT id, region, channel, amount, customer_id FROM orders WHERE month = $1${where}`, args);
        const events = await ctx.datasource.clickhouse.query(
            "SELECT channel, count() AS n FROM events WHERE toStartOfMonth(ts) = {month:Date} GROUP BY channel");
        const kept = orders.filter(o => Number(o.amount) >= params.min_amount && params.channels.includes(o.channel));
        ctx.log(`kept ${kept.length} of ${orders.length} orders`);
        const byRegion = summarise0(kept, "region");
        const byChannel = summarise1(kept, "channel");
        const byCustomer = summarise2(kept, "customer_id").sort((a, b) => b.total - a.total).slice(0, 20);
        await ctx.duckdb.exec(`CREATE TABLE IF NOT EXISTS monthly_orders (id BIGINT, region VARCHAR, amount DOUBLE)`);
        const metrics = await ctx.runAnalysis("customer_metrics", { month: params.month });
        ctx.metadata.set("last_month", params.month);
        return {
            month: params.month,
            orders: kept.length,
            regions: byRegion,
            channels: byChannel,
            top_customers: byCustomer,
            events,
            metrics: metrics.result,
            took_ms: Date.now() - started,
        };
    },
};
