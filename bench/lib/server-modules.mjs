// How bench scripts load our server's code: its build (server/dist, made by `npm run build`) and the
// packages it depends on as the server resolves them — its own copies, not the bench package's (a
// second zod's schemas are not recognised by the server's trpc-to-openapi, a second Fastify is not the
// one the server's plugins were written against).
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "../..");
const serverRequire = createRequire(join(repoRoot, "server/package.json"));

/** A module of the built server, by its path under server/dist (e.g. "http/cors.js"). */
export const importBuilt = (file) => import(pathToFileURL(join(repoRoot, "server/dist", file)).href);

/** A package as the server resolves it (e.g. "zod", "fastify"). */
export const importServerPackage = (name) => import(pathToFileURL(serverRequire.resolve(name)).href);
