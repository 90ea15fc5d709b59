// Prisma migrations without Prisma's native engine (this machine is offline): the same commands, driven
// through Prisma's WebAssembly schema engine. Usage: npm run db:migrate -- <deploy | dev NAME | status | resolve>
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import {
  deployMigrations,
  draftMigration,
  type MigrationTarget,
  migrationStatus,
  resolveMigration,
  saveMigration,
} from "../server/src/platform/db/migrate.js";
import { openPglite, resolvePgliteDir } from "../server/src/platform/db/pglite.js";
import { projectPaths } from "../server/src/platform/db/project-paths.js";

const USAGE = `Usage: npm run db:migrate -- <command>

  deploy                 apply every pending migration
  dev <name> [options]   write a migration for the changes in prisma/schema.prisma, then apply it
      --create-only      only write the migration
      --force            go ahead even when the migration would lose data
      --skip-generate    do not run \`prisma generate\` afterwards
  status                 list pending, failed or edited migrations (exit code 1 unless up to date)
  resolve --rolled-back <name> | --applied <name>
                         after repairing a failed migration by hand: mark it rolled back (the next
                         deploy retries it) or applied

Database: DATABASE_URL (postgres:// or postgresql://) if set, else PGlite in PGLITE_DIR (default .data/pglite).
Authoring uses a shadow database: a throw-away prisma_shadow_<uuid>, or SHADOW_DATABASE_URL if set.`;

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const flags = new Set(rest.filter((arg) => arg.startsWith("--")));
  const args = rest.filter((arg) => !arg.startsWith("--"));
  if (!command || command === "help" || flags.has("--help")) return print(USAGE, 0);
  if (!["deploy", "dev", "status", "resolve"].includes(command)) throw new UsageError(`Unknown command "${command}".`);
  const name = args[0];
  if (command === "dev" && !name)
    throw new UsageError("Name the migration, e.g. `npm run db:migrate -- dev add_item_sku`.");
  const as = flags.has("--applied") ? "applied" : flags.has("--rolled-back") ? "rolled-back" : undefined;
  if (command === "resolve" && (!name || !as))
    throw new UsageError("resolve needs --rolled-back <name> or --applied <name>.");

  const { target, label, close } = await openTarget();
  console.log(`Database: ${label}`);
  try {
    if (command === "deploy") return reportApplied(await deployMigrations({ target }));
    if (command === "status") return await status(target);
    if (command === "resolve" && name && as) {
      await resolveMigration({ target, name, as });
      return print(`Marked ${name} as ${as}.`, 0);
    }
    return await dev(target, name ?? "", flags);
  } finally {
    await close();
  }
}

async function openTarget(): Promise<{ target: MigrationTarget; label: string; close(): Promise<void> }> {
  const url = process.env.DATABASE_URL;
  if (url) {
    if (!/^postgres(ql)?:\/\//.test(url))
      throw new UsageError("DATABASE_URL must start with postgres:// or postgresql://");
    const where = new URL(url);
    const shadowDatabaseUrl = process.env.SHADOW_DATABASE_URL || undefined;
    return {
      target: { kind: "postgres", url, shadowDatabaseUrl },
      label: `PostgreSQL ${where.host}${where.pathname}`,
      close: async () => {},
    };
  }
  const dataDir = resolvePgliteDir(process.env.PGLITE_DIR || projectPaths().pgliteDataDir);
  const pglite = await openPglite(dataDir);
  return {
    target: { kind: "pglite", db: pglite.db },
    label: `PGlite ${path.relative(process.cwd(), dataDir) || "."}`,
    close: pglite.close,
  };
}

function reportApplied(applied: string[]): number {
  if (applied.length === 0) return print("No pending migrations to apply.", 0);
  return print(`Applied ${applied.length} migration(s):\n${applied.map((name) => `  ${name}`).join("\n")}`, 0);
}

async function status(target: MigrationTarget): Promise<number> {
  const s = await migrationStatus({ target });
  console.log(`${s.migrations.length} migration(s) in ${path.relative(process.cwd(), projectPaths().migrationsDir)}`);
  const list = (title: string, names: string[]) =>
    names.length && console.log(`${title}:\n${names.map((n) => `  ${n}`).join("\n")}`);
  list("Not yet applied", s.pending);
  list("Failed (fix the database, then mark or re-apply)", s.failed);
  list("Edited after being applied", s.edited);
  list("Applied to the database but missing from the folder", s.unknown);
  return s.upToDate ? print("Database schema is up to date.", 0) : print("Database schema is NOT up to date.", 1);
}

async function dev(target: MigrationTarget, name: string, flags: Set<string>): Promise<number> {
  const applied = await deployMigrations({ target });
  if (applied.length) reportApplied(applied);

  const draft = await draftMigration({ target });
  if (!draft) return print("No changes: prisma/schema.prisma matches the migrations. Nothing written.", 0);
  const createOnly = flags.has("--create-only");
  if (draft.warnings.length && !flags.has("--force") && !createOnly) {
    const warnings = draft.warnings.map((m) => `  • ${m}`).join("\n");
    return print(
      `Data loss warnings:\n${warnings}\nNothing written. Re-run with --force to accept, or --create-only to review the SQL.`,
      1,
    );
  }
  const saved = await saveMigration(draft, name);
  console.log(`Created ${path.relative(process.cwd(), saved.file)}`);
  if (!createOnly) reportApplied(await deployMigrations({ target }));
  if (!flags.has("--skip-generate")) generateClient();
  return 0;
}

/** `prisma migrate dev` regenerates the client after a schema change; so do we. */
function generateClient(): void {
  const cli = path.join(path.dirname(createRequire(import.meta.url).resolve("prisma/package.json")), "build/index.js");
  const result = spawnSync(process.execPath, [cli, "generate"], { cwd: projectPaths().root, stdio: "inherit" });
  if (result.status !== 0) console.error("`prisma generate` failed; run `npm run db:generate` after fixing it.");
}

function print(message: string, code: number): number {
  (code === 0 ? console.log : console.error)(message);
  return code;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      console.error(`${error.message}\n\n${USAGE}`);
      process.exitCode = 2;
      return;
    }
    console.error(`Migration failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
