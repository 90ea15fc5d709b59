import { gunzipSync } from "node:zlib";
import Fastify from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COMPRESSION_THRESHOLD, isBelowThreshold, registerCompression } from "./compression.js";

describe("isBelowThreshold", () => {
  it("measures bytes, not characters", () => {
    expect(isBelowThreshold("a".repeat(COMPRESSION_THRESHOLD - 1))).toBe(true);
    expect(isBelowThreshold("a".repeat(COMPRESSION_THRESHOLD))).toBe(false);
    // 400 characters, 1,200 bytes in UTF-8.
    expect(isBelowThreshold("€".repeat(400))).toBe(false);
    expect(isBelowThreshold(Buffer.alloc(COMPRESSION_THRESHOLD - 1))).toBe(true);
    expect(isBelowThreshold(Buffer.alloc(COMPRESSION_THRESHOLD))).toBe(false);
    expect(isBelowThreshold(null)).toBe(false);
    expect(isBelowThreshold({ pipe() {} })).toBe(false);
  });
});

describe("registerCompression", () => {
  const app = Fastify();
  const onSendHooks = new Map<string, string[]>();
  const bodies = {
    small: JSON.stringify({ hello: "world" }),
    large: JSON.stringify({ rows: Array.from({ length: 200 }, (_, i) => ({ id: i, title: `item ${i}` })) }),
    multibyte: JSON.stringify({ text: "€".repeat(400) }),
  };

  beforeAll(async () => {
    await registerCompression(app);
    app.addHook("onRoute", (route) => {
      const hooks = Array.isArray(route.onSend) ? route.onSend : [route.onSend];
      onSendHooks.set(
        `${route.method} ${route.url}`,
        hooks.map((hook) => hook?.name ?? ""),
      );
    });
    for (const [name, body] of Object.entries(bodies)) {
      app.get(`/${name}`, (_request, reply) => reply.type("application/json").send(body));
    }
    app.get("/large-buffer", (_request, reply) => reply.type("application/json").send(Buffer.from(bodies.large)));
    app.get("/uncompressed", { compress: false }, (_request, reply) =>
      reply.type("application/json").send(bodies.large),
    );
    await app.ready();
  });
  afterAll(() => app.close());

  const get = (url: string, acceptEncoding?: string) =>
    app.inject({ method: "GET", url, headers: acceptEncoding ? { "accept-encoding": acceptEncoding } : {} });

  it("compresses answers at or over the threshold for clients that accept it", async () => {
    for (const url of ["/large", "/multibyte", "/large-buffer"]) {
      const response = await get(url, "gzip");
      expect(response.headers["content-encoding"]).toBe("gzip");
      const expected = url === "/multibyte" ? bodies.multibyte : bodies.large;
      expect(gunzipSync(response.rawPayload).toString()).toBe(expected);
    }
  });

  it("sends smaller answers, and answers to clients that do not ask for compression, as they are", async () => {
    const small = await get("/small", "gzip");
    expect(small.headers["content-encoding"]).toBeUndefined();
    expect(small.body).toBe(bodies.small);
    const plain = await get("/large");
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(plain.body).toBe(bodies.large);
  });

  it("wraps the plugin's hook on every route that compresses, and leaves the others alone", () => {
    // If @fastify/compress renamed or moved its hook, answers would stay right but lose the shortcut.
    expect(onSendHooks.get("GET /large")?.at(-1)).toBe("skipSmall");
    expect(onSendHooks.get("GET /uncompressed")).not.toContain("skipSmall");
    expect(onSendHooks.get("GET /uncompressed")).not.toContain("onSend");
  });
});
