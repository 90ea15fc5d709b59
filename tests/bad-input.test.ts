import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUp, startServer, type TestServer } from "./support/server.js";

let api: TestServer;
let token: string;
let itemId: number;
beforeAll(async () => {
  api = await startServer();
  token = (await signUp(api)).tokens.accessToken;
  itemId = (await api.rest("POST", "/v1/items", { token, body: { title: "target" } })).body.id;
});
afterAll(() => api?.stop());

/** Requests a careless or hostile client sends. Each must get a 4xx in the documented body, never a 5xx. */
const corpus = (id: number): [string, string, unknown?, Record<string, string>?][] => [
  ["POST", "/v1/items", { title: "a\u0000b" }],
  ["POST", "/v1/items", { title: "ok", description: "nul \u0000 inside" }],
  ["GET", "/v1/items?search=%00"],
  ["POST", "/v1/auth/register", { email: "nul@example.com", name: "x\u0000", password: "long enough pw" }],
  ["POST", "/v1/items", { title: 123 }],
  ["POST", "/v1/items", { title: "x", price: "twelve" }],
  ["POST", "/v1/items", { title: "x", price: 1e20 }],
  ["POST", "/v1/items", null],
  ["POST", "/v1/items", [1, 2, 3]],
  ["POST", "/v1/items", '"just a string"'],
  ["POST", "/v1/items", '{"title": "x"', { "content-type": "application/json" }],
  ["POST", "/v1/items", "", { "content-type": "application/json" }],
  ["POST", "/v1/items", "title=x", { "content-type": "text/plain" }],
  ["GET", "/v1/items?limit=-5"],
  ["GET", "/v1/items?limit=1e3"],
  ["GET", "/v1/items?skip=99999999999999999999"],
  ["GET", "/v1/items?limit=10&limit=20"],
  ["GET", "/v1/items?order=sideways"],
  ["GET", `/v1/items/${"9".repeat(30)}`],
  ["GET", "/v1/items/-1"],
  ["GET", "/v1/items/1.5"],
  ["PATCH", `/v1/items/${id}`, { price: -0.01 }],
  ["PATCH", `/v1/items/${id}`, { title: "   " }],
  ["DELETE", "/v1/items/0"],
  ["GET", `/v1/items?search=${"x".repeat(5000)}`],
  ["POST", "/v1/auth/login", { email: "x".repeat(300), password: "y" }],
  ["POST", "/v1/auth/login", { email: "a@b.co", password: "p".repeat(10_000) }],
  ["POST", "/v1/auth/refresh", { refreshToken: "" }],
  ["POST", "/v1/auth/refresh", { refreshToken: { $ne: null } }],
  ["PATCH", "/v1/users/me", { role: "admin" }],
  ["GET", "/v1/users"],
  ["PUT", `/v1/items/${id}`, { title: "x" }],
];

describe("bad input", () => {
  it("always answers 4xx with the documented error body", async () => {
    for (const [method, path, body, headers] of corpus(itemId)) {
      const response = await api.rest(method, path, { token, body, headers });
      const label = `${method} ${path} ${JSON.stringify(body)?.slice(0, 60)} → ${response.status}`;
      expect(response.status, label).toBeGreaterThanOrEqual(400);
      expect(response.status, label).toBeLessThan(500);
      expect(response.body, label).toMatchObject({
        code: expect.any(String),
        message: expect.any(String),
        requestId: expect.any(String),
      });
    }
  });

  it("a role cannot be self-assigned through PATCH /users/me (unknown fields change nothing)", async () => {
    const me = await api.rest("GET", "/v1/users/me", { token });
    expect(me.body.role).toBe("user");
  });

  it("a method a route does not have answers 405 with the methods it does have", async () => {
    const put = await api.rest("PUT", `/v1/items/${itemId}`, { token, body: { title: "x" } });
    expect(put.status).toBe(405);
    expect(put.headers.get("allow")).toBe("DELETE, GET, PATCH");
    expect(put.body).toMatchObject({ code: "METHOD_NOT_SUPPORTED" });
    const deleteAll = await api.rest("DELETE", "/v1/items", { token });
    expect([deleteAll.status, deleteAll.headers.get("allow")]).toEqual([405, "GET, POST"]);
    // The path is matched as the routes are: whatever its case, with a trailing slash or a query.
    for (const path of ["/V1/ITEMS", "/v1/items/", "/v1/items?limit=1"]) {
      const response = await api.rest("DELETE", path, { token });
      expect([path, response.status, response.headers.get("allow")]).toEqual([path, 405, "GET, POST"]);
    }
    // A path no route has is still 404.
    expect((await api.rest("PUT", "/v1/nowhere", { token, body: {} })).status).toBe(404);
  });

  it("HEAD answers as GET does, without the body", async () => {
    const get = await api.rest("GET", `/v1/items/${itemId}`, { token });
    const head = await api.rest("HEAD", `/v1/items/${itemId}`, { token });
    expect([head.status, head.body, head.headers.get("content-type")]).toEqual([
      200,
      undefined,
      get.headers.get("content-type"),
    ]);
    expect((await api.rest("HEAD", "/v1/items/999999", { token })).status).toBe(404);
    expect((await api.rest("HEAD", "/v1/nowhere", { token })).status).toBe(404);
    expect((await api.rest("HEAD", `/v1/items/${itemId}`)).status).toBe(401);
  });

  it("the server is still healthy afterwards", async () => {
    expect((await api.rest("GET", "/ready")).status).toBe(200);
  });
});
