// Reference peer, not a competitor: the plain `{"hello":"world"}` route of fastify-route.mjs behind
// our server's HTTP stack — Fastify options, logger (warn, lazy request children), request ids,
// request-id/timing/trusted-host hooks, error fallbacks, CORS and compression, set up as
// server/src/app.ts does, from the built server, in a process prepared as main.ts prepares ours
// (prepareRuntime: the heap-growth cap, no pretenuring, nextTick warmed). Its W1 ratio is the ceiling
// any route of our server can reach before tRPC or REST do any work.
import { importBuilt, importServerPackage } from "../lib/server-modules.mjs";

const [
  { default: Fastify, LogController },
  { registerRequestHooks },
  { newRequestId },
  { makeChildLoggersLazy },
  { registerFallbacks },
  { registerCors },
  { registerCompression },
  { prepareRuntime },
  { DEV_JWT_SECRET, loadEnv },
] = await Promise.all([
  importServerPackage("fastify"),
  importBuilt("http/hooks.js"),
  importBuilt("http/request-ids.js"),
  importBuilt("http/lazy-request-logger.js"),
  importBuilt("http/fallbacks.js"),
  importBuilt("http/cors.js"),
  importBuilt("http/compression.js"),
  importBuilt("platform/runtime.js"),
  importBuilt("env.js"),
]);

// The server's defaults for what prepareRuntime reads (the peer has no secret of its own to check).
await prepareRuntime(loadEnv({ JWT_SECRET: DEV_JWT_SECRET }));

const app = Fastify({
  logger: { level: "warn" },
  bodyLimit: 1024 * 1024,
  requestIdHeader: "x-request-id",
  genReqId: newRequestId,
  logController: new LogController({ disableRequestLogging: true }),
  routerOptions: { maxParamLength: 5_000 },
});
makeChildLoggersLazy(app.log);
registerRequestHooks(app, { TRUSTED_HOSTS: ["*"] });
registerFallbacks(app);
registerCors(app, {
  origins: ["http://localhost:3000", "http://127.0.0.1:3000"],
  exposedHeaders: ["x-request-id", "location"],
});
await registerCompression(app);
app.get("/hello", async () => ({ hello: "world" }));
await app.listen({ host: "127.0.0.1", port: Number(process.env.PORT ?? 4107) });
