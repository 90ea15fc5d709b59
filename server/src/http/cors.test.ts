import type { OutgoingHttpHeaders } from "node:http";
import fastifyCors from "@fastify/cors";
import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerCors } from "./cors.js";

/**
 * Our CORS hook and @fastify/cors (the reference, configured as the hook documents), side by side on
 * the same routes: every request below must get the same status, body and CORS-related headers —
 * but for the two differences registerCors documents: a route's own `Vary` keeps `Origin` beside it,
 * and a request without `Origin` gets no CORS headers.
 */
const ALLOWED = "https://app.example";
const EXPOSED = ["x-request-id", "location"];
const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"];

async function appWith(install: (app: FastifyInstance) => Promise<void> | void) {
  const app = Fastify({ logger: false });
  await install(app);
  app.get("/thing", async () => ({ ok: true }));
  app.post("/thing", async () => ({ ok: true }));
  app.get("/negotiated", async (_request, reply) => reply.header("vary", "Accept").send({ ok: true }));
  await app.ready();
  return app;
}

const reference = (origins: string[]) => async (app: FastifyInstance) => {
  await app.register(fastifyCors, {
    origin: origins,
    credentials: true,
    exposedHeaders: EXPOSED,
    methods: METHODS.join(","),
  });
};
const ours = (origins: string[]) => (app: FastifyInstance) => registerCors(app, { origins, exposedHeaders: EXPOSED });

type Case = {
  name: string;
  method: "GET" | "POST" | "OPTIONS";
  url: string;
  headers: Record<string, string>;
  /** Set where @fastify/cors loses `Vary: Origin` and ours keeps it (origin lists only; "*" needs none). */
  keepsVaryOrigin?: true;
};
/** What @fastify/cors writes on every answer and we only on answers to a request with an Origin. */
const ORIGIN_ONLY = [
  "access-control-allow-origin",
  "access-control-allow-credentials",
  "access-control-expose-headers",
];
const preflight = (origin: string, method: string, extra: Record<string, string> = {}) => ({
  origin,
  "access-control-request-method": method,
  ...extra,
});

const CASES: Case[] = [
  { name: "same-origin GET (no Origin)", method: "GET", url: "/thing", headers: {} },
  { name: "allowed origin GET", method: "GET", url: "/thing", headers: { origin: ALLOWED } },
  { name: "other origin GET", method: "GET", url: "/thing", headers: { origin: "https://evil.example" } },
  { name: "allowed origin POST", method: "POST", url: "/thing", headers: { origin: ALLOWED } },
  {
    name: "route with its own Vary",
    method: "GET",
    url: "/negotiated",
    headers: { origin: ALLOWED },
    keepsVaryOrigin: true,
  },
  { name: "unknown route", method: "GET", url: "/nowhere", headers: { origin: ALLOWED } },
  {
    name: "preflight for PATCH with headers",
    method: "OPTIONS",
    url: "/thing",
    headers: preflight(ALLOWED, "PATCH", { "access-control-request-headers": "authorization,content-type" }),
  },
  { name: "preflight for DELETE", method: "OPTIONS", url: "/thing", headers: preflight(ALLOWED, "DELETE") },
  {
    name: "preflight from another origin",
    method: "OPTIONS",
    url: "/thing",
    headers: preflight("https://x.example", "GET"),
  },
  {
    name: "preflight to an unknown path",
    method: "OPTIONS",
    url: "/nowhere/at/all",
    headers: preflight(ALLOWED, "POST"),
  },
  {
    name: "OPTIONS without Origin",
    method: "OPTIONS",
    url: "/thing",
    headers: { "access-control-request-method": "GET" },
  },
  { name: "OPTIONS without a requested method", method: "OPTIONS", url: "/thing", headers: { origin: ALLOWED } },
];

const CORS_HEADERS = [
  "access-control-allow-origin",
  "access-control-allow-credentials",
  "access-control-expose-headers",
  "access-control-allow-methods",
  "access-control-allow-headers",
  "access-control-max-age",
  "vary",
  "content-type",
  "content-length",
];
const pick = (headers: OutgoingHttpHeaders) => Object.fromEntries(CORS_HEADERS.map((name) => [name, headers[name]]));

for (const origins of [[ALLOWED, "http://localhost:3000"], ["*"]]) {
  describe(`CORS with origins ${origins.join(" ")}: same answers as @fastify/cors`, () => {
    let theirs: FastifyInstance;
    let mine: FastifyInstance;
    beforeAll(async () => {
      [theirs, mine] = await Promise.all([appWith(reference(origins)), appWith(ours(origins))]);
    });
    afterAll(() => Promise.all([theirs?.close(), mine?.close()]));

    it.each(CASES)("$name", async ({ method, url, headers, keepsVaryOrigin }) => {
      const [expected, actual] = await Promise.all([
        theirs.inject({ method, url, headers }),
        mine.inject({ method, url, headers }),
      ]);
      const expectedHeaders = pick(expected.headers);
      if (keepsVaryOrigin && !origins.includes("*")) {
        expect(expectedHeaders.vary).toBe("Accept");
        expectedHeaders.vary = "Accept, Origin";
      }
      if (headers.origin === undefined) {
        expect(expectedHeaders["access-control-allow-credentials"]).toBe("true");
        for (const name of ORIGIN_ONLY) expectedHeaders[name] = undefined;
      }
      expect({ status: actual.statusCode, body: actual.body, headers: pick(actual.headers) }).toEqual({
        status: expected.statusCode,
        body: expected.body,
        headers: expectedHeaders,
      });
    });
  });
}

describe("Vary: Origin on a relayed fetch() answer", () => {
  it("leaves the relayed answer as it came (its headers cannot change) instead of failing the request", async () => {
    const upstream = Fastify({ logger: false });
    upstream.get("/negotiated", async (_request, reply) => reply.header("vary", "Accept").send({ ok: true }));
    const upstreamUrl = await upstream.listen({ host: "127.0.0.1", port: 0 });
    const relay = Fastify({ logger: false });
    registerCors(relay, { origins: [ALLOWED], exposedHeaders: EXPOSED });
    relay.get("/relayed", async (_request, reply) => reply.send(await fetch(`${upstreamUrl}/negotiated`)));
    const answer = await relay.inject({ method: "GET", url: "/relayed", headers: { origin: ALLOWED } });
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toEqual({ ok: true });
    expect(answer.headers.vary).toBe("Accept");
    await Promise.all([upstream.close(), relay.close()]);
  });
});

describe("CORS headers", () => {
  it("are left off answers to requests without Origin (not cross-origin), which still vary on Origin", async () => {
    const app = await appWith(ours([ALLOWED]));
    const plain = await app.inject({ method: "GET", url: "/thing" });
    const crossOrigin = await app.inject({ method: "GET", url: "/thing", headers: { origin: ALLOWED } });
    expect(Object.keys(plain.headers).filter((name) => name.startsWith("access-control-"))).toEqual([]);
    expect(plain.headers.vary).toBe("Origin");
    expect(crossOrigin.headers).toMatchObject({
      "access-control-allow-origin": ALLOWED,
      "access-control-allow-credentials": "true",
      "access-control-expose-headers": "x-request-id, location",
      vary: "Origin",
    });
    await app.close();
  });
});

describe("CORS preflight", () => {
  it("allows every method of the API, REST's PATCH and DELETE among them", async () => {
    const app = await appWith(ours([ALLOWED]));
    const answer = await app.inject({ method: "OPTIONS", url: "/thing", headers: preflight(ALLOWED, "DELETE") });
    expect(answer.statusCode).toBe(204);
    expect(String(answer.headers["access-control-allow-methods"]).split(",")).toEqual(METHODS);
    expect(answer.headers["access-control-allow-origin"]).toBe(ALLOWED);
    await app.close();
  });
});
