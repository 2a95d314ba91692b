/** The static rung's review of one shard: run the rule detectors over its lines and build the forensic verdict from the hits. */
import type { ShardInput } from "../providers/provider";
import { shardLines } from "../shard/lines";
import { emptyShardVerdict, FINDING_CATEGORIES, type Finding, type NextAction, type Severity, type ShardVerdict, type Verdict } from "../../domain/verdict";
import { detectDocPlaceholders } from "./docs";
import { detectDiscardedErrors, detectEmptyHandlers, detectSwallowedExcepts } from "./handlers";
import type { Tree } from "web-tree-sitter";
import { hasGrammar, withTree, type SharedTree } from "../shard/grammars";
import { detectStubFunctions } from "./functions";
import { detectDuplicateImports } from "./imports";
import { detectDeadCode, detectDebugLeftovers, detectMarkerComments, detectStubs } from "./markers";
import { detectPlaceholderReturns } from "./placeholders";
import { RULES, type Detector, type Hit, type ScanInput } from "./rules";
import type { RuleId } from "../../domain/rules";
import { isCodeLanguage, testLines, viewLines, type LineView } from "./source";
import { treeViews } from "./tree-views";
import { searchable } from "../reduce/evidence";
import {
  DEAD_CODE_TRIGGER, DEBUG_TRIGGER, DISCARDED_ERROR_TRIGGER, DOC_PLACEHOLDER_TRIGGER, DUPLICATE_IMPORT_TRIGGER, EMPTY_HANDLER_TRIGGER,
  MARKER_TRIGGER, PLACEHOLDER_RETURN_TRIGGER, STUB_FUNCTION_TRIGGER, STUB_MACRO_TRIGGER, SWALLOWED_EXCEPT_TRIGGER, type Trigger,
} from "./triggers";

/** Each detector with the text trigger it needs: a detector whose trigger is absent is not run (it cannot fire). */
const CODE_DETECTORS: Array<[Detector, Trigger]> = [
  [detectStubs, STUB_MACRO_TRIGGER],
  [detectStubFunctions, STUB_FUNCTION_TRIGGER],
  [detectPlaceholderReturns, PLACEHOLDER_RETURN_TRIGGER],
  [detectDeadCode, DEAD_CODE_TRIGGER],
  [detectMarkerComments, MARKER_TRIGGER],
  [detectEmptyHandlers, EMPTY_HANDLER_TRIGGER],
  [detectSwallowedExcepts, SWALLOWED_EXCEPT_TRIGGER],
  [detectDiscardedErrors, DISCARDED_ERROR_TRIGGER],
  [detectDebugLeftovers, DEBUG_TRIGGER],
  [detectDuplicateImports, DUPLICATE_IMPORT_TRIGGER],
];
const DOC_DETECTORS: Array<[Detector, Trigger]> = [[detectDocPlaceholders, DOC_PLACEHOLDER_TRIGGER]];

/** Score lost per finding; the alignment score is 10 minus these, clamped to 0..10. */
export const PENALTY: Readonly<Record<Severity, number>> = { high: 3, medium: 1.5, low: 0.5 };
/** Heuristics see markers, not behaviour: a clean scan is modest proof of life. */
const CLEAN_CONFIDENCE = 60;
/** Quotes longer than this are cut to a window around the marker (still an exact substring of the line). */
const MAX_EVIDENCE_CHARS = 200;
const SEVERITY_RANK: Record<Severity, number> = { high: 0, medium: 1, low: 2 };
/**
 * Confidence of an informational (low) finding and its action: below the default `review_below` (75), so a file whose
 * only findings are informational sits at tier `review` like a clean one, never lifted to `auto` by them.
 */
export const INFORMATIONAL_CONFIDENCE = 70;

/** What a repository's config changes in the scan: `[static] raise`, the rules promoted to the severity they claim. */
export interface ScanOptions {
  raise?: readonly RuleId[];
}

/**
 * The severity a hit is reported at: the rule's earned severity (its claimed one when the repository promotes it with
 * `[static] raise`), or lower when the detector lowers it (a stub in test code); never higher. A rule raises a verdict
 * by default only with the severity its evaluation-set precision earned (docs/STATIC.md, "Which rules raise verdicts").
 */
export function hitSeverity(hit: Hit, raise: ReadonlySet<RuleId> = new Set()): Severity {
  const rule = raise.has(hit.rule) ? RULES[hit.rule].claimed : RULES[hit.rule].severity;
  const own = hit.severity ?? rule;
  return SEVERITY_RANK[own] >= SEVERITY_RANK[rule] ? own : rule;
}

/** The confidence a finding of this severity carries: the rule's, capped for informational findings. */
function confidenceOf(id: RuleId, severity: Severity): number {
  const c = RULES[id].confidence;
  return severity === "low" ? Math.min(c, INFORMATIONAL_CONFIDENCE) : c;
}

/**
 * Review one shard with the static heuristics. Pure: the same shard always gives the same verdict. A language with a
 * tree-sitter grammar is parsed (the grammar is loaded once per process); others are read by the line lexer (TOML)
 * or as prose (Markdown, text). `shared`: a tree the caller already parsed, used when it is of this shard's text.
 */
export async function scanShard(shard: ShardInput, options: ScanOptions = {}, shared?: SharedTree): Promise<ShardVerdict> {
  const lines = shardLines(shard.text);
  const code = isCodeLanguage(shard.language);
  // The triggers are tested once per shard; the tree is walked only for the detectors they let through.
  const detectors = (code ? CODE_DETECTORS : DOC_DETECTORS).filter(([, trigger]) => trigger(shard.text)).map(([detect]) => detect);
  const raise = new Set(options.raise ?? []);
  // No detector to run: the lines are not lexed (their code is the raw line).
  if (detectors.length === 0) return buildVerdict([], lines.map((raw) => ({ raw, code: raw, comment: "", strings: [] })), shard, raise);
  if (hasGrammar(shard.language)) {
    const scan = (tree: Tree) => review(shard, treeViews(tree.rootNode, lines), detectors, raise, tree.rootNode);
    // A tree parsed from this very text is read as it is; its owner frees it.
    if (shared?.text === shard.text) return scan(await shared.tree());
    return withTree(shard.language, shard.text, scan);
  }
  // Languages without a known code syntax (Markdown, plain text) are read as prose.
  return review(shard, viewLines(lines, shard.language), detectors, raise);
}

function review(shard: ShardInput, views: LineView[], detectors: Detector[], raise: ReadonlySet<RuleId>, root?: ScanInput["root"]): ShardVerdict {
  const input: ScanInput = {
    path: shard.path,
    language: shard.language,
    lineStart: shard.lineStart,
    text: shard.text,
    views,
    testLines: testLines(views, shard.path, shard.language),
    root,
  };
  const hits = dedupe(detectors.flatMap((detect) => detect(input)));
  return buildVerdict(hits, views, shard, raise);
}

/** One hit per rule and line (two patterns of one rule on one line are one problem). */
function dedupe(hits: Hit[]): Hit[] {
  const seen = new Set<string>();
  return hits.filter((h) => {
    const key = `${h.rule}:${h.line}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function buildVerdict(hits: Hit[], views: LineView[], shard: ShardInput, raise: ReadonlySet<RuleId>): ShardVerdict {
  const severityOf = (hit: Hit) => hitSeverity(hit, raise);
  const first = shard.lineStart;
  const last = shard.lineStart + Math.max(views.length, 1) - 1;
  const verdict: ShardVerdict = emptyShardVerdict("pass", 10, "");
  const ordered = [...hits].sort((a, b) => a.line - b.line || a.rule.localeCompare(b.rule));
  for (const hit of ordered) verdict[RULES[hit.rule].category].push(toFinding(hit, severityOf(hit), views, first));

  const findings = ordered.map(severityOf);
  const count = (s: Severity) => findings.filter((f) => f === s).length;
  const high = count("high");
  const medium = count("medium");
  const low = count("low");
  verdict.verdict = decide(high, medium);
  verdict.alignment_score = score(high, medium, low);
  verdict.required_next_actions = nextActions(ordered, first, severityOf);

  if (ordered.length === 0) {
    verdict.verified_components.push(proofOfLife(views, shard, first, last));
    const checked = isCodeLanguage(shard.language) ? "stub markers, swallowed errors or duplicate imports" : "placeholder text";
    verdict.summary = `Static heuristics found no ${checked} in lines ${first}–${last} (0 findings).`;
  } else {
    const byCategory = FINDING_CATEGORIES.filter((c) => verdict[c].length > 0).map((c) => `${c} ${verdict[c].length}`);
    verdict.summary = `Static heuristics found ${ordered.length} finding${ordered.length === 1 ? "" : "s"} in lines ${first}–${last} (${high} high, ${medium} medium, ${low} low; ${byCategory.join(", ")}).`;
  }
  return verdict;
}

/** `fail` with two or more high findings, `needs_patch` with any high or medium, else `pass`. */
export function decide(high: number, medium: number): Verdict {
  if (high >= 2) return "fail";
  if (high + medium > 0) return "needs_patch";
  return "pass";
}

/** 10 minus per-severity penalties, clamped to 0..10, one decimal. */
export function score(high: number, medium: number, low: number): number {
  const raw = 10 - high * PENALTY.high - medium * PENALTY.medium - low * PENALTY.low;
  return Math.round(Math.min(10, Math.max(0, raw)) * 10) / 10;
}

function toFinding(hit: Hit, severity: Severity, views: LineView[], first: number): Finding {
  const rule = RULES[hit.rule];
  const quoted = hit.evidenceLine ?? hit.line;
  return {
    title: `${rule.title}${hit.detail ? `: ${hit.detail}` : ""} [${hit.rule}]`,
    evidence: quote((views[quoted] as LineView).raw, hit.column),
    line_start: first + hit.line,
    line_end: first + Math.max(hit.endLine ?? hit.line, quoted),
    severity,
    confidence: confidenceOf(hit.rule, severity),
    rule: hit.rule,
  };
}

/** The line trimmed; a long one cut to a window around the marker. Always an exact substring of the line. */
export function quote(raw: string, column = 0): string {
  const trimmed = raw.trim();
  if (trimmed.length <= MAX_EVIDENCE_CHARS) return trimmed;
  const from = Math.max(0, Math.min(column - raw.search(/\S/) - 40, trimmed.length - MAX_EVIDENCE_CHARS));
  return trimmed.slice(from, from + MAX_EVIDENCE_CHARS).trim();
}

/** One action per rule that fired, naming its lines; the worst severity among its hits is the priority. */
function nextActions(hits: Hit[], first: number, severityOf: (hit: Hit) => Severity): NextAction[] {
  const byRule = new Map<RuleId, Hit[]>();
  for (const h of hits) byRule.set(h.rule, [...(byRule.get(h.rule) ?? []), h]);
  const actions = [...byRule].map(([id, group]): NextAction => {
    const rule = RULES[id];
    const lines = [...new Set(group.map((h) => first + h.line))];
    const priority = group.map(severityOf).reduce((a, b) => (SEVERITY_RANK[a] <= SEVERITY_RANK[b] ? a : b));
    const where = lines.length === 1 ? `line ${lines[0]}` : `lines ${lines.join(", ")}`;
    return { action: `${rule.action} at ${where}.`, priority, confidence: confidenceOf(id, priority) };
  });
  return actions.sort((a, b) => SEVERITY_RANK[a.priority] - SEVERITY_RANK[b.priority]);
}

const SIGNATURE = /^\s*(?:export\s+)?(?:default\s+)?(?:pub(?:\([^)]*\))?\s+)?(?:async\s+)?(?:unsafe\s+)?(?:fn|function\*?|def|func)\s/;
const HEADING = /^\s{0,3}#{1,6}\s+\S/;

/**
 * A clean shard's proof of life: what was checked, quoting its first function signature (or heading, or first code
 * line; a shard no detector read was not lexed, so its first line). The quote is one the evidence check searches
 * for (`searchable`): a shard opening with a licence comment quoted `/*` and its proof went unverified
 * (DaveGamble/cJSON's cJSON.c). Lexing such a shard to find its first code line instead cost a sweep of clean shards
 * 7-10 % more time.
 */
function proofOfLife(views: LineView[], shard: ShardInput, first: number, last: number): Finding {
  const code = isCodeLanguage(shard.language);
  const quotable = (v: LineView) => searchable(quote(v.raw));
  const pick = code ? views.findIndex((v) => SIGNATURE.test(v.code)) : views.findIndex((v) => HEADING.test(v.raw));
  const meaningful = views.findIndex((v) => v.code.trim() !== "" && quotable(v));
  const at = [pick, meaningful, views.findIndex(quotable), views.findIndex((v) => v.raw.trim() !== "")].find((i) => i >= 0);
  const checked = code
    ? "no stub markers, placeholder logic, swallowed errors or duplicate imports"
    : "no placeholder text (!!!, TODO, TBD, FIXME, WIP, lorem ipsum)";
  return {
    title: `Static heuristics: ${checked} in lines ${first}–${last}`,
    evidence: at === undefined ? "" : quote((views[at] as LineView).raw),
    line_start: first,
    line_end: last,
    severity: "low",
    confidence: CLEAN_CONFIDENCE,
  };
}
