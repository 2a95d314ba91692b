/**
 * Property test over real source on this machine (node_modules TypeScript/JavaScript/Markdown, and
 * the Python and Rust standard libraries where installed): every plan covers its file exactly,
 * no shard is over the limit unless it is one line, and functions that fit are not cut.
 */
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { collectCorpus, countIntact, findFunctions, lineOffsets, type CorpusFile } from "../../scripts/bench-shard";
import { splitLines } from "../../pipeline/shard/lines";
import { shardFile } from "../../pipeline/shard/shard";

const corpus = collectCorpus({ jsMegabytes: 1.2, otherMegabytes: 0.8, root: join(import.meta.dir, "..", "..") });

/** What is wrong with the plan of one file at one size, as text; empty when nothing is. */
async function problems(file: CorpusFile, maxChars: number): Promise<{ errors: string[]; fitting: number; intact: number }> {
  const plan = await shardFile(file.path, file.text, { thresholdChars: maxChars, maxShardChars: maxChars });
  const lines = splitLines(file.text);
  const errors: string[] = [];
  let next = 1;
  for (const shard of plan.shards) {
    if (shard.lineStart !== next) errors.push(`shard ${shard.index} starts at ${shard.lineStart}, expected ${next}`);
    if (shard.text !== lines.slice(shard.lineStart - 1, shard.lineEnd).join("\n")) errors.push(`shard ${shard.index} text is not its lines`);
    if (plan.strategy !== "whole" && shard.chars > maxChars && shard.lineStart !== shard.lineEnd) errors.push(`shard ${shard.index} has ${shard.chars} chars over ${shard.lineEnd - shard.lineStart + 1} lines`);
    next = shard.lineEnd + 1;
  }
  if (next !== lines.length + 1) errors.push(`shards end at ${next - 1} of ${lines.length} lines`);
  if (file.text.length <= maxChars) return { errors, fitting: 0, intact: 0 };
  const offsets = lineOffsets(file.text);
  const chunks = plan.shards.map((s): [number, number] => [offsets[s.lineStart - 1] as number, s.lineEnd < offsets.length ? (offsets[s.lineEnd] as number) : file.text.length]);
  const fitting = (await findFunctions(file.path, file.text)).filter(([a, b]) => b - a <= maxChars);
  return { errors: errors.map((e) => `${file.path} @${maxChars}: ${e}`), fitting: fitting.length, intact: countIntact(fitting, chunks) };
}

describe("every plan over real files", () => {
  test("the corpus has real files of several languages", () => {
    const labels = new Set(corpus.map((f) => f.label));
    expect(corpus.length).toBeGreaterThan(300);
    expect(labels.has("typescript") && labels.has("javascript") && labels.has("markdown")).toBe(true);
  });

  for (const maxChars of [700, 3000]) {
    test(`covers each file exactly and keeps fitting functions whole (max ${maxChars})`, async () => {
      const errors: string[] = [];
      let fitting = 0;
      let intact = 0;
      for (const file of corpus) {
        const result = await problems(file, maxChars);
        errors.push(...result.errors);
        fitting += result.fitting;
        intact += result.intact;
      }
      expect(errors).toEqual([]);
      expect(fitting).toBeGreaterThan(1000);
      // Line granularity makes a few cuts unavoidable (two callbacks sharing a line, a function whose
      // indented lines are a little longer than its text); the naive line splitter keeps ~95% whole.
      expect(intact / fitting).toBeGreaterThan(maxChars < 1000 ? 0.98 : 0.99);
    }, 30_000);
  }
});
