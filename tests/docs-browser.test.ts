import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type TestServer } from "./support/server.js";

// Debian's chromium (installed by .ci/run); playwright never downloads a browser of its own here.
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

let api: TestServer;
let browser: Browser;
beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`No browser at ${CHROMIUM}: install Debian's chromium (see .ci/run)`);
  api = await startServer();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
    ],
  });
});
afterAll(async () => {
  await browser?.close();
  await api?.stop();
});

describe("/docs in a real browser", () => {
  it("renders every tag of the API offline and runs a request with Try it out", async () => {
    const page = await browser.newPage();
    const external: string[] = [];
    page.on("request", (request) => {
      if (!request.url().startsWith(api.url)) external.push(request.url());
    });
    await page.goto(`${api.url}/docs/`);
    await page.getByText("Trellis API").first().waitFor();
    for (const tag of ["health", "auth", "users", "items"]) {
      await expect(page.locator(`#operations-tag-${tag}`).count()).resolves.toBe(1);
    }

    await page.locator("#operations-health-health-live").click();
    await page.getByRole("button", { name: "Try it out" }).click();
    await page.getByRole("button", { name: "Execute" }).click();
    const responseBody = page.locator(
      "#operations-health-health-live .live-responses-table .response-col_description pre",
    );
    await expect(responseBody.first().textContent()).resolves.toContain('"status": "ok"');
    expect(external).toEqual([]);
  });
});
