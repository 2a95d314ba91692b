import { expect, test } from "bun:test";
import { createHash } from "node:crypto";
import type { DiskStat } from "../../kb/disk";
import { diskChecker, withLiveStaleness, type DiskFs } from "../../pipeline/targets/disk-check";

const sha = (text: string) => createHash("sha256").update(text).digest("hex");

/** A fake disk: files by absolute path with their text and mtime; counts reads. */
function fakeFs(files: Record<string, { text: string; mtime: number }>): DiskFs & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    stat: (abs) => {
      const f = files[abs];
      return f ? { size: Buffer.byteLength(f.text), mtimeMs: f.mtime, isFile: () => true } : undefined;
    },
    read: (abs) => {
      reads.push(abs);
      return Buffer.from(files[abs]!.text);
    },
  };
}

const known = new Map<string, DiskStat>([
  ["same.ts", { path: "same.ts", size: 3, mtime_ms: 10, content_sha: sha("one") }],
  ["grown.ts", { path: "grown.ts", size: 3, mtime_ms: 10, content_sha: sha("two") }],
  ["touched.ts", { path: "touched.ts", size: 3, mtime_ms: 10, content_sha: sha("six") }],
  ["edited.ts", { path: "edited.ts", size: 3, mtime_ms: 10, content_sha: sha("ten") }],
]);

test("size and mtime first: only a file whose stat moved with its size unchanged (or unknown) is read", () => {
  const fs = fakeFs({
    "/r/same.ts": { text: "one", mtime: 10 },
    "/r/grown.ts": { text: "two, longer", mtime: 11 },
    "/r/touched.ts": { text: "six", mtime: 12 },
    "/r/edited.ts": { text: "TEN", mtime: 12 },
    "/r/new.ts": { text: "new", mtime: 5 },
  });
  const check = diskChecker("/r", known, fs);
  expect(check.changed("same.ts", sha("one"))).toBe(false);
  expect(check.changed("grown.ts", sha("two"))).toBe(true);
  expect(check.changed("touched.ts", sha("six"))).toBe(false);
  expect(check.changed("edited.ts", sha("ten"))).toBe(true);
  expect(check.changed("new.ts", sha("new"))).toBe(false);
  expect(check.changed("gone.ts", sha("x"))).toBe(true);
  expect(fs.reads).toEqual(["/r/touched.ts", "/r/edited.ts", "/r/new.ts"]);
  expect(check.fresh().map((f) => [f.path, f.mtime_ms])).toEqual([["touched.ts", 12], ["edited.ts", 12], ["new.ts", 5]]);
});

test("withLiveStaleness: rows without a hash (skipped files) keep their flag", () => {
  const check = diskChecker("/r", known, fakeFs({ "/r/same.ts": { text: "one", mtime: 10 } }));
  const rows = withLiveStaleness([{ path: "same.ts", content_sha: sha("one"), stale: true }, { path: "bin.png", content_sha: null, stale: false }], check);
  expect(rows.map((r) => r.stale)).toEqual([false, false]);
});

test("what the sweep saw: a file still at the stat it was read at is not read again and its hash is fresh; one edited since is", () => {
  const fs = fakeFs({
    "/r/read.ts": { text: "abc", mtime: 20 },
    "/r/edited-after.ts": { text: "xyz", mtime: 31 },
  });
  const seen = new Map<string, DiskStat>([
    ["read.ts", { path: "read.ts", size: 3, mtime_ms: 20, content_sha: sha("abc") }],
    ["edited-after.ts", { path: "edited-after.ts", size: 3, mtime_ms: 30, content_sha: sha("old") }],
  ]);
  const check = diskChecker("/r", new Map(), fs, seen);
  expect(check.sha("read.ts")).toBe(sha("abc"));
  expect(check.sha("edited-after.ts")).toBe(sha("xyz"));
  expect(fs.reads).toEqual(["/r/edited-after.ts"]);
  expect(check.hashed()).toBe(1);
  expect(check.fresh().map((f) => [f.path, f.mtime_ms, f.content_sha])).toEqual([["read.ts", 20, sha("abc")], ["edited-after.ts", 31, sha("xyz")]]);
});
