import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import path from "node:path";
import type { PGlite } from "@electric-sql/pglite";
import { projectPaths } from "./project-paths.js";

export const IN_MEMORY = "memory://";

/**
 * The embedded engine, loaded on first use: a server on a PostgreSQL server never loads PGlite or its
 * Prisma adapter (~15–20 MB less idle RSS measured on a production start).
 */
export const loadPglite = () => import("@electric-sql/pglite");
export const loadPglitePrismaAdapter = () => import("pglite-prisma-adapter");

/** An open PGlite plus the release of its data-directory lock. */
export interface OpenPglite {
  db: PGlite;
  close(): Promise<void>;
}

/**
 * PGLITE_DIR as PGlite takes it: "memory://" as it is, a folder resolved against the repository root
 * (not the working directory), so the server, the seed and the migrator agree on where the data is.
 */
export function resolvePgliteDir(setting: string): string {
  return setting.startsWith(IN_MEMORY) ? setting : path.resolve(projectPaths().root, setting);
}

/**
 * Opens the embedded database in `dataDir` ("memory://" keeps it in memory), creating the parent folder
 * (PGlite only creates the last level). A data directory must never be opened by two PGlite instances at
 * once, in one process or two: that corrupts it. A `<dataDir>.lock` file holding our pid enforces it.
 * `loadDataDir` starts the database from a `dumpDataDir()` tarball instead of an empty cluster.
 */
export async function openPglite(dataDir: string, options: { loadDataDir?: Blob } = {}): Promise<OpenPglite> {
  const { PGlite } = await loadPglite();
  if (dataDir.startsWith(IN_MEMORY)) {
    const db = await PGlite.create(dataDir, options);
    return { db, close: () => db.close() };
  }
  const dir = path.resolve(dataDir);
  mkdirSync(path.dirname(dir), { recursive: true });
  const unlock = lockDataDir(dir);
  try {
    const db = await PGlite.create(dir, options);
    return {
      db,
      close: async () => {
        try {
          if (!db.closed) await db.close();
        } finally {
          unlock();
        }
      },
    };
  } catch (error) {
    unlock();
    throw error;
  }
}

function lockDataDir(dir: string): () => void {
  const lockFile = `${dir}.lock`;
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(lockFile, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(lockFile, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST" || attempt > 0) throw error;
      const owner = Number(readFileSync(lockFile, "utf8").trim());
      if (isAlive(owner)) {
        const who = owner === process.pid ? "this process" : `process ${owner}`;
        throw new Error(`The PGlite data directory ${dir} is already open in ${who} (lock: ${lockFile})`);
      }
      rmSync(lockFile, { force: true }); // left behind by a process that died: take it over
    }
  }
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
