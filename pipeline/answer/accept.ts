/**
 * The acceptance rules of a rung's answer: it must parse, validate against the forensic schema and
 * not be thin. Forensic JSON is the contract; a markdown review is read as a fallback and held to
 * the same fields (a verdict or a score to derive it from, a score, confidences on every item).
 * Every reject reason is stored and shown, so each says what was wrong.
 */
import type { OutputFormat } from "../../domain/attempt";
import { isForensic, pickJson, scanJson, stripReasoning, type JsonCandidate } from "./extract-json";
import {
  looksLikeMarkdownReview,
  markdownToVerdict,
  parseMarkdownReview,
  verdictFromScore,
  type ConfidentSuggestion,
} from "./markdown-review";
import { isRefusal, junkHits, junkReason } from "./junk";
import { validateShardVerdict } from "../verdict/verdict";
import { FINDING_CATEGORIES, type ShardVerdict, type Verdict } from "../../domain/verdict";

export type Acceptance =
  | { outcome: "accepted"; verdict: ShardVerdict; format: OutputFormat; notes: string[] }
  | { outcome: "thin" | "invalid" | "refused"; reason: string; format: OutputFormat };
export interface AcceptRules {
  /** Answers shorter than this (reasoning blocks excluded, trimmed) are thin. `[accept] min_chars`. */
  minChars: number;
  /**
   * Judge a model's forensic JSON for junk (answer/junk.ts): placeholders, the prompt's own words, a `pass` with
   * nothing verified or a contradicting score, findings quoting nothing in `shard`. Off for the static rung.
   */
  junk?: { shard?: string };
}

/** The lists of which at least one must have an entry (DESIGN.md, `[accept]`). */
const SUBSTANTIVE_LISTS = ["critical_failures", "pseudocode_flags", "required_next_actions", "verified_components"] as const;
const VERDICTS: readonly Verdict[] = ["pass", "fail", "needs_patch"];

/** Accept, or reject as thin or invalid with a specific reason, one model answer for one shard. */
export function acceptAnswer(text: string, rules: AcceptRules): Acceptance {
  if (!Number.isFinite(rules.minChars) || rules.minChars < 0) {
    throw new RangeError(`Expected \`minChars\` to be a number from 0 and up, got ${rules.minChars}`);
  }
  const cleaned = stripReasoning(text);
  if (cleaned.answer === "") {
    return reject("thin", cleaned.unclosedReasoning ? "the <think> block never closed: no answer after the reasoning" : "empty answer", "unstructured");
  }
  const { format, json, candidates } = classify(text, cleaned.answer);
  if (format === "unstructured" && isRefusal(cleaned.answer)) {
    return { outcome: "refused", reason: `the model declined: "${cleaned.answer.trim().slice(0, 120)}"`, format };
  }
  const result =
    format === "forensic_json" && json
      ? acceptForensic(json, candidates)
      : format === "markdown"
        ? acceptMarkdown(cleaned.answer)
        : reject("thin", unstructuredReason(json), "unstructured");
  if (result.outcome !== "accepted") {
    return cleaned.unclosedReasoning ? { ...result, reason: `${result.reason}; a <think> block never closed` } : result;
  }
  if (rules.junk && result.format === "forensic_json") {
    const hits = junkHits(result.verdict, rules.junk.shard);
    if (hits.length > 0) return reject("invalid", junkReason(hits), format);
  }
  // Measured on the whole answer (chatter included, reasoning excluded), never on the extracted JSON alone.
  if (cleaned.answer.length < rules.minChars) {
    return reject("thin", `${cleaned.answer.length} chars < min_chars ${rules.minChars}`, format);
  }
  return result;
}

/** forensic_json when a JSON object with a verdict or one of the eight lists is found; markdown when it reads as a review; else unstructured. */
export function classifyFormat(text: string): OutputFormat {
  return classify(text, stripReasoning(text).answer).format;
}

function classify(text: string, answer: string): { format: OutputFormat; json: JsonCandidate | null; candidates: JsonCandidate[] } {
  const candidates = scanJson(text);
  const json = pickJson(candidates);
  if (json && isForensic(json)) return { format: "forensic_json", json, candidates };
  // An answer that is a JSON object of another shape is not a markdown review because a key reads like "score": 6.
  const markdown = !(json?.kind === "object" && json.leads) && looksLikeMarkdownReview(answer);
  return { format: markdown ? "markdown" : "unstructured", json, candidates };
}

function reject(outcome: "thin" | "invalid" | "refused", reason: string, format: OutputFormat): Acceptance {
  return { outcome, reason, format };
}

function unstructuredReason(json: JsonCandidate | null): string {
  if (json?.kind === "object") return `unstructured answer: no verdict (a JSON object with keys ${keyList(json.json)} but no "verdict")`;
  if (json?.kind === "error") return `unstructured answer: no verdict (${json.error})`;
  return "unstructured answer: no verdict";
}

function keyList(json: Record<string, unknown>): string {
  const keys = Object.keys(json);
  return keys.length === 0 ? "(none)" : keys.slice(0, 8).join(", ") + (keys.length > 8 ? ", …" : "");
}

// ---- forensic JSON -------------------------------------------------------------------------

function acceptForensic(json: JsonCandidate, candidates: JsonCandidate[]): Acceptance {
  const format = "forensic_json";
  if (json.kind === "error") return reject("invalid", json.error, format);
  if (!("verdict" in json.json)) return reject("thin", `no verdict: the JSON object has ${keyList(json.json)} but no "verdict" key`, format);
  const { value, notes } = coerceForensic(json.json);
  const checked = validateShardVerdict(value);
  if (!checked.ok) return reject("invalid", schemaReason(checked.errors), format);
  const verdict = checked.value;
  if (SUBSTANTIVE_LISTS.every((list) => verdict[list].length === 0)) {
    return reject("thin", `forensic JSON with no findings, actions or verified components (${SUBSTANTIVE_LISTS.join(", ")} are all empty)`, format);
  }
  const verdicts = candidates.filter((c) => c.kind === "object" && "verdict" in c.json).length;
  if (verdicts > 1) notes.push(`${verdicts} JSON objects with a verdict in the answer; used the last one (at char ${json.start})`);
  notes.push(...fractionNote(confidencesOf(verdict)));
  return { outcome: "accepted", verdict, format, notes };
}

/**
 * Coerce what models commonly get almost right, each with a note: numeric-string confidences
 * ("85", "85%"), a string alignment_score ("4.5/10", "4.5"), a verdict in other spelling
 * ("Needs Patch"), severity/priority in capitals. Fractions are not rescaled: 0.85 is a valid
 * 0–100 confidence, and guessing the model's scale would hide the problem (see fractionNote).
 */
export function coerceForensic(json: Record<string, unknown>): { value: Record<string, unknown>; notes: string[] } {
  // Most answers need nothing coerced: then the caller's object is returned as it is, never copied or changed.
  if (!needsCoercion(json)) return { value: json, notes: [] };
  const value = structuredClone(json);
  const notes: string[] = [];
  const v = value.verdict;
  if (typeof v === "string") {
    const normal = v.trim().toLowerCase().replace(/[\s-]+/g, "_");
    if (normal !== v && (VERDICTS as readonly string[]).includes(normal)) {
      value.verdict = normal;
      notes.push(`verdict "${v}" read as "${normal}"`);
    }
  }
  const s = value.alignment_score;
  const score = typeof s === "string" ? /^\s*(\d+(?:\.\d+)?)\s*(?:\/\s*10)?\s*$/.exec(s) : null;
  if (typeof s === "string" && score) {
    value.alignment_score = Number(score[1]);
    notes.push(`alignment_score "${s}" read as ${score[1]}`);
  }
  const strings: string[] = [];
  let recased = 0;
  for (const list of [...FINDING_CATEGORIES, "required_next_actions"]) {
    const items = value[list];
    if (!Array.isArray(items)) continue;
    for (const item of items) {
      if (item === null || typeof item !== "object") continue;
      const entry = item as Record<string, unknown>;
      const c = entry.confidence;
      const num = typeof c === "string" ? /^\s*(\d+(?:\.\d+)?)\s*%?\s*$/.exec(c) : null;
      if (typeof c === "string" && num) {
        entry.confidence = Number(num[1]);
        strings.push(c);
      }
      for (const key of ["severity", "priority"]) {
        const word = entry[key];
        if (typeof word === "string" && word !== word.toLowerCase() && ["high", "medium", "low"].includes(word.toLowerCase())) {
          entry[key] = word.toLowerCase();
          recased++;
        }
      }
    }
  }
  if (strings.length > 0) {
    const examples = [...new Set(strings)].slice(0, 3).map((x) => `"${x}"`).join(", ");
    notes.push(`${strings.length} confidence${strings.length === 1 ? "" : "s"} given as strings (${examples}) read as numbers`);
  }
  if (recased > 0) notes.push(`${recased} severity/priority value${recased === 1 ? "" : "s"} lower-cased`);
  // OpenAI's strict json_schema cannot carry minLength, so a schema-following server may send an empty title: that
  // entry says nothing and is dropped with a note, instead of the whole answer being invalid.
  let emptied = 0;
  for (const list of [...FINDING_CATEGORIES, "required_next_actions"]) {
    const items = value[list];
    if (!Array.isArray(items)) continue;
    const key = list === "required_next_actions" ? "action" : "title";
    const kept = items.filter((item) => !(item !== null && typeof item === "object" && (item as Record<string, unknown>)[key] === ""));
    emptied += items.length - kept.length;
    value[list] = kept;
  }
  if (emptied > 0) notes.push(`${emptied} entr${emptied === 1 ? "y" : "ies"} with an empty title or action dropped (the server could not enforce minLength)`);
  return { value, notes };
}

/** Whether coerceForensic would change anything: a verdict, score, confidence, severity or priority in another spelling. */
function needsCoercion(json: Record<string, unknown>): boolean {
  if (typeof json.verdict === "string" && !(VERDICTS as readonly string[]).includes(json.verdict)) return true;
  if (typeof json.alignment_score === "string") return true;
  for (const list of [...FINDING_CATEGORIES, "required_next_actions"]) {
    const items = json[list];
    if (!Array.isArray(items)) continue;
    for (const item of items) {
      if (item === null || typeof item !== "object") continue;
      const entry = item as Record<string, unknown>;
      if (typeof entry.confidence === "string") return true;
      if (entry.title === "" || entry.action === "") return true;
      for (const key of ["severity", "priority"]) {
        const word = entry[key];
        if (typeof word === "string" && word !== word.toLowerCase()) return true;
      }
    }
  }
  return false;
}

/** The first three schema errors, led by what a user must know: a finding or action without a confidence. */
function schemaReason(errors: string[]): string {
  const shown = errors.slice(0, 3).join("; ") + (errors.length > 3 ? ` (+${errors.length - 3} more)` : "");
  const missing = errors.filter((e) => e.endsWith("must have required property 'confidence'"));
  if (missing.length === 0) return shown;
  const actions = missing.filter((e) => e.startsWith("/required_next_actions/")).length;
  const findings = missing.length - actions;
  const what = [
    findings > 0 ? (findings === 1 ? "finding without confidence" : `${findings} findings without confidence`) : "",
    actions > 0 ? (actions === 1 ? "next action without confidence" : `${actions} next actions without confidence`) : "",
  ].filter(Boolean);
  return `${what.join(", ")}: ${shown}`;
}

function confidencesOf(v: ShardVerdict): number[] {
  return [...FINDING_CATEGORIES.flatMap((c) => v[c].map((f) => f.confidence)), ...v.required_next_actions.map((a) => a.confidence)];
}

/** All confidences ≤ 1 is a signal (a 0–1 scale?), not an error: kept as written, said in a note. */
function fractionNote(confidences: number[]): string[] {
  if (confidences.length === 0 || confidences.some((c) => c > 1)) return [];
  return [`all ${confidences.length} confidences are ≤ 1 (e.g. ${confidences[0]}): the model may have used a 0–1 scale; kept as written on the 0–100 scale`];
}

// ---- markdown review -----------------------------------------------------------------------

/**
 * A markdown review is accepted only with a score: alignment_score is required in every shard
 * verdict and a number invented from a verdict line would pollute the score trajectory, so a
 * review with a verdict line but no score is thin rather than given a made-up score.
 */
function acceptMarkdown(answer: string): Acceptance {
  const format = "markdown";
  const review = parseMarkdownReview(answer);
  if (review.verdict === null && review.score === null) return reject("thin", "markdown review without a verdict or score", format);
  if (review.score === null) {
    return reject("thin", `markdown review with verdict "${review.verdict}" but no score (e.g. "Score: 6/10"); no alignment_score is invented`, format);
  }
  const total = review.suggestions.length;
  if (total === 0) {
    return reject("thin", "markdown review with no suggestions (no list or table under a Suggestions/Recommendations/Issues/Findings heading)", format);
  }
  const confident = review.suggestions.filter((s): s is ConfidentSuggestion => s.confidence !== null);
  if (confident.length < total) return reject("thin", `${total - confident.length} of ${total} suggestions have no confidence`, format);
  const notes: string[] = [];
  const fromScore = verdictFromScore(review.score, review.suggestions);
  const verdict = review.verdict ?? fromScore;
  if (review.verdict === null) notes.push(`markdown review: verdict derived from score ${review.scoreText} (${verdict})`);
  else if (review.verdict !== fromScore) {
    notes.push(`markdown review: the verdict line (${review.verdict}) wins; score ${review.scoreText} alone would give ${fromScore}`);
  }
  const converted = markdownToVerdict({ ...review, score: review.score, suggestions: confident }, verdict);
  const checked = validateShardVerdict(converted.value);
  if (!checked.ok) return reject("invalid", `markdown review does not make a valid verdict: ${checked.errors.slice(0, 3).join("; ")}`, format);
  notes.push(...converted.notes, ...fractionNote(confident.map((s) => s.confidence)));
  return { outcome: "accepted", verdict: checked.value, format, notes };
}
