import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "../../generated/prisma/client.js";
import { isUpToDate } from "./applied-migrations.js";
import { compilerWithoutText } from "./compiler-wasm.js";
import { deployMigrations, type MigrationTarget } from "./migrate.js";
import { IN_MEMORY, loadPglitePrismaAdapter, type OpenPglite, openPglite } from "./pglite.js";
import { DEFAULT_PIPELINED_CONNECTIONS, PipelinedPool } from "./pipelined-pool.js";
import { type PlanCacheMode, usePlanCacheMode } from "./plan-cache-mode.js";
import { defaultPoolSize } from "./pool-size.js";
import { projectPaths } from "./project-paths.js";
import { type SqlReader, sqlReader } from "./sql-reader.js";
import { DEFAULT_STATEMENT_CACHE_SIZE, statementNames } from "./statement-names.js";

export type PrismaDb = PrismaClient;

export interface Database {
  prisma: PrismaClient;
  /** Hand-written reads through the same driver and pool as `prisma` (see sql-reader.ts). */
  sql: SqlReader;
  kind: "pglite" | "postgres";
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  /** Disconnects Prisma and, for PGlite, closes the engine and releases the data directory. */
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** A `postgres://` or `postgresql://` URL; without one, the embedded PGlite in `dataDir` is used. */
  url?: string;
  /** PGlite's data directory; "memory://" keeps the database in memory. Ignored when `url` is set. */
  dataDir: string;
  /** Most connections to a PostgreSQL server (default: defaultPoolSize()). Ignored for PGlite. */
  poolSize?: number;
  /** Distinct statements prepared once per connection and reused (see statementNames); 0: none. Ignored for PGlite. */
  statementCacheSize?: number;
  /** How prepared statements are planned (see usePlanCacheMode; default: generic plans). Ignored for PGlite. */
  planCacheMode?: PlanCacheMode;
  /**
   * Pipelined connections that carry every query outside a transaction, besides the pool, which then serves
   * transactions only (see PipelinedPool; default DEFAULT_PIPELINED_CONNECTIONS); 0: every query takes a
   * pooled connection. Ignored for PGlite.
   */
  pipelinedConnections?: number;
  /** Apply pending migrations before returning (default true). */
  migrate?: boolean;
  /** Defaults to `prisma/migrations` at the repository root. */
  migrationsDir?: string;
  log?: (line: string) => void;
}

/**
 * Opens the application database and, unless `migrate === false`, applies pending migrations first, so
 * a server never runs against a schema older than its code. The returned object is plain data (tests
 * spread it to wrap `close`).
 */
export async function openDatabase(opts: OpenDatabaseOptions): Promise<Database> {
  const log = opts.log ?? (() => {});
  const url = opts.url || undefined;
  if (url && !/^postgres(ql)?:\/\//.test(url))
    throw new Error("The database URL must start with postgres:// or postgresql://");
  const started = performance.now();
  const opened = url
    ? await serverDatabase(url, opts.poolSize, opts.statementCacheSize, opts.planCacheMode, opts.pipelinedConnections)
    : await embeddedDatabase(await openPglite(opts.dataDir || IN_MEMORY));
  if (opts.migrate !== false) {
    try {
      const migrationsDir = opts.migrationsDir ?? projectPaths().migrationsDir;
      // The schema engine's wasm stays resident once loaded (~35 MB): skip it when a plain read of
      // `_prisma_migrations` shows nothing to apply, as on every start after the first.
      const upToDate = await isUpToDate(opened.target, migrationsDir);
      const applied = upToDate ? [] : await deployMigrations({ target: opened.target, migrationsDir });
      const took = `${Math.round(performance.now() - started)} ms`;
      log(
        applied.length ? `database: applied ${applied.join(", ")} (${took})` : `database: schema up to date (${took})`,
      );
    } catch (error) {
      await opened.close();
      throw error;
    }
  }
  return withoutTarget(opened);
}

/** A Database plus what the migrator needs to reach it. */
export interface OpenedDatabase extends Database {
  target: MigrationTarget;
}

/** The Database an OpenedDatabase is, without the migrator's handle (callers get plain data). */
export function withoutTarget({ target: _migratorOnly, ...database }: OpenedDatabase): Database {
  return database;
}

/** Wraps an open PGlite (exported for testing.ts, which opens PGlite from a snapshot). */
export async function embeddedDatabase(pglite: OpenPglite): Promise<OpenedDatabase> {
  const { PrismaPGlite } = await loadPglitePrismaAdapter();
  const adapter = new PrismaPGlite(pglite.db);
  const prisma = newClient(adapter);
  let closing: Promise<void> | undefined;
  return {
    prisma,
    sql: sqlReader(await adapter.connect()),
    kind: "pglite",
    target: { kind: "pglite", db: pglite.db },
    ping: () => ping(prisma),
    // The adapter's dispose leaves PGlite open, and an open PGlite keeps the process alive: close both.
    close: () => {
      closing ??= prisma.$disconnect().finally(() => pglite.close());
      return closing;
    },
  };
}

async function serverDatabase(
  url: string,
  poolSize = defaultPoolSize(),
  statementCacheSize = DEFAULT_STATEMENT_CACHE_SIZE,
  planCacheMode: PlanCacheMode = "force_generic_plan",
  pipelinedConnections = DEFAULT_PIPELINED_CONNECTIONS,
): Promise<OpenedDatabase> {
  // Without prepared statements PostgreSQL plans every call anyway; `auto` is the server's own setting.
  const onConnect =
    statementCacheSize > 0 && planCacheMode !== "auto"
      ? (client: pg.ClientBase) => usePlanCacheMode(client, planCacheMode)
      : undefined;
  // allowExitOnIdle: idle pooled connections never hold a finished process (or test worker) open.
  const pool = new pg.Pool({ connectionString: url, allowExitOnIdle: true, max: poolSize, onConnect });
  // Every query outside a transaction on a few pipelined connections (made from the pool's options, its
  // onConnect included); transactions on the pool.
  const queries = pipelinedConnections > 0 ? new PipelinedPool(pool, pipelinedConnections) : pool;
  // One factory, so the client's adapter and the reader's share the connections and the statement names (two
  // name generators would give one name to two texts on the same connection, which pg refuses).
  const adapter = new PrismaPg(queries, { statementNameGenerator: statementNames(statementCacheSize) });
  const prisma = newClient(adapter);
  let closing: Promise<void> | undefined;
  return {
    prisma,
    sql: sqlReader(await adapter.connect()),
    kind: "postgres",
    target: { kind: "postgres", url },
    ping: () => ping(prisma),
    // The pool is ours (handed to the adapter), so the adapter's dispose leaves it open: end it after Prisma.
    close: () => {
      closing ??= prisma.$disconnect().finally(() => queries.end());
      return closing;
    },
  };
}

async function ping(prisma: PrismaClient): Promise<void> {
  await prisma.$queryRaw`SELECT 1`;
}

/** A client on the adapter, its query compiler loaded without keeping its text (compiler-wasm.ts). */
function newClient(adapter: NonNullable<ConstructorParameters<typeof PrismaClient>[0]["adapter"]>): PrismaClient {
  // `__internal` is not in the client's options type, which refuses unknown keys.
  const options = { adapter, __internal: { configOverride: compilerWithoutText } };
  return new PrismaClient(options as { adapter: typeof adapter });
}
