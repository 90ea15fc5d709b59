import Fastify from "fastify";
import { describe, expect, it } from "vitest";
import { lazyRequestLoggers } from "./request-logger.js";

async function appWithLogLines() {
  const lines: Record<string, unknown>[] = [];
  const app = Fastify({
    logger: { level: "warn", stream: { write: (line: string) => lines.push(JSON.parse(line)) } },
    childLoggerFactory: lazyRequestLoggers,
  });
  let children = 0;
  const makeChild = app.log.child.bind(app.log);
  app.log.child = (...args: Parameters<typeof makeChild>) => {
    children++;
    return makeChild(...args);
  };
  app.get("/quiet", async () => "ok");
  app.get("/fails", async (request) => {
    request.log.error({ detail: 42 }, "something broke");
    request.log.info("below the level");
    return "logged";
  });
  app.get("/verbose", { logLevel: "debug" }, async (request) => {
    request.log.debug("route-level debug");
    return request.log.level;
  });
  await app.ready();
  return { app, lines, children: () => children };
}

describe("request loggers", () => {
  it("log with the request id, at the route's level, and are made only by a request that logs", async () => {
    const { app, lines, children } = await appWithLogLines();

    await app.inject({ url: "/quiet" });
    await app.inject({ url: "/quiet" });
    expect(children()).toBe(0);

    const failed = await app.inject({ url: "/fails", headers: { "request-id": "ignored" } });
    expect(failed.body).toBe("logged");
    expect(children()).toBe(1);
    expect(lines).toEqual([
      expect.objectContaining({ level: 50, msg: "something broke", detail: 42, reqId: expect.any(String) }),
    ]);

    const verbose = await app.inject({ url: "/verbose" });
    expect(verbose.body).toBe("debug");
    // The route's own level applies: its debug line, and Fastify's request lines at info.
    const debugLine = lines.find((line) => line.msg === "route-level debug");
    expect(debugLine).toEqual(expect.objectContaining({ level: 20, reqId: expect.any(String) }));
    expect(debugLine?.reqId).not.toBe(lines[0]?.reqId);
    expect(lines.filter((line) => line.reqId === debugLine?.reqId).map((line) => line.msg)).toEqual([
      "incoming request",
      "route-level debug",
      "request completed",
    ]);
    await app.close();
  });
});
