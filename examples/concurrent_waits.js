// Host calls return promises, so independent waits overlap: Promise.all over several
// ctx.sleep calls takes about as long as the longest one, not the sum. (ctx.sleep stands in
// for the datasource queries and API calls that later versions add; they behave the same way.)
//   analysis-sandbox run examples/concurrent_waits.js --params '{"delays_ms": [300, 100, 200]}'
export default {
    title: "Concurrent waits",

    dependencies: { datasources: [], analyses: [] },

    parameters: {
        delays_ms: {
            type: "multiselect",
            required: false,
            default: [250, 100, 175, 50],
            options: [
                { value: 50, label: "50 ms" },
                { value: 100, label: "100 ms" },
                { value: 175, label: "175 ms" },
                { value: 250, label: "250 ms" },
                { value: 300, label: "300 ms" },
            ],
            description: "One simulated task per entry, each waiting this long",
        },
    },

    async run(ctx, params) {
        const delays = (params.delays_ms ?? [250, 100, 175, 50]).map(Number);
        if (delays.length === 0 || delays.some(ms => !Number.isFinite(ms) || ms < 0)) {
            throw new RangeError(`delays_ms must be a non-empty list of numbers >= 0, got ${JSON.stringify(params.delays_ms)}`);
        }

        const task = async (name, ms) => {
            ctx.log(`${name}: waiting ${ms} ms`);
            await ctx.sleep(ms);
            ctx.log(`${name}: done`);
            return { name, ms };
        };
        const names = delays.map((_, i) => `task-${i + 1}`);

        // One after the other.
        let started = Date.now();
        for (let i = 0; i < delays.length; i++) await task(names[i], delays[i]);
        const sequentialMs = Date.now() - started;

        // All at once; completion order follows the delays, result order follows the input.
        started = Date.now();
        const finished = [];
        const results = await Promise.all(delays.map((ms, i) =>
            task(names[i], ms).then(r => { finished.push(r.name); return r; })));
        const concurrentMs = Date.now() - started;

        return {
            tasks: results,
            sum_of_delays_ms: delays.reduce((a, b) => a + b, 0),
            longest_delay_ms: Math.max(...delays),
            sequential_ms: sequentialMs,
            concurrent_ms: concurrentMs,
            completion_order: finished,
            stopped_early: ctx.shouldStop(),
        };
    },
};
