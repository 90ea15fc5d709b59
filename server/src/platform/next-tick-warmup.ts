/**
 * Gets Node's `process.nextTick` optimized by V8 before the server takes traffic. Every request
 * schedules ~8 ticks inside Node's http and stream code, and each tick builds
 * `{ [async_id_symbol]: …, [trigger_async_id_symbol]: …, callback, args }`. In about half the
 * processes we started (Node 20, V8 11.3), the optimized nextTick built that object through V8's
 * runtime instead (`Runtime_DefineKeyedOwnPropertyInLiteral` and `JSObject::MigrateToMap` per tick):
 * ~34,000 more instructions per request under callgrind, a median 46.5 µs of CPU per GET /trpc/health.live
 * instead of 37.5 µs (21 processes), for the whole life of the process. It depends on the type feedback V8 has
 * collected when it optimizes nextTick, which a server's start-up leaves to chance; 15,000 ticks
 * (a few milliseconds) first settle it. Measured on 8 interleaved pairs of fresh processes: 38.9–41.7
 * µs per request with the warm-up, 35.5–53.7 without; no warmed process has shown the slow path
 * (BENCHMARKS.md, "nextTick"). A ten times longer warm-up left some processes in a GC-heavy state.
 *
 * Written by hand: it is a workaround for a V8 behaviour, not something a library offers.
 */
export async function warmNextTick(rounds = 5): Promise<void> {
  const noop = (..._args: unknown[]) => {};
  for (let round = 0; round < rounds; round++) {
    await new Promise<void>((resolve) => {
      for (let i = 0; i < 1_000; i++) {
        process.nextTick(noop);
        process.nextTick(noop, i);
        process.nextTick(noop, i, i);
      }
      setImmediate(resolve);
    });
  }
}
