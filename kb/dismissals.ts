/** Dismissals: a live table (created, maybe undone, never deleted). SQL only. */
import type { Database } from "bun:sqlite";
import type { DismissalRow } from "./kb";

/** Record a dismissal; returns its id. */
export function addDismissal(db: Database, input: { fingerprint: string; path: string; reason: string; at: string }): number {
  const info = db
    .query(`INSERT INTO dismissals (fingerprint, path, reason, created_at) VALUES (?, ?, ?, ?)`)
    .run(input.fingerprint, input.path, input.reason, input.at);
  return Number(info.lastInsertRowid);
}

/** Undo a dismissal (it stays listed, with undone_at). Returns false when there is no active dismissal of that id. */
export function undoDismissal(db: Database, id: number, at: string): boolean {
  return db.query(`UPDATE dismissals SET undone_at = ? WHERE id = ? AND undone_at IS NULL`).run(at, id).changes === 1;
}

/** The active dismissal per fingerprint (the oldest, when one was dismissed twice). */
export function activeDismissals(db: Database): Map<string, DismissalRow> {
  const rows = db.query(`SELECT * FROM dismissals WHERE undone_at IS NULL ORDER BY id DESC`).all() as DismissalRow[];
  return new Map(rows.map((r) => [r.fingerprint, r]));
}
