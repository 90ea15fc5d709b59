// From per-round samples to one row per (workload, row): medians and same-round ratios.
import { WORKLOADS } from "./workloads.mjs";

export function median(values) {
  const sorted = values.filter((v) => typeof v === "number" && Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Ratio = the row's ops/s divided by the baseline row's ops/s *in the same round*, then the median
 * of those per-round ratios: a slow stretch of the machine hits both sides of each fraction.
 * Returns { [workloadId]: { title, baseline, baselineRpsPerRound, rows: [...] } }, rows in the order
 * they were first measured.
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
    const baseline = w.rows.get(w.baseline);
    // Shown beside the table: how much the machine itself moved between rounds.
    w.baselineRpsPerRound = baseline?.samples.map((s) => s.rps ?? null) ?? [];
    w.rows = [...w.rows.values()].map((r) => summarizeRow(r, baseline));
  }
  return ordered;
}

function summarizeRow({ row, target, samples }, baseline) {
  const ok = samples.filter((s) => !s.error);
  const ratios = ok.map((s) => {
    const base = baseline?.samples.find((b) => b.round === s.round && !b.error);
    return base ? s.opsPerSec / base.opsPerSec : null;
  });
  const pick = (key) => median(ok.map((s) => s[key]));
  return {
    row,
    target,
    rounds: ok.length,
    rpsPerRound: ok.map((s) => s.rps),
    rps: pick("rps"),
    opsPerSec: pick("opsPerSec"),
    ratio: median(ratios),
    p50Ms: pick("p50Ms"),
    p99Ms: pick("p99Ms"),
    rssIdleMiB: pick("rssIdleMiB"),
    rssLoadMiB: pick("rssLoadMiB"),
    non2xx: ok.reduce((sum, s) => sum + s.non2xx, 0),
    socketErrors: ok.reduce((sum, s) => sum + s.socketErrors, 0),
    timeouts: ok.reduce((sum, s) => sum + s.timeouts, 0),
    errors: [...new Set(samples.filter((s) => s.error).map((s) => s.error.split("\n")[0]))],
  };
}
