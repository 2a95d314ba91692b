/** Line bookkeeping shared by every sharding strategy. */
import type { Shard } from "./types";

/** The file's lines without their terminators ("\n" or "\r\n"); a final terminator does not start a new line. */
export function splitLines(text: string): string[] {
  if (text.length === 0) return [];
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** A shard's lines: `makeShard` joins them with no final terminator, so a trailing "\n" ends a blank last line of the shard. */
export function shardLines(text: string): string[] {
  return text.length === 0 ? [] : text.split(/\r?\n/);
}

/** Build a shard from 1-based inclusive line numbers over the file's lines. */
export function makeShard(
  lines: string[],
  index: number,
  lineStart: number,
  lineEnd: number,
  extra: { symbols?: string[]; splitInside?: boolean; preamble?: string } = {},
): Shard {
  const text = lines.slice(lineStart - 1, lineEnd).join("\n");
  return {
    index,
    lineStart,
    lineEnd,
    text,
    chars: text.length,
    symbols: extra.symbols ?? [],
    splitInside: extra.splitInside ?? false,
    preamble: extra.preamble ?? "",
  };
}

/** The coverage invariant: ordered, contiguous, covering 1..lineCount once. Throws with the first gap or overlap. */
export function assertCoverage(path: string, shards: Shard[], lineCount: number): void {
  if (lineCount === 0) {
    if (shards.length !== 0) throw new Error(`${path}: an empty file must have no shards`);
    return;
  }
  let expected = 1;
  shards.forEach((s, i) => {
    if (s.index !== i) throw new Error(`${path}: shard ${i} has index ${s.index}`);
    if (s.lineStart !== expected) {
      throw new Error(`${path}: shard ${i} starts at line ${s.lineStart}, expected ${expected} (gap or overlap)`);
    }
    if (s.lineEnd < s.lineStart) throw new Error(`${path}: shard ${i} ends (${s.lineEnd}) before it starts (${s.lineStart})`);
    expected = s.lineEnd + 1;
  });
  if (expected !== lineCount + 1) throw new Error(`${path}: shards end at line ${expected - 1}, file has ${lineCount}`);
}
