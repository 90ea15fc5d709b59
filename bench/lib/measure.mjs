// The measuring loop: rounds of fresh processes; in each, every row measured in short bursts, each burst
// between two bursts of its workload's baseline.
import { setTimeout as sleep } from "node:timers/promises";
import { sampleRss, startTarget, stopTarget, treeRssMiB } from "./process.mjs";
import { rowsOf, WORKLOADS, wireRequest } from "./workloads.mjs";
import { runWrk } from "./wrk.mjs";

const FIRST_PORT = 4101;

/**
 * For round in 1..N: start every target (fresh processes, side by side, each idle while another is
 * measured) and read each one's idle RSS; then per workload, check and warm up each row and measure
 * it in bursts of `opts.burst` seconds — baseline, row a, baseline, row b, …, baseline — so that
 * every burst of a row sits between two of the baseline's, `opts.duration / opts.burst` passes per
 * round with the row order rotated each pass. A burst's ratio divides by the mean of the two baseline
 * bursts around it. On these VMs a server's req/s moves up to 2× from one 2-second burst to the next
 * (2026-12-07 06:40, plain Fastify's route: 21k, 38k, 36k, 21k req/s in consecutive 1-second runs),
 * so a baseline measured minutes away from its row — the suite's first method, one run per target
 * per round — divided by a different machine as often as not.
 * Before its bursts, each row runs `opts.steady` seconds of sustained load, whose latency and peak RSS
 * the report shows. Returns one sample per burst and one per steady run (`steady`); a failure becomes
 * a sample with `error`.
 */
export async function measureRounds({ targets, workloadIds, opts, ctx, log }) {
  const samples = [];
  const served = targets.filter((target) => workloadIds.some((workload) => rowsOf(target, workload).length > 0));
  for (let round = 1; round <= opts.rounds; round++) {
    const shift = (round - 1) % Math.max(1, served.length);
    const order = [...served.slice(shift), ...served.slice(0, shift)];
    log(`round ${round}/${opts.rounds}: starting ${order.map((t) => t.name).join(", ")}`);
    const running = [];
    try {
      for (const target of order) {
        try {
          const proc = await startTarget({
            ...target,
            // The harness's DATABASE_URL and JWT_SECRET win: its tokens are signed with that secret.
            env: { ...target.env, ...ctx.env },
            port: target.port ?? FIRST_PORT + targets.indexOf(target),
            cwd: ctx.repoRoot,
            pinCpu: opts.pin ? 0 : undefined,
          });
          running.push({ target, proc });
        } catch (err) {
          for (const workload of workloadIds)
            for (const row of rowsOf(target, workload))
              samples.push({ round, target: target.name, workload, row: row.row, error: err.message });
        }
      }
      // Let start-up work (JIT of module code, lazy pools) settle before calling a process idle.
      await sleep(1000);
      for (const entry of running) entry.rssIdleMiB = treeRssMiB(entry.proc.child.pid);
      for (const workload of workloadIds) {
        await measureWorkload({ workload, running, round, opts, ctx, log, samples });
      }
    } finally {
      await Promise.all(running.map(({ proc }) => stopTarget(proc)));
    }
  }
  return samples;
}

async function measureWorkload({ workload, running, round, opts, ctx, log, samples }) {
  const rows = running.flatMap(({ target, proc, rssIdleMiB }) =>
    rowsOf(target, workload).map((row) => ({ ...row, workload, target: target.name, proc, rssIdleMiB })),
  );
  if (rows.length === 0) return;
  const fail = (row, err) => {
    samples.push({ round, target: row.target, workload, row: row.row, rssIdleMiB: row.rssIdleMiB, error: err.message });
    log(`  ${workload} ${row.row}: ERROR ${err.message.split("\n")[0]}`);
  };
  if (WORKLOADS[workload].freshData) await ctx.resetData?.();
  const ready = [];
  for (const row of rows) {
    try {
      row.request = withAuth(row, ctx);
      await checkResponse(row.proc.baseUrl, row.request);
      if (opts.warmup > 0) await runWrk({ ...wrkOptions(row, opts), seconds: opts.warmup });
      // Latency and memory under sustained load. A burst starts from a server that sat idle for a
      // pass (its caches expired, its heap shrunk): its p99 is a cold start's (W2's 90–150 ms against
      // ~25 ms sustained, 1 s bursts), and the issue's p99 targets are about sustained load.
      const steady = await measureRun(row, opts, opts.steady);
      samples.push({ round, target: row.target, workload, row: row.row, rssIdleMiB: row.rssIdleMiB, steady });
      ready.push(row);
    } catch (err) {
      fail(row, err);
    }
  }
  const baseline = ready.find((row) => row.row === WORKLOADS[workload].baseline);
  const others = ready.filter((row) => row !== baseline);
  const passes = Math.max(1, Math.round(opts.duration / opts.burst));
  /** One burst of a row as a sample, or null (and an error sample) when it failed. */
  const burst = async (row, pass) => {
    try {
      const sample = { round, burst: pass + 1, target: row.target, workload, row: row.row, rssIdleMiB: row.rssIdleMiB };
      Object.assign(sample, await measureRun(row, opts, opts.burst));
      samples.push(sample);
      return sample;
    } catch (err) {
      fail(row, err);
      return null;
    }
  };
  for (let pass = 0; pass < passes; pass++) {
    const order = [
      ...others.slice(pass % Math.max(1, others.length)),
      ...others.slice(0, pass % Math.max(1, others.length)),
    ];
    let before = baseline ? await burst(baseline, pass) : null;
    if (before) before.baselineOpsPerSec = before.opsPerSec;
    for (const row of order) {
      const sample = await burst(row, pass);
      const after = baseline ? await burst(baseline, pass) : null;
      if (after) after.baselineOpsPerSec = after.opsPerSec;
      const around = [before, after].filter(Boolean).map((s) => s.opsPerSec);
      if (sample && around.length) sample.baselineOpsPerSec = around.reduce((a, b) => a + b, 0) / around.length;
      before = after;
    }
    log(`  ${workload} pass ${pass + 1}/${passes} of round ${round}: ${burstLine(samples, round, pass + 1, workload)}`);
  }
}

function burstLine(samples, round, burst, workload) {
  return samples
    .filter((s) => s.round === round && s.burst === burst && s.workload === workload && !s.error)
    .map(
      (s) =>
        `${s.row} ${Math.round(s.rps)}${s.baselineOpsPerSec ? ` (${(s.opsPerSec / s.baselineOpsPerSec).toFixed(2)})` : ""}`,
    )
    .join(", ");
}

function wrkOptions(row, opts) {
  return {
    ...row.request,
    url: row.proc.baseUrl + row.request.path,
    connections: opts.connections,
    pinCpu: opts.pin ? 1 : undefined,
  };
}

async function measureRun(row, opts, seconds) {
  const stopSampling = sampleRss(row.proc.child.pid);
  const result = await runWrk({ ...wrkOptions(row, opts), seconds });
  const rssLoadMiB = stopSampling();
  if (row.proc.exited()) throw new Error(`process exited during the run:\n${row.proc.stderr()}`);
  // Errors are cheap to serve: more than 1% of them and the req/s would flatter the target.
  if (result.non2xx > 0.01 * result.requests) {
    throw new Error(`${result.non2xx} of ${result.requests} responses were not 2xx/3xx`);
  }
  return {
    rps: result.rps,
    opsPerSec: result.rps * row.request.opsPerRequest,
    p50Ms: result.p50Ms,
    p99Ms: result.p99Ms,
    requests: result.requests,
    non2xx: result.non2xx,
    socketErrors: result.socketErrors,
    timeouts: result.timeouts,
    rssLoadMiB,
  };
}

function withAuth(row, ctx) {
  if (row.auth !== "bearer") return row;
  if (!ctx.token) throw new Error("workload needs a bearer token but no database/JWT was set up");
  return { ...row, headers: { ...row.headers, Authorization: `Bearer ${ctx.token}` } };
}

/** One request before the load: a wrong answer served fast must not count as a result. */
async function checkResponse(baseUrl, { method, path, body, headers, expect }) {
  const res = await fetch(baseUrl + path, { method, ...wireRequest({ body, headers }) });
  const text = await res.text();
  if (!res.ok) throw new Error(`check ${method} ${path}: HTTP ${res.status} ${text.slice(0, 300)}`);
  if (expect && !text.includes(expect))
    throw new Error(`check ${method} ${path}: body lacks ${expect}: ${text.slice(0, 300)}`);
}
