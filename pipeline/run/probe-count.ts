/**
 * A pattern probe's count, run in a child process (pipeline/run/probes.ts) so that a regular expression that
 * backtracks, or a tree too large to walk, is stopped by the probe's time bound instead of hanging the iteration.
 * Usage: bun probe-count.ts '{"cwd","pattern","include","exclude","maxFileBytes"}' → prints the count.
 */
import { readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";

export interface CountRequest {
  cwd: string;
  pattern: string;
  include: string[];
  exclude: string[];
  /** Files larger than this are not read. */
  maxFileBytes: number;
}

/** Count the pattern's matches in the regular files the include globs find under `cwd`, minus the excludes. */
export function countMatches(req: CountRequest): number {
  const re = new RegExp(req.pattern, "g");
  const excludes = req.exclude.map((g) => new Bun.Glob(g));
  let hits = 0;
  for (const include of req.include) {
    for (const rel of new Bun.Glob(include).scanSync({ cwd: req.cwd, onlyFiles: true, followSymlinks: false })) {
      if (excludes.some((g) => g.match(rel))) continue;
      const abs = resolve(req.cwd, rel);
      // A FIFO or a device among the files would block the read for ever: regular files only.
      const stats = statSync(abs, { throwIfNoEntry: false });
      if (!stats?.isFile() || stats.size > req.maxFileBytes) continue;
      hits += readFileSync(abs, "utf8").match(re)?.length ?? 0;
    }
  }
  return hits;
}

if (import.meta.main) {
  const req = JSON.parse(process.argv[2] ?? "{}") as CountRequest;
  process.stdout.write(`${countMatches(req)}\n`);
}
