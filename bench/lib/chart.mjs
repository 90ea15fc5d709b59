// chart-latest.svg: horizontal bars of the latest W1/W2 ratios.
// Hand-rolled SVG rather than a charting library: a dozen bars need no dependency (and no headless
// browser or canvas to render a PNG), and the text output diffs readably in git.

const BAR_H = 18;
const GAP = 6;
const LABEL_W = 210;
const PLOT_W = 420;
const ROW_H = BAR_H + GAP;

const escapeXml = (s) =>
  String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);

/**
 * `groups`: [{ title, baseline, rows: [{ row, ratio, ratioInterval? }] }]; rows without a ratio are left
 * out. A row's 95% interval ([low, high]) is drawn as a whisker across its bar's end.
 */
export function renderChart(groups, subtitle) {
  const plotted = groups
    .map((g) => ({ ...g, rows: g.rows.filter((r) => r.ratio !== null) }))
    .filter((g) => g.rows.length);
  const parts = [];
  let y = 44;
  for (const g of plotted) {
    // Each group on its own scale: W2's ratios (~10× FastAPI) would otherwise squeeze W1's (~0.5) to slivers.
    const maxRatio = Math.max(1, ...g.rows.map((r) => Math.max(r.ratio, r.ratioInterval?.[1] ?? 0)));
    const scale = PLOT_W / (Math.ceil(maxRatio * 4) / 4);
    parts.push(`<text x="8" y="${y + 12}" class="h">${escapeXml(g.title)} — ratio to ${escapeXml(g.baseline)}</text>`);
    y += 22;
    // The 1.0 mark, drawn per group so it does not cross the group titles.
    const oneX = LABEL_W + scale;
    parts.push(
      `<line x1="${oneX}" y1="${y - 3}" x2="${oneX}" y2="${y + g.rows.length * ROW_H - GAP + 3}" class="one"/>`,
    );
    for (const r of g.rows) {
      const w = Math.max(1, r.ratio * scale);
      const cls = r.row === g.baseline ? "bar base" : "bar";
      parts.push(
        `<text x="${LABEL_W - 8}" y="${y + 13}" class="l">${escapeXml(r.row)}</text>`,
        `<rect x="${LABEL_W}" y="${y}" width="${w.toFixed(1)}" height="${BAR_H}" class="${cls}"/>`,
      );
      let labelX = LABEL_W + w;
      const interval = r.row === g.baseline ? null : r.ratioInterval;
      if (interval) {
        const [x1, x2] = interval.map((v) => (LABEL_W + v * scale).toFixed(1));
        const mid = y + BAR_H / 2;
        parts.push(
          `<path d="M${x1} ${mid}H${x2}M${x1} ${mid - 5}V${mid + 5}M${x2} ${mid - 5}V${mid + 5}" class="ci"/>`,
        );
        labelX = Math.max(labelX, LABEL_W + interval[1] * scale);
      }
      parts.push(`<text x="${(labelX + 6).toFixed(1)}" y="${y + 13}" class="v">${r.ratio.toFixed(2)}</text>`);
      y += ROW_H;
    }
    y += 10;
  }
  const height = y + 10;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${LABEL_W + PLOT_W + 60}" height="${height}" font-family="sans-serif" font-size="12">
<style>.h{font-weight:bold}.l{text-anchor:end}.bar{fill:#4a7bd0}.base{fill:#999}.v{fill:#333}.one{stroke:#c33;stroke-dasharray:4 3}.ci{stroke:#222;stroke-width:1.5;fill:none}</style>
<rect width="100%" height="100%" fill="#fff"/>
<text x="8" y="18" class="h" font-size="14">Throughput ratio to the baseline (higher is better)</text>
<text x="8" y="34" fill="#555">${escapeXml(subtitle)}</text>
${parts.join("\n")}
</svg>
`;
}
