/** Swallowed errors: empty catch blocks and error arms, `except …: pass`, Go's `_ = err` and empty `if err != nil {}`. */
import type { Detector, Hit } from "./rules";
import { indentOf, type LineView } from "./source";

const CATCH_LANGUAGES = new Set(["typescript", "tsx", "javascript", "java", "csharp", "php", "cpp"]);
const JS_LANGUAGES = new Set(["typescript", "tsx", "javascript"]);

// Patterns run over the shard's code view joined by "\n": comments are blanked, so a block holding only comments is empty.
const EMPTY_CATCH = /\bcatch\s*(?:\([^()]*\))?\s*\{\s*\}/g;
const EMPTY_PROMISE_CATCH = /\.catch\(\s*(?:\([^()]*\)|[\w$]+)\s*=>\s*(?:\{\s*\}|undefined|null|void 0)\s*\)/g;
const EMPTY_ERR_ARM = /\bErr\s*\(\s*\w*\s*\)\s*=>\s*(?:\{\s*\}|\(\s*\))/g;
const EMPTY_ERR_CHECK = /\b(\w*[eE]rr)\s*!=\s*nil\s*\{\s*\}/g;

/** Empty-bodied error handlers, multi-line included: `catch (e) {\n  // ignore\n}`, `.catch(() => {})`, `Err(_) => {}`, `if err != nil {}`. */
export const detectEmptyHandlers: Detector = (input) => {
  const patterns: RegExp[] = [];
  if (CATCH_LANGUAGES.has(input.language)) patterns.push(EMPTY_CATCH);
  if (JS_LANGUAGES.has(input.language)) patterns.push(EMPTY_PROMISE_CATCH);
  if (input.language === "rust") patterns.push(EMPTY_ERR_ARM);
  if (input.language === "go") patterns.push(EMPTY_ERR_CHECK);
  if (patterns.length === 0) return [];
  const { text, starts } = joinCode(input.views);
  const hits: Hit[] = [];
  for (const pattern of patterns) {
    for (const m of text.matchAll(pattern)) {
      const line = lineAt(starts, m.index);
      hits.push({
        rule: "empty-catch",
        line,
        endLine: lineAt(starts, m.index + m[0].length - 1),
        column: m.index - (starts[line] as number),
      });
    }
  }
  return hits;
};

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

const EXCEPT = /^(\s*)except\b([^:]*):(.*)$/;
const BROAD_EXCEPTION = /^\s*\(?\s*(BaseException|Exception)\b/;
const DO_NOTHING = /^(pass|\.\.\.)$/;

/** Python except clauses whose whole body is `pass` or `...`; a bare or `Exception` clause is the broad (worse) case. */
export const detectSwallowedExcepts: Detector = (input) => {
  if (input.language !== "python") return [];
  const hits: Hit[] = [];
  input.views.forEach((v, i) => {
    const m = EXCEPT.exec(v.code);
    if (!m) return;
    const body = exceptBody(input.views, i, (m[1] ?? "").length, (m[3] ?? "").trim());
    if (body.statements.length === 0 || !body.statements.every((s) => DO_NOTHING.test(s))) return;
    const spec = (m[2] ?? "").trim();
    const broad = spec === "" || BROAD_EXCEPTION.test(spec);
    hits.push({
      rule: broad ? "swallowed-except" : "swallowed-except-specific",
      line: i,
      endLine: body.endLine,
      column: (m[1] ?? "").length,
      detail: spec === "" ? "bare except" : spec,
    });
  });
  return hits;
};

/** The statements of an except body: the rest of its line, or the following lines indented deeper (comments skipped). */
function exceptBody(views: LineView[], line: number, indent: number, inline: string): { statements: string[]; endLine: number } {
  if (inline !== "") return { statements: inline.split(";").map((s) => s.trim()).filter(Boolean), endLine: line };
  const statements: string[] = [];
  let endLine = line;
  for (let k = line + 1; k < views.length; k++) {
    const code = (views[k] as LineView).code;
    if (code.trim() === "") continue;
    if (indentOf(code) <= indent) break;
    statements.push(code.trim());
    endLine = k;
  }
  return { statements, endLine };
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
