/**
 * Finds the JSON object in a model answer: bare, fenced, or wrapped in chatter, after reasoning
 * blocks are removed. Never repairs: a truncated or malformed object is reported, not patched.
 */
import { FINDING_CATEGORIES } from "../../domain/verdict";

/** The tags some models wrap their reasoning in before the answer. */
const REASONING_TAGS = ["think", "thinking", "reasoning"] as const;

export interface CleanedAnswer {
  /**
   * The answer with the BOM and reasoning blocks blanked out by spaces, so every char offset
   * (the "at char N" of a reason) still points into the text the model sent.
   */
  blanked: string;
  /** The answer without the BOM and reasoning blocks, trimmed: what the length rule measures. */
  answer: string;
  /** A reasoning block was opened and never closed: the answer was cut off while the model was still thinking. */
  unclosedReasoning: boolean;
}

/** Remove a leading BOM and `<think>…</think>` blocks (also an orphan `</think>` whose opening tag was in the prompt). */
export function stripReasoning(text: string): CleanedAnswer {
  const cut: [number, number][] = text.startsWith("\uFEFF") ? [[0, 1]] : [];
  let unclosedReasoning = false;
  for (const tag of REASONING_TAGS) {
    const tags = new RegExp(`<(/?)${tag}>`, "gi");
    let openAt = -1;
    for (let m = tags.exec(text); m; m = tags.exec(text)) {
      const closing = m[1] === "/";
      if (!closing && openAt < 0) openAt = m.index;
      else if (closing && openAt >= 0) {
        cut.push([openAt, m.index + m[0].length]);
        openAt = -1;
      } else if (closing) {
        // An orphan closing tag: chat templates that put `<think>` in the prompt emit only `</think>`.
        cut.push([0, m.index + m[0].length]);
      }
    }
    if (openAt >= 0) {
      unclosedReasoning = true;
      cut.push([openAt, text.length]);
    }
  }
  let blanked = text;
  for (const [from, to] of cut) blanked = blanked.slice(0, from) + " ".repeat(to - from) + blanked.slice(to);
  let answer = "";
  let at = 0;
  for (const [from, to] of [...cut].sort((a, b) => a[0] - b[0])) {
    if (from > at) answer += text.slice(at, from);
    at = Math.max(at, to);
  }
  answer += text.slice(at);
  return { blanked, answer: answer.trim(), unclosedReasoning };
}

/** One `{…}` span in the answer: parsed, or the reason it does not parse. `start` is a char offset in the answer. */
export type JsonCandidate = (
  | { kind: "object"; json: Record<string, unknown> }
  | { kind: "error"; error: string }
) & {
  raw: string;
  start: number;
  /** Nothing but whitespace (or a fence line) comes before it: the answer is this JSON. */
  leads: boolean;
};

/** Every JSON-looking object in the answer (parsed or broken), in document order, fenced or bare. */
export function scanJson(text: string): JsonCandidate[] {
  const { blanked } = stripReasoning(text);
  const out: JsonCandidate[] = [];
  // Fenced blocks are scanned on their own so a broken object inside one cannot swallow the chatter after it;
  // fences that hold code rather than a JSON object (```rust, a diff) are skipped: their braces are not the answer.
  const fence = /^[ \t]*(```|~~~)([^\n]*)\n([\s\S]*?)^[ \t]*\1[ \t]*$/gm;
  let prose = 0;
  for (let m = fence.exec(blanked); m; m = fence.exec(blanked)) {
    const body = m[3] ?? "";
    const bodyStart = m.index + m[0].indexOf("\n") + 1;
    scanSpan(blanked, prose, m.index, out);
    if (/^\s*\{\s*["}]/.test(body)) scanSpan(blanked, bodyStart, bodyStart + body.length, out);
    prose = m.index + m[0].length;
  }
  scanSpan(blanked, prose, blanked.length, out);
  return out;
}

/** Collect the balanced top-level `{…}` spans in text[from, to), string-aware. */
function scanSpan(text: string, from: number, to: number, out: JsonCandidate[]): void {
  let i = from;
  while (i < to) {
    const open = text.indexOf("{", i);
    if (open < 0 || open >= to) return;
    // Prose braces (`fn main() { … }`, "{a, b}") are stepped over, not matched: an object may start inside them,
    // and matching each one to the end of a long answer would be quadratic.
    if (!looksLikeJson(text, open)) {
      i = open + 1;
      continue;
    }
    const close = matchBrace(text, open, to);
    const at = { start: open, leads: leads(text, open) };
    if (close.kind === "unbalanced") {
      const error = `truncated JSON (unbalanced braces at char ${to}): ${close.depth} brace(s)/bracket(s) still open, the outermost opened at char ${open}`;
      out.push({ kind: "error", error, raw: text.slice(open, to), ...at });
      return;
    }
    const raw = text.slice(open, close.end + 1);
    try {
      out.push({ kind: "object", json: JSON.parse(raw) as Record<string, unknown>, raw, ...at });
    } catch (e) {
      out.push({ kind: "error", error: `invalid JSON in the object at char ${open}: ${(e as Error).message}`, raw, ...at });
    }
    i = close.end + 1;
  }
}

function leads(text: string, at: number): boolean {
  return /^\s*(?:(?:```|~~~)[^\n]*\n\s*)?$/.test(text.slice(0, at));
}

/** `{` followed by a quoted key or `}`: an attempt at JSON, not a code block or a set in prose. */
function looksLikeJson(text: string, open: number): boolean {
  return /^\{\s*["}]/.test(text.slice(open, open + 200));
}

type BraceMatch = { kind: "balanced"; end: number } | { kind: "unbalanced"; depth: number };

/** The index of the `}` that closes the `{` at `open`, skipping braces inside JSON strings. */
function matchBrace(text: string, open: number, to: number): BraceMatch {
  let depth = 0;
  let inString = false;
  // By char code: every answer is walked whole, and a one-character string per step is what this loop spent its time on.
  for (let i = open; i < to; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === BACKSLASH) i++;
      else if (ch === QUOTE) inString = false;
    } else if (ch === QUOTE) inString = true;
    else if (ch === OPEN_BRACE || ch === OPEN_BRACKET) depth++;
    else if (ch === CLOSE_BRACE || ch === CLOSE_BRACKET) {
      depth--;
      if (depth === 0) return { kind: "balanced", end: i };
    }
  }
  return { kind: "unbalanced", depth };
}

const BACKSLASH = 0x5c;
const QUOTE = 0x22;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/** Keys that mark an object as a forensic verdict (or an attempt at one). */
export const FORENSIC_KEYS = ["verdict", ...FINDING_CATEGORIES, "required_next_actions"] as const;
const FORENSIC_KEY_IN_TEXT = new RegExp(`"(${FORENSIC_KEYS.join("|")})"\\s*:`);

/**
 * The candidate is (or was meant to be) a forensic verdict: an object with a `verdict` key or one
 * of the eight lists; a broken object that names one, or that is the whole answer.
 */
export function isForensic(c: JsonCandidate): boolean {
  if (c.kind === "object") return FORENSIC_KEYS.some((k) => k in c.json);
  return FORENSIC_KEY_IN_TEXT.test(c.raw) || c.leads;
}

/**
 * Pick the answer's JSON: the last object with a `verdict` key (a model that corrects itself puts
 * the final answer last); else a broken forensic object (truncated or malformed: the answer we
 * were after); else an object with a list but no verdict; else any broken object; else the first
 * object. Null when the answer holds nothing JSON-looking.
 */
export function pickJson(candidates: JsonCandidate[]): JsonCandidate | null {
  const withVerdict = candidates.filter((c) => c.kind === "object" && "verdict" in c.json);
  return (
    withVerdict.at(-1) ??
    candidates.find((c) => c.kind === "error" && isForensic(c)) ??
    candidates.find((c) => c.kind === "object" && isForensic(c)) ??
    candidates.find((c) => c.kind === "error") ??
    candidates[0] ??
    null
  );
}

/** The JSON object of a model answer, the reason it is broken, or null when there is none. */
export function extractJson(text: string): { json: unknown; raw: string } | { error: string; raw: string } | null {
  const picked = pickJson(scanJson(text));
  if (!picked) return null;
  return picked.kind === "object" ? { json: picked.json, raw: picked.raw } : { error: picked.error, raw: picked.raw };
}
