/** Evidence checks: every finding's quoted evidence is looked up in the file; lines are corrected or the finding is marked unverified. */
import type { Finding } from "../../domain/verdict";

export interface EvidenceIndex {
  /** The file's lines, whitespace-normalised, joined by single spaces. */
  text: string;
  /** Offset in `text` where each line (0-based) starts. */
  lineOffsets: number[];
  lineCount: number;
}

/** Collapse runs of whitespace and trim: the form both the file and the evidence are compared in. */
export function normaliseWhitespace(s: string): string {
  return s.replace(/\s+/g, " ").trim();
}

/** Index a file's lines for evidence lookup. Built once per file. */
export function indexEvidence(lines: string[]): EvidenceIndex {
  const lineOffsets: number[] = [];
  let text = "";
  for (const line of lines) {
    if (text.length > 0) text += " ";
    lineOffsets.push(text.length);
    text += normaliseWhitespace(line);
  }
  return { text, lineOffsets, lineCount: lines.length };
}

/** Shorter evidence is not searched for (a quote of `}` or `/*` is found everywhere). */
const MIN_EVIDENCE_CHARS = 4;

/** Strip what models add around a quote: line-number prefixes copied from the prompt, quotes, backticks, ellipses. */
export function cleanEvidence(evidence: string): string {
  const lines = evidence
    .replace(/^```[\w-]*\n?|\n?```$/g, "")
    .split(/\r?\n/)
    .map((l) => l.replace(/^\s*\d+\s*\|\s?/, ""));
  let s = normaliseWhitespace(lines.join("\n"));
  s = s.replace(/^(["'`]+)(.*)\1$/, "$2").trim();
  return s;
}

/**
 * Whether a quote is long enough for locateEvidence to search for once cleaned as a model's would be ("```c++" is cut
 * to "++"): what a rule quotes as evidence should be.
 */
export function searchable(quote: string): boolean {
  return cleanEvidence(quote).length >= MIN_EVIDENCE_CHARS;
}

export interface CheckedLocation {
  verified: boolean;
  lineStart: number;
  lineEnd: number;
  /** How the lines were settled, for the KB and reports. */
  how: "found" | "shard-relative" | "as-reported" | "clamped";
  /** Which occurrence of the evidence in the file (0-based) was chosen; -1 when not found. Stable across edits elsewhere. */
  occurrence: number;
}

/**
 * Find a finding's evidence in the file. Among several occurrences, the one at the reported line wins, else the one
 * inside the shard nearest to it. Unfound evidence keeps the reported lines, mapped from shard-relative numbering when they only fit that way.
 */
export function locateEvidence(
  finding: Pick<Finding, "evidence" | "line_start" | "line_end">,
  index: EvidenceIndex,
  shard: { lineStart: number; lineEnd: number },
): CheckedLocation {
  const needle = cleanEvidence(finding.evidence);
  const span = Math.max(0, finding.line_end - finding.line_start);
  const relative = mapShardRelative(finding.line_start, finding.line_end, shard);
  if (needle.length >= MIN_EVIDENCE_CHARS) {
    const hits: Array<[number, number]> = [];
    for (let at = index.text.indexOf(needle); at !== -1; at = index.text.indexOf(needle, at + 1)) {
      hits.push([lineAt(index, at), lineAt(index, at + needle.length - 1)]);
      if (hits.length > 200) break;
    }
    if (hits.length > 0) {
      const target = relative ? relative[0] : finding.line_start;
      // The reported line itself wins; then the nearest occurrence inside the shard; then the nearest anywhere.
      const score = ([a]: [number, number]) => (a === target ? -1 : a >= shard.lineStart && a <= shard.lineEnd ? 0 : 1e9) + Math.abs(a - target);
      let best = 0;
      hits.forEach((h, i) => {
        if (score(h) < score(hits[best]!)) best = i;
      });
      const [a, b] = hits[best]!;
      return { verified: true, lineStart: a, lineEnd: b, how: "found", occurrence: best };
    }
  }
  // Too short to search for, but a word that is the whole of the line the finding names (`WIP`, `TBD`): a quote.
  if (needle.length < MIN_EVIDENCE_CHARS && /[A-Za-z0-9]{3}/.test(needle)) {
    const line = relative ? relative[0] : finding.line_start;
    if (lineText(index, line) === needle) return { verified: true, lineStart: line, lineEnd: line, how: "found", occurrence: 0 };
  }
  if (relative) return { verified: false, lineStart: relative[0], lineEnd: relative[1], how: "shard-relative", occurrence: -1 };
  return { verified: false, ...withinFile(finding.line_start, finding.line_start + span, index.lineCount, shard), occurrence: -1 };
}

/**
 * Reported lines kept as they are when they are lines of the file. A start below line 1 is the reviewer naming no
 * line: the finding is about the file, `0-0` (reports say `file`), whatever end came with it (`0-4817963235`). A line
 * past the end of the file says nothing about where: it becomes the bound of the shard the model was shown, so
 * `900-4817963235` on a shard of lines 8–14 is `8-14`. The evidence was not found either way: the finding stays unverified.
 */
function withinFile(start: number, end: number, lineCount: number, shard: { lineStart: number; lineEnd: number }): Pick<CheckedLocation, "lineStart" | "lineEnd" | "how"> {
  if (start < 1) return { lineStart: 0, lineEnd: 0, how: end === 0 ? "as-reported" : "clamped" };
  if (end <= lineCount) return { lineStart: start, lineEnd: end, how: "as-reported" };
  const lineStart = start <= lineCount ? start : shard.lineStart;
  return { lineStart, lineEnd: Math.max(lineStart, Math.min(shard.lineEnd, lineCount)), how: "clamped" };
}

/** The whitespace-normalised text of 1-based line `n`, or null outside the file. */
function lineText(index: EvidenceIndex, n: number): string | null {
  if (n < 1 || n > index.lineCount) return null;
  const start = index.lineOffsets[n - 1]!;
  const end = n < index.lineCount ? index.lineOffsets[n]! - 1 : index.text.length;
  return index.text.slice(start, end);
}

/** Lines outside the shard that fit inside it once offset by the shard's start were given shard-relative. */
function mapShardRelative(start: number, end: number, shard: { lineStart: number; lineEnd: number }): [number, number] | null {
  if (shard.lineStart === 1) return null;
  const inside = start >= shard.lineStart && start <= shard.lineEnd;
  const length = shard.lineEnd - shard.lineStart + 1;
  if (inside || start < 1 || start > length || end > length) return null;
  return [start + shard.lineStart - 1, Math.max(start, end) + shard.lineStart - 1];
}

/** 1-based line holding the normalised-text offset. */
function lineAt(index: EvidenceIndex, offset: number): number {
  let lo = 0;
  let hi = index.lineOffsets.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((index.lineOffsets[mid] ?? 0) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}
