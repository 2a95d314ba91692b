/** The sharding stage: file text in, a shard plan out that covers every line exactly once. */
import { extname } from "node:path";
import type { ShardOptions, ShardPlan } from "./types";
import { assertCoverage, makeShard, splitByLines, splitLines } from "./lines";

/** Language name from a file extension (used in prompts and the shard plan). */
export function languageOf(path: string): string {
  const ext = extname(path).toLowerCase();
  return LANGUAGES[ext] ?? "text";
}

const LANGUAGES: Record<string, string> = {
  ".ts": "typescript", ".mts": "typescript", ".cts": "typescript", ".tsx": "tsx",
  ".js": "javascript", ".mjs": "javascript", ".cjs": "javascript", ".jsx": "javascript",
  ".rs": "rust", ".py": "python", ".go": "go", ".md": "markdown", ".toml": "toml",
  ".java": "java", ".c": "c", ".h": "c", ".cpp": "cpp", ".cc": "cpp", ".hpp": "cpp",
  ".cs": "csharp", ".rb": "ruby", ".php": "php", ".sh": "bash", ".bash": "bash",
};

/** Shard one file's text. Files under the threshold are one shard; others are split into line blocks. */
export async function shardFile(path: string, text: string, options: ShardOptions): Promise<ShardPlan> {
  const lines = splitLines(text);
  const language = languageOf(path);
  if (lines.length === 0) return { path, lines: 0, language, strategy: "whole", shards: [] };
  if (text.length <= options.thresholdChars) {
    return { path, lines: lines.length, language, strategy: "whole", shards: [makeShard(lines, 0, 1, lines.length)] };
  }
  const shards = splitByLines(lines, options.maxShardChars).map(([a, b], i) => makeShard(lines, i, a, b));
  assertCoverage(path, shards, lines.length);
  return { path, lines: lines.length, language, strategy: "lines", shards };
}
