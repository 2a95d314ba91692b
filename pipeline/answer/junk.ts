/**
 * Junk: answers that are valid JSON of the right shape and still say nothing. Small models under a grammar echo the
 * prompt's placeholders ("..."), copy a schema description into the summary, or answer `pass` with a score of 0 and
 * nothing verified. Each rule is a small named predicate; an answer breaking any is refused with every rule named.
 */
import { cleanEvidence, normaliseWhitespace } from "../reduce/evidence";
import { FINDING_CATEGORIES, type ShardVerdict } from "../../domain/verdict";

export type JunkRule = "placeholder-echo" | "schema-echo" | "pass-unverified" | "verdict-score-contradiction" | "evidence-not-in-shard";

export interface JunkHit {
  rule: JunkRule;
  detail: string;
}

/**
 * The prompt's own placeholders (prompts/forensic.md's answer template) and the words models put in their place when
 * they have nothing to say. Compared whole, after trimming, lower-cased.
 */
const PLACEHOLDERS = new Set(["...", "…", "....", "exact quote", "string", "title", "evidence", "summary", "action", "n/a", "na", "none", "tbd", "todo", "placeholder", "<text>", "<summary>", "<title>", "x"]);

/** Phrases of the prompt's answer template and the schema: a summary or title made of them repeats instructions, not the code. */
const TEMPLATE_PHRASES = [
  "two or three sentences",
  "what the shard does and the most important finding",
  "pass | fail | needs_patch",
  "high | medium | low",
  "what a reviewer (model or static rung) returns",
  "the eight lists map to the eight audit passes",
];

/** Below this a `pass` contradicts its own score (alignment_score is 0–10). */
const PASS_MIN_SCORE = 5;
/** Above this a `fail` contradicts its own score. */
const FAIL_MAX_SCORE = 7;

/** Every junk rule the answer breaks; empty for an answer worth judging on its content. `shard`: the code it was asked about. */
export function junkHits(verdict: ShardVerdict, shard?: string): JunkHit[] {
  const hits: JunkHit[] = [];
  const texts = answerTexts(verdict);
  const inShard = shard === undefined ? null : evidenceChecker(shard);
  // A quote the code really holds (`<html>`, a `...` spread) is evidence, whatever it looks like.
  const quoted = (text: string) => inShard !== null && text.trim() !== "" && inShard(text);
  const echoed = texts.filter((t) => isPlaceholder(t.text) && !(t.where.endsWith(".evidence") && quoted(t.text)));
  if (echoed.length > 0) hits.push({ rule: "placeholder-echo", detail: `${echoed.length === 1 ? "1 field holds" : `${echoed.length} fields hold`} a placeholder (${examples(echoed.map((t) => `${t.where} "${t.text.trim()}"`))})` });
  const template = texts.filter((t) => {
    const lower = t.text.toLowerCase();
    return TEMPLATE_PHRASES.some((p) => lower.includes(p));
  });
  if (template.length > 0) hits.push({ rule: "schema-echo", detail: `the prompt's or schema's own wording in ${examples(template.map((t) => t.where))}` });
  const score = verdict.alignment_score;
  if (verdict.verdict === "pass" && score < PASS_MIN_SCORE) hits.push({ rule: "verdict-score-contradiction", detail: `verdict pass with alignment_score ${score} (< ${PASS_MIN_SCORE})` });
  if (verdict.verdict === "fail" && score > FAIL_MAX_SCORE) hits.push({ rule: "verdict-score-contradiction", detail: `verdict fail with alignment_score ${score} (> ${FAIL_MAX_SCORE})` });
  if (verdict.verdict === "pass") {
    const verified = verdict.verified_components.filter((f) => (!isPlaceholder(f.evidence) || quoted(f.evidence)) && (inShard === null || inShard(f.evidence)));
    if (verified.length === 0) {
      hits.push({ rule: "pass-unverified", detail: verdict.verified_components.length === 0 ? "verdict pass with no verified component" : "verdict pass whose verified components quote nothing in the shard" });
    }
  }
  if (inShard !== null) {
    const findings = FINDING_CATEGORIES.flatMap((c) => verdict[c]);
    const missing = findings.filter((f) => !inShard(f.evidence));
    // Models paraphrase a quote now and then (the merge marks those unverified); most of them missing is invention.
    if (missing.length > 0 && missing.length * 2 > findings.length) {
      hits.push({ rule: "evidence-not-in-shard", detail: `${missing.length} of ${findings.length} findings quote evidence that is not in the shard (e.g. "${missing[0]!.evidence.slice(0, 40)}")` });
    }
  }
  return hits;
}

/** The reject reason of junk: every rule named with what it saw. */
export function junkReason(hits: JunkHit[]): string {
  return `junk answer: ${hits.map((h) => `[${h.rule}] ${h.detail}`).join("; ")}`;
}

function isPlaceholder(text: string): boolean {
  const t = text.trim().toLowerCase();
  return t === "" || PLACEHOLDERS.has(t) || /^[.…\s]+$/.test(t) || /^<[^<>]{0,30}>$/.test(t);
}

function answerTexts(v: ShardVerdict): { where: string; text: string }[] {
  const out = [{ where: "summary", text: v.summary }];
  for (const c of FINDING_CATEGORIES) {
    v[c].forEach((f, i) => {
      out.push({ where: `${c}[${i}].title`, text: f.title });
      out.push({ where: `${c}[${i}].evidence`, text: f.evidence });
    });
  }
  v.required_next_actions.forEach((a, i) => out.push({ where: `required_next_actions[${i}].action`, text: a.action }));
  return out;
}

/** Whether a quote is in the shard: whitespace-normalised, line-number prefixes, quotes and ellipses stripped. */
function evidenceChecker(shard: string): (evidence: string) => boolean {
  const text = normaliseWhitespace(shard);
  return (evidence) => {
    const needle = cleanEvidence(evidence).replace(/^\.\.\.|\.\.\.$|^…|…$/g, "").trim();
    return needle.length > 0 && text.includes(needle);
  };
}

function examples(items: string[]): string {
  return items.slice(0, 3).join(", ") + (items.length > 3 ? `, +${items.length - 3} more` : "");
}

/** A model declining the task: a short answer with no verdict that says it cannot help. */
export function isRefusal(answer: string): boolean {
  if (answer.length > 600) return false;
  return /\b(I\s*(can(no|')t|cannot|am (not able|unable)|'m (not able|unable|sorry))|I will not|I won't|as an AI)\b/i.test(answer) && !/"verdict"\s*:/.test(answer);
}
