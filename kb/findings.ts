/** Stored findings, read back as domain values: by iteration, by fingerprint, and those that count against the state. SQL only. */
import type { DismissedNow, FindingTally, StoredFinding } from "../domain/records";
import type { KbContext } from "./context";
import { checkFindingsHaveReviews } from "./integrity";
import { storedFinding, type FindingRow } from "./rows";
import { countingFindings, dismissedSinceRecorded, stateFindings } from "./state";

/** One fingerprint the KB has seen, with its latest finding's place and title. */
export interface FingerprintMatch {
  fingerprint: string;
  path: string;
  line_start: number;
  category: string;
  title: string;
}

export class Findings {
  constructor(private readonly ctx: KbContext) {}

  /** The findings of an iteration (of one path, or all), by path and line. */
  inIteration(iterationId: number, path?: string): StoredFinding[] {
    const db = this.ctx.db;
    checkFindingsHaveReviews(db, this.ctx.file, iterationId, path);
    const rows = (
      path === undefined
        ? db.query(`SELECT * FROM findings WHERE iteration_id = ? ORDER BY path, line_start`).all(iterationId)
        : db.query(`SELECT * FROM findings WHERE iteration_id = ? AND path = ? ORDER BY line_start`).all(iterationId, path)
    ) as FindingRow[];
    return rows.map(storedFinding);
  }

  /** The latest finding with this fingerprint, in any iteration. */
  byFingerprint(fingerprint: string): StoredFinding | undefined {
    const row = this.ctx.db.query(`SELECT * FROM findings WHERE fingerprint = ? ORDER BY id DESC LIMIT 1`).get(fingerprint) as FindingRow | null;
    return row ? storedFinding(row) : undefined;
  }

  /** The distinct fingerprints starting with `prefix` (lowercase hex), each with its latest finding; at most `limit`. */
  withPrefix(prefix: string, limit = 20): FingerprintMatch[] {
    if (!/^[0-9a-f]+$/.test(prefix)) throw new Error(`bug: fingerprint prefix must be lowercase hex, got "${prefix}"`);
    return this.ctx.db
      .query(
        `SELECT f.fingerprint, f.path, f.line_start, f.category, f.title FROM findings f
         JOIN (SELECT fingerprint, max(id) AS id FROM findings WHERE fingerprint LIKE ? GROUP BY fingerprint) l ON l.id = f.id
         ORDER BY f.fingerprint LIMIT ?`,
      )
      .all(`${prefix}%`, limit) as FingerprintMatch[];
  }

  /** Counting findings per path of one iteration. */
  counting(iterationId: number): Map<string, FindingTally> {
    return countingFindings(this.ctx.db, iterationId);
  }

  /** The counting findings behind an iteration's state. */
  behindState(iterationId: number): StoredFinding[] {
    return stateFindings(this.ctx.db, iterationId).map(storedFinding);
  }

  /** Counting findings that a dismissal made since covers. */
  dismissedSince(): DismissedNow[] {
    return dismissedSinceRecorded(this.ctx.db);
  }
}
