// Our server as server/dist/main.js builds it (same settings, stack, fast paths) with one procedure
// more: W4's validated echo, a `publicProcedure` (our error-mapping middleware, the request context,
// zod input and output validation, superjson) at tRPC `bench.echo` and REST `POST /api/bench/echo`.
// The W4 baseline is a validated echo and our public API has none, so the benchmark mounts
// it through `createServer({ router })` instead of adding a bench-only route to the app.
import { importBuilt, importServerPackage } from "../lib/server-modules.mjs";
import { echoInputOf } from "./echo-input.mjs";

const [
  { createServer },
  { loadEnv },
  { appRouter },
  { mergeRouters, router },
  { publicProcedure },
  { prepareRuntime },
  // The server's own zod, so trpc-to-openapi recognises the schema (echo-input.mjs imports the bench's).
  { z },
] = await Promise.all([
  importBuilt("app.js"),
  importBuilt("env.js"),
  importBuilt("router.js"),
  importBuilt("trpc/init.js"),
  importBuilt("trpc/procedures.js"),
  importBuilt("platform/runtime.js"),
  importServerPackage("zod"),
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
