// The PostgreSQL database of a run: created fresh (trellis_bench_<time>), migrated with the project's
// migrations, dropped at the end, so that one command needs no setup and leaves nothing behind.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";

const run = promisify(execFile);

async function adminQuery(adminUrl, sql) {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Resolves true when the PostgreSQL server of `adminUrl` answers. */
export async function postgresAnswers(adminUrl) {
  try {
    await adminQuery(adminUrl, "SELECT 1");
    return true;
  } catch {
    return false;
  }
}

/**
 * Creates and migrates a database on the server of `adminUrl` (a URL of any existing database,
 * e.g. `postgres`). Migrations run through the built server's migrator (server/dist), the code the
 * server itself runs at start-up. Returns its URL and `drop()`.
 */
export async function createBenchDatabase({ adminUrl, repoRoot }) {
  const migrator = join(repoRoot, "server/dist/platform/db/migrate.js");
  if (!existsSync(migrator)) throw new Error("server/dist is missing: run `npm run build` first");
  const name = `trellis_bench_${new Date().toISOString().replace(/\D/g, "").slice(0, 14)}_${process.pid}`;
  await adminQuery(adminUrl, `CREATE DATABASE "${name}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const drop = () => adminQuery(adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  try {
    const script = `const { deployMigrations } = await import(${JSON.stringify(migrator)});
      await deployMigrations({ target: { kind: "postgres", url: process.env.DATABASE_URL } });`;
    await run(process.execPath, ["--input-type=module", "-e", script], {
      cwd: repoRoot,
      env: { ...process.env, DATABASE_URL: url.toString() },
    });
  } catch (err) {
    await drop().catch(() => {});
    throw new Error(`migrating ${name} failed: ${err.stderr || err.message}`);
  }
  return { name, url: url.toString(), drop };
}
