/** The KB's root and the disk-stat cache (size and mtime at which a file had a content hash). SQL only. */
import type { KbContext } from "./context";
import type { Engine } from "./engine";

/** What a file looked like on disk when it had `content_sha`. */
export interface DiskStat {
  path: string;
  size: number;
  mtime_ms: number;
  content_sha: string;
}

/** What the KB knows about itself: `root` (the repository root its paths are relative to), `repository` (its identity). */
export type MetaKey = "root" | "repository";

/** A stored meta value, or null (a KB written before it was stored, or never run). */
export function readMeta(db: Engine, key: MetaKey): string | null {
  const row = db.query(`SELECT value FROM meta WHERE key = ?`).get(key) as { value: string } | null;
  return row?.value ?? null;
}

export function writeMeta(db: Engine, key: MetaKey, value: string): void {
  db.query(`INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`).run(key, value);
}

/** Every stored disk stat, by path. */
export function readDiskStats(db: Engine): Map<string, DiskStat> {
  const rows = db.query(`SELECT path, size, mtime_ms, content_sha FROM disk_stats`).all() as DiskStat[];
  return new Map(rows.map((r) => [r.path, r]));
}

/** Remember the hash of files at their current size and mtime, in one transaction. */
export function writeDiskStats(db: Engine, stats: DiskStat[]): void {
  const stmt = db.query(
    `INSERT INTO disk_stats (path, size, mtime_ms, content_sha) VALUES (@path, @size, @mtime_ms, @content_sha)
     ON CONFLICT (path) DO UPDATE SET size = excluded.size, mtime_ms = excluded.mtime_ms, content_sha = excluded.content_sha`,
  );
  db.transaction(() => {
    for (const s of stats) stmt.run(s as unknown as Record<string, string | number>);
  })();
}

/** What the KB knows about itself and the disk: its root, the repository's identity, the disk-stat cache. */
export class Meta {
  constructor(private readonly ctx: KbContext) {}

  /** The repository root the KB's paths are relative to, or null when none is stored yet. */
  root(): string | null {
    return readMeta(this.ctx.db, "root");
  }

  /** Store the repository root (a run stores the root it swept). */
  setRoot(root: string): void {
    writeMeta(this.ctx.db, "root", root);
  }

  /** The identity of the repository the KB reviews (its origin, pipeline/run/spawn.ts), or null when not known. */
  repository(): string | null {
    return readMeta(this.ctx.db, "repository");
  }

  setRepository(identity: string): void {
    writeMeta(this.ctx.db, "repository", identity);
  }

  /** The disk-stat cache: the content hash each file had at a size and mtime. */
  diskStats(): Map<string, DiskStat> {
    return readDiskStats(this.ctx.db);
  }

  /** Remember files' hashes at their current size and mtime. */
  recordDiskStats(stats: DiskStat[]): void {
    writeDiskStats(this.ctx.db, stats);
  }
}
