/**
 * Is a file still what was reviewed? Cheap first: a file whose size and mtime match the disk-stat cache has the hash
 * stored with them, and one whose size differs from the size its reviewed hash was seen at has changed; only the rest
 * are read and hashed. Hashes read here are handed back (`fresh`) for the KB to remember.
 */
import { createHash } from "node:crypto";
import { readFileSync, statSync, type Stats } from "node:fs";
import { resolve } from "node:path";
import type { DiskStat } from "../../kb/disk";

export interface DiskFs {
  stat: (abs: string) => Pick<Stats, "size" | "mtimeMs" | "isFile"> | undefined;
  read: (abs: string) => Buffer;
}

const NODE_FS: DiskFs = {
  stat: (abs) => statSync(abs, { throwIfNoEntry: false }),
  read: (abs) => readFileSync(abs),
};

export interface DiskCheck {
  /** The file's content hash now, or null when it is gone (or not a file). */
  sha: (path: string) => string | null;
  /** Whether the file differs from `reviewedSha` now: true also when it is gone. */
  changed: (path: string, reviewedSha: string) => boolean;
  /** Hashes computed by this checker, with the size and mtime they belong to. */
  fresh: () => DiskStat[];
  /** How many files were read and hashed (the rest were answered from size and mtime). */
  hashed: () => number;
}

/**
 * A checker over the repository `root`, with the KB's disk-stat cache `known` (path → stat and hash) and what a sweep
 * `seen` when it read files (their stat and hash then): a file still at that size and mtime is not read again, and its
 * hash is handed back as fresh.
 */
export function diskChecker(root: string, known: Map<string, DiskStat>, fs: DiskFs = NODE_FS, seen: ReadonlyMap<string, DiskStat> = new Map()): DiskCheck {
  const memo = new Map<string, string | null>();
  const fresh: DiskStat[] = [];
  let hashed = 0;
  const sha = (path: string): string | null => {
    if (memo.has(path)) return memo.get(path)!;
    const abs = resolve(root, path);
    const st = fs.stat(abs);
    let out: string | null = null;
    if (st?.isFile()) {
      const k = known.get(path);
      const s = seen.get(path);
      if (k && k.size === st.size && k.mtime_ms === st.mtimeMs) out = k.content_sha;
      else if (s && s.size === st.size && s.mtime_ms === st.mtimeMs) {
        out = s.content_sha;
        fresh.push(s);
      } else {
        out = createHash("sha256").update(fs.read(abs)).digest("hex");
        hashed++;
        // Remember it only if the file held still while it was read.
        const after = fs.stat(abs);
        if (after && after.size === st.size && after.mtimeMs === st.mtimeMs) fresh.push({ path, size: st.size, mtime_ms: st.mtimeMs, content_sha: out });
      }
    }
    memo.set(path, out);
    return out;
  };
  return {
    sha,
    changed: (path, reviewedSha) => {
      const k = known.get(path);
      if (k && k.content_sha === reviewedSha && !memo.has(path)) {
        const st = fs.stat(resolve(root, path));
        if (!st?.isFile()) return true;
        // Same bytes have the same size: a size other than the reviewed one's is a change, no read needed.
        if (st.size !== k.size) return true;
      }
      return sha(path) !== reviewedSha;
    },
    fresh: () => [...fresh],
    hashed: () => hashed,
  };
}

/** The rows with `stale` as the disk says now (a row with no hash, a skipped file, keeps what it had). */
export function withLiveStaleness<T extends { path: string; content_sha: string | null; stale: boolean }>(rows: T[], check: DiskCheck): T[] {
  return rows.map((r) => (r.content_sha === null ? r : { ...r, stale: check.changed(r.path, r.content_sha) }));
}
