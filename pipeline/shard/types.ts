/** Shards: the unit a rung reviews. Plain data between the sharder and the rest of the pipeline. */
import type { Outline } from "./tree-outline";

export type ShardStrategy = "whole" | "tree-sitter" | "markdown" | "toml" | "blank-lines" | "lines";

export interface Shard {
  /** 0-based position in the plan. */
  index: number;
  /** 1-based, inclusive. Shards are ordered and contiguous and cover 1..lines exactly. */
  lineStart: number;
  lineEnd: number;
  /** The file's lines lineStart..lineEnd joined with "\n" (no trailing newline). */
  text: string;
  chars: number;
  /** Names of the functions, types, headings or tables the shard holds. */
  symbols: string[];
  /** True when an item bigger than max_shard_chars was split inside at statement boundaries. */
  splitInside: boolean;
  /** Context sent with the shard but not counted in its range: imports, enclosing impl/class header. */
  preamble: string;
}

export interface ShardPlan {
  path: string;
  lines: number;
  language: string;
  strategy: ShardStrategy;
  shards: Shard[];
  /** The file's outline, read from the sharder's own parse when `outline` was asked for and the file was parsed. */
  outline?: Outline;
}

export interface ShardOptions {
  thresholdChars: number;
  maxShardChars: number;
  /**
   * Also read the file's outline from the tree the sharder parses (a file above the threshold, with a grammar), so the
   * review need not parse the file again for it (docs/PERFORMANCE.md, tenth pass).
   */
  outline?: boolean;
}
