// The smallest useful analysis: read a parameter (with a default) and return an object.
//   analysis-sandbox run examples/hello.js --params '{"name": "Ada"}'
export default {
    title: "Hello",

    dependencies: { datasources: [], analyses: [] },

    parameters: {
        name: {
            type: "string",
            required: false,
            default: "world",
            description: "Who to greet",
        },
        excited: {
            type: "boolean",
            required: false,
            default: false,
            description: "End the greeting with an exclamation mark",
        },
    },

    run(ctx, params) {
        // The CLI does not apply parameter defaults yet, so read every parameter with `??`.
        const name = params.name ?? "world";
        const excited = params.excited ?? false;
        const greeting = `Hello, ${name}${excited ? "!" : "."}`;
        ctx.log("greeting", name);
        return {
            greeting,
            name,
            characters: greeting.length,
            generated_at: new Date(),  // a Date becomes an ISO-8601 UTC string in the result
        };
    },
};
