// Where a target's time goes under load: starts it with `node --cpu-prof`, runs wrk against one of its
// workload rows, stops it, and prints the CPU per request and the self time per package and per
// function, in µs per request.
//   node bench/profile.mjs --target trellis --row w1:trpc [--duration 10] [--top 25] [--save trpc.cpuprofile]
// Needs a node target (not FastAPI). Like run.mjs, it creates, migrates and seeds a PostgreSQL
// database on BENCH_PG_URL for targets that need one, and drops it afterwards. Samples taken before
// the measured run (start-up, migrations, warm-up) are left out.
// V8's sampler stops the main thread with a signal, which a thread inside a system call only takes on
// the way out (and a preempted one when it runs again, often at a syscall's exit): samples pile up
// there. Here `writev` reads about twice what `perf record` (OS sampling, all frames) finds for the
// same load, and the JavaScript rows read low by as much. Compare rows with each other, not with the
// kernel's share (BENCHMARKS.md, 2026-12-04, OS-level sampling).
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createBenchDatabase } from "./lib/database.mjs";
import { signJwt } from "./lib/jwt.mjs";
import { startTarget, stopTarget } from "./lib/process.mjs";
import { seedItems } from "./lib/seed-items.mjs";
import { rowsOf } from "./lib/workloads.mjs";
import { runWrk } from "./lib/wrk.mjs";
import { targets } from "./targets.mjs";

const repoRoot = dirname(dirname(fileURLToPath(import.meta.url)));
const { values: args } = parseArgs({
  options: {
    target: { type: "string", default: "trellis" },
    row: { type: "string", default: "w1:trpc" },
    duration: { type: "string", default: "10" },
    top: { type: "string", default: "25" },
    /** Also keep the V8 profile (.cpuprofile, for Chrome DevTools) at this path. */
    save: { type: "string" },
  },
});
const target = targets.find((t) => t.name === args.target);
if (!target || target.cmd !== process.execPath) throw new Error(`no node target named ${args.target}`);
const [workload, variant] = args.row.split(":");
const row = rowsOf(target, workload).find((r) => r.row === (variant ? `${target.name}:${variant}` : target.name));
if (!row) throw new Error(`${args.target} has no row ${args.row}`);

const env = { ...target.env, JWT_SECRET: "profile-secret-0123456789abcdef0123456789" };
let database;
let userId = 1;
if (target.needsDatabase) {
  const adminUrl = process.env.BENCH_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
  database = await createBenchDatabase({ adminUrl, repoRoot });
  env.DATABASE_URL = database.url;
  ({ userId } = await seedItems({ databaseUrl: database.url, count: 10_000 }));
}
const headers = { ...row.headers };
if (row.auth === "bearer") {
  const claims = { iss: "trellis", typ: "access" };
  headers.Authorization = `Bearer ${signJwt({ sub: userId, secret: env.JWT_SECRET, claims })}`;
}

// SIGTERM must end the process normally, or --cpu-prof writes nothing; peers do not handle it.
const dir = mkdtempSync(join(tmpdir(), "trellis-profile-"));
const exitOnTerm = `data:text/javascript,process.once("SIGTERM",()=>process.exit(0))`;
const proc = await startTarget({
  ...target,
  args: ["--cpu-prof", `--cpu-prof-dir=${dir}`, `--import=${exitOnTerm}`, ...target.args],
  env,
  cwd: repoRoot,
  port: 4190,
});
const url = proc.baseUrl + row.path;
let result;
let measuredFrom;
try {
  await runWrk({ url, method: row.method, body: row.body, headers, seconds: 3 });
  measuredFrom = Date.now();
  result = await runWrk({ url, method: row.method, body: row.body, headers, seconds: Number(args.duration) });
} finally {
  await stopTarget(proc);
  await database?.drop();
}

const profileText = readFileSync(join(dir, readdirSync(dir)[0]), "utf8");
if (args.save) writeFileSync(args.save, profileText);
const profile = JSON.parse(profileText);
rmSync(dir, { recursive: true, force: true });
report(profile, result.requests);

function report(p, requests) {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map();
  // Sample times are relative to the profile's start, which is the process's start: skip everything
  // before the measured run (the clocks differ, so the offset is taken from the last sample).
  const lastSample = p.timeDeltas.reduce((a, b) => a + b, 0);
  const skipUntil = lastSample - (Date.now() - measuredFrom) * 1000;
  let t = 0;
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i];
    if (t >= skipUntil) self.set(p.samples[i], (self.get(p.samples[i]) ?? 0) + p.timeDeltas[i]);
  }
  const where = (n) => {
    const { url: file, functionName } = n.callFrame;
    if (!file) return functionName;
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
    if (pkg) return pkg[1];
    return file.startsWith("node:")
      ? `node:${file.replace(/^node:(internal\/)?/, "").split("/")[0]}`
      : file.replace(/.*\/work\/[^/]+\//, "");
  };
  for (const [id] of self) if (byId.get(id).callFrame.functionName === "(idle)") self.delete(id);
  const byPackage = new Map();
  const byFunction = new Map();
  for (const [id, us] of self) {
    const n = byId.get(id);
    const fn = `${n.callFrame.functionName || "(anonymous)"} ${where(n)}:${n.callFrame.lineNumber + 1}`;
    byPackage.set(where(n), (byPackage.get(where(n)) ?? 0) + us);
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
  }
  const busy = [...self.values()].reduce((a, us) => a + us, 0);
  console.log(`${args.target} ${args.row}: ${requests} requests, ${(result.rps).toFixed(0)} req/s under the profiler`);
  console.log(`main thread busy ${(busy / requests).toFixed(1)} µs per request during the measured run\n`);
  const table = (title, map) => {
    console.log(title);
    for (const [k, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, Number(args.top)))
      console.log(`${(us / requests).toFixed(1).padStart(8)} µs  ${k}`);
    console.log("");
  };
  table("self time per package (µs per request)", byPackage);
  table("self time per function (µs per request)", byFunction);
}
