// Where our server's memory goes under W2: RSS split into file-backed pages (Node's binary and
// libraries), malloc, V8's heap by generation and the rest (WebAssembly, stacks), idle, near the end
// of a W2 run, and once the load has stopped and a full garbage collection has run; the RSS peak; and
// the garbage collector's pauses during the run. The RSS target of the performance issue is read
// against this.
//   node bench/memory.mjs [--duration 10] [--flags="--max-old-space-size=96"] [--env HEAP_GROWTH_PERCENT=0]
//        [--path /api/health] [--body '{"title":…}'] [--script bench/peers/trellis-echo.mjs]
// `--path` (and `--body`, which makes it a POST) load another request than W2's list; `--script` runs
// another build of our server, e.g. the W4 echo's.
// Like run.mjs it creates, migrates and seeds a PostgreSQL database on BENCH_PG_URL and drops it after
// (lib/probed-server.mjs).
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { startProbedServer } from "./lib/probed-server.mjs";
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

// Runs inside the server: a memory reading (MiB) on stderr every 250 ms with the garbage collector's
// pauses so far (count and ms, young and full collections), a full GC on SIGUSR2, and on SIGWINCH a
// reading with the split: the physical size of V8's young generation, old generation and large-object
// and code spaces, and the RSS split (lib/rss-split.mjs), both taken at the same instant.
const rssSplitUrl = pathToFileURL(join(repoRoot, "bench/lib/rss-split.mjs")).href;
const probe = `data:text/javascript,${encodeURIComponent(`
  import { PerformanceObserver, constants } from "node:perf_hooks";
  import { getHeapSpaceStatistics } from "node:v8";
  import { rssSplit } from ${JSON.stringify(rssSplitUrl)};
  const mib = (n) => Math.round(n / 1048576);
  const gc = { young: 0, youngMs: 0, full: 0, fullMs: 0 };
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (entry.detail.kind === constants.NODE_PERFORMANCE_GC_MINOR) { gc.young++; gc.youngMs += entry.duration; }
      else { gc.full++; gc.fullMs += entry.duration; }
    }
  }).observe({ entryTypes: ["gc"] });
  const report = (split) => {
    const m = process.memoryUsage();
    process.stderr.write("MEM " + JSON.stringify({ rss: mib(m.rss), heapTotal: mib(m.heapTotal), heapUsed: mib(m.heapUsed), external: mib(m.external), ...gc, ...split }) + "\\n");
  };
  const space = { new_space: "heapYoung", new_large_object_space: "heapYoung", old_space: "heapOld" };
  const split = () => {
    const heap = { heapYoung: 0, heapOld: 0, heapLargeAndCode: 0 };
    for (const s of getHeapSpaceStatistics()) heap[space[s.space_name] ?? "heapLargeAndCode"] += s.physical_space_size;
    for (const key in heap) heap[key] = mib(heap[key]);
    return { ...heap, ...rssSplit(process.pid) };
  };
  setInterval(report, 250).unref();
  process.on("SIGUSR2", () => { globalThis.gc(); report(); });
  process.on("SIGWINCH", () => report(split()));
`)}`;

const readings = [];
const { server, token, onReport, stop } = await startProbedServer({
  repoRoot,
  probe,
  script: args.script,
  nodeArgs: [...args.flags.split(" ").filter(Boolean), "--expose-gc"],
  env: args.env,
  port: 4192,
});
onReport("MEM ", (reading) => readings.push(reading));
try {
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  /** A reading with the split, asked of the probe; an error if none comes within 10 s (a dead server). */
  const snapshot = async () => {
    const count = readings.length;
    server.child.kill("SIGWINCH");
    for (let waited = 0; waited < 10_000; waited += 20) {
      const reading = readings.slice(count).find((r) => r.file !== undefined);
      if (reading) return reading;
      await sleep(20);
    }
    throw new Error("the server's memory probe did not answer within 10 s");
  };
  await sleep(1500);
  const idle = await snapshot();
  const from = readings.length;
  const method = args.body === undefined ? "GET" : "POST";
  const seconds = Number(args.duration);
  const nearEnd = sleep(Math.max(seconds - 1, seconds / 2) * 1000).then(snapshot);
  const result = await runWrk({
    url: `${server.baseUrl}${args.path}`,
    method,
    body: args.body,
    headers: { Authorization: `Bearer ${token}` },
    seconds,
  });
  if (result.non2xx > result.requests * 0.01) throw new Error(`${args.path}: ${result.non2xx} answers were not 2xx`);
  const underLoad = readings.slice(from);
  const peak = underLoad.reduce((a, b) => (b.rss > a.rss ? b : a));
  const [start, end] = [readings[from - 1], underLoad.at(-1)];
  const pauses = (count, ms) => `${end[count] - start[count]} taking ${Math.round(end[ms] - start[ms])} ms`;
  server.child.kill("SIGUSR2");
  await sleep(1000);
  const afterGc = await snapshot();
  const row = (label, m) => {
    const heap = m.heapYoung + m.heapOld + m.heapLargeAndCode;
    return `| ${label} | ${m.rss} | ${m.file} | ${m.malloc} | ${m.heapYoung} | ${m.heapOld} | ${m.heapLargeAndCode} | ${m.otherAnon - heap} | ${m.heapUsed} |`;
  };
  console.log(
    `${method} ${args.path}, ${result.rps.toFixed(0)} req/s, p99 ${result.p99Ms.toFixed(1)} ms, flags: ${args.flags || "none"}, ` +
      `env: ${args.env.join(" ") || "none"}; RSS peak under load ${peak.rss} MiB; GC pauses under load: ` +
      `young ${pauses("young", "youngMs")}, full ${pauses("full", "fullMs")}\n`,
  );
  console.log(
    "| MiB | RSS | files (Node, libraries) | malloc | V8 young generation | V8 old generation | V8 large objects, code | other anonymous (wasm, stacks) | V8 heap in use |",
  );
  console.log("|---|---|---|---|---|---|---|---|---|");
  console.log(row("idle", idle));
  console.log(row("under load, 1 s before the end", await nearEnd));
  console.log(row("after load, full GC", afterGc));
} finally {
  await stop();
}
