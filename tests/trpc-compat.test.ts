import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  authAs,
  both,
  expectSameAnswer,
  type Pair,
  type PairTokens,
  type RawRequest,
  send,
  startPair,
} from "./support/compat.js";
import type { TestServer } from "./support/server.js";

/**
 * The fast tRPC path (server/src/http/fast/) against tRPC's own Fastify adapter: the same requests,
 * in the same order, to a server with HTTP_FAST_PATH off and one with it on. Status, every header
 * but the volatile ones, and the body (up to request ids, dates and tokens) must be identical —
 * whether the fast path served the request or handed it to the stock adapter.
 */
let pair: Pair;
const tokens: PairTokens = new Map();
const MAX_BATCH_SIZE = 5;

beforeAll(async () => {
  pair = await startPair({ MAX_BATCH_SIZE: String(MAX_BATCH_SIZE), CORS_ORIGINS: "https://app.example" });
  // The same users and items, created in the same order, get the same ids on both servers.
  for (const server of [pair.stock, pair.fast]) {
    const login = async (email: string) => {
      const password = "correct horse battery";
      await server.rest("POST", "/v1/auth/register", { body: { email, name: "Compat", password } });
      return (await server.rest("POST", "/v1/auth/login", { body: { email, password } })).body.accessToken as string;
    };
    const owner = await login("owner@compat.example");
    const stranger = await login("stranger@compat.example");
    tokens.set(server, { owner, stranger });
    for (let i = 0; i < 25; i++) {
      await server.rest("POST", "/v1/items", {
        token: owner,
        body: { title: `Item ${i}`, description: "x".repeat(40) },
      });
    }
  }
}, 120_000);
afterAll(() => pair?.stop());

const json = (value: unknown) => encodeURIComponent(JSON.stringify(value));
const post = (path: string, body: string, headers: Record<string, string> = {}): RawRequest => ({
  method: "POST",
  path,
  body,
  headers: { "content-type": "application/json", ...headers },
});
const as = authAs(tokens);

/** Every kind of request the tRPC clients send, and most kinds they never should. */
const corpus: (RawRequest | ((server: TestServer) => RawRequest))[] = [
  // queries: plain, with (superjson) input, batched
  { method: "GET", path: "/trpc/health.live" },
  { method: "GET", path: `/trpc/health.live?input=${json({ json: null, meta: { values: ["undefined"] } })}` },
  { method: "GET", path: "/trpc/health.live?input=" },
  { method: "GET", path: "/trpc/health.live,health.ready?batch=1" },
  { method: "GET", path: `/trpc/health.live,health.ready?batch=1&input=${json({})}` },
  { method: "GET", path: "/trpc/health.live%2Chealth.ready?batch=1" },
  { method: "GET", path: `/trpc/health.live?input=${json({ json: "unexpected" })}` },
  as("owner", { method: "GET", path: `/trpc/items.list?input=${json({ json: { limit: 3, sortBy: "title" } })}` }),
  as("owner", {
    method: "GET",
    path: `/trpc/items.byId,items.byId,users.me?batch=1&input=${json({ 0: { json: { id: 1 } }, 1: { json: { id: 2 } } })}`,
  }),
  as("owner", {
    method: "GET",
    path: `/trpc/items.list?input=${json({ json: { limit: 2 } })}&input=${json({ json: { limit: 1 } })}`,
  }),
  // errors: validation (with issues), auth, not found, forbidden, conflict
  { method: "GET", path: "/trpc/items.list" },
  as("owner", {
    method: "GET",
    path: `/trpc/items.list?input=${json({ json: { limit: 101, sortBy: "passwordHash" } })}`,
  }),
  as("owner", { method: "GET", path: `/trpc/items.byId?input=${json({ json: { id: 999_999 } })}` }),
  { method: "GET", path: "/trpc/users.me", headers: { authorization: "Bearer not.a.jwt" } },
  as("stranger", post("/trpc/items.update", JSON.stringify({ json: { id: 1, title: "Mine now" } }))),
  post(
    "/trpc/auth.register",
    JSON.stringify({ json: { email: "owner@compat.example", name: "Again", password: "long enough pw" } }),
  ),
  // mutations: superjson in and out (Dates, undefined), batched, partly failing (207)
  as("owner", post("/trpc/items.create", JSON.stringify({ json: { title: "Created", price: 1.5 } }))),
  as(
    "owner",
    post("/trpc/items.update", JSON.stringify({ json: { id: 2 }, meta: { values: { description: ["undefined"] } } })),
  ),
  as(
    "owner",
    post(
      "/trpc/items.create,items.create?batch=1",
      JSON.stringify({ 0: { json: { title: "A" } }, 1: { json: { title: "" } } }),
    ),
  ),
  as(
    "owner",
    post(
      "/trpc/items.create",
      JSON.stringify({ json: { title: "2020-01-01T00:00:00.000Z" }, meta: { values: { title: ["Date"] } } }),
    ),
  ),
  // bad JSON, bad shapes, no or odd content types
  { method: "GET", path: "/trpc/health.live?input={bad" },
  { method: "GET", path: "/trpc/health.live,health.ready?batch=1&input=%5B1%5D" },
  { method: "GET", path: `/trpc/health.live?batch=1&input=${json("x")}` },
  as("owner", post("/trpc/items.create", "{not json")),
  as("owner", post("/trpc/items.create", "")),
  as("owner", post("/trpc/items.create", "null")),
  as(
    "owner",
    post("/trpc/items.create", JSON.stringify({ json: { title: "charset" } }), {
      "content-type": "application/json; charset=utf-8",
    }),
  ),
  as(
    "owner",
    post("/trpc/items.create", JSON.stringify({ json: { title: "Mixed case" } }), {
      "content-type": "Application/JSON",
    }),
  ),
  as("owner", {
    method: "POST",
    path: "/trpc/items.create",
    body: "title=x",
    headers: { "content-type": "text/plain" },
  }),
  as("owner", {
    method: "POST",
    path: "/trpc/items.create",
    body: "x",
    headers: { "content-type": "application/x-www-form-urlencoded" },
  }),
  { method: "POST", path: "/trpc/items.create" },
  { method: "GET", path: "/trpc/health.live", headers: { "content-type": "text/plain" } },
  // unknown procedures, method mismatches, mixed and oversize batches, odd paths and methods
  { method: "GET", path: "/trpc/nope" },
  { method: "GET", path: "/trpc/health.live,nope?batch=1" },
  { method: "GET", path: "/trpc/constructor" },
  { method: "GET", path: "/trpc/__proto__" },
  post("/trpc/health.live", "{}"),
  { method: "GET", path: "/trpc/items.create" },
  { method: "GET", path: "/trpc/health.live,items.create?batch=1" },
  {
    method: "GET",
    path: `/trpc/${Array(MAX_BATCH_SIZE + 1)
      .fill("health.live")
      .join(",")}?batch=1`,
  },
  { method: "GET", path: `/trpc/${Array(MAX_BATCH_SIZE).fill("health.live").join(",")}?batch=1` },
  { method: "GET", path: "/trpc/%E0%A4%A" },
  { method: "GET", path: "/trpc/health%2Elive" },
  { method: "GET", path: "/trpc/health.live/" },
  { method: "HEAD", path: "/trpc/health.live" },
  { method: "PUT", path: "/trpc/health.live", body: "{}", headers: { "content-type": "application/json" } },
  { method: "DELETE", path: "/trpc/health.live" },
  // what the fast path leaves to the stock adapter: streamed batches, connection params, SSE setup errors
  { method: "GET", path: "/trpc/health.live,health.ready?batch=1", headers: { "trpc-accept": "application/jsonl" } },
  { method: "GET", path: "/trpc/health.live", headers: { "trpc-accept": "application/jsonl" } },
  { method: "GET", path: "/trpc/health.live?batch=1", headers: { accept: "application/jsonl, */*" } },
  { method: "GET", path: `/trpc/health.live?connectionParams=${json({ token: "x" })}` },
  { method: "GET", path: "/trpc/health.live?connectionParams=%7Bbad" },
  { method: "GET", path: "/trpc/rooms.onMessage,rooms.onMessage?batch=1" },
  post("/trpc/rooms.onMessage", "{}"),
  // query strings and hosts as a hand-written client may send them
  { method: "GET", path: '/trpc/health.live?input={"json":null}' },
  { method: "GET", path: `/trpc/health.live?input=${json({ json: "é ü" })}` },
  { method: "GET", path: "/trpc/health.live,health.ready?batch=1&batch=0" },
  { method: "GET", path: "/trpc/health.live,health.ready?batch=0&batch=1" },
  { method: "GET", path: "/trpc/health.live?input=a+b%zz" },
  { method: "GET", path: "/trpc/health.live?input=%C0%80" },
  { method: "GET", path: `/trpc/health.live?%69nput=${json({ json: 1 })}&input=x` },
  { method: "GET", path: `/trpc/health.live?inp%75t=%7B%22json%22%3A%22a%2Bb+c%22%7D` },
  { method: "GET", path: "/trpc/health.live,health.ready?&&batch=1&=x&input" },
  { method: "GET", path: `/trpc/health.live?connectionParam%73=${json({})}` },
  { method: "GET", path: "/trpc/health.live", headers: { host: "bad host" } },
  { method: "GET", path: "/trpc/health.live", headers: { host: "[::1]:80" } },
  { method: "GET", path: "/trpc/health.live", headers: { host: "example.com:99999" } },
  // HTTP behaviour shared by every route: request ids, CORS, preflight
  { method: "GET", path: "/trpc/health.live", headers: { "x-request-id": "trace-compat-1" } },
  { method: "GET", path: "/trpc/health.live", headers: { origin: "https://app.example" } },
  { method: "GET", path: "/trpc/health.live", headers: { origin: "https://evil.example" } },
  {
    method: "OPTIONS",
    path: "/trpc/items.create",
    headers: { origin: "https://app.example", "access-control-request-method": "POST" },
  },
  // compression: a large answer is gzipped by both
  as("owner", {
    method: "GET",
    path: `/trpc/items.list?input=${json({ json: { limit: 25 } })}`,
    headers: { "accept-encoding": "gzip" },
  }),
];

describe("tRPC over HTTP: fast path vs tRPC's Fastify adapter", () => {
  it("answers every request of the corpus identically", async () => {
    for (const entry of corpus) {
      const { stock, fast, label } = await expectSameAnswer(pair, entry);
      expect(fast.headers["server-timing"] === undefined, label).toBe(stock.headers["server-timing"] === undefined);
    }
  });

  it("compresses by the configured threshold, where the stock adapter gzips even tiny streamed bodies", async () => {
    const req: RawRequest = { method: "GET", path: "/trpc/health.live", headers: { "accept-encoding": "gzip" } };
    const { stock, fast } = await both(pair, req);
    // The one intended difference: the stock adapter's body is a stream of unknown length, so
    // @fastify/compress cannot apply its 1 KiB threshold and compresses 44 bytes; ours has a length.
    expect(stock.encoding).toBe("gzip");
    expect(fast.encoding).toBeUndefined();
    expect(fast.body).toBe(stock.body);
    expect(fast.status).toBe(stock.status);
  });

  it("a client that leaves mid-request neither breaks the server nor leaks an answer into the next", async () => {
    for (const server of [pair.stock, pair.fast]) {
      const { hostname, port } = new URL(server.url);
      const { connect } = await import("node:net");
      await new Promise<void>((resolve) => {
        const socket = connect(Number(port), hostname, () => {
          socket.write("GET /trpc/health.ready HTTP/1.1\r\nHost: x\r\n\r\n");
          socket.destroy();
          resolve();
        });
      });
      const half = connect(Number(port), hostname, () => {
        half.write(
          "POST /trpc/items.create HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{",
        );
        setTimeout(() => half.destroy(), 50);
      });
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect((await send(server.url, { method: "GET", path: "/trpc/health.live" })).status).toBe(200);
    }
  });
});
