import { readFile } from "node:fs/promises";
import type { PGlite } from "@electric-sql/pglite";
import { dataLossWarnings } from "./data-loss.js";
import { pgliteConnector, postgresConnector } from "./migration-connectors.js";
import { migrationFolderName, readMigrations, withLockfile, writeMigration } from "./migrations-dir.js";
import { projectPaths } from "./project-paths.js";
import { type MigrationList, type SchemaEngine, type SchemaFilter, withSchemaEngine } from "./schema-engine.js";

/** The database to migrate: an open PGlite (one process per data dir), or a PostgreSQL URL. */
export type MigrationTarget =
  | { kind: "pglite"; db: PGlite }
  | {
      kind: "postgres";
      url: string;
      /** Used instead of a throw-away `prisma_shadow_<uuid>` database when authoring migrations. */
      shadowDatabaseUrl?: string;
    };

export interface MigrateOptions {
  target: MigrationTarget;
  /** Defaults to `prisma/migrations` at the repository root. */
  migrationsDir?: string;
  /** Defaults to `prisma/schema.prisma`; pass `schema` to use another text without touching the file. */
  schemaPath?: string;
  schema?: string;
}

export interface MigrationStatus {
  /** Every migration folder, oldest first. */
  migrations: string[];
  /** Folders not applied to the database yet. */
  pending: string[];
  /** Applied to the database but missing from the folder. */
  unknown: string[];
  failed: string[];
  /** Applied, but their `migration.sql` changed afterwards. */
  edited: string[];
  upToDate: boolean;
}

export interface MigrationDraft {
  sql: string;
  /** Steps that can lose data or fail on existing rows (see data-loss.ts). */
  warnings: string[];
}

export interface NewMigration extends MigrationDraft {
  /** The folder name, `<YYYYMMDDHHMMSS>_<name>`. */
  name: string;
  /** The absolute path of the written `migration.sql`. */
  file: string;
}

const noFilter: SchemaFilter = { externalTables: [], externalEnums: [] };

interface Session {
  engine: SchemaEngine;
  /** The migrations folder as the engine wants it, read fresh for every command. */
  migrations(): Promise<MigrationList>;
  schema: { path: string; content: string };
}

async function run<T>(opts: MigrateOptions, fn: (session: Session) => Promise<T>): Promise<T> {
  const paths = projectPaths();
  const schemaPath = opts.schemaPath ?? paths.schemaPath;
  const schema = { path: schemaPath, content: opts.schema ?? (await readFile(schemaPath, "utf8")) };
  const { target } = opts;
  const connector = target.kind === "pglite" ? pgliteConnector(target.db) : postgresConnector(target.url, target);
  const migrations = () => readMigrations(opts.migrationsDir ?? paths.migrationsDir);
  return withSchemaEngine(connector, schema, (engine) => fn({ engine, migrations, schema }));
}

/** Applies every pending migration, oldest first (`prisma migrate deploy`). Returns the names applied. */
export async function deployMigrations(opts: MigrateOptions): Promise<string[]> {
  try {
    return await run(opts, async ({ engine, migrations }) => {
      const result = await engine.applyMigrations({ migrationsList: await migrations(), filters: noFilter });
      return result.appliedMigrationNames;
    });
  } catch (error) {
    // The engine names the SQL error but not the migration; the migrations table knows which one failed.
    const failed = await migrationStatus(opts).then(
      (s) => s.failed,
      () => [],
    );
    if (failed.length === 0) throw error;
    const message = error instanceof Error ? error.message : String(error);
    const hint = "Fix the database by hand, then mark it with `npm run db:migrate -- resolve --rolled-back <name>`";
    throw new Error(`Migration ${failed.join(", ")} failed: ${message}\n${hint} (or --applied).`, { cause: error });
  }
}

/** Compares the migrations folder with the database's `_prisma_migrations` table (`prisma migrate status`). */
export function migrationStatus(opts: MigrateOptions): Promise<MigrationStatus> {
  return run(opts, async ({ engine, migrations }) => {
    const migrationsList = await migrations();
    const diagnostic = await engine.diagnoseMigrationHistory({
      migrationsList,
      optInToShadowDatabase: false,
      filters: noFilter,
    });
    const { history, failedMigrationNames: failed, editedMigrationNames: edited } = diagnostic;
    const pending =
      history && history.diagnostic !== "migrationsDirectoryIsBehind" ? history.unappliedMigrationNames : [];
    const unknown = history && history.diagnostic !== "databaseIsBehind" ? history.unpersistedMigrationNames : [];
    return {
      migrations: migrationsList.migrationDirectories.map((m) => m.path),
      pending,
      unknown,
      failed,
      edited,
      upToDate: pending.length + unknown.length + failed.length + edited.length === 0,
    };
  });
}

/**
 * `prisma migrate resolve`: after a failed migration was repaired by hand, record it as rolled back (it will
 * be applied again by the next deploy) or as applied (the fix completed it).
 */
export function resolveMigration(
  opts: MigrateOptions & { name: string; as: "applied" | "rolled-back" },
): Promise<void> {
  return run(opts, async ({ engine, migrations }) => {
    if (opts.as === "rolled-back") await engine.markMigrationRolledBack({ migrationName: opts.name });
    else await engine.markMigrationApplied({ migrationName: opts.name, migrationsList: await migrations() });
  });
}

/**
 * Computes the next migration: replays the migrations folder on a shadow database and diffs it against the
 * schema (`createMigration` would ignore the shadow database, pitfall 2). Null when nothing changed.
 * Writes nothing and leaves the target database untouched.
 */
export function draftMigration(opts: MigrateOptions): Promise<MigrationDraft | null> {
  return run(opts, async ({ engine, migrations, schema }) => {
    const diff = await engine.diff({
      from: { tag: "migrations", ...withLockfile(await migrations()) },
      to: { tag: "schemaDatamodel", files: [schema] },
      script: true,
      exitCode: true,
      filters: noFilter,
    });
    if (diff.exitCode !== 2 || !diff.stdout) return null; // 2 = "the diff is not empty"
    return { sql: diff.stdout, warnings: dataLossWarnings(diff.stdout) };
  });
}

/** Writes a draft as `<YYYYMMDDHHMMSS>_<name>/migration.sql` plus `migration_lock.toml`, as stock Prisma does. */
export async function saveMigration(
  draft: MigrationDraft,
  name: string,
  migrationsDir?: string,
): Promise<NewMigration> {
  const folder = migrationFolderName(name);
  const file = await writeMigration(migrationsDir ?? projectPaths().migrationsDir, folder, draft.sql);
  return { ...draft, name: folder, file };
}

/** `prisma migrate dev --create-only`: drafts and saves the next migration; null when nothing changed. */
export async function createMigration(opts: MigrateOptions & { name: string }): Promise<NewMigration | null> {
  const draft = await draftMigration(opts);
  return draft && saveMigration(draft, opts.name, opts.migrationsDir);
}
