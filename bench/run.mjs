// One command for the whole suite (`npm run bench` builds the server first):
//   node bench/run.mjs [--rounds 3] [--duration 10] [--burst 2] [--steady 3] [--warmup 3] [--only w1,w4]
//                      [--targets a,b] [--connections 50] [--pin] [--items 10000] [--no-append]
// --duration: measured seconds per row per round, in bursts of --burst seconds, after --steady seconds
// of sustained load for latency and memory (lib/measure.mjs).
// The run creates a PostgreSQL database (trellis_bench_<time>) on BENCH_PG_URL (default: the local
// server's `postgres` database), migrates it, seeds a bench user with --items items, gives it to
// every target, and drops it at the end. BENCH_DATABASE_URL instead names an existing migrated
// database to use (and keep). Without PostgreSQL, W2 and our server's rows are skipped.
// BENCH_JWT_SECRET and BENCH_JWT_ISSUER are optional (a random secret, issuer "trellis"); the
// harness gives the secret to every target as JWT_SECRET.
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { renderChart } from "./lib/chart.mjs";
import { createBenchDatabase, postgresAnswers } from "./lib/database.mjs";
import { signJwt } from "./lib/jwt.mjs";
import { machineInfo } from "./lib/machine.mjs";
import { measureRounds } from "./lib/measure.mjs";
import { stopAllTargets } from "./lib/process.mjs";
import { runSection, updateBenchmarksMd } from "./lib/report.mjs";
import { seedItems } from "./lib/seed-items.mjs";
import { summarize } from "./lib/summary.mjs";
import { WORKLOADS } from "./lib/workloads.mjs";
import { targets as allTargets } from "./targets.mjs";

const benchDir = dirname(fileURLToPath(import.meta.url));
const repoRoot = dirname(benchDir);

const { values: args } = parseArgs({
  options: {
    rounds: { type: "string", default: "3" },
    duration: { type: "string", default: "10" },
    burst: { type: "string", default: "2" },
    steady: { type: "string", default: "3" },
    warmup: { type: "string", default: "3" },
    only: { type: "string", default: Object.keys(WORKLOADS).join(",") },
    targets: { type: "string" },
    connections: { type: "string", default: "50" },
    items: { type: "string", default: "10000" },
    pin: { type: "boolean", default: false },
    "no-append": { type: "boolean", default: false },
  },
});
const opts = {
  rounds: Number(args.rounds),
  duration: Number(args.duration),
  burst: Number(args.burst),
  steady: Number(args.steady),
  warmup: Number(args.warmup),
  connections: Number(args.connections),
  items: Number(args.items),
  pin: args.pin,
};
const log = (line) => console.error(line);

let workloadIds = args.only.split(",").map((w) => w.trim());
const unknown = workloadIds.filter((w) => !WORKLOADS[w]);
if (unknown.length)
  throw new Error(`unknown workload(s) ${unknown.join(", ")}; known: ${Object.keys(WORKLOADS).join(", ")}`);
let targets = args.targets ? allTargets.filter((t) => args.targets.split(",").includes(t.name)) : allTargets;

// The database this run creates, if any: dropped on every way out.
let benchDatabase;
const dropDatabase = async () => {
  const db = benchDatabase;
  benchDatabase = undefined;
  if (db) await db.drop().catch((err) => log(`could not drop ${db.name}: ${err.message}`));
};

// Ctrl-C reaches the harness, not the targets' process groups: stop them before leaving.
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.once(signal, () =>
    stopAllTargets()
      .then(dropDatabase)
      .finally(() => process.exit(130)),
  );
}

const machine = machineInfo(repoRoot);
if (!machine.wrk) throw new Error("wrk not found: run bench/setup.sh");
// On 2 cores, server and wrk already take both: anything else running skews the raw numbers.
if (machine.loadAvgAtStart[0] > 1) log(`warning: load average ${machine.loadAvgAtStart[0]}; other work will add noise`);

const skipped = [];
const ctx = { repoRoot, env: {}, token: undefined, resetData: undefined };

/** Finds or creates the run's database, seeds it and signs the bench user's token; or drops what needs one. */
async function prepareDatabase() {
  let databaseUrl = process.env.BENCH_DATABASE_URL;
  if (!databaseUrl) {
    const adminUrl = process.env.BENCH_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
    if (await postgresAnswers(adminUrl)) {
      benchDatabase = await createBenchDatabase({ adminUrl, repoRoot });
      databaseUrl = benchDatabase.url;
      log(`created and migrated ${benchDatabase.name}`);
    }
  }
  if (!databaseUrl) {
    const reason = "no PostgreSQL server answers at BENCH_PG_URL and BENCH_DATABASE_URL is not set";
    if (workloadIds.includes("w2")) skipped.push({ workload: "w2", reason });
    workloadIds = workloadIds.filter((w) => w !== "w2");
    for (const t of targets.filter((t) => t.needsDatabase)) skipped.push({ workload: t.name, reason });
    targets = targets.filter((t) => !t.needsDatabase);
    return;
  }
  // Every target gets the database, so our server runs its PostgreSQL configuration in all workloads.
  const secret = process.env.BENCH_JWT_SECRET ?? randomBytes(32).toString("hex");
  ctx.env = { DATABASE_URL: databaseUrl, JWT_SECRET: secret };
  ctx.resetData = () => seedItems({ databaseUrl, count: opts.items });
  const { userId } = await ctx.resetData();
  log(`seeded ${opts.items} items for user ${userId}`);
  // iss/typ are the claims our server's access tokens carry; the FastAPI peer ignores them.
  const claims = { iss: process.env.BENCH_JWT_ISSUER ?? "trellis", typ: "access" };
  ctx.token = signJwt({ sub: userId, secret, claims, ttlSeconds: 24 * 3600 });
}

let samples;
try {
  await prepareDatabase();
  samples = await measureRounds({ targets, workloadIds, opts, ctx, log });
} finally {
  await dropDatabase();
}
const summary = summarize(samples);
const loadAvgAtEnd = loadavg().map((l) => Math.round(l * 100) / 100);

const stamp = machine.date.replace(/[:.]/g, "-");
mkdirSync(join(benchDir, "results"), { recursive: true });
const resultsPath = join(benchDir, "results", `${stamp}.json`);
writeFileSync(
  resultsPath,
  `${JSON.stringify({ machine, loadAvgAtEnd, opts, workloadIds, skipped, summary, samples }, null, 2)}\n`,
);

const section = runSection({ machine, opts, summary, skipped, loadAvgAtEnd });
console.log(section);
log(`results: ${resultsPath}`);

// The chart shows W1 and W2 side by side: only a run that measured both redraws it, so a partial run
// (`--only w2`) does not replace it with half a chart. A noisy run redraws it too: each bar carries its
// 95% interval, so the chart says itself how far to trust it.
const chartIds = Object.keys(WORKLOADS).filter((id) => WORKLOADS[id].chart);
const chartComplete = chartIds.every((id) => summary[id]);
if (args["no-append"]) process.exit(0);
if (chartComplete) {
  const passes = Math.max(1, Math.round(opts.duration / opts.burst));
  const subtitle = `${machine.date.slice(0, 10)} · ${machine.cpuModel}, ${machine.cores} cores · node ${machine.node} · medians of ${opts.rounds} rounds × ${passes} bursts of ${opts.burst} s, with 95% intervals`;
  const chart = renderChart(
    chartIds.map((id) => summary[id]),
    subtitle,
  );
  writeFileSync(join(benchDir, "chart-latest.svg"), chart);
}
updateBenchmarksMd(join(repoRoot, "BENCHMARKS.md"), {
  section,
  ...(chartComplete && {
    chartPath: "bench/chart-latest.svg",
    chartCaption: `Chart of the run of ${machine.date.slice(0, 16).replace("T", " ")} UTC.`,
  }),
});
log(chartComplete ? "appended to BENCHMARKS.md" : "appended to BENCHMARKS.md (chart kept: this run lacks W1 or W2)");
