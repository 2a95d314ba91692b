/**
 * The metrics of a state report: what the state holds (every file's latest review), not what the last iteration did.
 * Same names as an iteration's metrics (docs/METRICS.md) so every format reads them alike; the metrics of a run's work
 * (attempts, tokens, cost, wall time, escalations) belong to iterations and are left out. Pure over rows.
 */
import type { FileReview, StateEntry, StoredFinding } from "../../domain/records";
import { isUnverifiedProblem } from "../../domain/counts";
import { BUILT_IN_METRICS, stateMetrics, type Metrics } from "../../kb/aggregates";

/**
 * `rows`: the state rows with dismissals applied; `reviews` and `findings`: the reviews they carry; `stored`: the
 * metrics stored with the state's iteration (its probes measured the whole tree and are kept).
 */
export function stateReportMetrics(rows: StateEntry[], reviews: FileReview[], findings: StoredFinding[], stored: Metrics): Metrics {
  const count = (v: string) => rows.filter((r) => r.verdict === v).length;
  const sum = (pick: (r: StateEntry) => number) => rows.reduce((s, r) => s + pick(r), 0);
  const reviewed = rows.filter((r) => r.verdict === "pass" || r.verdict === "needs_patch" || r.verdict === "fail");
  const tier = (t: string) => reviewed.filter((r) => r.gradient_tier === t).length;
  const probes = Object.fromEntries(Object.entries(stored).filter(([name]) => !BUILT_IN_METRICS.has(name)));
  const live = findings.filter((f) => f.dismissal_id === null);
  return {
    files_total: rows.length,
    files_reviewed: reviewed.length,
    files_skipped: count("skipped"),
    files_unreviewed: count("unreviewed"),
    files_partial_coverage: reviews.filter((r) => r.coverage_complete === false).length,
    verdict_pass: count("pass"),
    verdict_needs_patch: count("needs_patch"),
    verdict_fail: count("fail"),
    tier_auto: tier("auto"),
    tier_review: tier("review"),
    tier_block: tier("block"),
    findings_total: sum((r) => r.findings_count),
    findings_high: sum((r) => r.findings_high),
    findings_medium: sum((r) => r.findings_medium),
    findings_low: sum((r) => r.findings_low),
    critical_failures: sum((r) => r.critical_failures_count),
    missing_components: sum((r) => r.missing_components_count),
    verified_components: live.filter((f) => f.category === "verified_components").length,
    evidence_unverified: live.filter(isUnverifiedProblem).length,
    ...stateMetrics(rows),
    ...probes,
  };
}
