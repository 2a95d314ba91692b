/** Builds the messages a rung receives for one shard. Prompt text lives in prompts/*.md; this only lays out the data. */
import type { Shard } from "../shard/types";

export interface ShardPromptInput {
  path: string;
  language: string;
  shard: Shard;
  shardCount: number;
  /** Open fix-next-loop notes for this file from earlier iterations. */
  notes: string[];
}

/** Prefix each line with its 1-based file line number: ` 120 | code`. Models quote these numbers back. */
export function numberLines(text: string, firstLine: number): string {
  const lines = text.split("\n");
  const width = String(firstLine + lines.length - 1).length;
  return lines.map((l, i) => `${String(firstLine + i).padStart(width)} | ${l}`).join("\n");
}

/** The system message: the forensic prompt, then the proposal document when one is configured. */
export function buildSystemPrompt(forensic: string, proposal?: string): string {
  if (!proposal) return forensic;
  return `${forensic.trimEnd()}\n\n## Proposal / PRD (what the code is supposed to do)\n\n${proposal.trim()}\n`;
}

/** The user message for one shard: where it sits in the file, its context preamble, open notes, and the numbered code. */
export function buildShardPrompt(input: ShardPromptInput): string {
  const { path, language, shard, shardCount, notes } = input;
  const parts = [
    `File: ${path} (${language})`,
    `Shard ${shard.index + 1} of ${shardCount}, lines ${shard.lineStart}–${shard.lineEnd}`,
  ];
  if (shard.symbols.length > 0) parts.push(`Symbols: ${shard.symbols.join(", ")}`);
  if (shard.splitInside) parts.push(`Note: this shard is part of an item too large for one shard; it was split inside at statement boundaries.`);
  if (shard.preamble.trim()) {
    parts.push("", "Context (outside this shard, for reference only; do not review it):", "```" + language, shard.preamble.trimEnd(), "```");
  }
  if (notes.length > 0) {
    parts.push("", "Open fix-next-loop notes on this file from earlier iterations (check whether each still holds):");
    for (const n of notes) parts.push(`- ${n}`);
  }
  parts.push(
    "",
    "Code (each line is prefixed with its line number in the file):",
    "```" + language,
    numberLines(shard.text, shard.lineStart),
    "```",
    "",
    `Return only the forensic JSON verdict for this shard. line_start/line_end are the file line numbers shown above (${shard.lineStart}–${shard.lineEnd}); evidence is an exact quote of the code without the line-number prefix.`,
  );
  return parts.join("\n");
}
