/** Notes users leave on files for the next iteration's review: open, picked up by an iteration, resolved. SQL only. */
import { UsageError } from "../domain/errors";
import type { Note } from "../domain/records";
import { stamp, type KbContext } from "./context";

export class Notes {
  constructor(private readonly ctx: KbContext) {}

  add(path: string, text: string, createdIn: number | null): number {
    const info = this.ctx.db
      .query(`INSERT INTO notes (path, text, status, created_in, created_at) VALUES (?, ?, 'open', ?, ?)`)
      .run(path, text, createdIn, stamp(this.ctx));
    return Number(info.lastInsertRowid);
  }

  /** Every note (of one status, or all), oldest first. */
  all(status?: Note["status"]): Note[] {
    if (status) return this.ctx.db.query(`SELECT * FROM notes WHERE status = ? ORDER BY id`).all(status) as Note[];
    return this.ctx.db.query(`SELECT * FROM notes ORDER BY id`).all() as Note[];
  }

  /** The open notes by path, oldest first: read once when a sweep starts, not once a file. */
  openByPath(): Map<string, Note[]> {
    const byPath = new Map<string, Note[]>();
    for (const n of this.all("open")) {
      const notes = byPath.get(n.path);
      if (notes) notes.push(n);
      else byPath.set(n.path, [n]);
    }
    return byPath;
  }

  markPickedUp(ids: number[], iterationId: number): void {
    const stmt = this.ctx.db.query(`UPDATE notes SET status = 'picked_up', picked_up_in = ? WHERE id = ? AND status = 'open'`);
    this.ctx.db.transaction(() => {
      for (const id of ids) stmt.run(iterationId, id);
    })();
  }

  resolve(id: number): void {
    const info = this.ctx.db.query(`UPDATE notes SET status = 'resolved' WHERE id = ? AND status <> 'resolved'`).run(id);
    if (info.changes !== 1) throw new UsageError(`note ${id} does not exist or is already resolved`);
  }
}
