/**
 * Reads a markdown review (from a model that ignored the JSON format): score, verdict line,
 * suggestions with their confidence and priority, and the first paragraph. Fenced code is never
 * read, so "10/10 tests pass" in a quoted test log is not a score.
 */
import { emptyShardVerdict, type NextAction, type Severity, type ShardVerdict, type Verdict } from "../../domain/verdict";

export interface Suggestion {
  /** The suggestion as written (one line, markup removed). */
  text: string;
  /** As written on a 0–100 scale ("85%" and "85" → 85). Never rescaled: "0.85" stays 0.85. Null when none is given. */
  confidence: number | null;
  /** From a Priority/Severity column, a priority word or tag, or the group heading it sits under; null when none. */
  priority: Severity | null;
}

export interface MarkdownReview {
  /** Out of 10, decimals kept; null when no score is written outside code. */
  score: number | null;
  /** The score as written, e.g. "4.5/10". */
  scoreText: string | null;
  /** From an explicit "Verdict: …" line only; never derived here. */
  verdict: Verdict | null;
  suggestions: Suggestion[];
  /** The confidences of the suggestions that have one, in order. */
  confidences: number[];
  /** The first prose paragraph, markup removed. */
  summary: string | null;
}

/** Headings whose section lists suggestions. */
const SUGGESTION_HEADING =
  /\b(suggestions?|recommend(?:ations?|ed)|issues?|findings?|next\s+(?:steps?|actions?)|action\s+items?|(?:required\s+)?actions?|fix(?:es)?|improvements?|concerns?|problems?|gaps?|risks?|(?:critical\s+)?failures?|todo)\b/i;
/** Headings that match a word above but list what works, not what to do. */
const NOT_SUGGESTION_HEADING = /\b(verified|strengths?|what\s+works|positives?|working|confirmed)\b/i;

const PRIORITY_WORDS: Record<string, Severity> = {
  critical: "high", blocker: "high", blocking: "high", urgent: "high", major: "high", high: "high", p0: "high", p1: "high",
  medium: "medium", moderate: "medium", med: "medium", normal: "medium", p2: "medium",
  low: "low", minor: "low", trivial: "low", nit: "low", p3: "low",
};
const PRIORITY_WORD = String.raw`(critical|blocker|blocking|urgent|major|high|medium|moderate|med|normal|low|minor|trivial|nit|p[0-3])`;
const PRIORITY_PATTERNS = [
  new RegExp(String.raw`\b(?:priority|severity|impact)\b[^\w\n]{0,4}${PRIORITY_WORD}\b`, "i"),
  new RegExp(String.raw`\b${PRIORITY_WORD}[\s-]+(?:priority|severity|impact|risk)\b`, "i"),
  new RegExp(String.raw`[\[(]\s*${PRIORITY_WORD}\s*[\])]`, "i"),
  new RegExp(String.raw`^[^\w\n]*${PRIORITY_WORD}\b[^\w\s]`, "i"),
];
const PRIORITY_EMOJI: Record<string, Severity> = { "🔴": "high", "🟠": "medium", "🟡": "medium", "🟢": "low" };

const NUMBER = String.raw`(\d{1,3}(?:\.\d+)?)`;
const SCORE_PATTERN = new RegExp(
  String.raw`\b(alignment(?:\s+score)?|overall(?:\s+score)?|scored?|rating|grade)\b([^\w\n]{0,6}(?:(?:of|is|at|was)\s+)?[^\w\n]{0,3})${NUMBER}(\s*(?:\/|out\s+of)\s*10(?!\d))?`,
  "gi",
);
const HEADING_SCORE = new RegExp(String.raw`^#{1,6}\s.*?${NUMBER}\s*\/\s*10(?!\d)`, "m");
const VERDICT_PATTERN = /\bverdict\b(?:[^\w\n]|\n){0,8}(pass(?:ed|es)?|fail(?:ed|s|ing)?|needs[\s_-]*patch(?:ing)?)\b/i;
const CONFIDENCE_PATTERNS = [
  new RegExp(String.raw`\bconf(?:idence)?\.?(?:\s+(?:level|score))?\b[^\d\n]{0,6}${NUMBER}`, "i"),
  new RegExp(String.raw`${NUMBER}\s*%\s*(?:confidence|confident|conf\b)`, "i"),
];

/** Parse a markdown review; every field is what the text says, nothing is derived or defaulted. */
export function parseMarkdownReview(text: string): MarkdownReview {
  const prose = proseLines(text);
  const joined = prose.join("\n");
  const { score, scoreText } = parseScore(joined);
  const suggestions = parseSuggestions(prose.map(classifyLine));
  return {
    score,
    scoreText,
    verdict: parseVerdictLine(joined),
    suggestions,
    confidences: suggestions.flatMap((s) => (s.confidence === null ? [] : [s.confidence])),
    summary: firstParagraph(prose),
  };
}

/** Headings with lists, a table, a score or a verdict line: the answer is a markdown review, not prose. */
export function looksLikeMarkdownReview(text: string): boolean {
  const prose = proseLines(text);
  const joined = prose.join("\n");
  const lines = prose.map(classifyLine);
  const has = (kind: Line["kind"]) => lines.some((l) => l.kind === kind);
  // A "Some thoughts:" line over a list is prose; a # heading or a bold-only line is structure.
  const heading = prose.some((l) => /^\s{0,3}(#{1,6}\s|(\*\*|__)[^*_]+(\*\*|__):?\s*$)/.test(l));
  return parseScore(joined).score !== null || parseVerdictLine(joined) !== null || has("sep") || (heading && has("item"));
}

/** The score out of 10 with the label that introduces it; a bare "N/10" counts only in a heading. */
export function parseScore(text: string): { score: number | null; scoreText: string | null } {
  for (const m of text.matchAll(SCORE_PATTERN)) {
    const [all, , sep = "", num = "", denominator] = m;
    if (/confidence\W*$/i.test(text.slice(Math.max(0, m.index - 20), m.index))) continue;
    const after = text.slice(m.index + all.length, m.index + all.length + 2);
    // Without "/10" only a labelled plain number counts ("Score: 7"), not "score 45/100" or "rated 85%".
    if (!denominator && (!/[:=|]/.test(sep) || /^\s*[%/\d]/.test(after))) continue;
    return { score: Number(num), scoreText: `${num}/10` };
  }
  const h = HEADING_SCORE.exec(text);
  return h ? { score: Number(h[1]), scoreText: `${h[1]}/10` } : { score: null, scoreText: null };
}

/** An explicit verdict line ("Verdict: needs patch", "**Verdict:** FAIL", a "## Verdict" heading over "PASS"). */
export function parseVerdictLine(text: string): Verdict | null {
  const m = VERDICT_PATTERN.exec(text);
  if (!m) return null;
  const word = (m[1] ?? "").toLowerCase();
  return word.startsWith("pass") ? "pass" : word.startsWith("fail") ? "fail" : "needs_patch";
}

/** A confidence written inline ("Confidence: 85%", "(confidence 85%)", "85% confidence"), or null. */
export function parseInlineConfidence(text: string): number | null {
  for (const p of CONFIDENCE_PATTERNS) {
    const m = p.exec(text);
    if (m) return Number(m[1]);
  }
  return null;
}

/** A priority word, tag or leading marker in the text, or null. */
export function parsePriority(text: string): Severity | null {
  for (const p of PRIORITY_PATTERNS) {
    const m = p.exec(text);
    if (m) return PRIORITY_WORDS[(m[1] ?? "").toLowerCase()] ?? null;
  }
  const emoji = /^\s*(🔴|🟠|🟡|🟢)/u.exec(text);
  return emoji ? (PRIORITY_EMOJI[emoji[1] ?? ""] ?? null) : null;
}

/**
 * Derive the verdict when the review has no verdict line: ≥ 8 with no high-priority suggestion
 * passes, ≥ 4 needs a patch, below 4 fails.
 */
export function verdictFromScore(score: number, suggestions: Suggestion[]): Verdict {
  if (score >= 8 && !suggestions.some((s) => s.priority === "high")) return "pass";
  return score >= 4 ? "needs_patch" : "fail";
}

/** A suggestion known to carry a confidence: the only kind an accepted markdown review holds. */
export type ConfidentSuggestion = Suggestion & { confidence: number };

/**
 * The shard verdict of an accepted markdown review: suggestions become required_next_actions (a
 * missing priority becomes "medium", said in a note). Markdown reviews carry no line-level
 * findings, so the seven finding lists stay empty rather than being invented from prose.
 */
export function markdownToVerdict(
  review: { score: number; scoreText: string | null; summary: string | null; suggestions: ConfidentSuggestion[] },
  verdict: Verdict,
): { value: ShardVerdict; notes: string[] } {
  const notes = [`markdown review: ${review.suggestions.length} suggestions stored as required_next_actions; no line-level findings`];
  const unprioritised = review.suggestions.filter((s) => s.priority === null).length;
  if (unprioritised > 0) notes.push(`markdown review: ${unprioritised} of ${review.suggestions.length} suggestions had no priority; set to "medium"`);
  const required_next_actions: NextAction[] = review.suggestions.map((s) => ({
    action: s.text,
    priority: s.priority ?? "medium",
    confidence: s.confidence,
  }));
  return {
    value: { ...emptyShardVerdict(verdict, review.score, review.summary ?? `markdown review, score ${review.scoreText ?? review.score}`), required_next_actions },
    notes,
  };
}

// ---- line model ----------------------------------------------------------------------------

type Line =
  | { kind: "heading"; level: number; text: string }
  | { kind: "row"; cells: string[] }
  | { kind: "sep" }
  | { kind: "item"; indent: number; text: string }
  | { kind: "text"; indent: number; text: string }
  | { kind: "blank" };

/** The answer's lines outside fenced code (an unclosed fence hides the rest), backticks removed. */
function proseLines(text: string): string[] {
  const out: string[] = [];
  let fence: string | null = null;
  for (const line of text.replace(/\r\n?/g, "\n").split("\n")) {
    const marker = /^\s*(```|~~~)/.exec(line)?.[1];
    if (fence) {
      if (marker === fence && /^\s*(```|~~~)\s*$/.test(line)) fence = null;
      continue;
    }
    if (marker) {
      fence = marker;
      continue;
    }
    out.push(line.replace(/`/g, ""));
  }
  return out;
}

/** Pseudo headings: a line that is only bold text, or a short "Label:" line, start a level-7 section. */
function classifyLine(raw: string): Line {
  const line = raw.replace(/\t/g, "    ");
  if (line.trim() === "") return { kind: "blank" };
  const heading = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
  if (heading) return { kind: "heading", level: heading[1]?.length ?? 1, text: clean(heading[2] ?? "") };
  if (/^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)+\|?\s*$|^\s*\|\s*:?-{2,}:?\s*\|\s*$/.test(line)) return { kind: "sep" };
  if (/^\s*[-*_]{3,}\s*$/.test(line)) return { kind: "blank" };
  if (/^\s*\|.*\|\s*$/.test(line)) {
    const cells = line.trim().slice(1, -1).split(/(?<!\\)\|/).map((c) => clean(c));
    return { kind: "row", cells };
  }
  const item = /^(\s*)(?:[-*+•]|\d{1,3}[.)])\s+(.*)$/.exec(line);
  if (item) return { kind: "item", indent: item[1]?.length ?? 0, text: item[2] ?? "" };
  const bold = /^\s{0,3}(?:\*\*|__)([^*_]+?)(?:\*\*|__):?\s*$/.exec(line) ?? /^\s{0,3}([A-Z][A-Za-z ()/&-]{2,40}):\s*$/.exec(line);
  if (bold) return { kind: "heading", level: 7, text: clean(bold[1] ?? "") };
  return { kind: "text", indent: line.length - line.trimStart().length, text: line.trim() };
}

function clean(text: string): string {
  return text.replace(/\*\*|__/g, "").replace(/\s+/g, " ").trim();
}

// ---- suggestions ---------------------------------------------------------------------------

/**
 * Suggestions from every suggestion section; without such a section, from tables that look like
 * a suggestion table. A section runs to the next heading of its level or above; the closest
 * deciding heading wins, so "### Verified" inside "## Findings" is not a suggestion list.
 */
function parseSuggestions(lines: Line[]): Suggestion[] {
  const headings = lines.filter((l) => l.kind === "heading");
  const level1 = headings.filter((h) => h.level === 1);
  // A lone first "# Review of auth.rs: issues" is the document's title, not a section around everything.
  const title = level1.length === 1 && headings[0] === level1[0] && headings.length > 1 ? level1[0] : null;
  const sections: Line[][] = [];
  const stack: { level: number; section: Line[] | null }[] = [];
  for (const line of lines) {
    if (line.kind !== "heading") {
      stack.at(-1)?.section?.push(line);
      continue;
    }
    const decision = line === title ? null : NOT_SUGGESTION_HEADING.test(line.text) ? false : SUGGESTION_HEADING.test(line.text) ? true : null;
    // A bold-line pseudo heading that decides nothing ("**1. Add auth**", "**High:**") nests under the one before it.
    const level = line.level === 7 && decision === null ? 8 : line.level;
    while ((stack.at(-1)?.level ?? 0) >= level) stack.pop();
    const parent = stack.at(-1)?.section ?? null;
    let section: Line[] | null = decision === false ? null : parent;
    if (decision === true && !parent) sections.push((section = []));
    else section?.push({ ...line, level });
    stack.push({ level, section });
  }
  if (sections.length > 0) return sections.flatMap(parseSection);
  return tableSuggestions(lines, true);
}

interface Draft {
  parts: string[];
  priority: Severity | null;
}

/** A sub-heading that is itself one suggestion: numbered ("### 1. Missing auth", "**Issue 2:**") or carrying a confidence. */
function isItemHeading(text: string): boolean {
  return (
    /^\W*(?:\d+[.):]|#\d+|\[\d+\]|(?:issue|finding|suggestion|recommendation|problem|gap|action|item|fix|risk)\s*#?\d+\b)/i.test(text) ||
    parseInlineConfidence(text) !== null
  );
}

/**
 * One section: item sub-headings are suggestions with the lines under them as body; elsewhere
 * table rows and top-level list items are suggestions (sub-items and indented lines belong to
 * their item), and a sub-heading with a priority word ("### High priority") sets the priority of
 * the items under it.
 */
function parseSection(lines: Line[]): Suggestion[] {
  const out: Suggestion[] = [];
  let group: Severity | null = null;
  let headed: Draft | null = null;
  let run: Line[] = [];
  const flush = () => {
    out.push(...tableSuggestions(run, false), ...listSuggestions(run, group));
    run = [];
  };
  for (const line of lines) {
    if (line.kind === "heading") {
      if (headed) out.push(finishDraft(headed));
      flush();
      if (isItemHeading(line.text)) headed = { parts: [line.text], priority: group };
      else {
        headed = null;
        group = line.text.split(" ").length <= 5 ? priorityFromCell(line.text) : parsePriority(line.text);
      }
    } else if (headed) {
      if (line.kind !== "blank" && line.kind !== "sep") headed.parts.push(line.kind === "row" ? line.cells.join(" | ") : line.text);
    } else run.push(line);
  }
  if (headed) out.push(finishDraft(headed));
  flush();
  return out;
}

/** Top-level list items of a run of lines, each with its sub-items and continuation lines. */
function listSuggestions(lines: Line[], group: Severity | null): Suggestion[] {
  const indents = lines.flatMap((l) => (l.kind === "item" ? [l.indent] : []));
  if (indents.length === 0) return [];
  const top = Math.min(...indents);
  const drafts: Draft[] = [];
  let current: Draft | null = null;
  let afterBlank = false;
  for (const line of lines) {
    if (line.kind === "item" && line.indent <= top + 1) {
      current = { parts: [line.text], priority: group };
      drafts.push(current);
    } else if (current && (line.kind === "item" || (line.kind === "text" && (!afterBlank || line.indent > top)))) {
      current.parts.push(line.text);
    } else if (line.kind !== "blank") current = null;
    afterBlank = line.kind === "blank";
  }
  return drafts.map(finishDraft);
}

function finishDraft(d: Draft): Suggestion {
  const all = d.parts.join("\n");
  return { text: actionText(d.parts[0] ?? ""), confidence: parseInlineConfidence(all), priority: parsePriority(all) ?? d.priority };
}

/** The suggestion without its numbering, a leading priority tag or a trailing "(confidence 85%)": the action a user reads. */
function actionText(line: string): string {
  const text = clean(line)
    .replace(/^(?:\d{1,3}[.):]|#\d+|\[\d+\])\s*/, "")
    .replace(new RegExp(String.raw`^\[\s*${PRIORITY_WORD}\s*\]\s*`, "i"), "")
    .replace(/\s*\([^()]*\bconf(?:idence)?\b[^()]*\)\s*$/i, "")
    .replace(/[\s,;—–-]*\bconf(?:idence)?\b[^\w\n]{0,6}\d{1,3}(?:\.\d+)?\s*%?\.?\s*$/i, "")
    .trim();
  return text === "" ? clean(line) : text;
}

const TEXT_COLUMN = /suggestion|recommend|issue|finding|action|description|problem|fix|title|change|concern|gap|what/i;
const CONFIDENCE_COLUMN = /^conf(idence)?\b|confidence/i;
const PRIORITY_COLUMN = /priority|severity|impact|urgency/i;
const INDEX_COLUMN = /^(#|no\.?|n°|id|idx|index|line|lines|line\(s\)|file|location|where)$/i;

/** One suggestion per data row of each table (a header row, then a separator row). */
function tableSuggestions(lines: Line[], onlySuggestionTables: boolean): Suggestion[] {
  const out: Suggestion[] = [];
  for (let i = 0; i + 1 < lines.length; i++) {
    const header = lines[i];
    if (header?.kind !== "row" || lines[i + 1]?.kind !== "sep") continue;
    const h = header.cells;
    const conf = h.findIndex((c) => CONFIDENCE_COLUMN.test(c));
    const prio = h.findIndex((c) => PRIORITY_COLUMN.test(c));
    let textCol = h.findIndex((c, k) => k !== conf && k !== prio && TEXT_COLUMN.test(c));
    if (onlySuggestionTables && textCol < 0 && conf < 0) continue;
    if (textCol < 0) textCol = h.findIndex((c, k) => k !== conf && k !== prio && !INDEX_COLUMN.test(c));
    let j = i + 2;
    for (; j < lines.length; j++) {
      const row = lines[j];
      if (row?.kind !== "row") break;
      const cells = row.cells;
      if (cells.every((c) => c === "")) continue;
      const text = actionText(cells[textCol] ?? "");
      out.push({
        text,
        // The column decides when there is one: an empty cell is a missing confidence, not one to hunt for elsewhere.
        confidence: conf >= 0 ? parseConfidenceCell(cells[conf] ?? "") : parseInlineConfidence(cells.join(" | ")),
        priority: (prio >= 0 ? priorityFromCell(cells[prio] ?? "") : null) ?? parsePriority(text),
      });
    }
    i = j - 1;
  }
  return out;
}

/** "85%", "85", "0.85", "**85%** (high)" → the first number; "N/A", "-", "high" → null. */
function parseConfidenceCell(cell: string): number | null {
  const m = new RegExp(String.raw`^[^\w\n]*${NUMBER}\s*%?`).exec(cell);
  return m ? Number(m[1]) : parseInlineConfidence(cell);
}

function priorityFromCell(cell: string): Severity | null {
  const m = new RegExp(String.raw`\b${PRIORITY_WORD}\b`, "i").exec(cell);
  return m ? (PRIORITY_WORDS[(m[1] ?? "").toLowerCase()] ?? null) : parsePriority(cell);
}

// ---- summary -------------------------------------------------------------------------------

/** Metadata lines ("**File:** src/auth.rs", "Score: 4/10") are not the summary; "Summary: …" is. */
function firstParagraph(prose: string[]): string | null {
  const para: string[] = [];
  for (const raw of prose) {
    const line = classifyLine(raw);
    if (line.kind === "text") {
      const labelled = /^\W*(summary|overview|assessment)\W*:\W*(.*)$/i.exec(line.text);
      if (labelled) {
        if (para.length > 0) break;
        const rest = clean(labelled[2] ?? "");
        if (rest) para.push(rest);
        continue;
      }
      // "**File:** src/auth.rs", "Score: 4/10", "Model: kimi": a label of up to three words, then a value.
      const isMeta = /^\W*[A-Za-z][\w()/.-]*(?: [\w()/.-]+){0,2}\W*:/.test(line.text);
      if (!isMeta || para.length > 0) {
        para.push(clean(line.text));
        continue;
      }
    }
    if (para.length > 0) break;
  }
  const summary = para.join(" ").trim();
  return summary === "" ? null : summary;
}
