/**
 * Swallowed errors. JavaScript/TypeScript catch clauses and Python except clauses are read from the syntax tree:
 * a handler whose body holds no statement (only comments, `pass` or `...`) for a broad exception (every JS catch;
 * a bare, `Exception` or `BaseException` except). A narrow except is an expected outcome and is not reported, nor
 * is a broad except that only passes but says why in a comment (a documented best-effort step).
 * Rust `Err(_) => {}` and Go `if err != nil {}` are read from the code view. Test code is not scanned: tests ignore
 * the errors they provoke on purpose.
 */
import type { Node } from "web-tree-sitter";
import type { Detector, Hit } from "./rules";
import { indentOf, type LineView } from "./source";

const JS_LANGUAGES = new Set(["typescript", "tsx", "javascript"]);

// Patterns run over the shard's code view joined by "\n": comments are blanked, so a block holding only comments is empty.
const EMPTY_ERR_ARM = /\bErr\s*\(\s*\w*\s*\)\s*=>\s*(?:\{\s*\}|\(\s*\))/g;
const EMPTY_ERR_CHECK = /\b(\w*[eE]rr)\s*!=\s*nil\s*\{\s*\}/g;
const BROAD_EXCEPTION = /^\(?\s*(BaseException|Exception)\b|,\s*(BaseException|Exception)\s*[,)]/;
const DO_NOTHING = new Set(["pass_statement", "comment"]);

/** Empty catch blocks and `.catch(() => {})` (tree), `Err(_) => {}` (Rust), `if err != nil {}` (Go). */
export const detectEmptyHandlers: Detector = (input) => {
  if (input.testLines.every(Boolean) && input.testLines.length > 0) return [];
  if (JS_LANGUAGES.has(input.language) && input.root) return emptyCatches(input.root, input.text).filter((h) => !input.testLines[h.line]);
  const patterns: RegExp[] = [];
  if (input.language === "rust") patterns.push(EMPTY_ERR_ARM);
  if (input.language === "go") patterns.push(EMPTY_ERR_CHECK);
  if (patterns.length === 0) return [];
  const { text, starts } = joinCode(input.views);
  const hits: Hit[] = [];
  for (const pattern of patterns) {
    for (const m of text.matchAll(pattern)) {
      const line = lineAt(starts, m.index);
      if (input.testLines[line]) continue;
      hits.push({ rule: "empty-catch", line, endLine: lineAt(starts, m.index + m[0].length - 1), column: m.index - (starts[line] as number) });
    }
  }
  return hits;
};

// Each tree search builds a Node per match (every call expression of the shard): only search for what the text holds.
const CATCH_KEYWORD = /\bcatch\b/;

function emptyCatches(root: Node, text: string): Hit[] {
  const hits: Hit[] = [];
  if (!CATCH_KEYWORD.test(text)) return hits;
  for (const clause of root.descendantsOfType("catch_clause")) {
    const body = clause?.childForFieldName("body");
    if (!clause || !body || body.namedChildren.some((n) => n !== null && n.type !== "comment")) continue;
    hits.push({ rule: "empty-catch", line: clause.startPosition.row, endLine: body.endPosition.row, column: clause.startPosition.column });
  }
  if (!text.includes(".catch")) return hits;
  for (const call of root.descendantsOfType("call_expression")) {
    const fn = call?.childForFieldName("function");
    if (!call || fn?.type !== "member_expression" || fn.childForFieldName("property")?.text !== "catch") continue;
    const args = call.childForFieldName("arguments")?.namedChildren ?? [];
    const handler = args.length === 1 ? args[0] : null;
    const body = handler && /function|arrow_function/.test(handler.type) ? handler.childForFieldName("body") : null;
    if (!body || body.type !== "statement_block" || body.namedChildren.some((n) => n !== null && n.type !== "comment")) continue;
    const property = fn.childForFieldName("property") as Node;
    hits.push({ rule: "empty-catch", line: property.startPosition.row, endLine: body.endPosition.row, column: property.startPosition.column });
  }
  return hits;
}

/** Python except clauses for a broad exception whose body only passes, with no comment saying why. */
export const detectSwallowedExcepts: Detector = (input) => {
  if (input.language !== "python" || !input.root) return [];
  const hits: Hit[] = [];
  for (const clause of input.root.descendantsOfType("except_clause")) {
    if (!clause || input.testLines[clause.startPosition.row]) continue;
    const block = clause.namedChildren.find((n) => n?.type === "block");
    if (!block) continue;
    const statements = block.namedChildren.filter((n): n is Node => n !== null);
    const idle = statements.every((n) => DO_NOTHING.has(n.type) || (n.type === "expression_statement" && n.text.trim() === "..."));
    if (!idle) continue;
    const value = clause.namedChildren.find((n) => n !== null && n.type !== "block" && n.type !== "comment");
    const spec = value ? (value.type === "as_pattern" ? (value.namedChildren[0]?.text ?? "") : value.text) : "";
    if (spec !== "" && !BROAD_EXCEPTION.test(spec)) continue;
    // A comment in the clause that says why ("keep the value as a string if loading failed") makes it a decision the
    // rung cannot prove wrong; a bare marker (`# TODO`) is not a reason.
    if (statesReason(clause)) continue;
    hits.push({
      rule: "swallowed-except",
      line: clause.startPosition.row,
      endLine: block.endPosition.row,
      column: clause.startPosition.column,
      detail: spec === "" ? "bare except" : spec,
    });
  }
  return hits;
};

const MARKER_ONLY = /^#\s*(?:TODO|FIXME|XXX|HACK)\b[\s:!.-]*$/;

/** True when the except clause holds a comment (on its line or in its block) with words in it, not only a marker. */
function statesReason(clause: Node): boolean {
  for (const comment of clause.descendantsOfType("comment")) {
    const text = comment?.text.trim() ?? "";
    if (/\w/.test(text) && !MARKER_ONLY.test(text)) return true;
  }
  return false;
}

function joinCode(views: LineView[]): { text: string; starts: number[] } {
  const starts: number[] = [];
  let at = 0;
  for (const v of views) {
    starts.push(at);
    at += v.code.length + 1;
  }
  return { text: views.map((v) => v.code).join("\n"), starts };
}

function lineAt(starts: number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] as number) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

const DISCARDED_ERR = /^\s*_\s*=\s*(\w*[eE]rr)\s*$/;

/** Go `_ = err`: an error assigned away on purpose to silence the compiler. */
export const detectDiscardedErrors: Detector = (input) => {
  if (input.language !== "go") return [];
  const hits: Hit[] = [];
  input.views.forEach((v, i) => {
    const m = DISCARDED_ERR.exec(v.code);
    if (m) hits.push({ rule: "discarded-error", line: i, column: indentOf(v.code), detail: m[1] });
  });
  return hits;
};
