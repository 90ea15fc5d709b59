import { createHash, randomUUID } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { type Database, embeddedDatabase, withoutTarget } from "./index.js";
import { deployMigrations } from "./migrate.js";
import { readMigrations } from "./migrations-dir.js";
import { IN_MEMORY, openPglite } from "./pglite.js";
import { projectPaths } from "./project-paths.js";

/**
 * A fresh, fully migrated in-memory PGlite that no other test sees.
 *
 * Creating an in-memory PGlite runs initdb (~3.5-5 s) and the migrations add a little more, per test file.
 * Instead, the first call builds one migrated database, dumps its data directory (`dumpDataDir`) to
 * `node_modules/.cache/trellis-db/<key>.tar`, and every call starts a new PGlite from that tarball
 * (`loadDataDir`, ~1 s). The key hashes the PGlite version and every migration, so a new or edited
 * migration builds a new snapshot; stale ones are harmless.
 */
export async function openTestDatabase(): Promise<Database> {
  const pglite = await openPglite(IN_MEMORY, { loadDataDir: await migratedSnapshot() });
  return withoutTarget(await embeddedDatabase(pglite));
}

let snapshot: Promise<Blob> | undefined;

/** The tarball of a freshly migrated database: from memory, else from the disk cache, else built. */
export function migratedSnapshot(): Promise<Blob> {
  snapshot ??= loadOrBuildSnapshot().catch((error: unknown) => {
    snapshot = undefined; // let the next caller retry instead of caching the failure
    throw error;
  });
  return snapshot;
}

async function loadOrBuildSnapshot(): Promise<Blob> {
  const file = path.join(projectPaths().root, "node_modules", ".cache", "trellis-db", `${await snapshotKey()}.tar`);
  const cached = await readFile(file).catch(() => undefined);
  if (cached) return new Blob([cached]);

  const pglite = await openPglite(IN_MEMORY);
  try {
    await deployMigrations({ target: { kind: "pglite", db: pglite.db } });
    const tarball = await pglite.db.dumpDataDir("none");
    // Written under a unique name then renamed: test files racing to build it never read half a file.
    const partial = `${file}.${randomUUID()}.partial`;
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(partial, new Uint8Array(await tarball.arrayBuffer()));
    await rename(partial, file).catch(() => rm(partial, { force: true }));
    return tarball;
  } finally {
    await pglite.close();
  }
}

async function snapshotKey(): Promise<string> {
  const hash = createHash("sha256");
  const pgliteEntry = createRequire(import.meta.url).resolve("@electric-sql/pglite");
  const pglitePackage = JSON.parse(await readFile(path.join(path.dirname(pgliteEntry), "..", "package.json"), "utf8"));
  hash.update(`pglite ${pglitePackage.version}\n`);
  const { migrationDirectories } = await readMigrations(projectPaths().migrationsDir);
  for (const migration of migrationDirectories) {
    hash.update(`${migration.path}\n${migration.migrationFile.content.value}\n`);
  }
  return hash.digest("hex").slice(0, 16);
}
