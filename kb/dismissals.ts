/** Dismissals: a live table (created, maybe undone, never deleted). SQL only. */
import type { Engine } from "./engine";
import type { DismissalRow } from "./kb";

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
export function activeDismissals(db: Engine): Map<string, DismissalRow> {
  const rows = db.query(`SELECT * FROM dismissals WHERE undone_at IS NULL ORDER BY id DESC`).all() as DismissalRow[];
  return new Map(rows.map((r) => [r.fingerprint, r]));
}

/** One fingerprint the KB has seen, with its latest finding's place and title. */
export interface FingerprintMatch {
  fingerprint: string;
  path: string;
  line_start: number;
  category: string;
  title: string;
}

/** The distinct fingerprints starting with `prefix` (lowercase hex), each with its latest finding; at most `limit`. */
export function fingerprintsWithPrefix(db: Engine, prefix: string, limit: number): FingerprintMatch[] {
  if (!/^[0-9a-f]+$/.test(prefix)) throw new Error(`bug: fingerprint prefix must be lowercase hex, got "${prefix}"`);
  return db
    .query(
      `SELECT f.fingerprint, f.path, f.line_start, f.category, f.title FROM findings f
       JOIN (SELECT fingerprint, max(id) AS id FROM findings WHERE fingerprint LIKE ? GROUP BY fingerprint) l ON l.id = f.id
       ORDER BY f.fingerprint LIMIT ?`,
    )
    .all(`${prefix}%`, limit) as FingerprintMatch[];
}
