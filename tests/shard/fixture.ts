/** Fixture files and checks shared by the shard tests. */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "bun:test";
import { findFunctions, lineOffsets } from "../../scripts/bench-shard";
import { splitLines } from "../../pipeline/shard/lines";
import type { Shard, ShardPlan } from "../../pipeline/shard/types";

const DIR = join(import.meta.dir, "..", "fixtures", "shard");

/**
 * A fixture's text. TypeScript fixtures are stored as `name.ts.txt` so that `tsc -p .` does not
 * type-check them (one of them does not even parse); the sharder is given the real name.
 */
export function readFixture(name: string): string {
  const path = join(DIR, name);
  return readFileSync(existsSync(path) ? path : `${path}.txt`, "utf8");
}

/** A function of the file: 1-based inclusive lines and its length in characters. */
export interface FunctionSpan {
  start: number;
  end: number;
  chars: number;
}

/** Every function of the file, found with tree-sitter by the benchmark's own node list (not the sharder's). */
export async function functionsOf(path: string, text: string): Promise<FunctionSpan[]> {
  const offsets = lineOffsets(text);
  const lineAt = (offset: number) => {
    let lo = 0;
    let hi = offsets.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((offsets[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
  return (await findFunctions(path, text)).map(([a, b]) => ({ start: lineAt(a), end: lineAt(Math.max(a, b - 1)), chars: b - a }));
}

/** Shards whose ranges overlap lines a..b. */
export function shardsOver(plan: ShardPlan, a: number, b: number): Shard[] {
  return plan.shards.filter((s) => s.lineEnd >= a && s.lineStart <= b);
}

/** The 1-based line numbers of the lines matching `pattern`. */
export function linesMatching(text: string, pattern: RegExp): number[] {
  return splitLines(text).flatMap((line, i) => (pattern.test(line) ? [i + 1] : []));
}

/**
 * The contract every plan keeps: ordered, contiguous shards covering 1..lines once, each shard's
 * text the file's lines joined with "\n", and none over `maxChars` unless it is a single line.
 */
export function expectValidPlan(plan: ShardPlan, text: string, maxChars: number): void {
  const lines = splitLines(text);
  expect(plan.lines).toBe(lines.length);
  let next = 1;
  plan.shards.forEach((shard, i) => {
    expect(shard.index).toBe(i);
    expect(shard.lineStart).toBe(next);
    expect(shard.lineEnd).toBeGreaterThanOrEqual(shard.lineStart);
    expect(shard.text).toBe(lines.slice(shard.lineStart - 1, shard.lineEnd).join("\n"));
    expect(shard.chars).toBe(shard.text.length);
    if (plan.strategy !== "whole" && shard.chars > maxChars) expect(shard.lineEnd).toBe(shard.lineStart);
    next = shard.lineEnd + 1;
  });
  expect(next).toBe(lines.length + 1);
}
