// The Markdown that goes into BENCHMARKS.md: one appended section per run, plus a chart block at
// the top that always shows the latest W1/W2 ratios.
import { existsSync, readFileSync, writeFileSync } from "node:fs";

const CHART_START = "<!-- bench:chart:start -->";
const CHART_END = "<!-- bench:chart:end -->";

/** How far apart some rounds' req/s are, as max ÷ min − 1, or null with fewer than two rounds. */
function spread(rpsPerRound) {
  const rounds = rpsPerRound.filter((rps) => typeof rps === "number" && rps > 0);
  if (rounds.length < 2) return null;
  return Math.max(...rounds) / Math.min(...rounds) - 1;
}

/**
 * How far apart the baseline's rounds are. Ratios divide by the same round's baseline, so a machine slow
 * for a whole round cancels out; a baseline whose rounds differ by more than UNSTEADY_SPREAD was slowed on
 * its own (these VMs' neighbours), and every ratio of that workload with it.
 */
const baselineSpread = (w) => spread(w.baselineRpsPerRound);
const UNSTEADY_SPREAD = 0.25;

/** Whether a workload's baseline was too unsteady for its ratios to be a reading (see baselineSpread). */
export function isUnsteady(w) {
  return (baselineSpread(w) ?? 0) > UNSTEADY_SPREAD;
}

const fmt = (v, digits = 0) => (v === null || v === undefined ? "–" : v.toFixed(digits));

/** One run as a Markdown section: machine, method, then a table per workload. */
export function runSection({ machine, opts, summary, skipped, loadAvgAtEnd }) {
  const m = machine;
  const lines = [
    `## ${m.date.slice(0, 16).replace("T", " ")} UTC — ${opts.rounds} rounds × ${opts.duration} s`,
    "",
    `- Machine: ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.kernel}; load average at start ${m.loadAvgAtStart.join(" ")}, at end ${loadAvgAtEnd.join(" ")}`,
    `- Software: node ${m.node}, Python ${m.python}, wrk ${m.wrk}, psql ${m.postgres}; commit ${m.commit}${m.dirtyTree ? " with uncommitted changes" : ""}`,
    `- Method: \`wrk -t1 -c${opts.connections} -d${opts.duration}s --latency\` after a ${opts.warmup} s warm-up; one fresh server process per target per round, target order rotated each round; ${opts.pin ? "server pinned to CPU 0, wrk to CPU 1" : "no CPU pinning"}.`,
    "- Medians over rounds. Ratio = the row's ops/s ÷ the baseline's ops/s in the same round, median over rounds. RSS: the target's whole process tree, idle 1 s after start, and peak during the measured run.",
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
    "p50 ms",
    "p99 ms",
    "RSS idle MiB",
    "RSS load MiB",
    "rounds",
    "notes",
  ];
  const perRound = w.baselineRpsPerRound.map((rps) => fmt(rps)).join(", ");
  const lines = [
    `### ${w.title}`,
    "",
    `Baseline ${w.baseline}: ${perRound || "not measured"} req/s in rounds 1..n.`,
    ...unsteadyWarning(w),
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
      fmt(r.p50Ms, 2),
      fmt(r.p99Ms, 2),
      fmt(r.rssIdleMiB),
      fmt(r.rssLoadMiB),
      String(r.rounds),
      notes(r),
    ];
    lines.push(`| ${cells.join(" | ")} |`);
  }
  return lines;
}

function unsteadyWarning(w) {
  if (!isUnsteady(w)) return [];
  return [
    "",
    `**Unsteady baseline:** its rounds differ by ${Math.round(baselineSpread(w) * 100)}% (over ${UNSTEADY_SPREAD * 100}%): the machine slowed it and not the rows it divides, so this workload's ratios are not a reading.`,
  ];
}

function notes(r) {
  const out = [];
  // A steady baseline does not make every row a reading: a row slowed on its own rounds moves its ratio too
  // (2026-12-07 05:22: the baseline within 5% while ours went 10.5k, 19.7k, 11.7k req/s).
  const rowSpread = spread(r.rpsPerRound ?? []);
  if (rowSpread !== null && rowSpread > UNSTEADY_SPREAD)
    out.push(`unsteady: rounds ${Math.round(rowSpread * 100)}% apart`);
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
