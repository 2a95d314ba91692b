/**
 * Builds the messages a rung receives for one shard. The wording lives in prompts/shard.md and prompts/proposal.md;
 * this lays out the data and fences it: audited text is untrusted, so every block of it gets a delimiter it cannot contain.
 */
import type { Shard } from "../shard/types";
import { renderTemplate, shippedTemplate } from "./template";

export interface ShardPromptInput {
  path: string;
  language: string;
  shard: Shard;
  shardCount: number;
  /** Open fix-next-loop notes for this file from earlier iterations. */
  notes: string[];
  /** This request's fence token (fenceNonce): each block of audited text is also wrapped in lines that carry it. */
  nonce?: string;
}

/** Prefix each line with its 1-based file line number: ` 120 | code`. Models quote these numbers back. */
export function numberLines(text: string, firstLine: number): string {
  const lines = text.split("\n");
  const width = String(firstLine + lines.length - 1).length;
  return lines.map((l, i) => `${String(firstLine + i).padStart(width)} | ${l}`).join("\n");
}

/** A backtick fence longer than any run of backticks in `text` (at least three), so the text cannot close it. */
export function fenceFor(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  return "`".repeat(Math.max(3, longest + 1));
}

/** `text` in a fenced block with an info string (a language, `text`, `markdown`), inside the nonce lines when given. */
export function fenced(text: string, info: string, nonce?: string): string {
  const fence = fenceFor(text);
  const block = `${fence}${info}\n${text}\n${fence}`;
  return nonce ? `[untrusted ${nonce}]\n${block}\n[/untrusted ${nonce}]` : block;
}

/**
 * A random fence token for one request, drawn after the audited text is known so that text cannot hold it (as
 * RAPTOR does): the code cannot write the line that closes its block. `avoid` is every text the request carries.
 */
export function fenceNonce(avoid: readonly string[], random: (bytes: Uint8Array) => Uint8Array = (b) => crypto.getRandomValues(b)): string {
  for (;;) {
    const nonce = [...random(new Uint8Array(10))].map((b) => "abcdefghjkmnpqrstuvwxyz23456789"[b % 31]).join("");
    if (!avoid.some((t) => t.includes(nonce))) return nonce;
  }
}

/** The system message of one shard request: the run's system prompt and the paragraph naming this request's fence token. */
export function withFenceNotice(system: string, nonce: string, template = shippedTemplate("fence.md")): string {
  return `${system.trimEnd()}\n${renderTemplate(template, { nonce })}`;
}

/** The system message: the forensic prompt, then the proposal document (fenced, as data) when one is configured. */
export function buildSystemPrompt(forensic: string, proposal?: string, template = shippedTemplate("proposal.md")): string {
  if (!proposal?.trim()) return forensic;
  return `${forensic.trimEnd()}\n${renderTemplate(template, { proposal: fenced(proposal.trim(), "markdown") })}`;
}

/** The user message for one shard: where it sits in the file, its context preamble, open notes, and the numbered code. */
export function buildShardPrompt(input: ShardPromptInput, template = shippedTemplate("shard.md")): string {
  const { path, language, shard, shardCount, notes, nonce } = input;
  const info = infoString(language);
  return renderTemplate(template, {
    path,
    language,
    shard: String(shard.index + 1),
    shards: String(shardCount),
    line_start: String(shard.lineStart),
    line_end: String(shard.lineEnd),
    symbols: shard.symbols.join(", "),
    split_inside: shard.splitInside ? "yes" : "",
    preamble: shard.preamble.trim() ? fenced(shard.preamble.trimEnd(), info, nonce) : "",
    notes: notes.length > 0 ? fenced(notes.map((n) => `- ${n}`).join("\n"), "text", nonce) : "",
    code: fenced(numberLines(shard.text, shard.lineStart), info, nonce),
  });
}

/** A language name safe on a fence line (a path-derived name never carries spaces or backticks, but the fence must hold). */
function infoString(language: string): string {
  return language.replace(/[^\w+#.-]/g, "");
}

/**
 * The system and user messages of one shard request with a fresh fence token. The run and `estimate` build requests
 * here alike, so the cache key (which reads past the token) is the same for both.
 */
export function fencedShardMessages(system: string, input: Omit<ShardPromptInput, "nonce">): { system: string; prompt: string; nonce: string } {
  const nonce = fenceNonce([system, input.path, input.shard.text, input.shard.preamble, ...input.notes]);
  return { system: withFenceNotice(system, nonce), prompt: buildShardPrompt({ ...input, nonce }), nonce };
}
