// Where W2's latency tail comes from: wrk's latency percentiles beside what the server itself saw in the
// same run — each request's time inside the server (from Node's "request" event to the answer's last
// byte handed to the socket), the part of it spent waiting for a pooled database connection, the event
// loop's delay (perf_hooks.monitorEventLoopDelay, 1 ms resolution) and the garbage collector's pauses.
//   node bench/tail.mjs [--duration 10] [--runs 2] [--env KEY=VALUE]… [--path /api/v1/items?limit=20]
//        [--pin-wrk 1] [--flags "--max-semi-space-size=8"] [--noise 1] [--idle 40 --warmup 3]
// Like run.mjs it creates, migrates and seeds a PostgreSQL database on BENCH_PG_URL and drops it after.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { startProbedServer } from "./lib/probed-server.mjs";
import { runWrk } from "./lib/wrk.mjs";

const repoRoot = dirname(dirname(fileURLToPath(import.meta.url)));
const { values: args } = parseArgs({
  options: {
    duration: { type: "string", default: "10" },
    runs: { type: "string", default: "2" },
    flags: { type: "string", default: "" },
    env: { type: "string", multiple: true, default: [] },
    path: { type: "string", default: "/api/v1/items?limit=20" },
    script: { type: "string", default: "server/dist/main.js" },
    /** A CPU for wrk alone (taskset), to see how much of the tail is wrk sharing the cores. */
    "pin-wrk": { type: "string" },
    /** Busy-looping processes running beside the load, to see how the tail grows when the cores are contended. */
    noise: { type: "string", default: "0" },
    /**
     * Seconds the server sits idle before each run's warm-up, the first included: in the suite a server started
     * with the round waits while the targets before it run.
     */
    idle: { type: "string", default: "0" },
    /** Seconds of load before each run (after the idle time), like the suite's warm-up of a row. */
    warmup: { type: "string", default: "3" },
  },
});

const pgPath = createRequire(join(repoRoot, "server/package.json")).resolve("pg");
// Runs inside the server. Histograms in µs; SIGWINCH resets them, SIGUSR2 prints them on stderr.
const probe = `data:text/javascript,${encodeURIComponent(`
  import http from "node:http";
  import { createRequire } from "node:module";
  import { PerformanceObserver, constants, createHistogram, monitorEventLoopDelay, performance } from "node:perf_hooks";
  const pg = createRequire(${JSON.stringify(pgPath)})(${JSON.stringify(pgPath)});
  const us = (t0) => Math.max(1, Math.round((performance.now() - t0) * 1000));
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  const inServer = createHistogram();
  const poolWait = createHistogram();
  const gc = { young: 0, youngMaxMs: 0, full: 0, fullMaxMs: 0 };
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (entry.detail.kind === constants.NODE_PERFORMANCE_GC_MINOR) { gc.young++; gc.youngMaxMs = Math.max(gc.youngMaxMs, entry.duration); }
      else { gc.full++; gc.fullMaxMs = Math.max(gc.fullMaxMs, entry.duration); }
    }
  }).observe({ entryTypes: ["gc"] });
  const emit = http.Server.prototype.emit;
  http.Server.prototype.emit = function (event, req, res) {
    if (event === "request") {
      const t0 = performance.now();
      res.once("finish", () => inServer.record(us(t0)));
    }
    return emit.apply(this, arguments);
  };
  const connect = pg.Pool.prototype.connect;
  pg.Pool.prototype.connect = function (callback) {
    const t0 = performance.now();
    if (typeof callback === "function")
      return connect.call(this, (error, client, done) => { poolWait.record(us(t0)); callback(error, client, done); });
    return connect.call(this).then((client) => { poolWait.record(us(t0)); return client; });
  };
  const summary = (h, scale) => {
    const ms = (v) => Math.round((v / scale) * 10) / 10;
    return { p50: ms(h.percentile(50)), p90: ms(h.percentile(90)), p99: ms(h.percentile(99)),
      p999: ms(h.percentile(99.9)), max: ms(h.max) };
  };
  process.on("SIGWINCH", () => { loop.reset(); inServer.reset(); poolWait.reset(); Object.assign(gc, { young: 0, youngMaxMs: 0, full: 0, fullMaxMs: 0 }); });
  process.on("SIGUSR2", () => process.stderr.write("TAIL " + JSON.stringify({
    inServer: summary(inServer, 1000), poolWait: summary(poolWait, 1000), loopDelay: summary(loop, 1e6), gc,
  }) + "\\n"));
`)}`;

const reports = [];
const { server, token, onReport, stop } = await startProbedServer({
  repoRoot,
  probe,
  script: args.script,
  nodeArgs: args.flags.split(" ").filter(Boolean),
  env: args.env,
  port: 4193,
});
onReport("TAIL ", (report) => reports.push(report));
try {
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  const url = `${server.baseUrl}${args.path}`;
  const headers = { Authorization: `Bearer ${token}` };
  const pinCpu = args["pin-wrk"] === undefined ? undefined : Number(args["pin-wrk"]);
  const noise = Array.from({ length: Number(args.noise) }, () =>
    spawn(process.execPath, ["-e", "for (;;) {}"], { stdio: "ignore" }),
  );
  process.once("exit", () => {
    for (const child of noise) child.kill();
  });
  console.log(
    `${args.script} ${args.path}, env: ${args.env.join(" ") || "none"}, flags: ${args.flags || "none"}, ` +
      `wrk on CPU ${args["pin-wrk"] ?? "any"}, ${noise.length} busy-looping processes beside it`,
  );
  console.log(
    "| run | req/s | wrk p50 / p90 / p99 / max | in server p50 / p90 / p99 / p99.9 / max | pool wait p50 / p99 / max | " +
      "loop delay p50 / p99 / max | GC: young n / max ms, full n / max ms |",
  );
  console.log("|---|---|---|---|---|---|---|");
  for (let run = 1; run <= Number(args.runs); run++) {
    await sleep(Number(args.idle) * 1000);
    if (Number(args.warmup) > 0) await runWrk({ url, headers, seconds: Number(args.warmup), pinCpu });
    server.child.kill("SIGWINCH");
    await sleep(50);
    const wrk = await runWrk({ url, headers, seconds: Number(args.duration), pinCpu });
    const count = reports.length;
    server.child.kill("SIGUSR2");
    while (reports.length === count) await sleep(20);
    const { inServer: s, poolWait: w, loopDelay: l, gc } = reports.at(-1);
    const p = (line) => wrk.raw.match(new RegExp(`${line}%\\s+([\\d.]+\\w+)`))?.[1];
    const max = wrk.raw.match(/Latency\s+\S+\s+\S+\s+(\S+)/)?.[1];
    console.log(
      `| ${run} | ${wrk.rps.toFixed(0)} | ${p(50)} / ${p(90)} / ${p(99)} / ${max} | ${s.p50} / ${s.p90} / ${s.p99} / ${s.p999} / ${s.max} | ` +
        `${w.p50} / ${w.p99} / ${w.max} | ${l.p50} / ${l.p99} / ${l.max} | ` +
        `${gc.young} / ${gc.youngMaxMs.toFixed(1)}, ${gc.full} / ${gc.fullMaxMs.toFixed(1)} |`,
    );
  }
  for (const child of noise) child.kill();
} finally {
  await stop();
}
