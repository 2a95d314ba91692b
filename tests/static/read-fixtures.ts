/** Shared by the static rung's tests: fixture and demo files as shards, findings with their rule ids. */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import type { ShardInput } from "../../pipeline/providers/provider";
import { languageOf } from "../../pipeline/shard/shard";
import { splitLines } from "../../pipeline/shard/lines";
import { FINDING_CATEGORIES, type FindingCategory, type ShardVerdict } from "../../domain/verdict";

export const FIXTURES = resolve(import.meta.dir, "../fixtures/static");
export const DEMO_REPO = resolve(import.meta.dir, "../../examples/demo-repo");

/** Every file under `root`, as paths relative to it (the path a run would report). */
export function listFiles(root: string): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const full = join(dir, name);
      return statSync(full).isDirectory() ? walk(full) : [relative(root, full)];
    });
  return walk(root).sort();
}

export function fileLines(root: string, path: string): string[] {
  return splitLines(readFileSync(join(root, path), "utf8"));
}

/** A whole file as one shard starting at line 1, or lines `from`..end as a shard starting at `from`. */
export function shardOf(root: string, path: string, from = 1): ShardInput {
  const lines = fileLines(root, path);
  return { path, language: languageOf(path), lineStart: from, text: lines.slice(from - 1).join("\n") };
}

export interface FlatFinding {
  category: FindingCategory;
  rule: string;
  line: number;
  lineEnd: number;
  severity: string;
  confidence: number;
  evidence: string;
  title: string;
}

/** The problem findings of a verdict (everything but verified_components), with the rule id read from the title. */
export function problems(v: ShardVerdict): FlatFinding[] {
  return FINDING_CATEGORIES.filter((c) => c !== "verified_components").flatMap((category) =>
    v[category].map((f) => ({
      category,
      rule: /\[([a-z-]+)\]$/.exec(f.title)?.[1] ?? "(no rule id in title)",
      line: f.line_start,
      lineEnd: f.line_end,
      severity: f.severity,
      confidence: f.confidence,
      evidence: f.evidence,
      title: f.title,
    })),
  );
}
