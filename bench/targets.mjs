// The one list of benchmark targets. Each runs as its own process, gets PORT from the env (or via
// "{PORT}" in its args), and listens on 127.0.0.1. Workload specs are described in
// lib/workloads.mjs (rowsOf). Paths are relative to the repo root.
import { ECHO_BODY, trpcBatchPath } from "./lib/workloads.mjs";

const node = process.execPath;
const echo = (path, body = ECHO_BODY) => ({ method: "POST", path, body, expect: '"published":true' });
const hello = (path) => ({ path, expect: "world" });
const trpcInput = (value) => encodeURIComponent(JSON.stringify({ json: value }));

/** The W4 write of our server: items.create's input (title, description, price), validated by zod. */
export const CREATE_ITEM_BODY = { title: "Bench item", description: null, price: 9.5 };

/**
 * Our server, built (`npm run build`), in its production configuration on the harness's PostgreSQL
 * database. Every row goes through a real procedure of the app router with its middleware, context
 * and validation: health.live (public, no input), items.list and items.create (authenticated: JWT
 * check and a user look-up per request, zod input and output), over tRPC and over REST.
 */
function trellis(name, env = {}) {
  return {
    name,
    cmd: node,
    args: ["server/dist/main.js"],
    needsDatabase: true,
    env: {
      NODE_ENV: "production",
      LOG_LEVEL: "warn",
      HOST: "127.0.0.1",
      SEED_ADMIN_PASSWORD: "bench-admin-password-not-default",
      ...env,
    },
    workloads: {
      w1: [
        { variant: "trpc", path: "/trpc/health.live", expect: '"status":"ok"' },
        { variant: "rest", path: "/api/health", expect: '"status":"ok"' },
      ],
      w2: [
        { variant: "rest", path: "/api/v1/items?limit=20", auth: "bearer", expect: '"total":' },
        {
          variant: "trpc",
          path: `/trpc/items.list?input=${trpcInput({ limit: 20 })}`,
          auth: "bearer",
          expect: '"total":',
        },
      ],
      w3: [
        { variant: "batch10", path: trpcBatchPath("/trpc", "health.live", 10), opsPerRequest: 10, expect: '"ok"' },
        { variant: "single", path: "/trpc/health.live", expect: '"ok"' },
      ],
      w4: [
        {
          variant: "rest-create",
          method: "POST",
          path: "/api/v1/items",
          body: CREATE_ITEM_BODY,
          auth: "bearer",
          expect: '"ownerId"',
        },
        {
          variant: "trpc-create",
          method: "POST",
          path: "/trpc/items.create",
          body: { json: CREATE_ITEM_BODY },
          auth: "bearer",
          expect: '"ownerId"',
        },
      ],
    },
  };
}

/** A target with only some of its workloads. */
const only = (target, workloadIds) => ({
  ...target,
  workloads: Object.fromEntries(workloadIds.map((id) => [id, target.workloads[id]])),
});

/** W4's validated echo through our server: bench/peers/trellis-echo.mjs mounts it next to the app router. */
const trellisEcho = () => ({
  ...trellis("trellis-echo"),
  args: ["bench/peers/trellis-echo.mjs"],
  workloads: {
    w4: [
      { variant: "trpc", ...echo("/trpc/bench.echo", { json: ECHO_BODY }) },
      { variant: "rest", ...echo("/api/bench/echo") },
    ],
  },
});

export const targets = [
  trellis("trellis"),
  trellisEcho(),
  // The same server with HTTP_FAST_PATH=off: tRPC's Fastify adapter and trpc-to-openapi's handler,
  // i.e. where we started; the difference to "trellis" is what http/fast/ buys.
  trellis("trellis-stock", { HTTP_FAST_PATH: "off" }),
  // The same server sending each answer the moment it is ready (HTTP_WRITE_BATCH=1): the difference
  // to "trellis" is what sending answers in batches buys with wrk on the same machine.
  only(trellis("trellis-unbatched", { HTTP_WRITE_BATCH: "1" }), ["w1", "w2"]),
  {
    name: "fastify-route",
    cmd: node,
    args: ["bench/peers/fastify-route.mjs"],
    workloads: { w1: hello("/hello"), w3: hello("/hello"), w4: echo("/echo") },
  },
  {
    name: "trpc-stock",
    cmd: node,
    args: ["bench/peers/trpc-stock.mjs"],
    workloads: {
      w1: hello("/trpc/hello"),
      w3: [
        { variant: "batch10", path: trpcBatchPath("/trpc", "hello", 10), opsPerRequest: 10, expect: "world" },
        { variant: "single", ...hello("/trpc/hello") },
      ],
      // superjson wraps inputs as { json }.
      w4: echo("/trpc/echo", { json: ECHO_BODY }),
    },
  },
  {
    name: "hono",
    cmd: node,
    args: ["bench/peers/hono.mjs"],
    workloads: { w1: hello("/hello"), w4: echo("/echo") },
  },
  {
    name: "orpc",
    cmd: node,
    args: ["bench/peers/orpc.mjs"],
    workloads: {
      w1: [
        { variant: "rpc", ...hello("/rpc/hello") },
        { variant: "openapi", ...hello("/api/hello") },
      ],
      w4: [
        { variant: "rpc", ...echo("/rpc/echo", { json: ECHO_BODY }) },
        { variant: "openapi", ...echo("/api/echo") },
      ],
    },
  },
  {
    // Not a peer framework: fastify-route's W1 route behind our server's HTTP stack (see the file).
    name: "fastify-stack",
    cmd: node,
    args: ["bench/peers/fastify-stack.mjs"],
    workloads: { w1: hello("/hello") },
  },
  {
    // Not a peer framework: W2/W4 by hand on Fastify + pg (see the file), the floor under our rows.
    name: "fastify-pg",
    cmd: node,
    args: ["bench/peers/fastify-pg.mjs"],
    needsDatabase: true,
    workloads: {
      w2: { path: "/api/v1/items?limit=20", auth: "bearer", expect: '"total":' },
      w4: {
        variant: "create",
        method: "POST",
        path: "/api/v1/items",
        body: CREATE_ITEM_BODY,
        auth: "bearer",
        expect: '"ownerId"',
      },
    },
  },
  {
    name: "fastapi",
    cmd: "/usr/bin/python3",
    args: [
      ...["-m", "uvicorn", "fastapi_app:app", "--app-dir", "bench/peers", "--host", "127.0.0.1", "--port", "{PORT}"],
      ...["--loop", "uvloop", "--http", "httptools", "--workers", "1", "--no-access-log"],
    ],
    workloads: {
      w1: hello("/hello"),
      w2: { path: "/api/v1/items?limit=20", auth: "bearer", expect: '"total":' },
      w4: echo("/echo"),
    },
  },
];
