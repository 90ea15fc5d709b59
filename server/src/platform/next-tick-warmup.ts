/** 5 rounds × 3,000 ticks: a few milliseconds. Ten times more left some processes GC-heavy. */
const ROUNDS = 5;
const TICKS_PER_ARITY = 1_000;

/**
 * Gets Node's `process.nextTick` optimized by V8 before the server takes traffic. Every request
 * schedules ~8 ticks inside Node's http and stream code, each building
 * `{ [async_id_symbol]: …, [trigger_async_id_symbol]: …, callback, args }`. In about half the
 * processes we started (Node 20, V8 11.3), the optimized nextTick built that object through V8's
 * runtime (`Runtime_DefineKeyedOwnPropertyInLiteral`, `JSObject::MigrateToMap`) for the life of the
 * process, ~22% more CPU per W1 request; which processes do is up to the type feedback V8 holds when
 * it optimizes nextTick. Ticks of each arity before then settle it. Measurements: BENCHMARKS.md, "nextTick".
 *
 * Written by hand: it is a workaround for a V8 behaviour, not something a library offers.
 */
export async function warmNextTick(): Promise<void> {
  const noop = (..._args: unknown[]) => {};
  for (let round = 0; round < ROUNDS; round++) {
    await new Promise<void>((resolve) => {
      for (let i = 0; i < TICKS_PER_ARITY; i++) {
        process.nextTick(noop);
        process.nextTick(noop, i);
        process.nextTick(noop, i, i);
      }
      setImmediate(resolve);
    });
  }
}
