import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUp, startServer, type TestServer } from "./support/server.js";

let api: TestServer;
beforeAll(async () => {
  api = await startServer({ CORS_ORIGINS: "https://app.example" });
});
afterAll(() => api?.stop());

describe("HTTP behaviour every route shares", () => {
  it("echoes an incoming x-request-id, or makes one, and reports timing", async () => {
    const mine = await api.rest("GET", "/health", { headers: { "x-request-id": "trace-abc-123" } });
    expect(mine.headers.get("x-request-id")).toBe("trace-abc-123");
    const made = await api.rest("GET", "/health");
    const another = await api.rest("GET", "/health");
    for (const answer of [made, another]) {
      expect(answer.headers.get("x-request-id")).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
    }
    expect(another.headers.get("x-request-id")).not.toBe(made.headers.get("x-request-id"));
    expect(made.headers.get("server-timing")).toMatch(/^app;dur=\d+\.\d+$/);
  });

  it("health and readiness", async () => {
    expect(await api.rest("GET", "/health")).toMatchObject({ status: 200, body: { status: "ok" } });
    expect(await api.rest("GET", "/ready")).toMatchObject({
      status: 200,
      body: { status: "ok", checks: { database: "ok" } },
    });
  });

  it("unknown routes are 404 in the documented body, under /api and elsewhere", async () => {
    const underApi = await api.rest("GET", "/v1/nothing-here");
    expect(underApi.status).toBe(404);
    expect(underApi.body).toEqual({
      code: "NOT_FOUND",
      message: expect.any(String),
      requestId: underApi.headers.get("x-request-id"),
    });
    const outside = await fetch(`${api.url}/nowhere`);
    expect(outside.status).toBe(404);
    expect(await outside.json()).toMatchObject({ code: "NOT_FOUND" });
  });

  it("CORS allows the configured origin only", async () => {
    const preflight = await fetch(`${api.url}/api/v1/items`, {
      method: "OPTIONS",
      headers: {
        origin: "https://app.example",
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization,content-type",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("https://app.example");
    const other = await fetch(`${api.url}/api/health`, { headers: { origin: "https://evil.example" } });
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("keeps Vary: Origin on answers that set their own Vary, so a shared cache cannot hand one origin's CORS answer to another", async () => {
    const origin = { origin: "https://app.example" };
    const answers = {
      rest: await fetch(`${api.url}/api/health`, { headers: origin }),
      // tRPC's answers carry `vary: trpc-accept, accept`: the fast path's, and the stock adapter's
      // (a streamed batch is left to it).
      trpc: await fetch(`${api.url}/trpc/health.live`, { headers: origin }),
      trpcStreamed: await fetch(`${api.url}/trpc/health.live?batch=1&input={}`, {
        headers: { ...origin, "trpc-accept": "application/jsonl" },
      }),
    };
    const vary = (response: Response) =>
      response.headers
        .get("vary")
        ?.split(",")
        .map((field) => field.trim().toLowerCase());
    for (const response of Object.values(answers)) {
      expect(response.status).toBe(200);
      expect(response.headers.get("access-control-allow-origin")).toBe("https://app.example");
      expect(vary(response)).toContain("origin");
      await response.arrayBuffer();
    }
    // …and tRPC's own fields stay (a streamed answer may also vary on accept-encoding: it is compressed).
    for (const response of [answers.trpc, answers.trpcStreamed]) {
      expect(vary(response)).toEqual(expect.arrayContaining(["trpc-accept", "accept", "origin"]));
    }
  });

  it("compresses large responses for clients that accept it", async () => {
    const response = await fetch(`${api.url}/api/openapi.json`, { headers: { "accept-encoding": "gzip" } });
    expect(response.headers.get("content-encoding")).toBe("gzip");
    expect((await response.json()).openapi).toBe("3.1.0");
  });

  it("compresses large answers of the tRPC and REST fast paths too, and sends them whole", async () => {
    const gzip = { "accept-encoding": "gzip" };
    const batch = Array.from({ length: 30 }, () => "health.live").join(",");
    const trpc = await fetch(`${api.url}/trpc/${batch}?batch=1`, { headers: gzip });
    expect(trpc.headers.get("content-encoding")).toBe("gzip");
    expect(await trpc.json()).toEqual(
      Array.from({ length: 30 }, () => ({ result: { data: { json: { status: "ok" } } } })),
    );

    const { tokens } = await signUp(api);
    const headers = { ...gzip, authorization: `Bearer ${tokens.accessToken}` };
    const description = "a description long enough that a page of these is over the compression threshold";
    for (const title of ["one", "two", "three", "four", "five", "six"]) {
      await api.rest("POST", "/v1/items", { token: tokens.accessToken, body: { title, description } });
    }
    const rest = await fetch(`${api.url}/api/v1/items?limit=20`, { headers });
    expect(rest.headers.get("content-encoding")).toBe("gzip");
    const page = (await rest.json()) as { items: { title: string; description: string }[]; total: number };
    expect(page.total).toBe(6);
    expect(page.items.map((item) => item.description)).toEqual(Array(6).fill(description));
  });
});

describe("trusted hosts", () => {
  it("refuses a Host header that is not listed", async () => {
    const strict = await startServer({ TRUSTED_HOSTS: "api.example,127.0.0.1" });
    try {
      const ok = await fetch(`${strict.url}/api/health`);
      expect(ok.status).toBe(200);
      const { request } = await import("node:http");
      const status = await new Promise<number>((resolve, reject) => {
        const req = request(`${strict.url}/api/health`, { headers: { host: "evil.example" } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on("error", reject);
        req.end();
      });
      expect(status).toBe(400);
    } finally {
      await strict.stop();
    }
  });
});
