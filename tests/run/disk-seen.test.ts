/**
 * Completing a sweep knows each file's hash from when the sweep read it (no second read), unless the file changed
 * since: the disk-stat cache then holds the hash of what is on disk now, so `status` calls the review stale.
 */
import { afterEach, beforeEach, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Kb } from "../../kb/kb";
import { defaultConfig } from "../../pipeline/config/config";
import { StaticProvider } from "../../pipeline/providers/static";
import { runIteration } from "../../pipeline/run/iteration";
import { testKb } from "../kb/postgres-server";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "scrum-seen-"));
  mkdirSync(join(dir, "src"));
  for (const n of ["a", "b", "c"]) writeFileSync(join(dir, "src", `${n}.ts`), `export function ${n}(x: number): number {\n  return x + 1;\n}\n`);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const sha = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

test("the disk-stat cache holds the hash read by the sweep, and the new hash of a file edited after it was read", async () => {
  const kb = new Kb(testKb(join(dir, "kb.db")));
  try {
    await runIteration({
      config: defaultConfig(), kb, cwd: dir, inputs: ["src"], label: null, offline: true, signal: new AbortController().signal,
      providerFor: () => new StaticProvider(), gitCommit: () => null,
      // b.ts is edited once its review is stored, before the sweep completes.
      onEvent: (e) => {
        if (e.type === "file" && e.path === "src/b.ts") appendFileSync(join(dir, "src/b.ts"), "// edited\n");
      },
    });
    const stats = kb.meta.diskStats();
    const reviewed = new Map(kb.reviews.inIteration(1).map((r) => [r.path, r.content_sha]));
    expect(stats.get("src/a.ts")?.content_sha).toBe(reviewed.get("src/a.ts")!);
    expect(stats.get("src/c.ts")?.content_sha).toBe(sha(join(dir, "src/c.ts")));
    expect(stats.get("src/b.ts")?.content_sha).toBe(sha(join(dir, "src/b.ts")));
    expect(stats.get("src/b.ts")?.content_sha).not.toBe(reviewed.get("src/b.ts")!);
  } finally {
    kb.close();
  }
});
