import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authAs, expectSameAnswer, type Pair, type PairTokens, type RawRequest, startPair } from "./support/compat.js";
import type { TestServer } from "./support/server.js";

/**
 * The fast REST path (server/src/http/fast/rest-handler.ts) against trpc-to-openapi's handler: the
 * same requests, in the same order, to a server with HTTP_FAST_PATH off and one with it on. Status,
 * every header but the volatile ones, and the body (up to request ids, dates and tokens) must match.
 */
let pair: Pair;
const tokens: PairTokens = new Map();

beforeAll(async () => {
  pair = await startPair({ CORS_ORIGINS: "https://app.example", BODY_LIMIT_BYTES: "65536" });
  for (const server of [pair.stock, pair.fast]) {
    const login = async (email: string) => {
      const password = "correct horse battery";
      await server.rest("POST", "/v1/auth/register", { body: { email, name: "Compat", password } });
      return (await server.rest("POST", "/v1/auth/login", { body: { email, password } })).body.accessToken as string;
    };
    tokens.set(server, { owner: await login("owner@rest.example"), stranger: await login("stranger@rest.example") });
    for (let i = 0; i < 30; i++) {
      await server.rest("POST", "/v1/items", {
        token: tokens.get(server)?.owner,
        body: { title: `Item ${i}`, description: i % 2 ? null : "d".repeat(30), price: i },
      });
    }
  }
}, 120_000);
afterAll(() => pair?.stop());

const body = (method: string, path: string, value: unknown, headers: Record<string, string> = {}): RawRequest => ({
  method,
  path,
  body: typeof value === "string" ? value : JSON.stringify(value),
  headers: { "content-type": "application/json", ...headers },
});
const as = authAs(tokens);
const get = (path: string, headers?: Record<string, string>): RawRequest => ({ method: "GET", path, headers });

const corpus: (RawRequest | ((server: TestServer) => RawRequest))[] = [
  get("/api/health"),
  get("/api/ready"),
  get("/api/health?unexpected=1"),
  // auth: success statuses from meta (201, 204), conflicts, validation issues, 401s
  body("POST", "/api/v1/auth/register", { email: "new@rest.example", name: "New", password: "long enough pw" }),
  body("POST", "/api/v1/auth/register", { email: "new@rest.example", name: "New", password: "long enough pw" }),
  body("POST", "/api/v1/auth/register", { email: "nope", name: "", password: "x" }),
  body("POST", "/api/v1/auth/login", { email: "new@rest.example", password: "long enough pw" }),
  body("POST", "/api/v1/auth/login", { email: "new@rest.example", password: "wrong password" }),
  body("POST", "/api/v1/auth/logout", { refreshToken: "unknown" }),
  get("/api/v1/users/me"),
  get("/api/v1/users/me", { authorization: "Bearer not.a.jwt" }),
  get("/api/v1/users/me", { authorization: "Basic abc" }),
  as("owner", get("/api/v1/users/me")),
  as("owner", get("/api/v1/users")),
  // list: query strings coerced, validated, repeated, empty, unknown; case-insensitive paths
  as("owner", get("/api/v1/items?limit=20")),
  as("owner", get("/api/v1/items?limit=2&skip=1&search=ITEM%201&sortBy=title&order=asc")),
  as("owner", get("/api/v1/items?limit=101")),
  as("owner", get("/api/v1/items?limit=abc")),
  as("owner", get("/api/v1/items?limit=1&limit=2")),
  as("owner", get("/api/v1/items?skip=-1&sortBy=passwordHash&order=sideways")),
  as("owner", get("/api/v1/items?search=&limit=")),
  as("owner", get("/api/v1/items?limit=%31")),
  as("owner", get("/api/v1/items?limit=1+2")),
  as("owner", get("/api/v1/items?ownerId=1&limit=3")),
  as("owner", get("/api/v1/items?__proto__=x&limit=2")),
  as("owner", get("/api/v1/items?constructor=x&limit=2")),
  as("owner", body("POST", "/api/v1/items", '{"__proto__":{"title":"p"},"title":"Own proto"}')),
  as("owner", get("/api/v1/items/1?id=2")),
  as("owner", get("/api/V1/ITEMS?limit=1")),
  as("owner", get("/api/v1/items/?limit=1")),
  as("owner", get("/api/v1/items/../items?limit=1")),
  as("owner", get("/api/v1/./items?limit=1")),
  as("owner", get("/api/v1/items/%2e%2e/items?limit=1")),
  as("owner", get("/api/v1//items?limit=1")),
  as("owner", get("/api/v1/items?limit=1", { host: "bad host" })),
  // one item: path parameters, missing, malformed
  as("owner", get("/api/v1/items/1")),
  as("owner", get("/api/v1/items/999999")),
  as("owner", get("/api/v1/items/abc")),
  as("owner", get("/api/v1/items/1%202")),
  as("owner", get("/api/v1/items/1.5")),
  // writes: 201, coercion of string numbers (after the first REST call set it), bad bodies
  as("owner", body("POST", "/api/v1/items", { title: "Created", price: 2.5 })),
  as("owner", body("POST", "/api/v1/items", { title: "Coerced", price: "12.5" })),
  as("owner", body("POST", "/api/v1/items", { title: "", price: -1 })),
  as("owner", body("POST", "/api/v1/items", { title: "Extra", role: "admin" })),
  as("owner", body("POST", "/api/v1/items", "{not json")),
  as("owner", body("POST", "/api/v1/items", "")),
  as("owner", body("POST", "/api/v1/items", "null")),
  as("owner", body("POST", "/api/v1/items", "[1,2]")),
  as("owner", body("POST", "/api/v1/items", '"string"')),
  as(
    "owner",
    body("POST", "/api/v1/items", { title: "charset" }, { "content-type": "application/json; charset=utf-8" }),
  ),
  as("owner", body("POST", "/api/v1/items", "title=x", { "content-type": "application/x-www-form-urlencoded" })),
  as("owner", body("POST", "/api/v1/items", "title", { "content-type": "text/plain" })),
  as("owner", { method: "POST", path: "/api/v1/items" }),
  as("owner", body("POST", "/api/v1/items", { title: "x", description: "y".repeat(70_000) })),
  as("owner", body("PATCH", "/api/v1/items/1", { description: "Patched", price: null })),
  as("stranger", body("PATCH", "/api/v1/items/1", { title: "Mine now" })),
  as("stranger", { method: "DELETE", path: "/api/v1/items/2" }),
  as("owner", { method: "DELETE", path: "/api/v1/items/2" }),
  as("owner", { method: "DELETE", path: "/api/v1/items/2" }),
  as("owner", body("DELETE", "/api/v1/items/3", { ignored: true })),
  // routes and methods that do not exist, HEAD, OPTIONS
  get("/api/v1/nothing-here"),
  as("owner", body("PUT", "/api/v1/items/1", { title: "x" })),
  { method: "HEAD", path: "/api/health" },
  { method: "HEAD", path: "/api/v1/nothing" },
  {
    method: "OPTIONS",
    path: "/api/v1/items",
    headers: { origin: "https://app.example", "access-control-request-method": "POST" },
  },
  // shared HTTP behaviour: request ids, CORS, compression of large answers
  get("/api/health", { "x-request-id": "trace-rest-1" }),
  get("/api/health", { origin: "https://app.example" }),
  get("/api/health", { origin: "https://evil.example" }),
  get("/api/health", { "accept-encoding": "gzip" }),
  as("owner", get("/api/v1/items?limit=30", { "accept-encoding": "gzip" })),
];

describe("REST: fast path vs trpc-to-openapi's handler", () => {
  it("answers every request of the corpus identically", async () => {
    for (const entry of corpus) {
      const { stock, fast, label } = await expectSameAnswer(pair, entry);
      // Both send whole bodies; compressed sizes vary with the dates inside.
      if (!stock.encoding) expect(fast.headers["content-length"], label).toBe(stock.headers["content-length"]);
    }
  });
});
