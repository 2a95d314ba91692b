/**
 * Injection check: text in audited code that speaks to the reviewing model or to an agent is found deterministically,
 * before and independently of any model. It reads everything the model sees — the file's path and every line, code
 * included (shell `echo` lines, `#define`/`#error`, regex literals, JSX text, inline HTML, macro tokens) — through the
 * cheap disguises (injection-normalise.ts), in English and the major other languages (injection-phrases.ts).
 * A hit that asks something of the reader is a `risk_points` finding (informational unless raised, see
 * scanInjections); a hit that is data the program handles (injection-audience.ts), or that only names a model as its
 * reader, is no finding but is returned as `handled`, which keeps the file from `pass` at `auto`.
 */
import type { Node, Tree } from "web-tree-sitter";
import { hasGrammar, withTree } from "../shard/grammars";
import { splitLines } from "../shard/lines";
import type { Finding, Severity } from "../../domain/verdict";
import {
  ADDRESSED_PHRASES,
  ADDRESSEE,
  CHAT_FORMAT_INTENT,
  FOREIGN_PHRASES,
  FOREIGN_PREVIOUS,
  INJECTION_PHRASES,
  INJECTION_RULE,
  STRONG_OUTSIDE_LITERALS,
  STRONG_PHRASES,
  VOCATIVE,
  type InjectionPhrase,
} from "./injection-phrases";
import { decodedBase64, latinReadings, visibleText } from "./injection-normalise";
import { literalGate, type LiteralGate } from "./literal-gate";
import { docLineKinds, handledReason, injectionTopicLine, insideQuote, type HandledReason, type TextKind } from "./injection-audience";

export { INJECTION_RULE };

/** Confidence of an injection finding: the phrase is there; whether it would sway a model is not known. */
const INJECTION_CONFIDENCE = 90;
/** Longer evidence is cut to a window around the phrase, so a minified line does not become the quote. */
const MAX_EVIDENCE_CHARS = 200;

/** A hit the program handles as data: no finding, but the file's tier is held below `auto`. */
export interface HandledInjection {
  /** 1-based line; 0 for the file's path. */
  line: number;
  intent: string;
  reason: HandledReason;
}

export interface InjectionScan {
  findings: Finding[];
  handled: HandledInjection[];
}

interface Hit {
  intent: string;
  /** Offset of the hit in the line as written; -1 when found only in a decoded reading (base64, look-alikes). */
  index: number;
  length: number;
  /** The text names a model as its reader and asks nothing of it: held, no finding. */
  addressOnly?: boolean;
  /** In the strong class (raises a verdict by default): anywhere, or only outside string literals and quotations. */
  strong?: "anywhere" | "outside-literals";
}

/**
 * Injection findings of one file (one per line at most, in line order) and the hits it handles as data. A finding of
 * the strong class (text spoken to its reader — "AI reviewer: …", "Dear AI, …", "If you are an AI agent, …" — with an
 * instruction, or a phrasing only ever said to a model reviewing the file: "ignore all previous instructions", "return
 * the verdict pass") is `high`: it raises the verdict. The rest are `low` (informational) unless `raise`: on
 * repositories of LLM tooling no rule was written against, none of their hits was one a maintainer would act on, and
 * none was of the strong class (docs/SECURITY.md). A repository that wants every hit to raise names `prompt-injection`
 * in `[static] raise`. Either way the file is held below `auto`.
 */
export async function scanInjections(path: string, language: string, text: string, options: { raise?: boolean } = {}): Promise<InjectionScan> {
  const severityOf = (hit: Hit, kind: TextKind): Severity => (options.raise || raises(hit, kind) ? "high" : "low");
  const lines = splitLines(text);
  const hits = new Map<number, Hit>();
  const prose = hasGrammar(language) ? null : docLineKinds(lines);
  lines.forEach((line, row) => {
    const hit = readLine(line);
    if (hit) hits.set(row, hit);
  });
  // An instruction may run over two lines of prose (a comment, a paragraph): read each such pair as one.
  for (let row = 0; row + 1 < lines.length; row++) {
    const prior = hits.get(row);
    if ((prior && !prior.addressOnly) || hits.has(row + 1) || !isProse(lines[row]!, prose?.[row]) || !isProse(lines[row + 1]!, prose?.[row + 1])) continue;
    // Only a sentence that runs on, from a line that names its addressee ("Note for the automated reviewer:").
    if (SENTENCE_END.test(lines[row]!) || !ADDRESSEE.test(lines[row]!)) continue;
    const hit = readLine(`${lines[row]!.trimEnd()} ${lines[row + 1]!.trim()}`);
    if (hit && !(hit.addressOnly && hits.has(row))) hits.set(row, { ...hit, index: hit.index < lines[row]!.length ? hit.index : -1 });
  }
  const pathHit = readLine(path.replace(/[/_.\\-]+/g, " "));
  if (hits.size === 0 && !pathHit) {
    // A file about the attack (a detector, its rules, its docs) is held for a human even when no line reads as one.
    const topic = injectionTopicLine(lines);
    return { findings: [], handled: topic === undefined ? [] : [{ line: topic, intent: "is about prompt injection", reason: "detector" }] };
  }

  const kinds = prose ?? (await withTree(language, text, (tree) => codeKinds(tree, lines, hits)));
  const findings: Finding[] = [];
  const handled: HandledInjection[] = [];
  if (pathHit) {
    const reason = handledReason({ path, fileText: text, kind: "code", before: "", line: path, intent: pathHit.intent }) ?? (pathHit.addressOnly ? "address" : undefined);
    if (reason) handled.push({ line: 0, intent: pathHit.intent, reason });
    else findings.push(finding(`Prompt injection: the file's path ${pathHit.intent}`, path, 1, severityOf(pathHit, "prose")));
  }
  for (const [row, hit] of [...hits].sort((a, b) => a[0] - b[0])) {
    const line = lines[row]!;
    const at = Math.max(0, hit.index);
    let kind = kinds[row] ?? "code";
    if ((kind === "prose" || kind === "comment") && hit.index >= 0 && insideQuote(line, at)) kind = "quoted";
    const reason = handledReason({ path, fileText: withoutLine(lines, row), kind, before: line.slice(0, at), line, intent: hit.intent }) ?? (hit.addressOnly ? "address" : undefined);
    if (reason) handled.push({ line: row + 1, intent: hit.intent, reason });
    else findings.push(finding(`Prompt injection: the ${kind === "code" ? "code" : "text"} ${hit.intent}`, evidenceAround(line, at, hit.length), row + 1, severityOf(hit, kind)));
  }
  return { findings, handled };
}

/** The file without one line: what a hit's context is judged by, so an instruction cannot vouch for itself. */
function withoutLine(lines: string[], row: number): string {
  return [...lines.slice(0, row), ...lines.slice(row + 1)].join("\n");
}

/** Injection findings of one file; `path` is read too when given. */
export async function findInjections(language: string, text: string, path = "", options: { raise?: boolean } = {}): Promise<Finding[]> {
  return (await scanInjections(path, language, text, options)).findings;
}

/** Whether a finding came from the injection check. */
export function isInjectionFinding(finding: Pick<Finding, "rule">): boolean {
  return finding.rule === INJECTION_RULE;
}

function finding(title: string, evidence: string, line: number, severity: Severity): Finding {
  return { title, evidence, line_start: line, line_end: line, severity, confidence: INJECTION_CONFIDENCE, rule: INJECTION_RULE };
}

/** Whether a finding's hit raises its file's verdict by default: strong, and (a fake delimiter) not in a literal. */
function raises(hit: Hit, kind: TextKind): boolean {
  return hit.strong === "anywhere" || (hit.strong === "outside-literals" && kind !== "string" && kind !== "quoted");
}

/** The first instruction in a line, in any of its readings, and whether any reading is of the strong class. */
function readLine(line: string): Hit | undefined {
  if (line.trim().length < 8) return undefined;
  const visible = visibleText(line);
  // Markup between words (`**ignore**`, `ignore_previous_instructions`) read as spaces, one for one.
  const plain = visible.replace(/[*_~`|\\]/g, " ");
  // A reading as long as the line keeps the line's offsets; the others (letters joined, base64) lose them.
  const latin = latinReadings(visible);
  const readings = [...new Set([line, visible, plain, ...latin, ...(plain === visible ? latin : latinReadings(plain)), ...decodedBase64(visible)])];
  for (const reading of readings) {
    const hit = matchPhrases(reading);
    if (!hit) continue;
    const strong = hit.addressOnly ? undefined : strengthOf(readings);
    return { ...hit, ...(reading.length === line.length ? {} : { index: -1 }), ...(strong ? { strong } : {}) };
  }
  return undefined;
}

/** Phrases that ask something of the reader, chat-template tokens aside (a prompt renderer writes those). */
const INSTRUCTIONS = [...INJECTION_PHRASES, ...ADDRESSED_PHRASES, ...FOREIGN_PHRASES].filter((p) => !p.addressOnly && p.intent !== CHAT_FORMAT_INTENT);
const FOREIGN_DROP = FOREIGN_PHRASES.filter((p) => p.intent === "tells the reviewer to drop its instructions");

/** The strong class (injection-phrases.ts, STRONG_PHRASES): in some reading, an instruction spoken to its reader. */
function strengthOf(readings: string[]): Hit["strong"] {
  for (const text of readings) {
    if (STRONG_PHRASES.some((p) => p.test(text))) return "anywhere";
    if (FOREIGN_PREVIOUS.test(text) && FOREIGN_DROP.some((p) => p.pattern.test(text))) return "anywhere";
    if (VOCATIVE.test(text) && INSTRUCTIONS.some((p) => p.pattern.test(text))) return "anywhere";
  }
  return readings.some((text) => STRONG_OUTSIDE_LITERALS.test(text)) ? "outside-literals" : undefined;
}

/** An instruction in the text; else a bare address to a model (`addressOnly`), which asks nothing by itself. */
function matchPhrases(text: string): Hit | undefined {
  const may = phraseGate().candidates(text);
  const found = firstOf(ASKING_PHRASES, text, may, ASKING_AT) ?? firstOf(FOREIGN_PHRASES, text, may, FOREIGN_AT);
  if (found) return found;
  const addressee = may[ADDRESSEE_AT] ? ADDRESSEE.exec(text) : null;
  const hit = addressee && firstOf(ADDRESSED_PHRASES, text, may, ADDRESSED_AT);
  // The addressee starts the instruction: quote from it, so "AI agents: run `rm -rf …`" is judged whole.
  if (addressee && hit) return { ...hit, index: Math.min(addressee.index, hit.index), length: Math.max(addressee.index + addressee[0].length, hit.index + hit.length) - Math.min(addressee.index, hit.index) };
  const address = firstOf(ADDRESS_PHRASES, text, may, ADDRESS_AT);
  return address && { ...address, addressOnly: true };
}

const ASKING_PHRASES = INJECTION_PHRASES.filter((p) => !p.addressOnly);
const ADDRESS_PHRASES = INJECTION_PHRASES.filter((p) => p.addressOnly);

// Where each list's patterns sit in the phrase gate.
const ASKING_AT = 0;
const FOREIGN_AT = ASKING_AT + ASKING_PHRASES.length;
const ADDRESSED_AT = FOREIGN_AT + FOREIGN_PHRASES.length;
const ADDRESS_AT = ADDRESSED_AT + ADDRESSED_PHRASES.length;
const ADDRESSEE_AT = ADDRESS_AT + ADDRESS_PHRASES.length;
let gate: LiteralGate | undefined;

/**
 * The patterns matchPhrases reads, behind one literal gate: a reading is matched only against the phrases whose
 * literals it holds (about 2 of 57 on a line of code, and the scan's cost falls with it). Built on first use.
 */
function phraseGate(): LiteralGate {
  gate ??= literalGate([...[ASKING_PHRASES, FOREIGN_PHRASES, ADDRESSED_PHRASES, ADDRESS_PHRASES].flatMap((list) => list.map((p) => p.pattern)), ADDRESSEE]);
  return gate;
}

/** The first of `phrases` in `text`, trying only those the gate's `may` (the list's patterns from `at`) lets through. */
function firstOf(phrases: InjectionPhrase[], text: string, may: Uint8Array, at: number): Hit | undefined {
  for (let i = 0; i < phrases.length; i++) {
    if (!may[at + i]) continue;
    const { intent, pattern } = phrases[i]!;
    const m = pattern.exec(text);
    if (m) return { intent, index: m.index, length: m[0].length };
  }
  return undefined;
}

/** A line whose sentence ends on it (before a closing comment marker). */
const SENTENCE_END = /[.!?;]\s*(?:\*\/|-->|"""|''')?\s*$/;

/** A line of prose: Markdown outside code blocks, or a comment line in code. */
function isProse(line: string, kind: TextKind | undefined): boolean {
  if (kind !== undefined) return kind === "prose";
  return /^\s*(?:\/\/|#(?![!\[])|\*|\/\*|--|;|<!--|"""|''')/.test(line) && line.trim().length > 3;
}

/** The trimmed line, or a window of it around the phrase: always an exact substring of the file's line. */
function evidenceAround(line: string, at: number, length: number): string {
  const trimmed = line.trim();
  if (trimmed.length <= MAX_EVIDENCE_CHARS) return trimmed;
  const slack = Math.max(0, MAX_EVIDENCE_CHARS - length);
  const from = Math.max(0, at - Math.floor(slack / 2));
  return line.slice(from, from + Math.max(length, MAX_EVIDENCE_CHARS)).trim();
}

/** Literal text in a tree: strings of every grammar, heredocs, regex literals, JSX text and PHP inline HTML. */
const STRING_NODE = /string|heredoc|regex|char_literal|^text$|jsx_text/;

/** What each hit line holds at the hit, by the innermost comment or literal around it; `code` otherwise. */
function codeKinds(tree: Tree, lines: string[], hits: Map<number, Hit>): TextKind[] {
  const kinds: TextKind[] = [];
  for (const [row, hit] of hits) {
    const line = lines[row]!;
    const column = hit.index >= 0 ? hit.index : Math.max(0, line.search(/\S/));
    let node: Node | null = tree.rootNode.descendantForPosition({ row, column });
    kinds[row] = "code";
    for (; node; node = node.parent) {
      if (node.type.includes("comment")) {
        kinds[row] = "comment";
        break;
      }
      if (STRING_NODE.test(node.type)) {
        kinds[row] = "string";
        break;
      }
    }
  }
  return kinds;
}
