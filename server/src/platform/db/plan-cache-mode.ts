import type pg from "pg";

/** PostgreSQL's `plan_cache_mode` values (12 and later). */
export const PLAN_CACHE_MODES = ["force_generic_plan", "auto", "force_custom_plan"] as const;
export type PlanCacheMode = (typeof PLAN_CACHE_MODES)[number];

/**
 * Sets how a connection plans its prepared statements. The default, generic plans, plans each
 * statement once per connection. Left to choose (`auto`), PostgreSQL plans a statement afresh on every call
 * whenever its generic plan looks dearer than the custom ones. That is every statement with `LIMIT $n`,
 * because a generic plan must assume a tenth of the rows, so every list request's page was planned on every
 * call. With the list in one statement, PostgreSQL's CPU per list request fell from 114–143 to 65–72 µs
 * (BENCHMARKS.md, "The list in one statement, on a generic plan").
 *
 * The price is the usual one of generic plans: a value far off the column's statistics gets the plan made
 * for a typical one. With one owner holding 100 of 10,100 items, that owner's list ran at 0.83× of `auto`,
 * while the other owner's ran at 1.64×. `DATABASE_PLAN_CACHE_MODE=auto` gives the choice back to PostgreSQL.
 *
 * A plain SET, since PgBouncer refuses a startup option. It runs as the pool's `onConnect` hook, which pg-pool
 * (and PipelinedPool, for its connections) awaits before the connection's first query, so that query never
 * queues behind it (pg warns about queueing on a client, and pg 9 will refuse it).
 */
export async function usePlanCacheMode(client: pg.ClientBase, mode: PlanCacheMode): Promise<void> {
  await client.query(`SET plan_cache_mode = ${mode}`).catch(() => {
    // PostgreSQL before 12 has no such setting: its connections keep their own choice, and work as before.
  });
}
