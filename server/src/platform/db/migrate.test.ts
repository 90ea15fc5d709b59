import { randomBytes } from "node:crypto";
import { appendFile, cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { isUpToDate } from "./applied-migrations.js";
import { dataLossWarnings } from "./data-loss.js";
import { type Database, embeddedDatabase, openDatabase } from "./index.js";
import { createMigration, deployMigrations, draftMigration, type MigrationTarget, migrationStatus } from "./migrate.js";
import { IN_MEMORY, openPglite } from "./pglite.js";
import { projectPaths } from "./project-paths.js";
import { withSchemaEngine } from "./schema-engine.js";
import { migratedSnapshot, openTestDatabase } from "./testing.js";

// Counts schema engine sessions (every one loads the engine's wasm first) without changing what they do.
vi.mock("./schema-engine.js", async (importOriginal) => {
  const actual = await importOriginal<typeof import("./schema-engine.js")>();
  return { ...actual, withSchemaEngine: vi.fn(actual.withSchemaEngine) };
});
const engineSessions = vi.mocked(withSchemaEngine);

/** The PostgreSQL server the team's machines and CI run (trust auth); each run gets its own database. */
const SERVER_URL = "postgresql://postgres@127.0.0.1:5432/test";
const SLOW = { timeout: 60_000 };

const migrationFolders = async () =>
  (await readdir(projectPaths().migrationsDir, { withFileTypes: true }))
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();

/** The schema with one more column, as a developer would edit it. */
const schemaWithSku = async () =>
  (await readFile(projectPaths().schemaPath, "utf8")).replace(/(model Item \{\n)/, "$1  sku         String?\n");

async function expectFreshlyMigrated(db: Database) {
  const tables = await db.prisma.$queryRaw<{ name: string }[]>`
    SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`;
  // One table per model of schema.prisma, plus Prisma's own bookkeeping.
  const models = [...(await readFile(projectPaths().schemaPath, "utf8")).matchAll(/^model (\w+) \{/gm)].map(
    (m) => m[1],
  );
  expect(models).toContain("User");
  expect(tables.map((t) => t.name)).toEqual([...models, "_prisma_migrations"].sort());
  const rows = await db.prisma.$queryRaw<{ migration_name: string; finished: boolean; rolled_back: boolean }[]>`
    SELECT migration_name, finished_at IS NOT NULL AS finished, rolled_back_at IS NOT NULL AS rolled_back
    FROM _prisma_migrations ORDER BY migration_name`;
  const folders = await migrationFolders();
  expect(rows).toEqual(folders.map((migration_name) => ({ migration_name, finished: true, rolled_back: false })));
}

/** Runs `fn` on a throw-away copy of the project's migrations folder. */
async function withMigrationsCopy<T>(fn: (migrationsDir: string) => Promise<T>): Promise<T> {
  const migrationsDir = await mkdtemp(path.join(tmpdir(), "trellis-migrations-"));
  try {
    await cp(projectPaths().migrationsDir, migrationsDir, { recursive: true });
    return await fn(migrationsDir);
  } finally {
    await rm(migrationsDir, { recursive: true, force: true });
  }
}

const EXTRA_MIGRATION = "29991231000000_add_extra";

/** Adds a migration after the project's own, as the next release would. */
async function addExtraMigration(migrationsDir: string): Promise<void> {
  await mkdir(path.join(migrationsDir, EXTRA_MIGRATION));
  await writeFile(path.join(migrationsDir, EXTRA_MIGRATION, "migration.sql"), 'CREATE TABLE "Extra" ("id" INTEGER);\n');
}

/**
 * The start-up pre-check on a freshly migrated database: up to date, but not against an edited migration
 * or with a failed migration recorded. Leaves the database as it found it.
 */
async function expectPrecheckOnMigrated(target: MigrationTarget, db: Database) {
  const projectDir = projectPaths().migrationsDir;
  expect(await isUpToDate(target, projectDir)).toBe(true);

  // The checksum the engine stored is the one the pre-check computes: an edit is seen.
  await withMigrationsCopy(async (dir) => {
    const [first] = await migrationFolders();
    await appendFile(path.join(dir, first ?? "", "migration.sql"), "\n-- edited after it was applied\n");
    expect(await isUpToDate(target, dir)).toBe(false);
  });
  await withMigrationsCopy(async (dir) => {
    await rm(path.join(dir, (await migrationFolders())[0] ?? "", "migration.sql"));
    expect(await isUpToDate(target, dir)).toBe(false); // unreadable: the engine reports it
  });

  // The last migration failed half-way (as the engine records it: started, never finished).
  const last = (await migrationFolders()).at(-1) ?? "";
  await db.prisma.$executeRaw`UPDATE _prisma_migrations SET finished_at = NULL WHERE migration_name = ${last}`;
  expect(await isUpToDate(target, projectDir)).toBe(false);
  await db.prisma.$executeRaw`UPDATE _prisma_migrations SET finished_at = now() WHERE migration_name = ${last}`;
  expect(await isUpToDate(target, projectDir)).toBe(true);

  // A failed retry recorded next to the applied row.
  await db.prisma.$executeRaw`
    INSERT INTO _prisma_migrations (id, checksum, migration_name)
    SELECT 'precheck-failed', checksum, migration_name FROM _prisma_migrations WHERE migration_name = ${last}`;
  expect(await isUpToDate(target, projectDir)).toBe(false);
  // Once marked rolled back it is history, as for the engine.
  await db.prisma.$executeRaw`UPDATE _prisma_migrations SET rolled_back_at = now() WHERE id = 'precheck-failed'`;
  expect(await isUpToDate(target, projectDir)).toBe(true);
  await db.prisma.$executeRaw`DELETE FROM _prisma_migrations WHERE id = 'precheck-failed'`;
}

async function expectUniqueEmails(db: Database) {
  const user = { email: "dup@example.com", name: "Dup", passwordHash: "x" };
  await db.prisma.user.create({ data: user });
  await expect(db.prisma.user.create({ data: user })).rejects.toMatchObject({ code: "P2002" });
}

/** A schema edit diffed against a copy of the migrations folder becomes a new migration that applies. */
async function expectNewMigrationFromSchemaChange(target: MigrationTarget, db: Database) {
  const migrationsDir = await mkdtemp(path.join(tmpdir(), "trellis-migrations-"));
  try {
    await cp(projectPaths().migrationsDir, migrationsDir, { recursive: true });
    const created = await createMigration({ target, migrationsDir, schema: await schemaWithSku(), name: "addItemSku" });
    expect(created?.name).toMatch(/^\d{14}_add_item_sku$/);
    expect(created?.sql).toMatch(/ALTER TABLE "Item" ADD COLUMN\s+"sku" TEXT;/);
    expect(created?.warnings).toEqual([]);
    expect(await readFile(path.join(migrationsDir, created?.name ?? "", "migration.sql"), "utf8")).toBe(created?.sql);
    expect(await readFile(path.join(migrationsDir, "migration_lock.toml"), "utf8")).toContain(
      'provider = "postgresql"',
    );

    expect(await deployMigrations({ target, migrationsDir })).toEqual([created?.name]);
    await db.prisma.$executeRaw`UPDATE "Item" SET "sku" = 'x' WHERE false`; // the column now exists
    expect(await migrationStatus({ target, migrationsDir })).toMatchObject({ upToDate: true, pending: [] });
  } finally {
    await rm(migrationsDir, { recursive: true, force: true });
  }
}

describe("migrations on embedded PGlite", () => {
  it("openDatabase applies every migration to a new in-memory database", SLOW, async () => {
    const db = await openDatabase({ dataDir: IN_MEMORY });
    try {
      await db.ping();
      await expectFreshlyMigrated(db);
      await expectUniqueEmails(db);
    } finally {
      await db.close();
    }
  });

  it("a second deploy is a no-op, status is up to date, and a schema change becomes a migration", SLOW, async () => {
    // Starts from the migrated snapshot: the test above already covers migrating an empty database.
    const pglite = await openPglite(IN_MEMORY, { loadDataDir: await migratedSnapshot() });
    const target: MigrationTarget = { kind: "pglite", db: pglite.db };
    const db = await embeddedDatabase(pglite);
    try {
      await expectFreshlyMigrated(db);
      expect(await deployMigrations({ target })).toEqual([]);
      const status = await migrationStatus({ target });
      expect(status).toEqual({
        migrations: await migrationFolders(),
        pending: [],
        unknown: [],
        failed: [],
        edited: [],
        upToDate: true,
      });
      await expectNewMigrationFromSchemaChange(target, db);
    } finally {
      await db.close();
    }
  });

  it("a data directory opens in one place at a time and reopens without loading the schema engine", SLOW, async () => {
    const parent = await mkdtemp(path.join(tmpdir(), "trellis-pglite-"));
    const dataDir = path.join(parent, "nested", "pglite"); // the parent folder does not exist yet
    const lines: string[] = [];
    try {
      engineSessions.mockClear();
      const first = await openDatabase({ dataDir, log: (line) => lines.push(line) });
      expect(engineSessions).toHaveBeenCalledTimes(1); // a new database: the engine applies the migrations
      await expect(openDatabase({ dataDir })).rejects.toThrow(/already open in this process/);
      await first.close();
      engineSessions.mockClear();
      const again = await openDatabase({ dataDir, log: (line) => lines.push(line) });
      expect(engineSessions).not.toHaveBeenCalled(); // nothing to apply: the pre-check said so
      await expectFreshlyMigrated(again);
      await again.close();
      expect(lines[0]).toMatch(/^database: applied /);
      expect(lines[1]).toMatch(/^database: schema up to date/);
    } finally {
      await rm(parent, { recursive: true, force: true });
    }
  });

  it(
    "the start-up pre-check: up to date once migrated, not after a new, edited or failed migration",
    SLOW,
    async () => {
      const pglite = await openPglite(IN_MEMORY, { loadDataDir: await migratedSnapshot() });
      const target: MigrationTarget = { kind: "pglite", db: pglite.db };
      const db = await embeddedDatabase(pglite);
      try {
        await expectPrecheckOnMigrated(target, db);
        await withMigrationsCopy(async (dir) => {
          await addExtraMigration(dir);
          expect(await isUpToDate(target, dir)).toBe(false);
          expect(await deployMigrations({ target, migrationsDir: dir })).toEqual([EXTRA_MIGRATION]);
          expect(await isUpToDate(target, dir)).toBe(true);
        });
        // The database is now ahead of the project's folder (an older release on a newer database).
        expect(await isUpToDate(target, projectPaths().migrationsDir)).toBe(false);
        await db.prisma.$executeRaw`DROP TABLE _prisma_migrations`;
        expect(await isUpToDate(target, projectPaths().migrationsDir)).toBe(false);
      } finally {
        await db.close();
      }
    },
  );

  it("upgrading a database that has items: the new item counts start from them", SLOW, async () => {
    const countsMigration = (await migrationFolders()).find((name) => name.endsWith("_item_counts")) ?? "";
    expect(countsMigration).not.toBe("");
    const pglite = await openPglite(IN_MEMORY);
    const target: MigrationTarget = { kind: "pglite", db: pglite.db };
    const db = await embeddedDatabase(pglite);
    try {
      await withMigrationsCopy(async (dir) => {
        // The release before: every migration up to the counts.
        await rm(path.join(dir, countsMigration), { recursive: true });
        await deployMigrations({ target, migrationsDir: dir });
      });
      await db.prisma.$executeRaw`INSERT INTO "User" (email, name, "passwordHash", "updatedAt")
        VALUES ('a@example.com', 'A', 'x', now()), ('b@example.com', 'B', 'x', now())`;
      await db.prisma.$executeRaw`INSERT INTO "Item" (title, "ownerId", "updatedAt")
        SELECT 'item ' || i, CASE WHEN i <= 3 THEN 1 ELSE 2 END, now() FROM generate_series(1, 8) AS i`;
      expect(await deployMigrations({ target })).toEqual([countsMigration]);
      const sums = await db.prisma.itemCount.groupBy({ by: ["scope"], _sum: { n: true }, orderBy: { scope: "asc" } });
      expect(sums.map((row) => [row.scope, row._sum.n])).toEqual([
        [0, 8],
        [1, 3],
        [2, 5],
      ]);
    } finally {
      await db.close();
    }
  });

  it("openTestDatabase gives each caller its own migrated database", SLOW, async () => {
    const [a, b] = [await openTestDatabase(), await openTestDatabase()];
    try {
      await expectFreshlyMigrated(a);
      await a.prisma.user.create({ data: { email: "only-a@example.com", name: "A", passwordHash: "x" } });
      expect(await b.prisma.user.count()).toBe(0);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe("migrations on PostgreSQL", () => {
  const name = `trellis_migrate_test_${randomBytes(4).toString("hex")}`;
  const url = Object.assign(new URL(SERVER_URL), { pathname: `/${name}` }).toString();
  const target: MigrationTarget = { kind: "postgres", url };
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: SERVER_URL });
    await client.connect();
    await client.query(sql).finally(() => client.end());
  };
  /** Runs `fn` on a new, empty database of its own, dropped afterwards. */
  const withScratchDatabase = async (fn: (url: string) => Promise<void>) => {
    const scratch = `${name}_${randomBytes(4).toString("hex")}`;
    await admin(`CREATE DATABASE "${scratch}"`);
    try {
      await fn(Object.assign(new URL(SERVER_URL), { pathname: `/${scratch}` }).toString());
    } finally {
      await admin(`DROP DATABASE IF EXISTS "${scratch}" WITH (FORCE)`);
    }
  };
  let db: Database;

  beforeAll(async () => {
    await admin(`CREATE DATABASE "${name}"`);
    db = await openDatabase({ url, dataDir: "unused" });
  });
  afterAll(async () => {
    await db?.close();
    await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  });

  it("openDatabase applies every migration", async () => {
    await db.ping();
    await expectFreshlyMigrated(db);
    await expectUniqueEmails(db);
  });

  it("opens at most poolSize connections however many queries wait", async () => {
    const small = await openDatabase({ url, dataDir: "unused", poolSize: 2 });
    const observer = new pg.Client({ connectionString: url });
    await observer.connect();
    try {
      // Prisma's queries start when awaited: Promise.all sends all six at once.
      const sleeping = Promise.all(Array.from({ length: 6 }, () => small.prisma.$queryRaw`SELECT pg_sleep(0.3)::text`));
      await new Promise((resolve) => setTimeout(resolve, 150));
      const { rows } = await observer.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '%pg_sleep%' AND pid <> pg_backend_pid()",
      );
      expect(rows[0]?.n).toBe(2);
      await sleeping;
    } finally {
      await observer.end();
      await small.close();
    }
  });

  it("prepares the first statementCacheSize distinct statements once per connection, and no more", async () => {
    const prepared = async (statementCacheSize: number) => {
      const one = await openDatabase({ url, dataDir: "unused", poolSize: 1, statementCacheSize, migrate: false });
      try {
        const answers = [];
        for (const round of [1, 2]) {
          answers.push(await one.prisma.$queryRaw`SELECT ${round}::int AS n`);
          answers.push(await one.prisma.$queryRaw`SELECT ${round}::int + 10 AS n`);
          answers.push(await one.prisma.$queryRaw`SELECT ${round}::int + 20 AS n`);
        }
        expect(answers).toEqual([1, 11, 21, 2, 12, 22].map((n) => [{ n }]));
        // The same (only) connection: what its session holds prepared.
        return await one.prisma.$queryRaw<{ name: string; statement: string }[]>`
          SELECT name, statement FROM pg_prepared_statements ORDER BY name`;
      } finally {
        await one.close();
      }
    };
    expect(await prepared(2)).toEqual([
      { name: "trellis_0", statement: "SELECT $1::int AS n" },
      { name: "trellis_1", statement: "SELECT $1::int + 10 AS n" },
    ]);
    expect(await prepared(0)).toEqual([]);
  });

  it("a second deploy is a no-op and status is up to date", async () => {
    expect(await deployMigrations({ target })).toEqual([]);
    expect(await migrationStatus({ target })).toMatchObject({ upToDate: true, migrations: await migrationFolders() });
  });

  it(
    "the start-up pre-check: up to date once migrated, not after a new, edited or failed migration",
    SLOW,
    async () => {
      await withScratchDatabase(async (url) => {
        const target: MigrationTarget = { kind: "postgres", url };
        expect(await isUpToDate(target, projectPaths().migrationsDir)).toBe(false); // empty: no migrations table
        const lines: string[] = [];
        const scratchDb = await openDatabase({ url, dataDir: "unused", log: (line) => lines.push(line) });
        try {
          await expectPrecheckOnMigrated(target, scratchDb);
          await withMigrationsCopy(async (dir) => {
            await addExtraMigration(dir);
            expect(await isUpToDate(target, dir)).toBe(false);
            // A restart with the next release's folder still migrates.
            const next = await openDatabase({ url, dataDir: "unused", migrationsDir: dir, log: (l) => lines.push(l) });
            await next.prisma.$executeRaw`SELECT "id" FROM "Extra"`;
            await next.close();
            expect(await isUpToDate(target, dir)).toBe(true);
          });
          expect(lines[0]).toMatch(/^database: applied /);
          expect(lines[1]).toMatch(new RegExp(`^database: applied ${EXTRA_MIGRATION} \\(\\d+ ms\\)$`));
          expect(await isUpToDate(target, projectPaths().migrationsDir)).toBe(false); // the database is ahead
        } finally {
          await scratchDb.close();
        }
      });
    },
  );

  it("the start-up pre-check answers false when it cannot connect (the engine then reports why)", async () => {
    const missing = Object.assign(new URL(SERVER_URL), { pathname: `/${name}_missing` }).toString();
    expect(await isUpToDate({ kind: "postgres", url: missing }, projectPaths().migrationsDir)).toBe(false);
    // The engine's own message, also when Prisma's client (which installs its own panic registry) is loaded.
    await expect(openDatabase({ url: missing, dataDir: IN_MEMORY })).rejects.toThrow(
      `${name}_missing\` does not exist`,
    );
  });

  it("a schema change becomes a migration; an unchanged schema yields none", SLOW, async () => {
    expect(await draftMigration({ target })).toBeNull(); // prisma/schema.prisma matches prisma/migrations
    await expectNewMigrationFromSchemaChange(target, db);
  });
});

describe("data-loss warnings", () => {
  it("flags dropped columns and required columns without a default, not new tables", async () => {
    const sql = 'ALTER TABLE "Item" DROP COLUMN "description",\nADD COLUMN     "sku" TEXT NOT NULL;\n';
    expect(dataLossWarnings(sql)).toEqual([
      `ALTER TABLE "Item" DROP COLUMN "description": the column's data is lost.`,
      `ALTER TABLE "Item" ADD COLUMN "sku" TEXT NOT NULL: a required column without a default fails if the table has rows.`,
    ]);
    const [init] = await migrationFolders();
    expect(
      dataLossWarnings(await readFile(path.join(projectPaths().migrationsDir, init ?? "", "migration.sql"), "utf8")),
    ).toEqual([]);
  });
});
