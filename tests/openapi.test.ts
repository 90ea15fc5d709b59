import SwaggerParser from "@apidevtools/swagger-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUp, startServer, type TestServer } from "./support/server.js";

let api: TestServer;
// biome-ignore lint/suspicious/noExplicitAny: the document is checked by swagger-parser, not by types
let document: any;
beforeAll(async () => {
  api = await startServer();
  document = await (await fetch(`${api.url}/api/openapi.json`)).json();
});
afterAll(() => api?.stop());

describe("the OpenAPI document", () => {
  it("is valid OpenAPI 3.1 with metadata, tags and a bearer scheme", async () => {
    await SwaggerParser.validate(structuredClone(document));
    expect(document.openapi).toBe("3.1.0");
    expect(document.info).toMatchObject({ title: "Trellis API", version: expect.any(String) });
    expect(document.components.securitySchemes.bearer).toMatchObject({ type: "http", scheme: "bearer" });
    expect(document.tags.map((t: { name: string }) => t.name)).toEqual(["health", "auth", "users", "items", "rooms"]);
  });

  it("documents the real success statuses and one error body", () => {
    expect(Object.keys(document.paths["/v1/auth/register"].post.responses)).toContain("201");
    expect(Object.keys(document.paths["/v1/items/{id}"].delete.responses)).toContain("204");
    expect(document.paths["/v1/items/{id}"].delete.responses["200"]).toBeUndefined();
    expect(document.paths["/v1/items/{id}"].patch.responses["403"].content["application/json"].schema).toEqual({
      $ref: "#/components/schemas/Error",
    });
    expect(document.paths["/health"].get.security).toBeUndefined();
    expect(document.paths["/v1/users/me"].get.security).toEqual([{ bearer: [] }]);
  });
});

/** A valid call of every documented operation; a new route without a sample here fails the test. */
function samples(): Record<string, { body?: unknown; query?: string }> {
  return {
    "GET /health": {},
    "GET /ready": {},
    "POST /v1/auth/register": {
      body: { email: `sample-${Date.now()}@example.com`, name: "S", password: "long enough pw" },
    },
    "POST /v1/auth/login": { body: { email: "nobody@example.com", password: "whatever" } },
    "POST /v1/auth/refresh": { body: { refreshToken: "unknown" } },
    "POST /v1/auth/logout": { body: { refreshToken: "unknown" } },
    "GET /v1/users/me": {},
    "PATCH /v1/users/me": { body: { name: "Admin Renamed" } },
    "GET /v1/users": { query: "?limit=5&search=a" },
    "GET /v1/users/{id}": {},
    "DELETE /v1/users/{id}": {},
    "GET /v1/items": { query: "?limit=5&sortBy=price&order=asc" },
    "POST /v1/items": { body: { title: "From the sample", price: 1.5 } },
    "GET /v1/items/{id}": {},
    "PATCH /v1/items/{id}": { body: { title: "Patched" } },
    "DELETE /v1/items/{id}": {},
    "POST /v1/rooms/{room}/messages": { body: { text: "From the sample" } },
    "GET /v1/rooms/{room}/messages": { query: "?after=0&limit=5" },
  };
}

describe("every documented route", () => {
  it("answers with one of its documented statuses", async () => {
    const admin = await signUp(api);
    await api.server.deps.db.user.update({ where: { id: admin.user.id }, data: { role: "admin" } });
    const victim = await signUp(api);
    const item = await api.rest("POST", "/v1/items", { token: admin.tokens.accessToken, body: { title: "t" } });
    const table = samples();

    const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods as Record<string, { responses: Record<string, unknown> }>).map(([method, op]) => ({
        path,
        method,
        op,
      })),
    );
    expect(operations.length).toBe(Object.keys(table).length);
    for (const { path, method, op } of operations) {
      const key = `${method.toUpperCase()} ${path}`;
      const sample = table[key];
      expect(sample, `no sample call for ${key}`).toBeDefined();
      const concrete = path
        .replace("{id}", String(path.startsWith("/v1/users") ? victim.user.id : item.body.id))
        .replace("{room}", "sample-room");
      const response = await api.rest(method.toUpperCase(), concrete + (sample?.query ?? ""), {
        token: admin.tokens.accessToken,
        body: sample?.body,
      });
      expect(Object.keys(op.responses), `${key} answered ${response.status}`).toContain(String(response.status));
      expect(response.status, key).toBeLessThan(500);
      if (response.status >= 400) expect(Object.keys(response.body).sort()).toEqual(["code", "message", "requestId"]);
    }
  });
});

describe("/docs", () => {
  it("serves the interactive docs and their assets from the installed package", async () => {
    const page = await fetch(`${api.url}/docs/`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("swagger-ui");
    const assets = [...html.matchAll(/(?:src|href)="\.?\/?([^"]+\.(?:js|css))"/g)].map((m) => m[1]);
    expect(assets.length).toBeGreaterThan(0);
    for (const asset of assets) {
      const response = await fetch(`${api.url}/docs/${asset?.replace(/^docs\//, "")}`);
      expect(response.status, asset).toBe(200);
      expect((await response.arrayBuffer()).byteLength, asset).toBeGreaterThan(100);
    }
  });
});
