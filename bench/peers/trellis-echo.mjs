// Our server as server/dist/main.js builds it (same settings, stack, fast paths) with one procedure
// more: W4's validated echo, a `publicProcedure` (our error-mapping middleware, the request context,
// zod input and output validation, superjson) at tRPC `bench.echo` and REST `POST /api/bench/echo`.
// The W4 baseline is a validated echo and our public API has none, so the benchmark mounts
// it through `createServer({ router })` instead of adding a bench-only route to the app.
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { echoInputOf } from "./echo-input.mjs";

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "../..");
const dist = (file) => import(pathToFileURL(join(repoRoot, "server/dist", file)).href);
// The server's own zod, so trpc-to-openapi recognises the schema (echo-input.mjs imports the bench's).
const serverRequire = createRequire(join(repoRoot, "server/package.json"));
const { z } = await import(pathToFileURL(serverRequire.resolve("zod")).href);
const [
  { createServer },
  { loadEnv },
  { appRouter },
  { mergeRouters, router },
  { publicProcedure },
  { prepareRuntime },
] = await Promise.all([
  dist("app.js"),
  dist("env.js"),
  dist("router.js"),
  dist("trpc/init.js"),
  dist("trpc/procedures.js"),
  dist("platform/runtime.js"),
]);

const EchoInput = echoInputOf(z);
const benchRouter = router({
  bench: router({
    echo: publicProcedure
      .meta({ openapi: { method: "POST", path: "/bench/echo", tags: ["bench"], summary: "W4 validated echo" } })
      .input(EchoInput)
      .output(EchoInput)
      .mutation(({ input }) => input),
  }),
});

const env = loadEnv();
await prepareRuntime(env);
const server = await createServer({ env, router: mergeRouters(appRouter, benchRouter) });
await server.start();
const stop = () => server.stop().then(() => process.exit(0));
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
