import { createHash } from "node:crypto";
import pg from "pg";
import type { MigrationTarget } from "./migrate.js";
import { readMigrations } from "./migrations-dir.js";

/**
 * The start-up pre-check: true when `_prisma_migrations` already records every migration folder as applied,
 * unchanged, and nothing else, so `deployMigrations` would apply nothing.
 *
 * Hand-written because Prisma has no "is anything pending" check that avoids the schema engine, and loading
 * the engine's wasm costs ~35 MB of RSS for the life of the process (wasm-bindgen binds it globally; it
 * cannot be freed). So it reads the table the engine itself writes, with plain SQL.
 *
 * Conservative by design: a wrong `false` only costs an engine load (which then applies nothing or reports
 * the problem properly); a wrong `true` would skip a migration. So anything unexpected (no table, an
 * unreadable migration.sql, a failed or unknown row, a query or connection error) answers `false`.
 */
export async function isUpToDate(target: MigrationTarget, migrationsDir: string): Promise<boolean> {
  try {
    const list = await readMigrations(migrationsDir);
    // The engine refuses to deploy when the lockfile names another provider: let it say so.
    if (list.lockfile.content !== null && !/^provider = "postgresql"\s*$/m.test(list.lockfile.content)) return false;
    const expected = new Map<string, string>();
    for (const { path, migrationFile } of list.migrationDirectories) {
      if (migrationFile.content.tag !== "ok") return false;
      // Prisma's checksum: the SHA-256 hex of the migration.sql text (checked in migrate.test.ts).
      expected.set(path, createHash("sha256").update(migrationFile.content.value).digest("hex"));
    }
    const rows = await appliedRows(target);
    if (!rows) return false;
    const applied = new Map<string, number>();
    for (const row of rows) {
      const checksum = expected.get(row.migration_name);
      if (checksum === undefined) return false; // a migration this folder does not have
      if (row.rolled_back) continue; // rolled back rows are history; the folder still needs an applied row
      if (!row.finished) return false; // failed (or running elsewhere): the engine reports it
      if (row.checksum !== checksum) return false; // edited after it was applied
      applied.set(row.migration_name, (applied.get(row.migration_name) ?? 0) + 1);
    }
    return [...expected.keys()].every((name) => applied.get(name) === 1);
  } catch {
    return false;
  }
}

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished: boolean;
  rolled_back: boolean;
}

// Unqualified, as the engine names it: the table lives in the connection's search_path (checked first, so
// a new database does not log an "undefined table" error on the server).
const TABLE_EXISTS = `SELECT to_regclass('"_prisma_migrations"') IS NOT NULL AS "exists"`;
const APPLIED_ROWS = `SELECT migration_name, checksum, finished_at IS NOT NULL AS finished,
  rolled_back_at IS NOT NULL AS rolled_back FROM "_prisma_migrations"`;

/** The table's rows, or null when it does not exist. */
async function appliedRows(target: MigrationTarget): Promise<AppliedRow[] | null> {
  if (target.kind === "pglite") {
    const exists = await target.db.query<{ exists: boolean }>(TABLE_EXISTS);
    if (exists.rows[0]?.exists !== true) return null;
    return (await target.db.query<AppliedRow>(APPLIED_ROWS)).rows;
  }
  // A short-lived connection of its own: the application's pool does not exist yet at this point.
  const client = new pg.Client({ connectionString: target.url, connectionTimeoutMillis: 10_000 });
  client.on("error", () => {}); // a dropped connection fails the pending query instead of crashing the process
  try {
    await client.connect();
    const exists = await client.query<{ exists: boolean }>(TABLE_EXISTS);
    if (exists.rows[0]?.exists !== true) return null;
    return (await client.query<AppliedRow>(APPLIED_ROWS)).rows;
  } finally {
    await client.end().catch(() => {});
  }
}
