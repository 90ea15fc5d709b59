// The real server (server/src/main.ts, unchanged), plus one thing for measuring memory: SIGUSR2 runs
// a full garbage collection, so RSS before and after connecting subscribers compares settled heaps.
// Start with: node --expose-gc --import tsx bench/fanout/server-with-gc.mjs
process.on("SIGUSR2", () => globalThis.gc?.());
await import("../../server/src/main.ts");
