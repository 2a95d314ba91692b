/** Which metrics the trajectory panel charts, and how iterations become chart ticks and series. Pure. */
import type { ChartSpec, ChartTick } from "./chart";
import type { IterationPoint } from "./data";
import { iterationName, type NumberKind } from "./format";

interface ChartDef {
  id: string;
  title: string;
  kind: NumberKind;
  /** Metric name and line colour, in legend order. */
  metrics: Array<[string, string]>;
}

// Colours: the verdict / severity ones match the badges in style.ts.
const CHARTS: ChartDef[] = [
  // The state first: every file's latest review, so a partial sweep never draws a collapse.
  { id: "state-findings", title: "Open findings by severity (state: every file's latest review)", kind: "count", metrics: [["state_findings_total", "#334155"], ["state_findings_high", "#dc2626"], ["state_findings_medium", "#ea8c0c"], ["state_findings_low", "#2563eb"]] },
  { id: "state-verdicts", title: "File verdicts (state)", kind: "count", metrics: [["state_pass", "#16a34a"], ["state_needs_patch", "#ea8c0c"], ["state_fail", "#dc2626"], ["state_unreviewed", "#7c3aed"], ["state_stale", "#64748b"]] },
  // What each iteration itself reviewed: a partial sweep shows fewer files here, by design.
  { id: "findings", title: "Findings in the files this iteration reviewed", kind: "count", metrics: [["findings_total", "#334155"], ["findings_high", "#dc2626"], ["findings_medium", "#ea8c0c"], ["findings_low", "#2563eb"]] },
  { id: "verdicts", title: "Verdicts of the files this iteration reviewed", kind: "count", metrics: [["verdict_pass", "#16a34a"], ["verdict_needs_patch", "#ea8c0c"], ["verdict_fail", "#dc2626"], ["files_unreviewed", "#7c3aed"]] },
  { id: "tiers", title: "Permission-gradient tiers", kind: "count", metrics: [["tier_auto", "#16a34a"], ["tier_review", "#ea8c0c"], ["tier_block", "#dc2626"]] },
  { id: "ladder", title: "Escalations and thin rejections", kind: "count", metrics: [["escalations", "#0891b2"], ["thin_rejections", "#db2777"]] },
  { id: "evidence", title: "Findings with unverified evidence", kind: "count", metrics: [["evidence_unverified", "#b45309"]] },
  // Do findings get fixed? Each iteration against the state before it (docs/METRICS.md, outcome metrics).
  { id: "outcomes", title: "Outcomes: resolved, dismissed and refuted shares of findings", kind: "ratio", metrics: [["resolution_rate", "#16a34a"], ["dismissal_rate", "#64748b"], ["refutation_rate", "#dc2626"]] },
  { id: "cost", title: "Cost", kind: "usd", metrics: [["cost_usd", "#15803d"]] },
  { id: "tokens", title: "Tokens", kind: "count", metrics: [["tokens_in", "#4f46e5"], ["tokens_out", "#0d9488"]] },
];

const PROBE_COLOR = "#6d28d9";

/** One x tick per iteration, oldest first; unfinished iterations are marked. */
export function chartTicks(points: IterationPoint[]): ChartTick[] {
  return points.map((p) => ({
    id: p.id,
    text: `#${p.id}`,
    name: iterationName(p.id, p.label),
    note: p.status === "done" ? null : p.status,
    partial: p.source === "rows",
  }));
}

/** The trajectory charts: the fixed ones, then one per probe (probes have their own scales). */
export function trajectoryCharts(points: IterationPoint[], probeNames: string[]): ChartSpec[] {
  const series = (name: string, color: string) => ({ name, color, values: points.map((p) => p.metrics[name] ?? null) });
  const fixed = CHARTS.map((c) => ({ id: c.id, title: c.title, kind: c.kind, series: c.metrics.map(([name, color]) => series(name, color)) }));
  const probes = probeNames.map((name) => ({ id: `probe-${name}`, title: `Probe: ${name}`, kind: "count" as const, series: [series(name, PROBE_COLOR)] }));
  return [...fixed, ...probes];
}
