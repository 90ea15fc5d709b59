import { existsSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUp, startServer, type TestServer } from "./support/server.js";

// Debian's chromium (installed by .ci/run), as in docs-browser.test.ts.
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** A front end on an origin of its own: an empty page, from which the test runs fetch. */
async function servePage() {
  const server = createServer((_request, response) => {
    response.setHeader("content-type", "text/html");
    response.end("<!doctype html><title>front end</title>");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let api: TestServer;
let browser: Browser;
let allowedPage: Awaited<ReturnType<typeof servePage>>;
let otherPage: Awaited<ReturnType<typeof servePage>>;
beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`No browser at ${CHROMIUM}: install Debian's chromium (see .ci/run)`);
  [allowedPage, otherPage] = await Promise.all([servePage(), servePage()]);
  api = await startServer({ CORS_ORIGINS: allowedPage.origin });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run"],
  });
});
afterAll(async () => {
  await browser?.close();
  await api?.stop();
  await Promise.all([allowedPage?.close(), otherPage?.close()]);
});

/** Renames, then deletes, an item with fetch from the page: a cross-origin call with a preflight each. */
function renameAndDelete(page: Page, args: { apiUrl: string; token: string; id: number }) {
  return page.evaluate(async ({ apiUrl, token, id }) => {
    try {
      const patched = await fetch(`${apiUrl}/api/v1/items/${id}`, {
        method: "PATCH",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ title: "Renamed in a browser" }),
      });
      const body = await patched.json();
      const deleted = await fetch(`${apiUrl}/api/v1/items/${id}`, {
        method: "DELETE",
        headers: { authorization: `Bearer ${token}` },
      });
      return {
        patchStatus: patched.status,
        title: body.title,
        requestId: patched.headers.get("x-request-id"),
        deleteStatus: deleted.status,
      };
    } catch (error) {
      return { blocked: String(error) };
    }
  }, args);
}

async function createItem(token: string) {
  const created = await api.rest("POST", "/v1/items", { token, body: { title: "Cross-origin item" } });
  expect(created.status).toBe(201);
  return created.body.id as number;
}

/** A fresh user's item, and what renaming then deleting it from a page on `origin` comes to. */
async function renameAndDeleteFrom(origin: string) {
  const { tokens } = await signUp(api);
  const token = tokens.accessToken;
  const id = await createItem(token);
  const page = await browser.newPage();
  await page.goto(origin);
  return { token, id, result: await renameAndDelete(page, { apiUrl: api.url, token, id }) };
}

describe("CORS in a real browser", () => {
  it("lets a front end on an allowed origin PATCH and DELETE with a bearer token and read x-request-id", async () => {
    const { token, id, result } = await renameAndDeleteFrom(allowedPage.origin);
    expect(result).toEqual({
      patchStatus: 200,
      title: "Renamed in a browser",
      requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      deleteStatus: 204,
    });
    expect((await api.rest("GET", `/v1/items/${id}`, { token })).status).toBe(404);
  });

  it("keeps a page on any other origin out: the preflight fails and nothing changes", async () => {
    const { token, id, result } = await renameAndDeleteFrom(otherPage.origin);
    expect(result).toEqual({ blocked: expect.stringContaining("Failed to fetch") });
    const item = await api.rest("GET", `/v1/items/${id}`, { token });
    expect(item).toMatchObject({ status: 200, body: { title: "Cross-origin item" } });
  });
});
