/** The state table: every file of the swept tree with its latest review, one row set per finished iteration. SQL only. */
import type { Engine } from "./engine";
import type { FileReviewRow, FindingRow } from "./kb";

export interface StateRow {
  iteration_id: number;
  path: string;
  /** The iteration whose review this row carries (this one, or an earlier one for a file not reviewed now). */
  from_iteration_id: number;
  content_sha: string | null;
  /** 1 when the file's content changed since that review. */
  stale: number;
  verdict: FileReviewRow["verdict"];
  gradient_tier: FileReviewRow["gradient_tier"];
  findings_count: number;
  findings_high: number;
  findings_medium: number;
  findings_low: number;
  critical_failures_count: number;
  missing_components_count: number;
  /** The reviewer of the review this row carries (null for rows of older scrum versions). */
  reviewer: FileReviewRow["reviewer"];
  /** 1 when the file's latest review was degraded (only the static rung answered after the model rungs failed). */
  degraded: number;
  /** Why the model rungs gave up in that degraded review. */
  degraded_reason: string | null;
}

const STATE_COLUMNS: (keyof StateRow)[] = [
  "iteration_id", "path", "from_iteration_id", "content_sha", "stale", "verdict", "gradient_tier", "findings_count",
  "findings_high", "findings_medium", "findings_low", "critical_failures_count", "missing_components_count",
  "reviewer", "degraded", "degraded_reason",
];

/** A finding that counts against a file: a verified problem finding not dismissed when it was recorded nor refuted by the verifier. */
export function countingFinding(alias?: string): string {
  const c = alias ? `${alias}.` : "";
  return `${c}category <> 'verified_components' AND ${c}evidence_verified = 1 AND ${c}dismissal_id IS NULL AND coalesce(${c}disposition, '') <> 'refuted'`;
}
export const COUNTING_FINDING = countingFinding();

/**
 * A problem finding (not proof of life) whose quoted evidence is not in the file: the one definition of "unverified
 * evidence" that the run summary, --json, reports and the dashboard all count. A verified component's quote proves
 * nothing missing when it is not found, so it never counts here.
 */
export const UNVERIFIED_PROBLEM = `category <> 'verified_components' AND evidence_verified = 0`;

/** The same definition over a finding row. */
export function isUnverifiedProblem(f: Pick<FindingRow, "category" | "evidence_verified">): boolean {
  return f.category !== "verified_components" && f.evidence_verified === 0;
}

/** Write an iteration's state rows in one transaction. */
export function writeState(db: Engine, rows: StateRow[]): void {
  const stmt = db.query(`INSERT INTO state (${STATE_COLUMNS.join(", ")}) VALUES (${STATE_COLUMNS.map((c) => `@${c}`).join(", ")})`);
  db.transaction(() => {
    for (const r of rows) stmt.run(r as unknown as Record<string, string | number | null>);
  })();
}

/** The state rows stored after an iteration, by path. */
export function readState(db: Engine, iterationId: number): StateRow[] {
  return db.query(`SELECT * FROM state WHERE iteration_id = ? ORDER BY path`).all(iterationId) as StateRow[];
}

/** The latest iteration (up to `atOrBefore`) that has state rows, or null. */
export function latestStateIteration(db: Engine, atOrBefore?: number): number | null {
  const row = (
    atOrBefore === undefined
      ? db.query(`SELECT max(iteration_id) AS id FROM state`).get()
      : db.query(`SELECT max(iteration_id) AS id FROM state WHERE iteration_id <= ?`).get(atOrBefore)
  ) as { id: number | null } | null;
  return row?.id ?? null;
}

/** What counts against each file of one iteration: its counting findings by severity, critical failures, missing components. */
export interface FileCounts {
  high: number;
  medium: number;
  low: number;
  critical: number;
  missing: number;
}

/** The counting findings per path of one iteration's file reviews. */
export function countingFindings(db: Engine, iterationId: number): Map<string, FileCounts> {
  const rows = db
    .query(
      `SELECT path, coalesce(sum(CASE WHEN severity = 'high' THEN 1 ELSE 0 END), 0) AS high, coalesce(sum(CASE WHEN severity = 'medium' THEN 1 ELSE 0 END), 0) AS medium, coalesce(sum(CASE WHEN severity = 'low' THEN 1 ELSE 0 END), 0) AS low,
         coalesce(sum(CASE WHEN category = 'critical_failures' THEN 1 ELSE 0 END), 0) AS critical, coalesce(sum(CASE WHEN category = 'missing_components' THEN 1 ELSE 0 END), 0) AS missing
       FROM findings WHERE iteration_id = ? AND ${COUNTING_FINDING} GROUP BY path`,
    )
    .all(iterationId) as (FileCounts & { path: string })[];
  return new Map(rows.map(({ path, ...c }) => [path, c]));
}

/** The counting findings behind an iteration's state: for every state row, those of the review it carries, less those dismissed since. */
export function stateFindings(db: Engine, iterationId: number): FindingRow[] {
  return db
    .query(
      `SELECT f.* FROM state s JOIN findings f ON f.iteration_id = s.from_iteration_id AND f.path = s.path
       WHERE s.iteration_id = ? AND ${COUNTING_FINDING}
         AND f.fingerprint NOT IN (SELECT fingerprint FROM dismissals WHERE undone_at IS NULL)
       ORDER BY f.path, f.line_start`,
    )
    .all(iterationId) as FindingRow[];
}

/** A counting finding that a dismissal made since covers: it is subtracted when the state is read. */
export interface DismissedNow {
  iteration_id: number;
  path: string;
  category: string;
  severity: "high" | "medium" | "low";
  fingerprint: string;
}

/** Findings recorded as counting whose fingerprint an active dismissal covers (dismissed after they were recorded). */
export function dismissedSinceRecorded(db: Engine): DismissedNow[] {
  return db
    .query(
      `SELECT f.iteration_id, f.path, f.category, f.severity, f.fingerprint FROM findings f
       WHERE ${COUNTING_FINDING}
         AND f.fingerprint IN (SELECT fingerprint FROM dismissals WHERE undone_at IS NULL)`,
    )
    .all() as DismissedNow[];
}
