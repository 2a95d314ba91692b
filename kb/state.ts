/** The state table: every file of the swept tree with its latest review, one row set per finished iteration. SQL only. */
import type { DismissedNow, FindingTally, StateEntry } from "../domain/records";
import type { KbContext } from "./context";
import type { Engine } from "./engine";
import { stateEntryOf, stateRowOf, type FindingRow, type StateRow } from "./rows";

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


/** Write an iteration's state rows in one transaction. */
export function writeState(db: Engine, entries: StateEntry[]): void {
  const stmt = db.query(`INSERT INTO state (${STATE_COLUMNS.join(", ")}) VALUES (${STATE_COLUMNS.map((c) => `@${c}`).join(", ")})`);
  db.transaction(() => {
    for (const e of entries) stmt.run(stateRowOf(e) as unknown as Record<string, string | number | null>);
  })();
}

/** The state rows stored after an iteration, by path. */
export function readState(db: Engine, iterationId: number): StateEntry[] {
  return (db.query(`SELECT * FROM state WHERE iteration_id = ? ORDER BY path`).all(iterationId) as StateRow[]).map(stateEntryOf);
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

/** The counting findings per path of one iteration's file reviews. */
export function countingFindings(db: Engine, iterationId: number): Map<string, FindingTally> {
  const rows = db
    .query(
      `SELECT path, coalesce(sum(CASE WHEN severity = 'high' THEN 1 ELSE 0 END), 0) AS high, coalesce(sum(CASE WHEN severity = 'medium' THEN 1 ELSE 0 END), 0) AS medium, coalesce(sum(CASE WHEN severity = 'low' THEN 1 ELSE 0 END), 0) AS low,
         coalesce(sum(CASE WHEN category = 'critical_failures' THEN 1 ELSE 0 END), 0) AS critical, coalesce(sum(CASE WHEN category = 'missing_components' THEN 1 ELSE 0 END), 0) AS missing
       FROM findings WHERE iteration_id = ? AND ${COUNTING_FINDING} GROUP BY path`,
    )
    .all(iterationId) as (FindingTally & { path: string })[];
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

/** The state after each finished iteration. */
export class StateRepo {
  constructor(private readonly ctx: KbContext) {}

  /** The state entries after an iteration, as stored (dismissals since not applied; see score/state.ts applyDismissals). */
  of(iterationId: number): StateEntry[] {
    return readState(this.ctx.db, iterationId);
  }

  /** The latest iteration with a state (up to `atOrBefore`), or null. */
  latestIteration(atOrBefore?: number): number | null {
    return latestStateIteration(this.ctx.db, atOrBefore);
  }
}
