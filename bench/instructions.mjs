// Instructions per request, counted by valgrind's callgrind: a figure that does not move with the
// machine's noise (the same build, inputs and environment give the same count, whatever else the
// machine is doing), where wrk's req/s on these 2-core VMs moves by a third between runs.
//   node bench/instructions.mjs [--targets fastify-route,fastify-stack,trellis,trellis-echo]
//        [--rows w1,w4] [--processes 2] [--warmup 9000] [--requests 3000] [--append] [--functions 30]
// Each target runs under callgrind with counting off; after `--warmup` requests (8 keep-alive
// connections, 8 in flight), counting is switched on for `--requests` more, then dumped; then as long
// again with no requests ("idle"), whose count is subtracted: see report(). Rows that
// need a token or write to the database are left out (their cost is PostgreSQL's, not ours).
// The main thread's count is what a request costs the event loop; "all threads" adds the garbage
// collector's helpers and libuv's pool. Each target runs in `--processes` fresh processes: in plain
// Node 20 about half of fresh processes take a slow path in process.nextTick (~34k instructions per
// request; BENCHMARKS.md, "nextTick"). Our server warms it away, and so does fastify-stack (our HTTP
// stack, started as our server starts); fastify-route is plain Fastify and keeps it, so its spread is
// shown rather than hidden.
// Ratio = the fastify-route row's net instructions ÷ the row's, per process (the lowest route count):
// what the throughput ratio would be if time followed instructions. It does not quite: see BENCHMARKS.md.
// `--functions N` also prints each process's N costliest functions of the main thread, self and inclusive,
// per request (node runs with --perf-basic-prof so that JIT code has names; that adds a little to counts).
// `--callees a,b` (with --functions) also prints what each function whose name contains "a" or "b" calls,
// inclusive, per request: where a JavaScript function's inclusive count goes.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir, userInfo } from "node:os";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { functionCosts, readPerfMap } from "./lib/callgrind-functions.mjs";
import { createBenchDatabase, postgresAnswers } from "./lib/database.mjs";
import { machineInfo } from "./lib/machine.mjs";
import { startTarget, stopTarget } from "./lib/process.mjs";
import { updateBenchmarksMd } from "./lib/report.mjs";
import { rowsOf, wireRequest } from "./lib/workloads.mjs";
import { targets as allTargets } from "./targets.mjs";

const repoRoot = dirname(dirname(fileURLToPath(import.meta.url)));
const { values: args } = parseArgs({
  options: {
    targets: { type: "string", default: "fastify-route,fastify-stack,trellis,trellis-echo" },
    rows: { type: "string", default: "w1,w4" },
    processes: { type: "string", default: "2" },
    warmup: { type: "string", default: "9000" },
    requests: { type: "string", default: "3000" },
    append: { type: "boolean", default: false },
    functions: { type: "string", default: "0" },
    callees: { type: "string", default: "" },
  },
});
const log = (line) => console.error(line);
const requests = Number(args.requests);
const functionsShown = Number(args.functions);
// valgrind and callgrind_control find each other through pipes named after USER and HOST (the latter
// also our server's listen address): both must see the same values.
const user = { USER: process.env.USER ?? userInfo().username, LOGNAME: process.env.LOGNAME ?? userInfo().username };
execFileSync("valgrind", ["--version"], { stdio: "ignore" }); // fails here, not mid-run, without valgrind

const targets = args.targets.split(",").map((name) => {
  const target = allTargets.find((t) => t.name === name);
  if (!target || target.cmd !== process.execPath) throw new Error(`no node target named ${name}`);
  return target;
});
const rows = targets.flatMap((target) =>
  args.rows
    .split(",")
    .filter((workload) => target.workloads[workload])
    .flatMap((workload) => rowsOf(target, workload).map((row) => ({ ...row, target, workload })))
    .filter((row) => row.auth === undefined && !/create/.test(row.row)),
);

let database;
const env = { JWT_SECRET: "instructions-secret-0123456789abcdef0123456789" };
if (targets.some((t) => t.needsDatabase)) {
  const adminUrl = process.env.BENCH_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
  if (!(await postgresAnswers(adminUrl))) throw new Error(`no PostgreSQL server answers at ${adminUrl}`);
  database = await createBenchDatabase({ adminUrl, repoRoot });
  env.DATABASE_URL = database.url;
}

const results = [];
try {
  for (let round = 0; round < Number(args.processes); round++) {
    for (const row of rows) {
      const counts = await countOne(row);
      log(
        `${row.workload} ${row.row}: ${counts.main} main thread, ${counts.all} all threads, ${counts.idle} main thread idle for as long, per request`,
      );
      results.push({ workload: row.workload, row: row.row, round, ...counts });
    }
  }
} finally {
  await database?.drop();
}

const section = report(results);
console.log(section);
if (args.append) {
  updateBenchmarksMd(join(repoRoot, "BENCHMARKS.md"), { section });
  log("appended to BENCHMARKS.md");
}

/** One fresh process of the row's target under callgrind: instructions per request, main thread and all. */
async function countOne(row) {
  const dir = mkdtempSync(join(tmpdir(), "trellis-callgrind-"));
  const targetEnv = { ...row.target.env, ...env, ...user };
  const controlEnv = { ...process.env, ...user };
  if ("HOST" in targetEnv) controlEnv.HOST = targetEnv.HOST;
  const proc = await startTarget({
    name: row.target.name,
    cmd: "valgrind",
    args: [
      "--tool=callgrind",
      "--separate-threads=yes",
      "--instr-atstart=no",
      `--callgrind-out-file=${join(dir, "cg")}`,
      process.execPath,
      ...(functionsShown > 0 ? ["--perf-basic-prof"] : []),
      ...row.target.args,
    ],
    env: targetEnv,
    cwd: repoRoot,
    port: 4195,
    readyTimeoutMs: 180_000,
  });
  try {
    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    const url = proc.baseUrl + row.path;
    await send(agent, url, row, Number(args.warmup));
    execFileSync("callgrind_control", ["--instr=on", String(proc.child.pid)], { env: controlEnv, stdio: "ignore" });
    const started = performance.now();
    await send(agent, url, row, requests);
    const countedMs = performance.now() - started;
    execFileSync("callgrind_control", ["--dump", String(proc.child.pid)], { env: controlEnv, stdio: "ignore" });
    // The same stretch of time again with no requests: what timers (the job queue's poll, presence ticks)
    // cost meanwhile. Under valgrind a request takes ~50 times longer, so such work, negligible per request
    // at full speed, shows up in the count above; this says how much of it.
    await sleep(countedMs);
    execFileSync("callgrind_control", ["--dump", String(proc.child.pid)], { env: controlEnv, stdio: "ignore" });
    execFileSync("callgrind_control", ["--instr=off", String(proc.child.pid)], { env: controlEnv, stdio: "ignore" });
    agent.destroy();
    // The dump is written by the target's own thread after the command returns.
    for (let waited = 0; !existsSync(join(dir, "cg.2-01")) && waited < 60_000; waited += 200) await sleep(200);
    await sleep(1000);
  } finally {
    await stopTarget(proc);
  }
  // With --separate-threads the first dump writes cg.1-01 (main thread), cg.1-02, … (other threads).
  const perThread = readdirSync(dir)
    .filter((file) => /^cg\.1-\d+$/.test(file))
    .map((file) => ({ file, text: readFileSync(join(dir, file), "utf8") }));
  const mainText = perThread.find((t) => t.file === "cg.1-01")?.text;
  if (mainText === undefined) throw new Error(`${row.row}: callgrind wrote no dump for the main thread`);
  const main = summaryOf(mainText);
  const all = perThread.reduce((sum, t) => sum + summaryOf(t.text), 0);
  const idle = summaryOf(readFileSync(join(dir, "cg.2-01"), "utf8"));
  if (functionsShown > 0) printFunctions(row, mainText, proc.child.pid);
  rmSync(dir, { recursive: true, force: true });
  return { main: Math.round(main / requests), all: Math.round(all / requests), idle: Math.round(idle / requests) };
}

function printFunctions(row, dumpText, pid) {
  const mapPath = `/tmp/perf-${pid}.map`;
  const perfMap = existsSync(mapPath) ? readPerfMap(mapPath) : [];
  rmSync(mapPath, { force: true });
  const { self, inclusive, calls } = functionCosts(dumpText, perfMap);
  const top = (costs) =>
    [...costs]
      .sort((a, b) => b[1] - a[1])
      .slice(0, functionsShown)
      .map(([name, cost]) => `  ${String(Math.round(cost / requests)).padStart(8)}  ${name.slice(0, 140)}`)
      .join("\n");
  log(`${row.workload} ${row.row}, main thread, instructions per request — self:\n${top(self)}`);
  // Inclusive counts of JavaScript functions only: V8's call and entry builtins include nearly everything.
  const jsInclusive = [...inclusive].filter(([name]) => name.startsWith("JS:"));
  log(`${row.workload} ${row.row}, main thread — inclusive, JavaScript functions:\n${top(jsInclusive)}`);
  // V8's builtins (property look-ups, string work) are shared by all code: who calls the costliest ones.
  const builtins = [...self].filter(([name]) => name.startsWith("Builtins_")).sort((a, b) => b[1] - a[1]);
  for (const [builtin, cost] of builtins.slice(0, 8)) {
    const callers = [...calls]
      .map(([caller, callees]) => [caller, callees.get(builtin) ?? 0])
      .filter(([, c]) => c > 0)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 6)
      .map(([caller, c]) => `      ${String(Math.round(c / requests)).padStart(6)}  ${caller.slice(0, 120)}`);
    log(`  ${builtin} (${Math.round(cost / requests)} self), called from:\n${callers.join("\n")}`);
  }
  for (const part of args.callees.split(",").filter(Boolean)) {
    for (const [caller, callees] of calls) {
      if (!caller.includes(part)) continue;
      const rows = [...callees]
        .sort((a, b) => b[1] - a[1])
        .filter(([, c]) => c / requests >= 20)
        .map(([callee, c]) => `      ${String(Math.round(c / requests)).padStart(6)}  ${callee.slice(0, 120)}`);
      const own = Math.round((self.get(caller) ?? 0) / requests);
      log(`  ${caller.slice(0, 120)} (${own} self) calls:\n${rows.join("\n")}`);
    }
  }
}

function summaryOf(text) {
  const match = /^summary:\s+(\d+)/m.exec(text);
  if (!match) throw new Error("callgrind output without a summary line");
  return Number(match[1]);
}

/** Sends `count` requests of the row, 8 in flight over the agent's keep-alive connections; each must answer 2xx. */
function send(agent, url, row, count) {
  const { body, headers } = wireRequest(row);
  let started = 0;
  let finished = 0;
  return new Promise((resolve, reject) => {
    const next = () => {
      if (started === count) return;
      started++;
      const req = request(url, { agent, method: row.method, headers }, (res) => {
        res.resume();
        res.on("end", () => {
          if (res.statusCode < 200 || res.statusCode > 299) return reject(new Error(`${url}: ${res.statusCode}`));
          finished++;
          if (finished === count) resolve();
          else next();
        });
      });
      req.on("error", reject);
      req.end(body);
    };
    for (let i = 0; i < 8; i++) next();
  });
}

/** A request's own main-thread count: the counted stretch less what the idle stretch after it cost. */
function net(r) {
  return r.main - r.idle;
}

function report(all) {
  const m = machineInfo(repoRoot);
  const routeOf = (workload) => {
    const counts = all.filter((r) => r.workload === workload && r.row === "fastify-route").map(net);
    return counts.length ? Math.min(...counts) : undefined;
  };
  const fmt = (n) => n.toLocaleString("en-US");
  const lines = [
    `## Instructions per request (callgrind) — ${m.date.slice(0, 16).replace("T", " ")} UTC`,
    "",
    `- Machine: ${m.cpuModel}, ${m.cores} cores; node ${m.node}; commit ${m.commit}${m.dirtyTree ? " with uncommitted changes" : ""}`,
    `- Method: \`node bench/instructions.mjs\` — each target in ${args.processes} fresh processes under \`valgrind --tool=callgrind\`, counting ${fmt(requests)} requests after ${fmt(Number(args.warmup))} uncounted ones (8 keep-alive connections), then the same length of time with no requests ("idle": timers such as the job queue's poll, which valgrind's ~50× slowdown inflates per request). Net = main thread less idle; ratio = the fastest fastify-route process's net count ÷ the row's.`,
    "",
    "| workload | row | main thread, per process | idle, per process | net | all threads, per process | ratio to fastify-route (net) |",
    "|---|---|---|---|---|---|---|",
  ];
  const seen = new Set();
  for (const r of all) {
    const key = `${r.workload} ${r.row}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const same = all.filter((x) => x.workload === r.workload && x.row === r.row);
    const route = routeOf(r.workload);
    const ratios = route ? same.map((x) => (route / net(x)).toFixed(2)).join(" / ") : "—";
    const column = (f) => same.map((x) => fmt(f(x))).join(" / ");
    lines.push(
      `| ${r.workload} | ${r.row} | ${column((x) => x.main)} | ${column((x) => x.idle)} | ${column(net)} | ${column((x) => x.all)} | ${ratios} |`,
    );
  }
  return `${lines.join("\n")}\n`;
}
