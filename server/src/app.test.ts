import { existsSync } from "node:fs";
import path from "node:path";
import { expect, it } from "vitest";
import { createServer } from "./app.js";
import { projectPaths } from "./platform/db/project-paths.js";
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
