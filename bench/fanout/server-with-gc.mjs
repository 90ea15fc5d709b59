// The real server as production runs it (server/dist/main.js, built by `npm run build`), plus one thing
// for measuring memory: SIGUSR2 runs a full garbage collection, so RSS before and after connecting
// subscribers compares settled heaps. Start with: node --expose-gc bench/fanout/server-with-gc.mjs
process.on("SIGUSR2", () => globalThis.gc?.());
await import("../../server/dist/main.js");
