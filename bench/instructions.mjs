// Instructions per request, counted by valgrind's callgrind: a figure that does not move with the
// machine's noise (the same build, inputs and environment give the same count, whatever else the
// machine is doing), where wrk's req/s on these 2-core VMs moves by a third between runs.
//   node bench/instructions.mjs [--targets fastify-route,fastify-stack,trellis,trellis-echo]
//        [--rows w1,w4] [--processes 2] [--warmup 9000] [--requests 3000] [--append]
// Each target runs under callgrind with counting off; after `--warmup` requests (8 keep-alive
// connections, 8 in flight), counting is switched on for `--requests` more, then dumped. Rows that
// need a token or write to the database are left out (their cost is PostgreSQL's, not ours).
// The main thread's count is what a request costs the event loop; "all threads" adds the garbage
// collector's helpers and libuv's pool. Each target runs in `--processes` fresh processes: in plain
// Node 20 about half of fresh processes take a slow path in process.nextTick (~34k instructions per
// request; BENCHMARKS.md, "nextTick"). Our server warms it away, and so does fastify-stack (our HTTP
// stack, started as our server starts); fastify-route is plain Fastify and keeps it, so its spread is
// shown rather than hidden.
// Ratio = the fastify-route row's instructions ÷ the row's, per process pair (the lower route count):
// what the throughput ratio would be if time followed instructions. It does not quite: see BENCHMARKS.md.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir, userInfo } from "node:os";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
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
  },
});
const log = (line) => console.error(line);
const requests = Number(args.requests);
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
      log(`${row.workload} ${row.row}: ${counts.main} main thread, ${counts.all} all threads per request`);
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
    await send(agent, url, row, requests);
    execFileSync("callgrind_control", ["--dump", String(proc.child.pid)], { env: controlEnv, stdio: "ignore" });
    execFileSync("callgrind_control", ["--instr=off", String(proc.child.pid)], { env: controlEnv, stdio: "ignore" });
    agent.destroy();
    // The dump is written by the target's own thread after the command returns.
    for (let waited = 0; !existsSync(join(dir, "cg.1-01")) && waited < 60_000; waited += 200) await sleep(200);
    await sleep(1000);
  } finally {
    await stopTarget(proc);
  }
  // With --separate-threads the first dump writes cg.1-01 (main thread), cg.1-02, … (other threads).
  const perThread = readdirSync(dir)
    .filter((file) => /^cg\.1-\d+$/.test(file))
    .map((file) => ({ file, total: summaryOf(readFileSync(join(dir, file), "utf8")) }));
  const main = perThread.find((t) => t.file === "cg.1-01")?.total;
  if (main === undefined) throw new Error(`${row.row}: callgrind wrote no dump for the main thread`);
  const all = perThread.reduce((sum, t) => sum + t.total, 0);
  rmSync(dir, { recursive: true, force: true });
  return { main: Math.round(main / requests), all: Math.round(all / requests) };
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

function report(all) {
  const m = machineInfo(repoRoot);
  const routeOf = (workload) => {
    const counts = all.filter((r) => r.workload === workload && r.row === "fastify-route").map((r) => r.main);
    return counts.length ? Math.min(...counts) : undefined;
  };
  const fmt = (n) => n.toLocaleString("en-US");
  const lines = [
    `## Instructions per request (callgrind) — ${m.date.slice(0, 16).replace("T", " ")} UTC`,
    "",
    `- Machine: ${m.cpuModel}, ${m.cores} cores; node ${m.node}; commit ${m.commit}${m.dirtyTree ? " with uncommitted changes" : ""}`,
    `- Method: \`node bench/instructions.mjs\` — each target in ${args.processes} fresh processes under \`valgrind --tool=callgrind\`, counting ${fmt(requests)} requests after ${fmt(Number(args.warmup))} uncounted ones (8 keep-alive connections). Ratio = the fastest fastify-route process's main-thread count ÷ the row's.`,
    "",
    "| workload | row | main thread, per process | all threads, per process | ratio to fastify-route (main) |",
    "|---|---|---|---|---|",
  ];
  const seen = new Set();
  for (const r of all) {
    const key = `${r.workload} ${r.row}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const same = all.filter((x) => x.workload === r.workload && x.row === r.row);
    const route = routeOf(r.workload);
    const ratios = route ? same.map((x) => (route / x.main).toFixed(2)).join(" / ") : "—";
    lines.push(
      `| ${r.workload} | ${r.row} | ${same.map((x) => fmt(x.main)).join(" / ")} | ${same.map((x) => fmt(x.all)).join(" / ")} | ${ratios} |`,
    );
  }
  return `${lines.join("\n")}\n`;
}
