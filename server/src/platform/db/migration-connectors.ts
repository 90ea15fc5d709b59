import { randomUUID } from "node:crypto";
import type { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import { DriverAdapterError, type SqlDriverAdapter, type SqlQuery } from "@prisma/driver-adapter-utils";
import pg from "pg";
import { loadPglite, loadPglitePrismaAdapter } from "./pglite.js";
import type { MigrationConnector } from "./schema-engine.js";

/**
 * Wraps a driver adapter for the schema engine. Replaying a migration may arrive as one multi-statement
 * string through `executeRaw`, which the extended query protocol rejects: send it as a script (pitfall 3).
 */
function forMigrations(
  adapter: SqlDriverAdapter,
  runScript: (script: string) => Promise<void>,
  dispose: () => Promise<void>,
): SqlDriverAdapter {
  const isScript = (query: SqlQuery) => query.args.length === 0 && /;\s*\S/.test(query.sql);
  return {
    provider: adapter.provider,
    adapterName: adapter.adapterName,
    queryRaw: (query) => adapter.queryRaw(query),
    executeRaw: async (query) => (isScript(query) ? runScript(query.sql).then(() => 0) : adapter.executeRaw(query)),
    executeScript: runScript,
    startTransaction: (isolationLevel) => adapter.startTransaction(isolationLevel),
    getConnectionInfo: () => adapter.getConnectionInfo?.() ?? { supportsRelationJoins: true },
    dispose,
  };
}

/** PGlite's errors as the engine reports PostgreSQL errors (SQLSTATE, message, detail, hint). */
function pgliteError(error: unknown): unknown {
  const e = error as Error & { code?: unknown; severity?: string; detail?: string; column?: string; hint?: string };
  if (!(error instanceof Error) || typeof e.code !== "string") return error;
  const { code, severity = "ERROR", message, detail, column, hint } = e;
  return new DriverAdapterError({ kind: "postgres", code, severity, message, detail, column, hint });
}

async function pgliteAdapter(db: PGlite, dispose: () => Promise<void>): Promise<SqlDriverAdapter> {
  const { PrismaPGlite } = await loadPglitePrismaAdapter();
  const adapter = await new PrismaPGlite(db).connect();
  // The stock executeScript does not await `exec`: a failing migration would be recorded as applied.
  const runScript = async (script: string) => {
    await db.exec(script).catch((error: unknown) => Promise.reject(pgliteError(error)));
  };
  return forMigrations(adapter, runScript, dispose);
}

/**
 * Migrations against an open PGlite (the application's own instance: one process per data dir). The shadow
 * database is a throw-away in-memory PGlite that we close ourselves; the stock adapter leaks it.
 */
export function pgliteConnector(db: PGlite): MigrationConnector {
  const shadows = new Set<PGlite>();
  const closeShadow = async (shadow: PGlite) => {
    if (shadows.delete(shadow)) await shadow.close();
  };
  return {
    factory: {
      provider: "postgres",
      adapterName: "trellis-migrate-pglite",
      connect: () => pgliteAdapter(db, async () => {}),
      connectToShadowDb: async () => {
        const { PGlite } = await loadPglite();
        const shadow = await PGlite.create("memory://");
        shadows.add(shadow);
        return pgliteAdapter(shadow, () => closeShadow(shadow));
      },
    },
    close: async () => {
      await Promise.all([...shadows].map(closeShadow));
    },
  };
}

/** PostgreSQL's catalog type `"char"` (oid 18) is plain text to us; @prisma/adapter-pg rejects it (pitfall 4). */
function charAsText<T>(result: T): T {
  for (const one of Array.isArray(result) ? result : [result]) {
    for (const field of (one as { fields?: { dataTypeID: number }[] } | undefined)?.fields ?? []) {
      if (field.dataTypeID === 18) field.dataTypeID = 25;
    }
  }
  return result;
}

class CharAsTextClient extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super(config);
    const query = this.query.bind(this) as (...args: unknown[]) => unknown;
    // An own property, so both the promise form (adapter) and the callback form (pg.Pool.query) are covered.
    Object.assign(this, {
      query: (...args: unknown[]) => {
        const callback = args.at(-1);
        if (typeof callback === "function") {
          args[args.length - 1] = (error: unknown, result: unknown) =>
            callback(error, error ? result : charAsText(result));
        }
        const ret = query(...args);
        return ret instanceof Promise ? ret.then(charAsText) : ret;
      },
    });
  }
}

/** Runs SQL on its own short-lived connection (CREATE/DROP DATABASE cannot run inside a pool's session). */
async function runAdmin(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/**
 * Migrations against a PostgreSQL server. Each engine connection is a one-connection pool: the engine takes
 * a session-level advisory lock, which must be released on the connection that took it. Without
 * `shadowDatabaseUrl`, the shadow database is a fresh `prisma_shadow_<uuid>` created and dropped here
 * (the stock adapter-pg factory drops it while its own pool still holds it, and leaks a pool: pitfall 5);
 * with it, that database's `public` schema is emptied before every use, as stock Prisma resets it.
 */
export function postgresConnector(url: string, opts: { shadowDatabaseUrl?: string } = {}): MigrationConnector {
  const shadowDatabases = new Set<string>();
  const pools = new Set<pg.Pool>();
  const endPool = async (pool: pg.Pool) => {
    if (pools.delete(pool)) await pool.end();
  };
  const dropShadow = async (name: string) => {
    if (shadowDatabases.delete(name)) await runAdmin(url, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  };
  const connect = async (connectionString: string, afterDispose: () => Promise<void>) => {
    const pool = new pg.Pool({ connectionString, max: 1, allowExitOnIdle: true, Client: CharAsTextClient });
    pools.add(pool);
    const adapter = await new PrismaPg(pool).connect();
    // pg runs a parameterless query through the simple protocol, which accepts a whole script at once;
    // the stock executeScript splits on every ";", even inside strings and function bodies.
    const runScript = (script: string) => adapter.executeRaw({ sql: script, args: [], argTypes: [] }).then(() => {});
    return forMigrations(adapter, runScript, async () => {
      await endPool(pool);
      await afterDispose();
    });
  };
  return {
    factory: {
      provider: "postgres",
      adapterName: "trellis-migrate-pg",
      connect: () => connect(url, async () => {}),
      connectToShadowDb: async () => {
        if (opts.shadowDatabaseUrl) {
          // A given shadow database keeps the last replay; through adapters the engine does not reset it.
          await runAdmin(opts.shadowDatabaseUrl, "DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;");
          return connect(opts.shadowDatabaseUrl, async () => {});
        }
        const name = `prisma_shadow_${randomUUID().replaceAll("-", "")}`;
        await runAdmin(url, `CREATE DATABASE "${name}"`);
        shadowDatabases.add(name);
        return connect(withDatabase(url, name), () => dropShadow(name));
      },
    },
    close: async () => {
      await Promise.all([...pools].map(endPool));
      await Promise.all([...shadowDatabases].map(dropShadow));
    },
  };
}
