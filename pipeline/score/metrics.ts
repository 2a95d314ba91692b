/** Iteration metrics, computed from the rows stored for the iteration (the KB is the single source of truth). */
import type { FileReviewRow, FindingRow } from "../../kb/kb";

export type Metrics = Record<string, number | null>;

/** Every metric of docs/METRICS.md except probes and wall_ms, from the iteration's file and finding rows. */
export function iterationMetrics(reviews: FileReviewRow[], findings: FindingRow[], attemptsTotal: number): Metrics {
  const count = (pred: (r: FileReviewRow) => boolean) => reviews.filter(pred).length;
  const reviewed = reviews.filter((r) => r.verdict === "pass" || r.verdict === "needs_patch" || r.verdict === "fail");
  const problems = findings.filter((f) => f.category !== "verified_components");
  const confidences = findings.map((f) => f.confidence);
  const sum = (pick: (r: FileReviewRow) => number) => reviews.reduce((s, r) => s + pick(r), 0);
  return {
    files_total: reviews.length,
    files_reviewed: reviewed.length,
    files_skipped: count((r) => r.verdict === "skipped"),
    files_unreviewed: count((r) => r.verdict === "unreviewed"),
    files_partial_coverage: count((r) => r.coverage_complete === 0 && r.verdict !== "unreviewed"),
    verdict_pass: count((r) => r.verdict === "pass"),
    verdict_needs_patch: count((r) => r.verdict === "needs_patch"),
    verdict_fail: count((r) => r.verdict === "fail"),
    findings_total: problems.length,
    findings_high: problems.filter((f) => f.severity === "high").length,
    findings_medium: problems.filter((f) => f.severity === "medium").length,
    findings_low: problems.filter((f) => f.severity === "low").length,
    critical_failures: problems.filter((f) => f.category === "critical_failures").length,
    pseudocode_flags: problems.filter((f) => f.category === "pseudocode_flags").length,
    missing_components: problems.filter((f) => f.category === "missing_components").length,
    verified_components: findings.length - problems.length,
    evidence_unverified: findings.filter((f) => f.evidence_verified === 0).length,
    confidence_avg: confidences.length ? round1(confidences.reduce((s, v) => s + v, 0) / confidences.length) : null,
    confidence_min: confidences.length ? Math.min(...confidences) : null,
    alignment_avg: reviewed.length ? round1(reviewed.reduce((s, r) => s + (r.alignment_score ?? 0), 0) / reviewed.length) : null,
    tier_auto: count((r) => r.gradient_tier === "auto"),
    tier_review: count((r) => r.gradient_tier === "review"),
    tier_block: count((r) => r.gradient_tier === "block"),
    shards_total: sum((r) => r.shards),
    tree_split_files: count((r) => r.tree_split_fired === 1),
    attempts_total: attemptsTotal,
    escalations: sum((r) => r.escalations),
    thin_rejections: sum((r) => r.thin_rejections),
    tokens_in: sum((r) => r.tokens_in),
    tokens_out: sum((r) => r.tokens_out),
    cost_usd: Math.round(sum((r) => r.cost_usd) * 1e6) / 1e6,
  };
}

function round1(v: number): number {
  return Math.round(v * 10) / 10;
}

/** Which direction of change is an improvement for each metric (for `scrum diff`); absent = neutral. */
export const METRIC_DIRECTION: Record<string, "lower" | "higher"> = {
  files_skipped: "lower",
  files_unreviewed: "lower",
  files_partial_coverage: "lower",
  verdict_pass: "higher",
  verdict_needs_patch: "lower",
  verdict_fail: "lower",
  findings_total: "lower",
  findings_high: "lower",
  findings_medium: "lower",
  findings_low: "lower",
  critical_failures: "lower",
  pseudocode_flags: "lower",
  missing_components: "lower",
  verified_components: "higher",
  evidence_unverified: "lower",
  alignment_avg: "higher",
  tier_auto: "higher",
  tier_block: "lower",
  escalations: "lower",
  thin_rejections: "lower",
  cost_usd: "lower",
  wall_ms: "lower",
};
