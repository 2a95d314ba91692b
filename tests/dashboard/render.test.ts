import { describe, expect, test } from "bun:test";
import { yScale } from "../../pipeline/dashboard/chart";
import { escapeHtml } from "../../pipeline/dashboard/format";
import { renderDashboard } from "../../pipeline/dashboard/render";
import { chartPoints, dashboard, health, latestOf, point, storedMetrics, tileValue } from "./fixtures";

const CHARTS = ["state-findings", "state-verdicts", "findings", "verdicts", "tiers", "ladder", "evidence", "outcomes", "cost", "tokens"];

describe("the dashboard page", () => {
  test("is self-contained: no script, no external resource, a CSP that forbids both", () => {
    const html = renderDashboard(dashboard([point(1), point(2)]));
    expect(html).not.toMatch(/<script|<link|<img|@import|url\(|https?:\/\//i);
    expect(html).toContain(`http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`);
  });

  test("one iteration: every chart has one point per series and no line", () => {
    const html = renderDashboard(dashboard([point(1)]));
    for (const chart of CHARTS) expect(html).toContain(`data-chart="${chart}"`);
    expect(chartPoints(html, "findings", "findings_total")).toEqual([[1, 8, false]]);
    expect(chartPoints(html, "verdicts", "verdict_needs_patch")).toEqual([[1, 5, false]]);
    expect(chartPoints(html, "cost", "cost_usd")).toEqual([[1, 0, false]]);
    expect(html).not.toContain(`class="line`);
    expect(html).toContain(`>#1</text>`);
  });

  test("three iterations with an aborted one: its point is hollow, labelled aborted, joined by dashed lines", () => {
    const aborted = point(2, { status: "aborted", finishedAt: "2026-04-22T10:01:00.000Z", source: "rows", metrics: storedMetrics({ findings_total: 3, wall_ms: null }) });
    const html = renderDashboard(dashboard([point(1), aborted, point(3, { metrics: storedMetrics({ findings_total: 5 }) })]));
    expect(chartPoints(html, "findings", "findings_total")).toEqual([[1, 8, false], [2, 3, true], [3, 5, false]]);
    expect(html).toContain(`<text class="x-note"`);
    expect(html.match(/class="x-note"[^>]*>aborted</g)).toHaveLength(CHARTS.length);
    // Both segments touch the partial point, so they are dashed; nothing is solid.
    expect(html).toContain(`class="line partial"`);
    expect(html).not.toContain(`class="line" `);
    expect(html).toContain("#2 (aborted) did not finish");
  });

  test("an aborted latest iteration says its numbers come from its partial rows", () => {
    const aborted = point(2, { status: "aborted", source: "rows", metrics: storedMetrics({ wall_ms: null }) });
    const html = renderDashboard(dashboard([point(1), aborted]));
    expect(html).toContain(`Latest iteration: 2 (iter-2) <span class="badge b-aborted">aborted</span>`);
    expect(html).toContain("computed from the rows it stored before it stopped");
    expect(tileValue(html, "wall_ms")).toBe("–");
  });

  test("a null metric leaves a gap: no point, no segment to it, a dash where its number would be", () => {
    const points = [1, 2, 3].map((id) => point(id, { metrics: storedMetrics({ grep_hits: id === 2 ? null : 10 * id, cost_usd: id === 3 ? null : 0.0123 }) }));
    const html = renderDashboard(dashboard(points, { probeNames: ["grep_hits"] }));
    expect(chartPoints(html, "probe-grep_hits", "grep_hits")).toEqual([[1, 10, false], [3, 30, false]]);
    const probe = html.match(/<svg class="chart" data-chart="probe-grep_hits"[\s\S]*?<\/svg>/)![0];
    expect(probe).not.toContain(`<path`);
    expect(chartPoints(html, "cost", "cost_usd")).toHaveLength(2);
    expect(html).toContain(`Probe: grep_hits`);
    // The latest iteration's cost is null: shown as a dash, not as $0.
    expect(tileValue(html, "cost_usd")).toBe("–");
  });

  test("a metric missing from an older iteration is a gap, not a zero", () => {
    const html = renderDashboard(dashboard([point(1, { metrics: { findings_total: 4 } }), point(2)]));
    expect(chartPoints(html, "tiers", "tier_auto")).toEqual([[2, 5, false]]);
    expect(chartPoints(html, "findings", "findings_total")).toEqual([[1, 4, false], [2, 8, false]]);
  });

  test("hostile text from the KB renders as text everywhere", () => {
    const evil = `<script>alert(1)</script>`;
    const p = point(1, { label: evil });
    const data = dashboard([p], {
      kbFile: `/tmp/${evil}.db`,
      probeNames: [`x"><img src=x onerror=alert(1)>`],
      latest: latestOf(p, {
        flagged: [{ path: `src/${evil}.ts`, verdict: "needs_patch", gradient_tier: "review", critical_failures_count: 1, missing_components_count: 0, findings_count: 1, alignment_score: 3, iteration_id: 1, stale: false }],
        findings: [{ path: `src/${evil}.ts`, category: "risk_points", severity: "high", confidence: 90, title: evil, evidence: `if (a < b && "x") ${evil}`, line_start: 1, line_end: 2, evidence_verified: false }],
        unreviewed: [{ path: evil, reason: `rung local: ${evil}` }],
        skipped: [{ path: "bin/a.png", reason: evil }],
      }),
      health: health({ attemptsByRung: [{ rung: evil, total: 1, outcomes: { accepted: 1, thin: 0, invalid: 0, error: 0, timeout: 0, cached: 0, skipped: 0, refused: 0 } }] }),
    });
    const html = renderDashboard(data);
    expect(html).not.toContain("<script");
    expect(html).not.toContain("<img");
    expect(html).toContain(escapeHtml(evil));
    expect(html).toContain(`if (a &lt; b &amp;&amp; &quot;x&quot;)`);
    expect(html).toContain("UNVERIFIED");
  });

  test("flagged files keep the order they are given (most urgent first) with their counts", () => {
    const html = renderDashboard(dashboard([point(1)]));
    const flagged = html.match(/<table data-table="flagged">[\s\S]*?<\/table>/)![0];
    const paths = [...flagged.matchAll(/<code class="path">([^<]+)<\/code>/g)].map((m) => m[1]);
    expect(paths).toEqual(["src/auth.rs", "src/billing.ts"]);
    expect(flagged).toContain(`<span class="badge b-needs_patch">needs_patch</span>`);
    expect(flagged).toContain(`<td class="num">4.5</td>`);
  });

  test("unreviewed and skipped files are listed with their reasons", () => {
    const p = point(1);
    const html = renderDashboard(dashboard([p], { latest: latestOf(p, { unreviewed: [{ path: "src/big.rs", reason: "shard 2: every rung timed out" }], skipped: [{ path: "logo.png", reason: "binary" }, { path: "x.bin", reason: null }] }) }));
    expect(html).toMatch(/data-table="unreviewed">[\s\S]*src\/big\.rs[\s\S]*shard 2: every rung timed out/);
    expect(html).toMatch(/data-table="skipped">[\s\S]*logo\.png[\s\S]*binary[\s\S]*x\.bin[\s\S]*no reason stored/);
  });

  test("KB health shows the typed numbers: shares, note states, attempts by outcome and by rung", () => {
    const html = renderDashboard(dashboard([point(1)]));
    expect(tileValue(html, "iterations_total")).toBe("1");
    expect(tileValue(html, "evidence_unverified_share")).toBe("25.0%");
    expect(tileValue(html, "partial_coverage_share")).toBe("9.1%");
    expect(tileValue(html, "notes_open")).toBe("1");
    expect(tileValue(html, "last_iteration_age")).toBe("3 h");
    const byRung = html.match(/<table data-table="attempts-rung">[\s\S]*?<\/table>/)![0];
    expect(byRung).toContain(`<tr><td>local</td><td class="num">10</td><td class="num">0</td><td class="num">1</td><td class="num">0</td><td class="num">1</td><td class="num">0</td><td class="num">0</td><td class="num">0</td><td class="num">12</td></tr>`);
    expect(html).toContain("1 model call failed with an error or timeout.");
  });

  test("an empty KB renders a page that says so", () => {
    const html = renderDashboard(dashboard([], { health: health({ iterations: { total: 0, done: 0, aborted: 0, running: 0 }, lastIteration: null }) }));
    expect(html).toContain("No iterations yet");
    expect(html).not.toContain("<svg");
  });
});

describe("y scale", () => {
  test.each([
    [0, 8, "count", { low: 0, high: 8, step: 2 }],
    [0, 83, "count", { low: 0, high: 100, step: 25 }],
    [0, 0, "count", { low: 0, high: 1, step: 1 }],
    [0, 3, "count", { low: 0, high: 3, step: 1 }],
    [0, 0.0123, "usd", { low: 0, high: 0.015, step: 0.005 }],
    [-3, 7, "count", { low: -5, high: 10, step: 5 }],
  ] as const)("%p..%p (%s) → round steps", (min, max, kind, want) => {
    expect(yScale(min, max, kind)).toEqual(want);
  });
});
