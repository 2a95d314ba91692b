/** Render DashboardData as one self-contained HTML page: inline CSS and SVG, no script, no network. Pure. */
import { renderLineChart, type ChartSpec, type ChartTick } from "./chart";
import type { DashboardData } from "./data";
import { escapeHtml, formatNumber, iterationName, plural } from "./format";
import { renderHealthPanel } from "./health-panel";
import { prose } from "./html";
import { renderLatestPanel } from "./latest-panel";
import { chartTicks, trajectoryCharts } from "./trajectory";
import { DASHBOARD_CSS } from "./style";

// The page loads nothing and runs nothing: even a finding title that slipped past escaping could not execute or call out.
const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

function chartCard(spec: ChartSpec, ticks: ChartTick[]): string {
  const legend = spec.series
    .map((s) => {
      const latest = [...s.values].reverse().find((v) => v !== null) ?? null;
      return `<li><span class="swatch" style="background:${s.color}"></span>${escapeHtml(s.name)}<span class="latest">${escapeHtml(formatNumber(latest, spec.kind))}</span></li>`;
    })
    .join("");
  return `<div class="card"><h3>${escapeHtml(spec.title)}</h3><ul class="legend">${legend}</ul>${renderLineChart(spec, ticks)}</div>`;
}

function trajectorySection(data: DashboardData): string {
  if (data.iterations.length === 0) return `<h2>Trajectory</h2><p class="empty">${prose("No iterations yet: `scrum run PATH` starts the first.")}</p>`;
  const ticks = chartTicks(data.iterations);
  const charts = trajectoryCharts(data.iterations, data.probeNames).map((c) => chartCard(c, ticks));
  const unfinished = data.iterations.filter((p) => p.source === "rows");
  // Built from typed ids and statuses only: nothing to escape.
  const note = unfinished.length
    ? `<p class="note">Hollow points joined by dashed lines: ${unfinished.map((p) => `#${p.id} (${p.status})`).join(", ")} did not finish, so ${unfinished.length === 1 ? "its values are" : "their values are"} computed from the rows stored before it stopped (a partial sweep); a gap means no value.</p>`
    : `<p class="note">One point per iteration (x: iteration id; the legend shows the latest value); a gap means no value.</p>`;
  return `<h2>Trajectory <span class="count">${plural(data.iterations.length, "iteration")}</span></h2>${note}<div class="charts">${charts.join("")}</div>`;
}

/** The whole page. */
export function renderDashboard(data: DashboardData): string {
  const latest = data.latest;
  const summary = latest
    ? `latest iteration ${iterationName(latest.point.id, latest.point.label)}, ${latest.point.status}`
    : "no iterations yet";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>scrum dashboard</title>
<style>${DASHBOARD_CSS}</style>
</head>
<body>
<header><h1>scrum dashboard</h1><p class="meta">${escapeHtml(`${data.kbFile} · ${summary} · generated ${data.generatedAt}`)}</p></header>
<nav><a href="#trajectory">Trajectory</a><a href="#latest">Latest iteration</a><a href="#health">KB health</a></nav>
<main>
<section id="trajectory">${trajectorySection(data)}</section>
<section id="latest">${latest ? renderLatestPanel(latest) : `<h2>Latest iteration</h2><p class="empty">No iterations yet.</p>`}</section>
<section id="health">${renderHealthPanel(data.health)}</section>
</main>
</body>
</html>
`;
}
