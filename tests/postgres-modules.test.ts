import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createPostgresDatabase, testEnv } from "@trellis/server/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type Instance, startInstance } from "./support/instance.js";

/**
 * A server on a PostgreSQL server does not load the embedded database: PGlite and its Prisma
 * adapter are ~15-20 MB of resident memory it would carry for nothing (BENCHMARKS.md, 71c902b).
 * Likewise, without REDIS_URL and SMTP_URL, it loads neither ioredis (~2 MiB of heap) nor nodemailer
 * (~3 MiB). Nor does it import the module that holds Prisma's query compiler as base64 text: the compiler
 * is read from that file and the text let go (platform/db/compiler-wasm.ts; ~10 MiB of RSS under load).
 * The server process records every module it loads (support/record-loads.mjs).
 */
const scratch = mkdtempSync(path.join(tmpdir(), "trellis-loads-"));
const loadsFile = path.join(scratch, "loads.txt");

let database: Awaited<ReturnType<typeof createPostgresDatabase>>;
let server: Instance;
beforeAll(async () => {
  database = await createPostgresDatabase();
  server = await startInstance(
    { DATABASE_URL: database.url, JWT_SECRET: testEnv().JWT_SECRET, RECORD_LOADS_FILE: loadsFile },
    { nodeArgs: ["--import", "./tests/support/record-loads-register.mjs"] },
  );
});
afterAll(async () => {
  await server?.stop();
  await database?.drop();
  rmSync(scratch, { recursive: true, force: true });
});

it("a server on PostgreSQL without Redis or SMTP answers without ever loading PGlite, ioredis, nodemailer or the compiler's text", async () => {
  const email = `modules-${Date.now()}@example.com`;
  const password = "correct horse battery";
  const register = await fetch(`${server.url}/api/v1/auth/register`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, name: "Mo", password }),
  });
  expect(register.status).toBe(201);
  const login = await fetch(`${server.url}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password }),
  });
  const { accessToken } = (await login.json()) as { accessToken: string };
  const items = await fetch(`${server.url}/api/v1/items?limit=5`, {
    headers: { authorization: `Bearer ${accessToken}` },
  });
  expect(items.status).toBe(200);

  const loaded = readFileSync(loadsFile, "utf8").split("\n");
  // The recording works: the PostgreSQL driver it did use is there.
  expect(loaded.some((url) => url.includes("/node_modules/@prisma/adapter-pg/"))).toBe(true);
  expect(
    loaded.filter((url) =>
      /\/node_modules\/(@electric-sql\/pglite|pglite-prisma-adapter|ioredis|nodemailer)\//.test(url),
    ),
  ).toEqual([]);
  // Prisma's query compiler did run (its JavaScript half is loaded), from the file rather than the module.
  expect(loaded.some((url) => /\/query_compiler_\w+\.postgresql\.mjs$/.test(url))).toBe(true);
  expect(loaded.filter((url) => url.includes(".wasm-base64."))).toEqual([]);
});
