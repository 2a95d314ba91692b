/** File reviews and the attempts behind them, read back as domain values. SQL only. */
import type { FileReview, ReviewOutcome, StoredAttempt } from "../domain/records";
import type { KbContext } from "./context";
import { checkReviewRow } from "./integrity";
import { reviewOf, type FileReviewRow } from "./rows";

export class Reviews {
  constructor(private readonly ctx: KbContext) {}

  /** Every file review of an iteration, by path. */
  inIteration(iterationId: number): FileReview[] {
    const rows = this.ctx.db.query(`SELECT * FROM file_reviews WHERE iteration_id = ? ORDER BY path`).all(iterationId) as FileReviewRow[];
    return rows.map((row) => this.checked(row));
  }

  /**
   * What the state, the tiers and the run's summary read of an iteration's reviews, by path: no review document is
   * read or parsed (inIteration parses and checks each one: a third of the end of a 2,000-file sweep).
   */
  outcomes(iterationId: number): ReviewOutcome[] {
    const rows = this.ctx.db
      .query(`SELECT path, content_sha, verdict, gradient_tier, findings_count, reviewer, degraded_reason FROM file_reviews WHERE iteration_id = ? ORDER BY path`)
      .all(iterationId) as ReviewOutcome[];
    return rows.map((row) => ({ ...row, reviewer: row.reviewer ?? null, degraded_reason: row.degraded_reason ?? null }));
  }

  get(iterationId: number, path: string): FileReview | undefined {
    const row = this.ctx.db.query(`SELECT * FROM file_reviews WHERE iteration_id = ? AND path = ?`).get(iterationId, path) as FileReviewRow | null;
    return row ? this.checked(row) : undefined;
  }

  /** The paths an iteration has a review of. */
  paths(iterationId: number): Set<string> {
    const rows = this.ctx.db.query(`SELECT path FROM file_reviews WHERE iteration_id = ?`).all(iterationId) as { path: string }[];
    return new Set(rows.map((r) => r.path));
  }

  /** Every path the KB has a review of, in any iteration. */
  knownPaths(): string[] {
    return (this.ctx.db.query(`SELECT DISTINCT path FROM file_reviews ORDER BY path`).all() as { path: string }[]).map((r) => r.path);
  }

  private checked(row: FileReviewRow): FileReview {
    checkReviewRow(row, this.ctx.file);
    return reviewOf(row);
  }
}

export class Attempts {
  constructor(private readonly ctx: KbContext) {}

  /** The attempts of an iteration (of one path, or all), in the order they were made. */
  inIteration(iterationId: number, path?: string): StoredAttempt[] {
    if (path === undefined) return this.ctx.db.query(`SELECT * FROM attempts WHERE iteration_id = ? ORDER BY id`).all(iterationId) as StoredAttempt[];
    return this.ctx.db.query(`SELECT * FROM attempts WHERE iteration_id = ? AND path = ? ORDER BY id`).all(iterationId, path) as StoredAttempt[];
  }
}
