// The Markdown that goes into BENCHMARKS.md: one appended section per run, plus a chart block at
// the top that always shows the latest W1/W2 ratios.
import { existsSync, readFileSync, writeFileSync } from "node:fs";

const CHART_START = "<!-- bench:chart:start -->";
const CHART_END = "<!-- bench:chart:end -->";

const fmt = (v, digits = 0) => (v === null || v === undefined ? "–" : v.toFixed(digits));

/** One run as a Markdown section: machine, method, then a table per workload. */
export function runSection({ machine, opts, summary, skipped, loadAvgAtEnd }) {
  const m = machine;
  const passes = Math.max(1, Math.round(opts.duration / opts.burst));
  const lines = [
    `## ${m.date.slice(0, 16).replace("T", " ")} UTC — ${opts.rounds} rounds × ${passes} bursts of ${opts.burst} s`,
    "",
    `- Machine: ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.kernel}; load average at start ${m.loadAvgAtStart.join(" ")}, at end ${loadAvgAtEnd.join(" ")}`,
    `- Software: node ${m.node}, Python ${m.python}, wrk ${m.wrk}, psql ${m.postgres}; commit ${m.commit}${m.dirtyTree ? " with uncommitted changes" : ""}`,
    `- Method: \`wrk -t1 -c${opts.connections} -d${opts.burst}s --latency\` bursts, ${passes} per row per round after a ${opts.warmup} s warm-up, each between two bursts of the workload's baseline (row order rotated per pass); fresh server processes each round, all targets running side by side, target order rotated each round; ${opts.pin ? "server pinned to CPU 0, wrk to CPU 1" : "no CPU pinning"}.`,
    `- Ratio = a burst's ops/s ÷ the mean of the baseline bursts just before and after it; the table shows the median over all bursts and its 95% confidence interval (order statistics; min–max below 6 bursts). req/s: median over bursts. p50, p99 and RSS under load: from a sustained ${opts.steady} s run of each row per round after its warm-up, before its bursts (medians over rounds); RSS is the target's whole process tree, idle 1 s after start and the peak during that run.`,
  ];
  for (const s of skipped) lines.push(`- Skipped ${s.workload}: ${s.reason}`);
  for (const w of Object.values(summary)) lines.push("", ...workloadTable(w));
  return `${lines.join("\n")}\n`;
}

function workloadTable(w) {
  const showOps = w.rows.some((r) => r.opsPerSec !== r.rps);
  const head = [
    "target",
    "req/s",
    ...(showOps ? ["ops/s"] : []),
    "ratio",
    "95% interval",
    "p50 ms",
    "p99 ms",
    "RSS idle MiB",
    "RSS load MiB",
    "bursts",
    "notes",
  ];
  const b = w.baselineRps;
  const lines = [
    `### ${w.title}`,
    "",
    `Baseline ${w.baseline}: ${b ? `${fmt(b.min)}–${fmt(b.max)} req/s across its bursts (median ${fmt(b.median)})` : "not measured"}.`,
    "",
    `| ${head.join(" | ")} |`,
    `|${head.map(() => "---").join("|")}|`,
  ];
  for (const r of w.rows) {
    const cells = [
      r.row === w.baseline ? `**${r.row}**` : r.row,
      fmt(r.rps),
      ...(showOps ? [fmt(r.opsPerSec)] : []),
      fmt(r.ratio, 2),
      r.ratioInterval && r.row !== w.baseline ? r.ratioInterval.map((q) => fmt(q, 2)).join("–") : "",
      fmt(r.p50Ms, 2),
      fmt(r.p99Ms, 2),
      fmt(r.rssIdleMiB),
      fmt(r.rssLoadMiB),
      String(r.bursts),
      notes(r),
    ];
    lines.push(`| ${cells.join(" | ")} |`);
  }
  return lines;
}

function notes(r) {
  const out = [];
  if (r.non2xx) out.push(`${r.non2xx} non-2xx responses`);
  if (r.socketErrors) out.push(`${r.socketErrors} socket errors (${r.timeouts} timeouts > 2 s)`);
  for (const e of r.errors) out.push(`error: ${e.replaceAll("|", "\\|").slice(0, 160)}`);
  return out.join("; ");
}

const HEADER = `# Benchmarks

Appended by \`node bench/run.mjs\` (how to run and add targets: bench/README.md). Each section is one run on one
machine. These machines are noisy: compare ratios measured in the same run, not raw req/s across sections.

Measured before this suite, ratio to a plain Fastify route (method and machine not recorded): Hono 0.85,
FastAPI 0.51, oRPC 0.30/0.32, tRPC Fastify adapter 0.13, tRPC standalone 0.12.
`;

/**
 * Appends the section and, given a chart, points the chart block at the top to it. Without one (a run
 * that did not measure every charted workload) the block keeps the chart of an earlier, complete run.
 */
export function updateBenchmarksMd(path, { section, chartPath, chartCaption }) {
  const text = existsSync(path) ? readFileSync(path, "utf8") : HEADER;
  const withChart = chartPath ? pointChartBlock(text, chartPath, chartCaption) : text;
  writeFileSync(path, `${withChart.trimEnd()}\n\n${section}`);
}

/** The text with its chart block (added if missing) showing `chartPath`. */
function pointChartBlock(text, chartPath, chartCaption) {
  const block = `${CHART_START}\n![Latest W1/W2 throughput ratios](${chartPath})\n\n${chartCaption}\n${CHART_END}`;
  const start = text.indexOf(CHART_START);
  const end = text.indexOf(CHART_END);
  if (start !== -1 && end > start) return text.slice(0, start) + block + text.slice(end + CHART_END.length);
  return `${text.trimEnd()}\n\n${block}\n`;
}
