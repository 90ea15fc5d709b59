// From per-burst samples to one row per (workload, row): medians, and ratios to the baseline's bursts around each.
import { WORKLOADS } from "./workloads.mjs";

export function median(values) {
  const sorted = values.filter((v) => typeof v === "number" && Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * A 95% confidence interval for the median of sorted `values`, from order statistics (no assumption about
 * their distribution): the j-th and k-th smallest, j and k about 1.96 · √n / 2 ranks either side of the
 * middle. Below 6 values it widens to the smallest and the largest (94% for 5, 75% for 3).
 */
export function medianInterval(sorted) {
  const n = sorted.length;
  if (n === 0) return null;
  const half = 1.96 * Math.sqrt(n);
  const j = Math.max(1, Math.floor((n - half) / 2));
  const k = Math.min(n, Math.ceil(1 + (n + half) / 2));
  return [sorted[j - 1], sorted[k - 1]];
}

/**
 * Ratio = a burst's ops/s divided by the mean ops/s of the baseline's bursts just before and after it
 * (measure.mjs), then the median over every burst of every round. Returns
 * { [workloadId]: { title, baseline, baselineRps: { min, median, max }, rows: [...] } }, rows in the
 * order they were first measured.
 */
export function summarize(samples) {
  const out = {};
  for (const s of samples) {
    out[s.workload] ??= { ...WORKLOADS[s.workload], rows: new Map() };
    const w = out[s.workload];
    if (!w.rows.has(s.row)) w.rows.set(s.row, { row: s.row, target: s.target, samples: [] });
    w.rows.get(s.row).samples.push(s);
  }
  // Tables in workload order (w1, w2, …), whatever order the rotation measured them in.
  const ordered = Object.fromEntries(
    Object.keys(WORKLOADS)
      .filter((id) => out[id])
      .map((id) => [id, out[id]]),
  );
  for (const w of Object.values(ordered)) {
    // Shown beside the table: how much the machine itself moved from burst to burst.
    const baselineRps = (w.rows.get(w.baseline)?.samples ?? []).filter((s) => !s.error && !s.steady).map((s) => s.rps);
    w.baselineRps = baselineRps.length
      ? { min: Math.min(...baselineRps), median: median(baselineRps), max: Math.max(...baselineRps) }
      : null;
    w.rows = [...w.rows.values()].map(summarizeRow);
  }
  return ordered;
}

function summarizeRow({ row, target, samples }) {
  const ok = samples.filter((s) => !s.error);
  const bursts = ok.filter((s) => !s.steady);
  const steady = ok.filter((s) => s.steady).map((s) => s.steady);
  const ratios = bursts
    .filter((s) => s.baselineOpsPerSec > 0)
    .map((s) => s.opsPerSec / s.baselineOpsPerSec)
    .sort((a, b) => a - b);
  const pick = (list, key) => median(list.map((s) => s[key]));
  const all = [...bursts, ...steady];
  return {
    row,
    target,
    rounds: new Set(ok.map((s) => s.round)).size,
    bursts: bursts.length,
    rps: pick(bursts, "rps"),
    opsPerSec: pick(bursts, "opsPerSec"),
    ratio: median(ratios),
    // How far the median itself can be trusted, given how much the bursts' ratios scatter.
    ratioInterval: medianInterval(ratios),
    // Latency and memory under load from the sustained runs (measure.mjs says why not from bursts).
    steadyRps: pick(steady, "rps"),
    p50Ms: pick(steady, "p50Ms"),
    p99Ms: pick(steady, "p99Ms"),
    rssIdleMiB: pick(ok, "rssIdleMiB"),
    rssLoadMiB: pick(steady, "rssLoadMiB"),
    non2xx: all.reduce((sum, s) => sum + s.non2xx, 0),
    socketErrors: all.reduce((sum, s) => sum + s.socketErrors, 0),
    timeouts: all.reduce((sum, s) => sum + s.timeouts, 0),
    errors: [...new Set(samples.filter((s) => s.error).map((s) => s.error.split("\n")[0]))],
  };
}
