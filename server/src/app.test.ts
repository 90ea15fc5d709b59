import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, it } from "vitest";
import { createServer } from "./app.js";
import { projectPaths } from "./platform/db/project-paths.js";
import { openTestDatabase } from "./platform/db/testing.js";
import { createInProcessBus } from "./platform/events/in-process-bus.js";
import { testEnv } from "./testing/harness.js";

it("PGLITE_DIR=memory:// serves from an in-memory database and leaves no folder behind", async () => {
  const server = await createServer({ env: testEnv({ PORT: "0", PGLITE_DIR: "memory://" }) });
  try {
    const url = await server.start();
    const ready = await fetch(`${url}/api/ready`);
    expect(ready.status).toBe(200);
  } finally {
    await server.stop();
  }
  expect(existsSync(path.join(projectPaths().root, "memory:"))).toBe(false);
});

it("stop() gives a stuck request and a stuck job one SHUTDOWN_GRACE_MS together, not one after the other", async () => {
  const graceMs = 1_500;
  const server = await createServer({
    env: testEnv({ PORT: "0", PGLITE_DIR: "memory://", SHUTDOWN_GRACE_MS: String(graceMs) }),
  });
  server.deps.jobs.handle("test.never-ends", () => new Promise(() => {}));
  const url = new URL(await server.start());
  let closedByServer: Promise<void>;
  try {
    const { id } = await server.deps.jobs.enqueue("test.never-ends", {});
    await expect
      .poll(async () => (await server.deps.db.job.findUniqueOrThrow({ where: { id } })).status, { timeout: 10_000 })
      .toBe("running");
    // A request whose body never arrives: the server must wait for it, until the grace runs out.
    const socket = connect(Number(url.port), url.hostname);
    closedByServer = new Promise<void>((resolve) => socket.once("close", () => resolve()));
    socket.on("error", () => {});
    socket.write(
      `POST /api/v1/auth/register HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{`,
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
  } catch (error) {
    await server.stop();
    throw error;
  }

  const started = performance.now();
  await server.stop();
  const elapsed = performance.now() - started;
  await closedByServer;
  // Both waits took the whole grace (neither finished); one after the other would take twice that.
  expect(elapsed).toBeGreaterThanOrEqual(graceMs - 50);
  expect(elapsed).toBeLessThan(graceMs * 1.8);
});

it("refuses a db without its sql (or the reverse): list reads would go to another database", async () => {
  const database = await openTestDatabase();
  try {
    const env = testEnv({ PORT: "0" });
    await expect(createServer({ env, deps: { db: database.prisma } })).rejects.toThrow(/deps\.db and deps\.sql/);
    await expect(createServer({ env, deps: { sql: database.sql } })).rejects.toThrow(/deps\.db and deps\.sql/);
  } finally {
    await database.close();
  }
});

it("a start that fails halfway closes what it opened, so the next one can use the same data directory", async () => {
  const dataDir = await mkdtemp(path.join(tmpdir(), "trellis-failed-start-"));
  const env = testEnv({ PORT: "0", PGLITE_DIR: path.join(dataDir, "db") });
  const refusingBus = { ...createInProcessBus(), subscribe: () => Promise.reject(new Error("bus down")) };
  try {
    await expect(createServer({ env, deps: { bus: refusingBus } })).rejects.toThrow("bus down");
    const server = await createServer({ env });
    await server.stop();
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

it("sends answers in batches unless HTTP_WRITE_BATCH=1", async () => {
  const holdsWrites = (server: { app: { server: NodeJS.EventEmitter } }) =>
    server.app.server.listeners("connection").some((listener) => listener.name === "holdWrites");
  const on = await createServer({ env: testEnv({ PGLITE_DIR: "memory://" }) });
  const off = await createServer({ env: testEnv({ PGLITE_DIR: "memory://", HTTP_WRITE_BATCH: "1" }) });
  try {
    expect(holdsWrites(on)).toBe(true);
    expect(holdsWrites(off)).toBe(false);
  } finally {
    await Promise.all([on.stop(), off.stop()]);
  }
});
