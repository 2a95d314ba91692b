/**
 * Injection check: text in audited code that speaks to the reviewing model (in comments, strings and docs) is found
 * deterministically, before and independently of any model, and becomes a high-severity `risk_points` finding.
 */
import type { Node, Tree } from "web-tree-sitter";
import { hasGrammar, withTree } from "../shard/grammars";
import { splitLines } from "../shard/lines";
import type { Finding } from "../verdict/verdict";
import { INJECTION_PHRASES, INJECTION_RULE } from "./injection-phrases";

export { INJECTION_RULE };

/** Confidence of an injection finding: the phrase is there verbatim; whether it would sway a model is not known. */
const INJECTION_CONFIDENCE = 90;
/** Longer evidence is cut to a window around the phrase, so a minified line does not become the quote. */
const MAX_EVIDENCE_CHARS = 200;

/** A region of the file that holds prose rather than code: a comment, a string, or (for docs) every line. */
interface ProseRegion {
  /** 0-based line of the region's first character. */
  row: number;
  /** 0-based column of its first character on that line. */
  column: number;
  text: string;
}

/** Injection findings of one file, one per line at most, in line order. */
export async function findInjections(language: string, text: string): Promise<Finding[]> {
  // Every hit is a phrase inside the file's text: a file in which no phrase appears at all needs no parse (most files).
  if (firstPhrase(text) === undefined) return [];
  const regions = hasGrammar(language) ? await withTree(language, text, (tree) => proseRegions(tree, text)) : [{ row: 0, column: 0, text }];
  const lines = splitLines(text);
  const found = new Map<number, Finding>();
  for (const region of regions) {
    region.text.split("\n").forEach((part, i) => {
      const row = region.row + i;
      if (found.has(row + 1)) return;
      const hit = firstPhrase(part);
      if (!hit) return;
      const line = lines[row] ?? part;
      const offset = (i === 0 ? region.column : 0) + hit.index;
      found.set(row + 1, {
        title: `Prompt injection: the code ${hit.intent}`,
        evidence: evidenceAround(line, offset, hit.length),
        line_start: row + 1,
        line_end: row + 1,
        severity: "high",
        confidence: INJECTION_CONFIDENCE,
        rule: INJECTION_RULE,
      });
    });
  }
  return [...found.values()].sort((a, b) => a.line_start - b.line_start);
}

/** Whether a finding came from the injection check. */
export function isInjectionFinding(finding: Pick<Finding, "rule">): boolean {
  return finding.rule === INJECTION_RULE;
}

function firstPhrase(text: string): { intent: string; index: number; length: number } | undefined {
  for (const { intent, pattern } of INJECTION_PHRASES) {
    const m = pattern.exec(text);
    if (m) return { intent, index: m.index, length: m[0].length };
  }
  return undefined;
}

/** The trimmed line, or a window of it around the phrase: always an exact substring of the file's line. */
function evidenceAround(line: string, at: number, length: number): string {
  const trimmed = line.trim();
  if (trimmed.length <= MAX_EVIDENCE_CHARS) return trimmed;
  const slack = Math.max(0, MAX_EVIDENCE_CHARS - length);
  const from = Math.max(0, at - Math.floor(slack / 2));
  return line.slice(from, from + Math.max(length, MAX_EVIDENCE_CHARS)).trim();
}

const STRING_NODE = /string|heredoc/;

/**
 * Comments and string literals of a parsed file, outermost nodes only. A tree with syntax errors may have swallowed
 * a comment into an ERROR node, so then the whole file is read as prose: a false alarm beats a missed injection.
 */
function proseRegions(tree: Tree, text: string): ProseRegion[] {
  if (tree.rootNode.hasError) return [{ row: 0, column: 0, text }];
  const out: ProseRegion[] = [];
  const cursor = tree.walk();
  try {
    let descend = true;
    for (;;) {
      const node: Node = cursor.currentNode;
      const prose = descend && (node.type.includes("comment") || STRING_NODE.test(node.type));
      if (prose) out.push({ row: node.startPosition.row, column: node.startPosition.column, text: node.text });
      if (descend && !prose && cursor.gotoFirstChild()) continue;
      if (cursor.gotoNextSibling()) {
        descend = true;
        continue;
      }
      if (!cursor.gotoParent()) break;
      descend = false;
    }
  } finally {
    cursor.delete();
  }
  return out;
}
