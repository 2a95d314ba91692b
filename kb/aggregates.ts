/**
 * Aggregates computed once, in SQL: an iteration's metrics from its rows, the state's metrics, and the per-iteration
 * headline counts `history` shows (without loading any finding).
 */
import type { Engine } from "./engine";
import { COUNTING_FINDING, UNVERIFIED_PROBLEM, countingFinding } from "./state";
import { RULE_IDS } from "../domain/rules";

export type Metrics = Record<string, number | null>;

/**
 * Per static rule, the metric counting its findings in an iteration (`static_todo_comment`, ...): the trajectory of
 * each rule, informational ones included, as the original loop's per-iteration grep counts of todo!()/FIXME were.
 */
export const STATIC_RULE_METRICS: ReadonlyMap<string, string> = new Map(RULE_IDS.map((rule) => [rule, `static_${rule.replaceAll("-", "_")}`]));

/** Every metric scrum itself stores (any other name in the metrics table is a [[probe]]). */
export const BUILT_IN_METRICS: ReadonlySet<string> = new Set([
  "files_total", "files_reviewed", "files_skipped", "files_unreviewed", "files_partial_coverage", "verdict_pass",
  "verdict_needs_patch", "verdict_fail", "alignment_avg", "tier_auto", "tier_review", "tier_block", "shards_total",
  "tree_split_files", "escalations", "thin_rejections", "tokens_in", "tokens_out", "cost_usd", "findings_total",
  "findings_high", "findings_medium", "findings_low", "critical_failures", "pseudocode_flags", "missing_components",
  "verified_components", "evidence_unverified", "findings_dismissed", "injection_attempts", "confidence_avg",
  "confidence_min", "attempts_total", "cached_shards", "redactions", "wall_ms", "state_files", "state_pass",
  "state_needs_patch", "state_fail", "state_unreviewed", "state_skipped", "state_stale", "state_findings_total",
  "state_findings_high", "state_findings_medium", "state_findings_low", "findings_refuted", "findings_confirmed",
  "findings_uncertain", "refutation_rate", "resolution_rate", "findings_resolved", "resolution_candidates",
  "mean_iterations_to_fix", "dismissal_rate", "findings_not_verified", "verify_skipped_trusted", ...STATIC_RULE_METRICS.values(),
]);

const REVIEWED = `verdict IN ('pass', 'needs_patch', 'fail')`;

/** Every iteration metric of docs/METRICS.md except probes and wall_ms, from the iteration's rows. */
export function iterationMetrics(db: Engine, iterationId: number): Metrics {
  const files = db
    .query(
      `SELECT count(*) AS files_total,
         coalesce(sum(CASE WHEN ${REVIEWED} THEN 1 ELSE 0 END), 0) AS files_reviewed,
         coalesce(sum(CASE WHEN verdict = 'skipped' THEN 1 ELSE 0 END), 0) AS files_skipped,
         coalesce(sum(CASE WHEN verdict = 'unreviewed' THEN 1 ELSE 0 END), 0) AS files_unreviewed,
         coalesce(sum(CASE WHEN coverage_complete = 0 AND verdict <> 'unreviewed' THEN 1 ELSE 0 END), 0) AS files_partial_coverage,
         coalesce(sum(CASE WHEN verdict = 'pass' THEN 1 ELSE 0 END), 0) AS verdict_pass,
         coalesce(sum(CASE WHEN verdict = 'needs_patch' THEN 1 ELSE 0 END), 0) AS verdict_needs_patch,
         coalesce(sum(CASE WHEN verdict = 'fail' THEN 1 ELSE 0 END), 0) AS verdict_fail,
         round(avg(CASE WHEN ${REVIEWED} THEN alignment_score END), 1) AS alignment_avg,
         coalesce(sum(CASE WHEN gradient_tier = 'auto' THEN 1 ELSE 0 END), 0) AS tier_auto,
         coalesce(sum(CASE WHEN gradient_tier = 'review' THEN 1 ELSE 0 END), 0) AS tier_review,
         coalesce(sum(CASE WHEN gradient_tier = 'block' THEN 1 ELSE 0 END), 0) AS tier_block,
         coalesce(sum(shards), 0) AS shards_total,
         coalesce(sum(tree_split_fired), 0) AS tree_split_files,
         coalesce(sum(escalations), 0) AS escalations,
         coalesce(sum(thin_rejections), 0) AS thin_rejections,
         coalesce(sum(tokens_in), 0) AS tokens_in,
         coalesce(sum(tokens_out), 0) AS tokens_out,
         round(coalesce(sum(cost_usd), 0), 6) AS cost_usd
       FROM file_reviews WHERE iteration_id = ?`,
    )
    .get(iterationId) as Metrics;
  const findings = db
    .query(
      `SELECT
         coalesce(sum(CASE WHEN ${COUNTING_FINDING} THEN 1 ELSE 0 END), 0) AS findings_total,
         coalesce(sum(CASE WHEN ${COUNTING_FINDING} AND severity = 'high' THEN 1 ELSE 0 END), 0) AS findings_high,
         coalesce(sum(CASE WHEN ${COUNTING_FINDING} AND severity = 'medium' THEN 1 ELSE 0 END), 0) AS findings_medium,
         coalesce(sum(CASE WHEN ${COUNTING_FINDING} AND severity = 'low' THEN 1 ELSE 0 END), 0) AS findings_low,
         coalesce(sum(CASE WHEN ${COUNTING_FINDING} AND category = 'critical_failures' THEN 1 ELSE 0 END), 0) AS critical_failures,
         coalesce(sum(CASE WHEN ${COUNTING_FINDING} AND category = 'pseudocode_flags' THEN 1 ELSE 0 END), 0) AS pseudocode_flags,
         coalesce(sum(CASE WHEN ${COUNTING_FINDING} AND category = 'missing_components' THEN 1 ELSE 0 END), 0) AS missing_components,
         coalesce(sum(CASE WHEN category = 'verified_components' THEN 1 ELSE 0 END), 0) AS verified_components,
         coalesce(sum(CASE WHEN ${UNVERIFIED_PROBLEM} THEN 1 ELSE 0 END), 0) AS evidence_unverified,
         coalesce(sum(CASE WHEN dismissal_id IS NOT NULL THEN 1 ELSE 0 END), 0) AS findings_dismissed,
         coalesce(sum(CASE WHEN disposition = 'refuted' THEN 1 ELSE 0 END), 0) AS findings_refuted,
         coalesce(sum(CASE WHEN disposition = 'confirmed' THEN 1 ELSE 0 END), 0) AS findings_confirmed,
         coalesce(sum(CASE WHEN disposition = 'uncertain' THEN 1 ELSE 0 END), 0) AS findings_uncertain,
         round(CAST(sum(CASE WHEN disposition = 'refuted' THEN 1 ELSE 0 END) AS REAL) / nullif(sum(CASE WHEN disposition IS NOT NULL THEN 1 ELSE 0 END), 0), 3) AS refutation_rate,
         coalesce(sum(CASE WHEN disposition IS NULL AND verify_reason LIKE 'not verified:%' THEN 1 ELSE 0 END), 0) AS findings_not_verified,
         coalesce(sum(CASE WHEN disposition IS NULL AND verify_reason LIKE 'not verified: trusted:%' THEN 1 ELSE 0 END), 0) AS verify_skipped_trusted,
         coalesce(sum(CASE WHEN ${COUNTING_FINDING} AND rule = 'prompt-injection' THEN 1 ELSE 0 END), 0) AS injection_attempts,
         round(avg(CASE WHEN dismissal_id IS NULL AND coalesce(disposition, '') <> 'refuted' THEN confidence END), 1) AS confidence_avg,
         min(CASE WHEN dismissal_id IS NULL AND coalesce(disposition, '') <> 'refuted' THEN confidence END) AS confidence_min
       FROM findings WHERE iteration_id = ?`,
    )
    .get(iterationId) as Metrics;
  const attempts = db
    .query(
      `SELECT count(*) AS attempts_total,
         coalesce(sum(CASE WHEN outcome = 'cached' THEN 1 ELSE 0 END), 0) AS cached_shards,
         coalesce(sum(redactions), 0) AS redactions
       FROM attempts WHERE iteration_id = ?`,
    )
    .get(iterationId) as Metrics;
  const perRule: Metrics = Object.fromEntries([...STATIC_RULE_METRICS.values()].map((name) => [name, 0]));
  const byRule = db
    .query(`SELECT rule, count(*) AS n FROM findings WHERE iteration_id = ? AND rule IS NOT NULL AND ${COUNTING_FINDING} GROUP BY rule`)
    .all(iterationId) as { rule: string; n: number }[];
  for (const r of byRule) {
    const name = STATIC_RULE_METRICS.get(r.rule);
    if (name) perRule[name] = r.n;
  }
  return { ...files, ...findings, ...attempts, ...perRule };
}

/** The state's metrics after an iteration (state_*), from the state rows as read (dismissals applied by the caller). */
export function stateMetrics(rows: Array<{ verdict: string; stale: boolean; findings_count: number; findings_high: number; findings_medium: number; findings_low: number }>): Metrics {
  const count = (v: string) => rows.filter((r) => r.verdict === v).length;
  const sum = (pick: (r: (typeof rows)[number]) => number) => rows.reduce((s, r) => s + pick(r), 0);
  return {
    state_files: rows.length,
    state_pass: count("pass"),
    state_needs_patch: count("needs_patch"),
    state_fail: count("fail"),
    state_unreviewed: count("unreviewed"),
    state_skipped: count("skipped"),
    state_stale: rows.filter((r) => r.stale).length,
    state_findings_total: sum((r) => r.findings_count),
    state_findings_high: sum((r) => r.findings_high),
    state_findings_medium: sum((r) => r.findings_medium),
    state_findings_low: sum((r) => r.findings_low),
  };
}

export interface HistoryRow {
  iteration_id: number;
  files: number;
  pass: number;
  needs_patch: number;
  fail: number;
  unreviewed: number;
  skipped: number;
  escalations: number;
  cost_usd: number;
  findings_high: number;
  findings_medium: number;
  findings_low: number;
}

/** Per iteration: file and verdict counts, escalations, cost and counting findings by severity, in two grouped queries. */
export function historyCounts(db: Engine): Map<number, HistoryRow> {
  const files = db
    .query(
      `SELECT iteration_id, count(*) AS files, coalesce(sum(CASE WHEN verdict = 'pass' THEN 1 ELSE 0 END), 0) AS pass, coalesce(sum(CASE WHEN verdict = 'needs_patch' THEN 1 ELSE 0 END), 0) AS needs_patch,
         coalesce(sum(CASE WHEN verdict = 'fail' THEN 1 ELSE 0 END), 0) AS fail, coalesce(sum(CASE WHEN verdict = 'unreviewed' THEN 1 ELSE 0 END), 0) AS unreviewed, coalesce(sum(CASE WHEN verdict = 'skipped' THEN 1 ELSE 0 END), 0) AS skipped,
         coalesce(sum(escalations), 0) AS escalations, round(coalesce(sum(cost_usd), 0), 6) AS cost_usd
       FROM file_reviews GROUP BY iteration_id`,
    )
    .all() as Omit<HistoryRow, "findings_high" | "findings_medium" | "findings_low">[];
  const severities = db
    .query(`SELECT iteration_id, severity, count(*) AS n FROM findings WHERE ${COUNTING_FINDING} GROUP BY iteration_id, severity`)
    .all() as { iteration_id: number; severity: "high" | "medium" | "low"; n: number }[];
  const out = new Map<number, HistoryRow>();
  for (const f of files) out.set(f.iteration_id, { ...f, findings_high: 0, findings_medium: 0, findings_low: 0 });
  for (const s of severities) {
    const row = out.get(s.iteration_id);
    if (row) row[`findings_${s.severity}`] = s.n;
  }
  return out;
}

/** Every stored metric of every iteration, in one query: iteration id → name → value. */
export function allMetrics(db: Engine): Map<number, Metrics> {
  const rows = db.query(`SELECT iteration_id, name, value FROM metrics ORDER BY iteration_id, name`).all() as { iteration_id: number; name: string; value: number | null }[];
  const out = new Map<number, Metrics>();
  for (const r of rows) {
    const m = out.get(r.iteration_id) ?? {};
    m[r.name] = r.value;
    out.set(r.iteration_id, m);
  }
  return out;
}

/** Which kind of reviewer produced a review: a model rung, or only the deterministic (static) rung. */
const REVIEWER_KIND = (alias: string) => `(CASE WHEN ${alias}.accepted_model IS NULL OR ${alias}.accepted_model = 'static-heuristics' THEN 'static' ELSE 'model' END)`;

/**
 * Do findings get fixed? The outcome metrics of iteration `iterationId` against the state before it:
 * - `resolution_rate`: of the findings that stood in the previous state on files this iteration reviewed again in full,
 *   by the same kind of reviewer (model or static), the share that no review of this iteration raised again (neither
 *   standing, dismissed nor refuted: gone). A partial or unreviewed review resolves nothing; neither does a review by
 *   another kind of reviewer (a static fallback never resolves a model's finding).
 * - `findings_resolved`, `resolution_candidates`: its numerator and denominator.
 * - `mean_iterations_to_fix`: for the findings resolved now, iterations since each was first raised.
 * - `dismissal_rate`: of this iteration's problem findings, the share a user had dismissed.
 * Null where there is nothing to divide.
 */
export function outcomeMetrics(db: Engine, iterationId: number, previousState: number | null): Metrics {
  const dismissal = db
    .query(
      `SELECT round(CAST(sum(CASE WHEN dismissal_id IS NOT NULL THEN 1 ELSE 0 END) AS REAL) / nullif(count(*), 0), 3) AS dismissal_rate
       FROM findings WHERE iteration_id = ? AND category <> 'verified_components' AND evidence_verified = 1`,
    )
    .get(iterationId) as Metrics;
  if (previousState === null) return { resolution_rate: null, findings_resolved: 0, resolution_candidates: 0, mean_iterations_to_fix: null, ...dismissal };
  const row = db
    .query(
      `WITH candidates AS (
         SELECT f.path, f.fingerprint
         FROM state s
         JOIN findings f ON f.iteration_id = s.from_iteration_id AND f.path = s.path
         JOIN file_reviews pr ON pr.iteration_id = s.from_iteration_id AND pr.path = s.path
         JOIN file_reviews r ON r.iteration_id = ?1 AND r.path = s.path
         WHERE s.iteration_id = ?2 AND ${countingFinding("f")}
           AND r.verdict IN ('pass', 'needs_patch', 'fail') AND r.coverage_complete = 1
           AND ${REVIEWER_KIND("r")} = ${REVIEWER_KIND("pr")}
       ),
       resolved AS (
         SELECT c.fingerprint FROM candidates c
         WHERE NOT EXISTS (SELECT 1 FROM findings n WHERE n.iteration_id = ?1 AND n.path = c.path AND n.fingerprint = c.fingerprint)
       )
       SELECT (SELECT count(*) FROM candidates) AS resolution_candidates,
              (SELECT count(*) FROM resolved) AS findings_resolved,
              (SELECT round(avg(?1 - (SELECT min(iteration_id) FROM findings x WHERE x.fingerprint = d.fingerprint)), 2) FROM resolved d) AS mean_iterations_to_fix`,
    )
    .get(iterationId, previousState) as { resolution_candidates: number; findings_resolved: number; mean_iterations_to_fix: number | null };
  return {
    resolution_rate: row.resolution_candidates === 0 ? null : Math.round((row.findings_resolved / row.resolution_candidates) * 1000) / 1000,
    findings_resolved: row.findings_resolved,
    resolution_candidates: row.resolution_candidates,
    mean_iterations_to_fix: row.mean_iterations_to_fix,
    ...dismissal,
  };
}
