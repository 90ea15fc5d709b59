import { existsSync } from "node:fs";
import path from "node:path";

/** Where the data model lives on disk. Every path is absolute. */
export interface ProjectPaths {
  /** The repository root: the folder that holds `prisma/schema.prisma`. */
  root: string;
  schemaPath: string;
  migrationsDir: string;
  /** The embedded database's default data directory (`.data/pglite`, git-ignored). */
  pgliteDataDir: string;
}

let cached: ProjectPaths | undefined;

/**
 * Finds the repository root by walking up from this file to the folder containing `prisma/schema.prisma`.
 * Walking (rather than a fixed `../../..`) matters because the same module runs from `server/src` under
 * tsx/vitest and from `server/dist` under node, at different depths.
 */
export function findRepoRoot(start: string = import.meta.dirname): string {
  let dir = path.resolve(start);
  for (;;) {
    if (existsSync(path.join(dir, "prisma", "schema.prisma"))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`Cannot find prisma/schema.prisma in ${start} or any folder above it`);
    dir = parent;
  }
}

/** The project's paths, resolved once on first use (not at import, so importing never touches the disk). */
export function projectPaths(): ProjectPaths {
  if (cached) return cached;
  const root = findRepoRoot();
  cached = {
    root,
    schemaPath: path.join(root, "prisma", "schema.prisma"),
    migrationsDir: path.join(root, "prisma", "migrations"),
    pgliteDataDir: path.join(root, ".data", "pglite"),
  };
  return cached;
}
