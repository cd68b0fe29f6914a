// Incremental processing with a checkpoint in ctx.metadata: work through a batch of
// (generated) orders, record where it got to after every batch, and stop cleanly when
// ctx.shouldStop() says the run is being cancelled or is out of time. On the server,
// ctx.metadata persists across runs and retries, so the next run resumes from the checkpoint;
// `analysis-sandbox run` starts every run with empty metadata.
//   analysis-sandbox run examples/metadata_checkpoint.js --params '{"orders": 5000, "batch_size": 500}'
export default {
    title: "Order totals with a checkpoint",

    dependencies: { datasources: [], analyses: [] },

    parameters: {
        orders: {
            type: "number",
            required: false,
            default: 2000,
            min: 1,
            max: 1000000,
            description: "How many orders to generate and process",
        },
        batch_size: {
            type: "number",
            required: false,
            default: 250,
            min: 1,
            description: "Orders processed between two checkpoints",
        },
    },

    async run(ctx, params) {
        const orders = Math.trunc(Number(params.orders ?? 2000));
        const batchSize = Math.trunc(Number(params.batch_size ?? 250));
        if (!(orders >= 1) || !(batchSize >= 1)) {
            throw new RangeError(`orders and batch_size must be >= 1, got ${orders} and ${batchSize}`);
        }

        // Resume from an earlier checkpoint when there is one.
        const resumed = ctx.metadata.has("checkpoint");
        const checkpoint = ctx.metadata.get("checkpoint") ?? { last_id: 0, totals: {}, batches: 0 };
        const totals = checkpoint.totals;
        let lastId = checkpoint.last_id;
        let batches = checkpoint.batches;

        while (lastId < orders) {
            if (ctx.shouldStop()) {
                ctx.error(`stopping early at order ${lastId}; the checkpoint is saved`);
                break;
            }
            const end = Math.min(lastId + batchSize, orders);
            for (let id = lastId + 1; id <= end; id++) {
                const order = makeOrder(id);
                const t = totals[order.category] ?? (totals[order.category] = { orders: 0, amount: 0 });
                t.orders += 1;
                t.amount = Math.round((t.amount + order.amount) * 100) / 100;
            }
            lastId = end;
            batches += 1;
            ctx.metadata.set("checkpoint", { last_id: lastId, totals, batches });
            if (batches % 4 === 0) ctx.log(`checkpoint after batch ${batches}: order ${lastId} of ${orders}`);
            await ctx.sleep(0);  // yield between batches, as a real run awaiting queries would
        }

        const finished = lastId >= orders;
        if (finished) {
            ctx.metadata.set("last_completed", { orders, batches, at: new Date() });
            ctx.metadata.delete("checkpoint");  // the next run starts over
        }
        return {
            resumed,
            finished,
            processed: lastId,
            batches,
            categories: Object.keys(totals).sort().map(name => ({ name, ...totals[name] })),
            metadata_keys: ctx.metadata.list(),
        };
    },
};

// Deterministic pseudo-random orders: the id goes through an integer hash (xorshift-multiply).
const CATEGORIES = ["books", "garden", "music", "toys"];
function makeOrder(id) {
    let h = Math.imul(id ^ (id >>> 16), 0x45d9f3b);
    h = Math.imul(h ^ (h >>> 16), 0x45d9f3b);
    h = (h ^ (h >>> 16)) >>> 0;
    return {
        id,
        category: CATEGORIES[h % CATEGORIES.length],
        amount: ((h >>> 8) % 20000) / 100 + 1,
    };
}
