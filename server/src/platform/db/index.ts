import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "../../generated/prisma/client.js";
import { isUpToDate } from "./applied-migrations.js";
import { deployMigrations, type MigrationTarget } from "./migrate.js";
import { IN_MEMORY, loadPglitePrismaAdapter, type OpenPglite, openPglite } from "./pglite.js";
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
    ? await serverDatabase(url, opts.poolSize, opts.statementCacheSize)
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
  const prisma = new PrismaClient({ adapter });
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
): Promise<OpenedDatabase> {
  // allowExitOnIdle: idle pooled connections never hold a finished process (or test worker) open.
  const pool = new pg.Pool({ connectionString: url, allowExitOnIdle: true, max: poolSize });
  if (statementCacheSize > 0) pool.on("connect", preferGenericPlans);
  // One factory, so the client's adapter and the reader's share the pool and the statement names (two
  // name generators would give one name to two texts on the same connection, which pg refuses).
  const adapter = new PrismaPg(pool, { statementNameGenerator: statementNames(statementCacheSize) });
  const prisma = new PrismaClient({ adapter });
  let closing: Promise<void> | undefined;
  return {
    prisma,
    sql: sqlReader(await adapter.connect()),
    kind: "postgres",
    target: { kind: "postgres", url },
    ping: () => ping(prisma),
    // The pool is ours (handed to the adapter), so the adapter's dispose leaves it open: end it after Prisma.
    close: () => {
      closing ??= prisma.$disconnect().finally(() => pool.end());
      return closing;
    },
  };
}

/**
 * Prepared statements run on a generic plan, made once per connection. Left to choose (`auto`), PostgreSQL
 * plans a statement afresh on every call whenever its generic plan looks dearer than the custom ones. That is
 * every statement with `LIMIT $n` (a generic plan must assume a tenth of the rows), so every list request's
 * page was planned on every call. With the list in one statement, PostgreSQL's CPU per list request fell from 114–143 to 65–72 µs
 * (BENCHMARKS.md, "The list in one statement, on a generic plan"). The price is the usual one of generic
 * plans: a value far off the column's statistics (an owner with most of the items) gets the plan made for a
 * typical one. A plain SET, run before the connection's first query (a client runs its queries in order),
 * where a startup option would be refused by PgBouncer.
 */
function preferGenericPlans(client: pg.PoolClient) {
  client.query("SET plan_cache_mode = force_generic_plan").catch(() => {
    // PostgreSQL before 12 has no such setting: its connections keep their own choice, and work as before.
  });
}

async function ping(prisma: PrismaClient): Promise<void> {
  await prisma.$queryRaw`SELECT 1`;
}
