/** Builders of crafted DashboardData for the renderer's unit tests: real-looking values, one thing changed per test. */
import type { DashboardData, IterationPoint, KbHealth, LatestIteration } from "../../pipeline/dashboard/data";
import type { Metrics } from "../../pipeline/score/metrics";

/** The metrics a finished offline iteration of the demo repo stores, overridable per test. */
export function storedMetrics(overrides: Metrics = {}): Metrics {
  return {
    files_total: 11, files_reviewed: 11, files_skipped: 0, files_unreviewed: 0, files_partial_coverage: 0,
    verdict_pass: 6, verdict_needs_patch: 5, verdict_fail: 0,
    findings_total: 8, findings_high: 3, findings_medium: 4, findings_low: 1,
    critical_failures: 2, pseudocode_flags: 5, missing_components: 0, verified_components: 0, evidence_unverified: 0,
    confidence_avg: 85.6, confidence_min: 70, alignment_avg: 8.7,
    tier_auto: 5, tier_review: 6, tier_block: 0,
    shards_total: 13, tree_split_files: 1, attempts_total: 13, escalations: 0, thin_rejections: 0,
    tokens_in: 0, tokens_out: 0, cost_usd: 0, wall_ms: 160,
    ...overrides,
  };
}

export function point(id: number, overrides: Partial<IterationPoint> = {}): IterationPoint {
  return {
    id,
    label: `iter-${id}`,
    status: "done",
    startedAt: `2026-04-2${id}T10:00:00.000Z`,
    finishedAt: `2026-04-2${id}T10:05:00.000Z`,
    source: "stored",
    metrics: storedMetrics(),
    ...overrides,
  };
}

export function latestOf(p: IterationPoint, overrides: Partial<LatestIteration> = {}): LatestIteration {
  return {
    point: p,
    flagged: [
      { path: "src/auth.rs", verdict: "needs_patch", gradient_tier: "review", critical_failures_count: 1, missing_components_count: 0, findings_count: 2, alignment_score: 4.5, iteration_id: 1, stale: false },
      { path: "src/billing.ts", verdict: "pass", gradient_tier: "review", critical_failures_count: 0, missing_components_count: 0, findings_count: 0, alignment_score: 9, iteration_id: 1, stale: false },
    ],
    findings: [
      { path: "src/auth.rs", category: "pseudocode_flags", severity: "high", confidence: 95, title: "Stub macro left in code: unimplemented!()", evidence: "unimplemented!()", line_start: 58, line_end: 58, evidence_verified: true },
    ],
    unreviewed: [],
    degraded: [],
    skipped: [],
    ...overrides,
  };
}

export function health(overrides: Partial<KbHealth> = {}): KbHealth {
  return {
    schemaVersion: 1,
    iterations: { total: 1, done: 1, aborted: 0, running: 0 },
    rows: { iterations: 1, file_reviews: 11, findings: 8, attempts: 13, metrics: 33, notes: 2 },
    notes: { open: 1, picked_up: 1, resolved: 0 },
    evidence: { unverified: 2, findings: 8 },
    coverage: { partial: 1, reviewed: 11 },
    attemptsByOutcome: { accepted: 11, thin: 1, invalid: 0, error: 1, timeout: 0, cached: 0, skipped: 0, refused: 0 },
    attemptsByRung: [
      { rung: "local", total: 12, outcomes: { accepted: 10, thin: 1, invalid: 0, error: 1, timeout: 0, cached: 0, skipped: 0, refused: 0 } },
      { rung: "cloud-large", total: 1, outcomes: { accepted: 1, thin: 0, invalid: 0, error: 0, timeout: 0, cached: 0, skipped: 0, refused: 0 } },
    ],
    lastIteration: { id: 1, at: "2026-04-21T10:05:00.000Z", ageMs: 3 * 3600_000 },
    ...overrides,
  };
}

/** A dashboard over the given points; the latest is the last point. */
export function dashboard(points: IterationPoint[], overrides: Partial<DashboardData> = {}): DashboardData {
  const last = points.at(-1);
  return {
    generatedAt: "2026-04-24T13:00:00.000Z",
    kbFile: "/tmp/kb/scrum.db",
    iterations: points,
    probeNames: [],
    latest: last ? latestOf(last) : null,
    health: health(),
    ...overrides,
  };
}

/** The points drawn for one series of one chart, as [iteration id, value, partial]. */
export function chartPoints(html: string, chart: string, series: string): Array<[number, number, boolean]> {
  const svg = html.match(new RegExp(`<svg class="chart" data-chart="${chart}"[\\s\\S]*?</svg>`))?.[0];
  if (!svg) throw new Error(`no chart "${chart}" in the page`);
  return [...svg.matchAll(/<circle class="point( partial)?"[^>]*data-series="([^"]+)" data-iteration="(\d+)" data-value="([^"]+)"/g)]
    .filter((m) => m[2] === series)
    .map((m) => [Number(m[3]), Number(m[4]), m[1] !== undefined]);
}

/** The `data-tile` tile's value text. */
export function tileValue(html: string, name: string): string | undefined {
  return html.match(new RegExp(`data-tile="${name}"><span class="tile-value">([^<]*)</span>`))?.[1];
}
