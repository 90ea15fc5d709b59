// Reference peer, not a competitor: the plain `{"hello":"world"}` route of fastify-route.mjs behind
// our server's HTTP stack — Fastify options, logger (warn), request-id/timing/trusted-host hooks,
// error fallbacks, CORS and compression, set up as server/src/app.ts does, from the built server, in
// a process prepared as main.ts prepares ours (prepareRuntime: the heap-growth cap, no pretenuring,
// nextTick warmed). Its W1 ratio is the ceiling any route of our server can reach before tRPC or REST
// do any work.
import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "../..");
// The server's own copies of Fastify and its plugins, not the bench package's.
const serverRequire = createRequire(join(repoRoot, "server/package.json"));
const load = async (name) => (await import(pathToFileURL(serverRequire.resolve(name)).href)).default;
const Fastify = await load("fastify");
const { LogController } = await import(pathToFileURL(serverRequire.resolve("fastify")).href);
const { registerRequestHooks } = await import(pathToFileURL(join(repoRoot, "server/dist/http/hooks.js")).href);
const { registerFallbacks } = await import(pathToFileURL(join(repoRoot, "server/dist/http/fallbacks.js")).href);
const { registerCors } = await import(pathToFileURL(join(repoRoot, "server/dist/http/cors.js")).href);
const { registerCompression } = await import(pathToFileURL(join(repoRoot, "server/dist/http/compression.js")).href);
const { prepareRuntime } = await import(pathToFileURL(join(repoRoot, "server/dist/platform/runtime.js")).href);
const { DEV_JWT_SECRET, loadEnv } = await import(pathToFileURL(join(repoRoot, "server/dist/env.js")).href);

// The server's defaults for what prepareRuntime reads (the peer has no secret of its own to check).
await prepareRuntime(loadEnv({ JWT_SECRET: DEV_JWT_SECRET }));

const app = Fastify({
  logger: { level: "warn" },
  bodyLimit: 1024 * 1024,
  requestIdHeader: "x-request-id",
  genReqId: () => randomUUID(),
  logController: new LogController({ disableRequestLogging: true }),
  routerOptions: { maxParamLength: 5_000 },
});
registerRequestHooks(app, { TRUSTED_HOSTS: ["*"] });
registerFallbacks(app);
registerCors(app, {
  origins: ["http://localhost:3000", "http://127.0.0.1:3000"],
  exposedHeaders: ["x-request-id", "location"],
});
await registerCompression(app);
app.get("/hello", async () => ({ hello: "world" }));
await app.listen({ host: "127.0.0.1", port: Number(process.env.PORT ?? 4107) });
