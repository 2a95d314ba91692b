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

/**
 * Go functions whose error says the value they return (or fill in) is garbage: parsing, decoding, reading. Ignoring
 * that error uses a zero value as if it were the input. Cleanup calls (`Close`, `Remove`, `Flush`, `Fprintf`) are
 * not here: discarding their error with `_ =` is the idiom for "nothing useful to do", and a maintainer leaves it.
 */
const MUST_CHECK: Record<string, ReadonlySet<string>> = {
  strconv: new Set(["Atoi", "ParseInt", "ParseUint", "ParseFloat", "ParseBool", "ParseComplex", "Unquote"]),
  json: new Set(["Unmarshal"]),
  yaml: new Set(["Unmarshal"]),
  toml: new Set(["Unmarshal"]),
  xml: new Set(["Unmarshal"]),
  time: new Set(["Parse", "ParseDuration", "ParseInLocation", "LoadLocation"]),
  url: new Set(["Parse", "ParseQuery", "ParseRequestURI", "PathUnescape", "QueryUnescape"]),
  fmt: new Set(["Sscan", "Sscanf", "Sscanln"]),
  os: new Set(["ReadFile", "Open", "OpenFile", "ReadDir"]),
  io: new Set(["ReadAll"]),
  ioutil: new Set(["ReadFile", "ReadAll", "ReadDir"]),
  hex: new Set(["DecodeString"]),
};
/** Decoder methods, whatever the receiver (`json.NewDecoder(r).Decode(&v)`, `base64.StdEncoding.DecodeString(s)`). */
const MUST_CHECK_METHODS = new Set(["Decode", "DecodeString"]);
const LITERAL_ARGUMENT = /^(interpreted_string_literal|raw_string_literal|int_literal|float_literal|rune_literal)$/;

/**
 * Go: `_ = err`, and the error of a parse/decode/read call thrown away — `_ = json.Unmarshal(b, &v)`,
 * `n, _ := strconv.Atoi(s)`, or the call as a bare statement — outside test code. A call whose arguments are all
 * literals (`strconv.Atoi("8")`) cannot fail on input and is not reported.
 */
export const detectDiscardedErrors: Detector = (input) => {
  if (input.language !== "go") return [];
  const hits: Hit[] = [];
  input.views.forEach((v, i) => {
    const m = DISCARDED_ERR.exec(v.code);
    if (m) hits.push({ rule: "discarded-error", line: i, column: indentOf(v.code), detail: m[1] });
  });
  if (!input.root) return hits;
  for (const statement of input.root.descendantsOfType(["assignment_statement", "short_var_declaration", "expression_statement"])) {
    if (!statement || input.testLines[statement.startPosition.row]) continue;
    const call = discardedCall(statement);
    const name = call ? mustCheckName(call) : null;
    if (!call || !name) continue;
    hits.push({ rule: "discarded-error", line: statement.startPosition.row, column: statement.startPosition.column, detail: `the error of ${name}` });
  }
  return hits;
};

/** The call whose last result (its error) the statement discards: `_ = f()`, `x, _ := f()`, or `f()` on its own. */
function discardedCall(statement: Node): Node | null {
  if (statement.type === "expression_statement") {
    const only = statement.namedChildren[0];
    return only?.type === "call_expression" ? only : null;
  }
  const left = statement.childForFieldName("left")?.namedChildren ?? [];
  const right = statement.childForFieldName("right")?.namedChildren ?? [];
  const last = left[left.length - 1];
  if (right.length !== 1 || right[0]?.type !== "call_expression" || last?.text !== "_") return null;
  // `_, _ = f()` keeps nothing at all; `x, _ := f()` and `_ = f()` use (or drop) the value and lose the error.
  return right[0];
}

/** `pkg.Func` (or a decoder method) when its error must be checked and some argument is not a literal; else null. */
function mustCheckName(call: Node): string | null {
  const fn = call.childForFieldName("function");
  if (fn?.type !== "selector_expression") return null;
  const field = fn.childForFieldName("field")?.text ?? "";
  const operand = fn.childForFieldName("operand");
  const qualified = operand?.type === "identifier" && MUST_CHECK[operand.text]?.has(field);
  if (!qualified && !MUST_CHECK_METHODS.has(field)) return null;
  const args = call.childForFieldName("arguments")?.namedChildren ?? [];
  if (args.length > 0 && args.every((a) => a !== null && LITERAL_ARGUMENT.test(a.type))) return null;
  return qualified ? `${operand.text}.${field}` : field;
}
