import { Writable } from "node:stream";
import Fastify from "fastify";
import { describe, expect, it } from "vitest";
import { makeChildLoggersLazy } from "./lazy-request-logger.js";

/** A Fastify app logging at `level` into an array of parsed lines, its request loggers made lazy. */
async function appLoggingAt(level: string) {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n")) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  const app = Fastify({ logger: { level, stream }, requestIdHeader: "x-request-id" });
  makeChildLoggersLazy(app.log);
  app.get("/logs", async (request) => {
    request.log.info("info line");
    request.log.warn({ detail: 42 }, "warn line");
    request.log.child({ step: "inner" }).error("child line");
    return { ok: true };
  });
  app.get("/quiet", async () => ({ ok: true }));
  app.get("/chatty", { logLevel: "debug" }, async (request) => {
    request.log.debug("debug line");
    return { ok: true };
  });
  await app.ready();
  return { app, lines };
}

describe("lazy request loggers", () => {
  it("log what pino's request children log: the request id, the fields, only enabled levels", async () => {
    const { app, lines } = await appLoggingAt("warn");
    const answer = await app.inject({ method: "GET", url: "/logs", headers: { "x-request-id": "req-7" } });
    expect(answer.statusCode).toBe(200);
    const logged = lines.filter((line) => line.reqId === "req-7");
    expect(logged.map(({ level, msg, detail, step }) => ({ level, msg, detail, step }))).toEqual([
      { level: 40, msg: "warn line", detail: 42, step: undefined },
      { level: 50, msg: "child line", detail: undefined, step: "inner" },
    ]);
    await app.close();
  });

  it("follow the root logger's level, and Fastify's own request logs keep the request id", async () => {
    const { app, lines } = await appLoggingAt("info");
    await app.inject({ method: "GET", url: "/logs", headers: { "x-request-id": "req-8" } });
    await app.inject({ method: "GET", url: "/quiet", headers: { "x-request-id": "req-9" } });
    const messages = (id: string) => lines.filter((line) => line.reqId === id).map((line) => line.msg);
    expect(messages("req-8")).toEqual([
      "incoming request",
      "info line",
      "warn line",
      "child line",
      "request completed",
    ]);
    expect(messages("req-9")).toEqual(["incoming request", "request completed"]);
    await app.close();
  });

  it("give a route with a log level of its own a logger at that level", async () => {
    const { app, lines } = await appLoggingAt("warn");
    await app.inject({ method: "GET", url: "/chatty", headers: { "x-request-id": "req-10" } });
    expect(lines.filter((line) => line.reqId === "req-10").map((line) => line.msg)).toContain("debug line");
    await app.close();
  });
});
