/** The KB's root and the disk-stat cache (size and mtime at which a file had a content hash). SQL only. */
import type { Engine } from "./engine";

/** What a file looked like on disk when it had `content_sha`. */
export interface DiskStat {
  path: string;
  size: number;
  mtime_ms: number;
  content_sha: string;
}

/** The stored repository root, or null for a KB written before roots were stored (or never run). */
export function readRoot(db: Engine): string | null {
  const row = db.query(`SELECT value FROM meta WHERE key = 'root'`).get() as { value: string } | null;
  return row?.value ?? null;
}

/** Store the repository root the KB's paths are relative to. */
export function writeRoot(db: Engine, root: string): void {
  db.query(`INSERT INTO meta (key, value) VALUES ('root', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`).run(root);
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
