/**
 * The work queue of an iteration several workers share (`scrum run --workers --iteration-group NAME`): its planned
 * files, each claimed by one worker at a time. A claim is renewed while its worker lives; one not renewed within the
 * lease is taken over by another worker. On PostgreSQL a claim skips rows another worker holds locked (FOR UPDATE SKIP
 * LOCKED); SQLite serialises writers, so its claim is one write transaction. SQL only.
 */
import { stamp, type KbContext } from "./context";
import type { Engine } from "./engine";

/** The queue's progress: files planned, stored, and held by a live claim. */
export interface QueueProgress {
  total: number;
  done: number;
  claimed: number;
}

/**
 * Fill a new iteration's queue with its planned paths, in plan order (inside the caller's transaction); with `shares`
 * (a partitioned group, migration 014) each path with the share it was assigned to.
 */
export function enqueue(db: Engine, iterationId: number, paths: string[], shares?: ReadonlyMap<string, number>): void {
  const insert = db.query(`INSERT INTO work_queue (iteration_id, seq, path, share) VALUES (?, ?, ?, ?)`);
  paths.forEach((path, seq) => {
    const share = shares === undefined ? null : shares.get(path);
    if (share === undefined) throw new Error(`bug: ${path} was planned but given no share`);
    insert.run(iterationId, seq, path, share);
  });
}

/**
 * Claim the next file nobody holds (or whose claim is older than `expiredBefore`) for `worker`, of share `share` only
 * when one is given; null when there is none right now. Exactly one worker gets each claim.
 */
export function claimNext(db: Engine, iterationId: number, worker: string, at: string, expiredBefore: string, share?: number): string | null {
  // One statement, so a claim is one round trip and atomic on both engines.
  const lock = db.dialect === "postgres" ? " FOR UPDATE SKIP LOCKED" : "";
  const row = db
    .query(
      `UPDATE work_queue SET worker = ?, claimed_at = ?, claims = claims + 1
       WHERE iteration_id = ? AND path = (
         SELECT path FROM work_queue WHERE iteration_id = ? AND done_at IS NULL AND (worker IS NULL OR claimed_at < ?)${share === undefined ? "" : " AND share = ?"}
         ORDER BY seq LIMIT 1${lock})
       RETURNING path`,
    )
    .get(worker, at, iterationId, iterationId, expiredBefore, ...(share === undefined ? [] : [share])) as { path: string } | null;
  return row?.path ?? null;
}

/** The worker is alive: its open claims last another lease. */
export function renewClaims(db: Engine, iterationId: number, worker: string, at: string): void {
  db.query(`UPDATE work_queue SET claimed_at = ? WHERE iteration_id = ? AND worker = ? AND done_at IS NULL`).run(at, iterationId, worker);
}

/** The file's review is stored. */
export function finishClaim(db: Engine, iterationId: number, path: string, at: string): void {
  db.query(`UPDATE work_queue SET done_at = ? WHERE iteration_id = ? AND path = ? AND done_at IS NULL`).run(at, iterationId, path);
}

/** A worker that stops hands its open claims back at once (instead of letting them expire). */
export function releaseClaims(db: Engine, iterationId: number, worker: string): void {
  db.query(`UPDATE work_queue SET worker = NULL, claimed_at = NULL WHERE iteration_id = ? AND worker = ? AND done_at IS NULL`).run(iterationId, worker);
}

/** The progress of the whole queue, or of share `share`'s files only. */
export function queueProgress(db: Engine, iterationId: number, liveAfter: string, share?: number): QueueProgress {
  const row = db
    .query(
      `SELECT count(*) AS total, coalesce(sum(CASE WHEN done_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS done,
         coalesce(sum(CASE WHEN done_at IS NULL AND worker IS NOT NULL AND claimed_at >= ? THEN 1 ELSE 0 END), 0) AS claimed
       FROM work_queue WHERE iteration_id = ?${share === undefined ? "" : " AND share = ?"}`,
    )
    .get(liveAfter, iterationId, ...(share === undefined ? [] : [share])) as QueueProgress;
  return { total: Number(row.total), done: Number(row.done), claimed: Number(row.claimed) };
}

/** The shares of a partitioned group that still have files not stored, with how many: share order. */
export function outstandingShares(db: Engine, iterationId: number): Array<{ share: number; files: number }> {
  const rows = db
    .query(`SELECT share, count(*) AS files FROM work_queue WHERE iteration_id = ? AND done_at IS NULL AND share IS NOT NULL GROUP BY share ORDER BY share`)
    .all(iterationId) as Array<{ share: number; files: number }>;
  return rows.map((r) => ({ share: Number(r.share), files: Number(r.files) }));
}

/** The queue's rows, in plan order. */
export interface QueueRow {
  seq: number;
  path: string;
  worker: string | null;
  claims: number;
  done_at: string | null;
  /** The share of a partitioned group's file (migration 014); null in a `--workers` queue. */
  share: number | null;
}

export function queueRows(db: Engine, iterationId: number): QueueRow[] {
  return db.query(`SELECT seq, path, worker, claims, done_at, share FROM work_queue WHERE iteration_id = ? ORDER BY seq`).all(iterationId) as QueueRow[];
}

/** The queue of one shared iteration, as its workers use it. */
export class WorkQueue {
  constructor(private readonly ctx: KbContext) {}

  /**
   * Claim the next file of a shared iteration for `worker`: one nobody holds, or one whose claim outlived `leaseMs`;
   * with `share`, a file of that share of a partitioned group only.
   */
  claimNext(iterationId: number, worker: string, leaseMs: number, share?: number): string | null {
    const now = this.ctx.now();
    return claimNext(this.ctx.db, iterationId, worker, now.toISOString(), new Date(now.getTime() - leaseMs).toISOString(), share);
  }

  /** The worker lives: its claims last another lease. */
  renew(iterationId: number, worker: string): void {
    renewClaims(this.ctx.db, iterationId, worker, stamp(this.ctx));
  }

  finish(iterationId: number, path: string): void {
    finishClaim(this.ctx.db, iterationId, path, stamp(this.ctx));
  }

  release(iterationId: number, worker: string): void {
    releaseClaims(this.ctx.db, iterationId, worker);
  }

  /** Files planned, stored, and held by a claim renewed within `leaseMs`: of the whole queue, or of one share's files. */
  progress(iterationId: number, leaseMs: number, share?: number): QueueProgress {
    return queueProgress(this.ctx.db, iterationId, new Date(this.ctx.now().getTime() - leaseMs).toISOString(), share);
  }

  /** A partitioned group's shares with files not yet stored, and how many each. */
  outstandingShares(iterationId: number): Array<{ share: number; files: number }> {
    return outstandingShares(this.ctx.db, iterationId);
  }

  rows(iterationId: number): QueueRow[] {
    return queueRows(this.ctx.db, iterationId);
  }
}
