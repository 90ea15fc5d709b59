// The one list of benchmark targets. Each runs as its own process, gets PORT from the env (or via
// "{PORT}" in its args), and listens on 127.0.0.1. To add our server, append entries such as
//   { name: "trellis-trpc", cmd: process.execPath, args: ["server/dist/main.js"], env: {...},
//     workloads: { w1: { path: "/trpc/health.ping" }, w2: { path: "...", auth: "bearer" } } }
// Workload specs are described in lib/workloads.mjs (rowsOf). Paths are relative to the repo root.
import { ECHO_BODY, trpcBatchPath } from "./lib/workloads.mjs";

const node = process.execPath;
const echo = (path, body = ECHO_BODY) => ({ method: "POST", path, body, expect: '"published":true' });
const hello = (path) => ({ path, expect: "world" });

export const targets = [
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
