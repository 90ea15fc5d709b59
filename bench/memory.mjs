// Where our server's memory goes under W2: RSS split into V8's heap and the rest (code, Prisma's wasm
// query compiler, buffers), idle, at the peak of a W2 run, and once the load has stopped and a full
// garbage collection has run; and the garbage collector's pauses during the run. The RSS target of
// the performance issue is read against this.
//   node bench/memory.mjs [--duration 10] [--flags="--max-old-space-size=96"] [--env HEAP_GROWTH_PERCENT=0]
//        [--path /api/health] [--body '{"title":…}'] [--script bench/peers/trellis-echo.mjs]
// `--path` (and `--body`, which makes it a POST) load another request than W2's list; `--script` runs
// another build of our server, e.g. the W4 echo's.
// Like run.mjs it creates, migrates and seeds a PostgreSQL database on BENCH_PG_URL and drops it after.
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createBenchDatabase } from "./lib/database.mjs";
import { signJwt } from "./lib/jwt.mjs";
import { startTarget, stopTarget } from "./lib/process.mjs";
import { seedItems } from "./lib/seed-items.mjs";
import { runWrk } from "./lib/wrk.mjs";

const repoRoot = dirname(dirname(fileURLToPath(import.meta.url)));
const { values: args } = parseArgs({
  options: {
    duration: { type: "string", default: "10" },
    /** Node flags for the server, e.g. a heap limit. */
    flags: { type: "string", default: "" },
    /** Settings for the server, KEY=VALUE, repeatable. */
    env: { type: "string", multiple: true, default: [] },
    /** The request under load (W2's list by default); with `--body`, a POST of that JSON. */
    path: { type: "string", default: "/api/v1/items?limit=20" },
    body: { type: "string" },
    script: { type: "string", default: "server/dist/main.js" },
  },
});

// Runs inside the server: a memory reading (MiB) on stderr every 250 ms, with the garbage
// collector's pauses so far (count and ms, young and full collections), and a full GC on SIGUSR2.
const probe = `data:text/javascript,${encodeURIComponent(`
  import { PerformanceObserver, constants } from "node:perf_hooks";
  const mib = (n) => Math.round(n / 1048576);
  const gc = { young: 0, youngMs: 0, full: 0, fullMs: 0 };
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (entry.detail.kind === constants.NODE_PERFORMANCE_GC_MINOR) { gc.young++; gc.youngMs += entry.duration; }
      else { gc.full++; gc.fullMs += entry.duration; }
    }
  }).observe({ entryTypes: ["gc"] });
  const report = () => {
    const m = process.memoryUsage();
    process.stderr.write("MEM " + JSON.stringify({ rss: mib(m.rss), heapTotal: mib(m.heapTotal), heapUsed: mib(m.heapUsed), external: mib(m.external), ...gc }) + "\\n");
  };
  setInterval(report, 250).unref();
  process.on("SIGUSR2", () => { globalThis.gc(); report(); });
`)}`;

const database = await createBenchDatabase({
  adminUrl: process.env.BENCH_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres",
  repoRoot,
});
const readings = [];
let server;
try {
  const { userId } = await seedItems({ databaseUrl: database.url, count: 10_000 });
  const secret = "memory-bench-secret-0123456789abcdef0123";
  server = await startTarget({
    name: "trellis",
    cmd: process.execPath,
    args: [...args.flags.split(" ").filter(Boolean), "--expose-gc", `--import=${probe}`, args.script],
    env: {
      NODE_ENV: "production",
      LOG_LEVEL: "warn",
      HOST: "127.0.0.1",
      SEED_ADMIN_PASSWORD: "bench-admin-password-not-default",
      JWT_SECRET: secret,
      DATABASE_URL: database.url,
      ...Object.fromEntries(args.env.map((pair) => pair.split("="))),
    },
    cwd: repoRoot,
    port: 4192,
  });
  let partial = "";
  server.child.stderr.on("data", (chunk) => {
    const lines = (partial + chunk).split("\n");
    partial = lines.pop();
    for (const line of lines) if (line.startsWith("MEM ")) readings.push(JSON.parse(line.slice(4)));
  });
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  await sleep(1500);
  const idle = readings.at(-1);
  const from = readings.length;
  const token = signJwt({ sub: userId, secret, claims: { iss: "trellis", typ: "access" } });
  const method = args.body === undefined ? "GET" : "POST";
  const result = await runWrk({
    url: `${server.baseUrl}${args.path}`,
    method,
    body: args.body,
    headers: { Authorization: `Bearer ${token}` },
    seconds: Number(args.duration),
  });
  if (result.non2xx > result.requests * 0.01) throw new Error(`${args.path}: ${result.non2xx} answers were not 2xx`);
  const underLoad = readings.slice(from);
  const peak = underLoad.reduce((a, b) => (b.rss > a.rss ? b : a));
  const [start, end] = [readings[from - 1], underLoad.at(-1)];
  const pauses = (count, ms) => `${end[count] - start[count]} taking ${Math.round(end[ms] - start[ms])} ms`;
  server.child.kill("SIGUSR2");
  await sleep(1000);
  const afterGc = readings.at(-1);
  const row = (label, m) =>
    `| ${label} | ${m.rss} | ${m.heapTotal} | ${m.heapUsed} | ${m.rss - m.heapTotal} | ${m.external} |`;
  console.log(
    `${method} ${args.path}, ${result.rps.toFixed(0)} req/s, p99 ${result.p99Ms.toFixed(1)} ms, flags: ${args.flags || "none"}, ` +
      `env: ${args.env.join(" ") || "none"}; GC pauses under load: young ${pauses("young", "youngMs")}, ` +
      `full ${pauses("full", "fullMs")}\n`,
  );
  console.log("| MiB | RSS | V8 heap (reserved) | heap in use | RSS outside the heap | external |");
  console.log("|---|---|---|---|---|---|");
  console.log(row("idle", idle));
  console.log(row("peak under load", peak));
  console.log(row("after load, full GC", afterGc));
} finally {
  if (server) await stopTarget(server);
  await database.drop();
}
