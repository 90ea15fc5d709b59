import { randomBytes } from "node:crypto";
import { cp, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dataLossWarnings } from "./data-loss.js";
import { type Database, embeddedDatabase, openDatabase } from "./index.js";
import { createMigration, deployMigrations, draftMigration, type MigrationTarget, migrationStatus } from "./migrate.js";
import { IN_MEMORY, openPglite } from "./pglite.js";
import { projectPaths } from "./project-paths.js";
import { migratedSnapshot, openTestDatabase } from "./testing.js";

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
    const db = embeddedDatabase(pglite);
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

  it("a data directory opens in one place at a time and reopens with nothing pending", SLOW, async () => {
    const parent = await mkdtemp(path.join(tmpdir(), "trellis-pglite-"));
    const dataDir = path.join(parent, "nested", "pglite"); // the parent folder does not exist yet
    const lines: string[] = [];
    try {
      const first = await openDatabase({ dataDir, log: (line) => lines.push(line) });
      await expect(openDatabase({ dataDir })).rejects.toThrow(/already open in this process/);
      await first.close();
      const again = await openDatabase({ dataDir, log: (line) => lines.push(line) });
      await expectFreshlyMigrated(again);
      await again.close();
      expect(lines[0]).toMatch(/^database: applied /);
      expect(lines[1]).toMatch(/^database: schema up to date/);
    } finally {
      await rm(parent, { recursive: true, force: true });
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

  it("a second deploy is a no-op and status is up to date", async () => {
    expect(await deployMigrations({ target })).toEqual([]);
    expect(await migrationStatus({ target })).toMatchObject({ upToDate: true, migrations: await migrationFolders() });
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
