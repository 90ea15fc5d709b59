import { afterAll, beforeAll, expect, it } from "vitest";
import { createPostgresDatabase } from "../../testing/isolated-database.js";
import { type Database, openDatabase } from "./index.js";
import type { PlanCacheMode } from "./plan-cache-mode.js";

// Always on the PostgreSQL server (PGlite has no pool and no plan cache to speak of): the setting lives on
// each connection, so every connection of a full pool, and each of the reader's, is asked.
const POOL_SIZE = 3;
let scratch: Awaited<ReturnType<typeof createPostgresDatabase>>;
const opened: Database[] = [];
beforeAll(async () => {
  scratch = await createPostgresDatabase();
});
afterAll(async () => {
  for (const database of opened) await database.close();
  await scratch?.drop();
});

const PIPELINED = 2;
const MODE_AND_BACKEND = `SELECT current_setting('plan_cache_mode') AS "mode", pg_backend_pid() AS "backend", pg_sleep(0.05) IS NULL AS "slept"`;

/**
 * plan_cache_mode of each connection: every pooled one (transactions), read while all of them are busy at
 * once, and each pipelined one (every other query).
 */
async function planCacheModes(statementCacheSize: number, planCacheMode?: PlanCacheMode): Promise<string[]> {
  const database = await openDatabase({
    url: scratch.url,
    dataDir: "unused",
    poolSize: POOL_SIZE,
    statementCacheSize,
    planCacheMode,
    pipelinedConnections: PIPELINED,
  });
  opened.push(database);
  type Row = { mode: string; backend: number };
  // Transactions take pooled connections; everything else runs on the pipelined ones.
  const pooled = (
    await Promise.all(
      Array.from({ length: POOL_SIZE }, () =>
        database.prisma.$transaction((tx) => tx.$queryRawUnsafe<Row[]>(MODE_AND_BACKEND)),
      ),
    )
  ).flat();
  const read = (
    await Promise.all(Array.from({ length: 4 }, () => database.sql.rows<Row>({ sql: MODE_AND_BACKEND, args: [] })))
  ).flat();
  expect(new Set(pooled.map((row) => row.backend)).size).toBe(POOL_SIZE);
  expect(new Set(read.map((row) => row.backend)).size).toBe(PIPELINED);
  return [...new Set([...pooled, ...read].map((row) => row.mode))];
}

it("plans prepared statements once per connection: every connection uses generic plans", async () => {
  expect(await planCacheModes(100)).toEqual(["force_generic_plan"]);
});

it("leaves PostgreSQL's choice alone when no statement is prepared (DATABASE_STATEMENT_CACHE_SIZE=0)", async () => {
  expect(await planCacheModes(0)).toEqual(["auto"]);
});

it("uses the mode DATABASE_PLAN_CACHE_MODE names, and sets nothing for auto", async () => {
  expect(await planCacheModes(100, "force_custom_plan")).toEqual(["force_custom_plan"]);
  expect(await planCacheModes(100, "auto")).toEqual(["auto"]);
});
