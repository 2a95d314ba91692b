/** Dismissals: a live table (created, maybe undone, never deleted). SQL only. */
import type { Dismissal } from "../domain/records";
import { stamp, type KbContext } from "./context";
import type { Engine } from "./engine";

/** Record a dismissal; returns its id. */
export function addDismissal(db: Engine, input: { fingerprint: string; path: string; reason: string; at: string }): number {
  const info = db
    .query(`INSERT INTO dismissals (fingerprint, path, reason, created_at) VALUES (?, ?, ?, ?)`)
    .run(input.fingerprint, input.path, input.reason, input.at);
  return Number(info.lastInsertRowid);
}

/** Undo a dismissal (it stays listed, with undone_at). Returns false when there is no active dismissal of that id. */
export function undoDismissal(db: Engine, id: number, at: string): boolean {
  return db.query(`UPDATE dismissals SET undone_at = ? WHERE id = ? AND undone_at IS NULL`).run(at, id).changes === 1;
}

/** The active dismissal per fingerprint (the oldest, when one was dismissed twice). */
export function activeDismissals(db: Engine): Map<string, Dismissal> {
  const rows = db.query(`SELECT * FROM dismissals WHERE undone_at IS NULL ORDER BY id DESC`).all() as Dismissal[];
  return new Map(rows.map((r) => [r.fingerprint, r]));
}

export class Dismissals {
  constructor(private readonly ctx: KbContext) {}

  /** Record a dismissal; returns its id. */
  add(input: { fingerprint: string; path: string; reason: string }): number {
    return addDismissal(this.ctx.db, { ...input, at: stamp(this.ctx) });
  }

  /** Undo a dismissal; false when there is no active dismissal of that id. */
  undo(id: number): boolean {
    return undoDismissal(this.ctx.db, id, stamp(this.ctx));
  }

  /** Active dismissals by fingerprint. */
  active(): Map<string, Dismissal> {
    return activeDismissals(this.ctx.db);
  }

  /** Every dismissal, undone ones included (`undone_at` set), oldest first. */
  all(): Dismissal[] {
    return this.ctx.db.query(`SELECT * FROM dismissals ORDER BY id`).all() as Dismissal[];
  }
}
