// The measuring loop: interleaved rounds, one fresh process per target per round.
import { setTimeout as sleep } from "node:timers/promises";
import { sampleRss, startTarget, stopTarget, treeRssMiB } from "./process.mjs";
import { rowsOf, WORKLOADS, wireRequest } from "./workloads.mjs";
import { runWrk } from "./wrk.mjs";

const FIRST_PORT = 4101;

/**
 * For round in 1..N, for target in targets: start it, measure each selected workload row (check one
 * response, warm up, run wrk while sampling RSS), stop it. Interleaving puts every target into
 * every stretch of the machine's noise, and the target order rotates each round so nobody always
 * runs first. Returns one sample per round and row; a failure becomes a sample with `error`.
 */
export async function measureRounds({ targets, workloadIds, opts, ctx, log }) {
  const samples = [];
  for (let round = 1; round <= opts.rounds; round++) {
    const shift = (round - 1) % targets.length;
    const order = [...targets.slice(shift), ...targets.slice(0, shift)];
    for (const target of order) {
      const rows = workloadIds.flatMap((workload) => rowsOf(target, workload).map((row) => ({ workload, ...row })));
      if (rows.length === 0) continue;
      const port = target.port ?? FIRST_PORT + targets.indexOf(target);
      const base = { round, target: target.name };
      log(`round ${round}/${opts.rounds}: ${target.name}`);
      let proc;
      try {
        proc = await startTarget({
          ...target,
          // The harness's DATABASE_URL and JWT_SECRET win: its tokens are signed with that secret.
          env: { ...target.env, ...ctx.env },
          port,
          cwd: ctx.repoRoot,
          pinCpu: opts.pin ? 0 : undefined,
        });
      } catch (err) {
        for (const row of rows) samples.push({ ...base, workload: row.workload, row: row.row, error: err.message });
        continue;
      }
      try {
        // Let start-up work (JIT of module code, lazy pools) settle before calling the process idle.
        await sleep(1000);
        const rssIdleMiB = treeRssMiB(proc.child.pid);
        for (const row of rows) {
          const sample = { ...base, workload: row.workload, row: row.row, rssIdleMiB };
          samples.push(sample);
          try {
            Object.assign(sample, await measureRow({ proc, row, opts, ctx }));
            log(`  ${row.workload} ${row.row}: ${Math.round(sample.rps)} req/s, p99 ${sample.p99Ms.toFixed(2)} ms`);
          } catch (err) {
            sample.error = err.message;
            log(`  ${row.workload} ${row.row}: ERROR ${err.message}`);
          }
        }
      } finally {
        await stopTarget(proc);
      }
    }
  }
  return samples;
}

async function measureRow({ proc, row, opts, ctx }) {
  const request = withAuth(row, ctx);
  if (WORKLOADS[row.workload].freshData) await ctx.resetData?.();
  await checkResponse(proc.baseUrl, request);
  const wrkOpts = {
    ...request,
    url: proc.baseUrl + request.path,
    connections: opts.connections,
    pinCpu: opts.pin ? 1 : undefined,
  };
  if (opts.warmup > 0) await runWrk({ ...wrkOpts, seconds: opts.warmup });
  const stopSampling = sampleRss(proc.child.pid);
  const result = await runWrk({ ...wrkOpts, seconds: opts.duration });
  const rssLoadMiB = stopSampling();
  if (proc.exited()) throw new Error(`process exited during the run:\n${proc.stderr()}`);
  // Errors are cheap to serve: more than 1% of them and the req/s would flatter the target.
  if (result.non2xx > 0.01 * result.requests) {
    throw new Error(`${result.non2xx} of ${result.requests} responses were not 2xx/3xx`);
  }
  return {
    rps: result.rps,
    opsPerSec: result.rps * request.opsPerRequest,
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
