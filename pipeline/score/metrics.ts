/** Metric semantics: which direction of change is better (the values are computed in SQL, kb/aggregates.ts). */

import { RULES } from "../static/rules";

export type Metrics = Record<string, number | null>;

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
  cached_shards: "higher",
  state_pass: "higher",
  state_needs_patch: "lower",
  state_fail: "lower",
  state_unreviewed: "lower",
  state_stale: "lower",
  state_findings_total: "lower",
  state_findings_high: "lower",
  state_findings_medium: "lower",
  state_findings_low: "lower",
  // One counter per static rule (kb/aggregates.ts STATIC_RULE_METRICS): fewer markers, stubs and swallowed errors.
  ...Object.fromEntries(Object.keys(RULES).map((rule) => [`static_${rule.replaceAll("-", "_")}`, "lower" as const])),
  findings_refuted: "lower",
  refutation_rate: "lower",
  resolution_rate: "higher",
  findings_resolved: "higher",
  mean_iterations_to_fix: "lower",
  dismissal_rate: "lower",
};

/** The outcome metrics (do findings get fixed, dismissed, refuted): each iteration's own, measured against the state before it. */
export const OUTCOME_METRICS = ["resolution_rate", "findings_resolved", "mean_iterations_to_fix", "dismissal_rate", "refutation_rate", "findings_refuted"];

/** The metrics a state diff compares: the state's own, the outcome metrics, and what the iteration cost. */
export function isStateScopeMetric(name: string): boolean {
  return name.startsWith("state_") || OUTCOME_METRICS.includes(name) || ["cost_usd", "tokens_in", "tokens_out", "wall_ms", "attempts_total", "cached_shards", "files_reviewed"].includes(name);
}

/**
 * Metrics of a run's work rather than of the tree: they grow with how many files the run looked at, so two runs of
 * different scopes (a full sweep and a 2-file --changed run) cannot be called better or worse on them.
 */
export const SCOPE_DEPENDENT_METRICS: ReadonlySet<string> = new Set([
  "files_total", "files_reviewed", "shards_total", "tree_split_files", "escalations", "thin_rejections", "tokens_in",
  "tokens_out", "cost_usd", "attempts_total", "cached_shards", "redactions", "wall_ms",
]);
