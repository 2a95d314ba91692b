/** Source views for the static rules: each line split into code, comment and string text, so a rule only looks where its marker means something. */

export interface LineView {
  /** The line as it is in the file. */
  raw: string;
  /** The line with comment text and string/regex contents blanked to spaces (quotes kept); same length as `raw`. */
  code: string;
  /** The comment text on this line, markers included; "" when there is none. */
  comment: string;
  /** String literal contents on this line; a string spanning lines gives one piece per line. */
  strings: string[];
}

/** How a language writes comments and strings; only what the rules need to tell them from code. */
interface Syntax {
  lineComments: string[];
  /** `#` starts a comment only at the line start or after whitespace (shells, Ruby). */
  hashNeedsSpace?: boolean;
  blockComments: boolean;
  nestedBlockComments?: boolean;
  /** Quote characters of strings that end at the line end when unterminated. */
  quotes: string;
  /** Quote characters of strings that may span lines, and whether `\` escapes inside them. */
  multilineQuotes: Array<{ quote: string; escapes: boolean }>;
  /** Python/TOML `"""` and `'''`. */
  tripleQuotes?: boolean;
  /** Rust: `'a'` is a char but `'a` a lifetime; `r#"…"#` raw strings. */
  rust?: boolean;
  /** JavaScript regex literals, which may hold quotes and `//`. */
  regexLiterals?: boolean;
}

const C_LIKE: Syntax = { lineComments: ["//"], blockComments: true, quotes: "\"'", multilineQuotes: [] };
const JS: Syntax = { ...C_LIKE, multilineQuotes: [{ quote: "`", escapes: true }], regexLiterals: true };
const HASH: Syntax = { lineComments: ["#"], hashNeedsSpace: true, blockComments: false, quotes: "\"'", multilineQuotes: [] };

const SYNTAX: Record<string, Syntax> = {
  typescript: JS,
  tsx: JS,
  javascript: JS,
  rust: { lineComments: ["//"], blockComments: true, nestedBlockComments: true, quotes: "", multilineQuotes: [{ quote: "\"", escapes: true }], rust: true },
  go: { ...C_LIKE, multilineQuotes: [{ quote: "`", escapes: false }] },
  python: { lineComments: ["#"], blockComments: false, quotes: "\"'", multilineQuotes: [], tripleQuotes: true },
  toml: { lineComments: ["#"], blockComments: false, quotes: "\"'", multilineQuotes: [], tripleQuotes: true },
  java: C_LIKE,
  c: C_LIKE,
  cpp: C_LIKE,
  csharp: C_LIKE,
  php: { ...C_LIKE, lineComments: ["//", "#"] },
  ruby: HASH,
  bash: HASH,
};

/** True for languages whose lines the code rules can read (everything with a known comment/string syntax). */
export function isCodeLanguage(language: string): boolean {
  return language in SYNTAX;
}

type State =
  | { t: "code" }
  | { t: "block"; depth: number }
  | { t: "string"; close: string; escapes: boolean; multiline: boolean }
  | { t: "regex"; inClass: boolean };

// Sticky: matched at an index, so a long line is never re-sliced per character.
const CHAR_LITERAL = /'(?:\\(?:x[0-9a-fA-F]{2}|u\{[0-9a-fA-F]{1,6}\}|.)|[^\\'\n])'/y;
const RAW_STRING = /b?r(#*)"/y;
const REGEX_AFTER_WORD = new Set(["return", "typeof", "case", "do", "else", "in", "of", "yield", "await", "void", "delete", "throw", "new"]);
const IDENT_CHAR = /[\w$]/;

/** Split a shard's lines into code, comment and string views. Unknown languages (prose, Markdown) are all code. */
export function viewLines(lines: string[], language: string): LineView[] {
  const syntax = SYNTAX[language];
  if (!syntax) return lines.map((raw) => ({ raw, code: raw, comment: "", strings: [] }));
  let state: State = { t: "code" };
  // The last significant code character and word decide whether `/` starts a regex or divides.
  let lastChar = "";
  let lastWord = "";
  const views: LineView[] = [];
  for (const raw of lines) {
    const code: string[] = [];
    let comment = "";
    const strings: string[] = [];
    let piece = "";
    let i = 0;
    const blank = (n: number) => {
      for (let k = 0; k < n; k++) code.push(" ");
    };
    while (i < raw.length) {
      const ch = raw[i] as string;
      const at = (s: string) => raw.startsWith(s, i);
      if (state.t === "block") {
        if (at("*/")) {
          state = state.depth > 1 ? { t: "block", depth: state.depth - 1 } : { t: "code" };
          comment += "*/";
          blank(2);
          i += 2;
        } else if (syntax.nestedBlockComments && at("/*")) {
          state = { t: "block", depth: state.depth + 1 };
          comment += "/*";
          blank(2);
          i += 2;
        } else {
          comment += ch;
          blank(1);
          i += 1;
        }
        continue;
      }
      if (state.t === "string") {
        if (state.escapes && ch === "\\") {
          piece += raw.slice(i, i + 2);
          blank(Math.min(2, raw.length - i));
          i += 2;
        } else if (at(state.close)) {
          strings.push(piece);
          piece = "";
          code.push(...state.close);
          i += state.close.length;
          state = { t: "code" };
          lastChar = '"';
          lastWord = "";
        } else {
          piece += ch;
          blank(1);
          i += 1;
        }
        continue;
      }
      if (state.t === "regex") {
        if (ch === "\\") {
          blank(Math.min(2, raw.length - i));
          i += 2;
          continue;
        }
        if (ch === "[") state = { t: "regex", inClass: true };
        else if (ch === "]") state = { t: "regex", inClass: false };
        else if (ch === "/" && !state.inClass) {
          code.push("/");
          i += 1;
          state = { t: "code" };
          lastChar = "/";
          lastWord = "";
          continue;
        }
        blank(1);
        i += 1;
        continue;
      }
      // Code.
      const lineComment = syntax.lineComments.find(
        (m) => at(m) && !(m === "#" && syntax.hashNeedsSpace && i > 0 && !/\s/.test(raw[i - 1] as string)),
      );
      if (lineComment) {
        comment += raw.slice(i);
        blank(raw.length - i);
        i = raw.length;
        continue;
      }
      if (syntax.blockComments && at("/*")) {
        state = { t: "block", depth: 1 };
        comment += "/*";
        blank(2);
        i += 2;
        continue;
      }
      if (syntax.tripleQuotes && (at('"""') || at("'''"))) {
        const q = raw.slice(i, i + 3);
        state = { t: "string", close: q, escapes: q === '"""' || language === "python", multiline: true };
        code.push(...q);
        i += 3;
        continue;
      }
      if (syntax.rust) {
        RAW_STRING.lastIndex = i;
        const rawString = RAW_STRING.exec(raw);
        if (rawString && (i === 0 || !IDENT_CHAR.test(raw[i - 1] as string))) {
          const open = rawString[0];
          state = { t: "string", close: `"${rawString[1]}`, escapes: false, multiline: true };
          code.push(...open);
          i += open.length;
          continue;
        }
        if (ch === "'") {
          CHAR_LITERAL.lastIndex = i;
          const char = CHAR_LITERAL.exec(raw);
          if (char) {
            code.push("'");
            blank(char[0].length - 2);
            code.push("'");
            i += char[0].length;
            lastChar = "'";
            continue;
          }
        }
      }
      const multiline = syntax.multilineQuotes.find((q) => q.quote === ch);
      if (multiline || syntax.quotes.includes(ch)) {
        state = { t: "string", close: ch, escapes: multiline ? multiline.escapes : true, multiline: Boolean(multiline) };
        code.push(ch);
        i += 1;
        continue;
      }
      if (syntax.regexLiterals && ch === "/" && startsRegex(lastChar, lastWord)) {
        state = { t: "regex", inClass: false };
        code.push("/");
        i += 1;
        continue;
      }
      code.push(ch);
      if (!/\s/.test(ch)) {
        lastChar = ch;
        lastWord = IDENT_CHAR.test(ch) ? (IDENT_CHAR.test(raw[i - 1] ?? " ") ? lastWord + ch : ch) : "";
      }
      i += 1;
    }
    if (state.t === "string") {
      strings.push(piece);
      if (!state.multiline) state = { t: "code" };
    } else if (state.t === "regex") {
      state = { t: "code" };
    }
    views.push({ raw, code: code.join(""), comment, strings });
  }
  return views;
}

function startsRegex(lastChar: string, lastWord: string): boolean {
  if (lastChar === "") return true;
  if (/[\w$]/.test(lastChar)) return REGEX_AFTER_WORD.has(lastWord);
  return !/[)\]}"'`]/.test(lastChar);
}

const INLINE_CODE = /(`+)[^`]*?\1/g;

/** Blank out `inline code` (same length): backticks quote a marker, in docs and in comments, rather than use it. */
export function blankInlineCode(text: string): string {
  return text.replace(INLINE_CODE, (m) => " ".repeat(m.length));
}

/** Leading whitespace width of a line. */
export function indentOf(code: string): number {
  return code.length - code.trimStart().length;
}

const TEST_DIRS = new Set(["tests", "test", "__tests__", "__mocks__", "spec", "testdata", "fixtures"]);

/** Test code by path: files under a tests/ folder or named *.test.*, *.spec.*, *.vitest.*, *_test.*, test_*.py, conftest.py, Rust tests.rs. */
export function isTestPath(path: string): boolean {
  const parts = path.split(/[\\/]/);
  const name = parts[parts.length - 1] ?? "";
  if (parts.slice(0, -1).some((p) => TEST_DIRS.has(p))) return true;
  return /\.(test|spec|vitest)\.[^.]+$/.test(name) || /_test\.[^.]+$/.test(name) || /^test_.*\.py$/.test(name) || name === "conftest.py" || name === "tests.rs";
}

/** Folders of test input by name (Go's `testdata`, JavaScript's `fixtures`), and `data` folders inside a test folder. */
const TEST_DATA_DIRS = new Set(["testdata", "test_data", "test-data", "fixtures", "__fixtures__"]);

/**
 * Test input by path: files under `testdata/`, `fixtures/` or a test folder's `data/` (psf/black's `tests/data/cases`).
 * Their text is what a test feeds a program (a formatter's input and expected output), not code anyone maintains as such.
 */
export function isTestDataPath(path: string): boolean {
  const dirs = path.split(/[\\/]/).slice(0, -1);
  return dirs.some((d, i) => TEST_DATA_DIRS.has(d) || (d === "data" && dirs.slice(0, i).some((up) => TEST_DIRS.has(up))));
}

const TEST_ATTRIBUTE = /^\s*#\[(?:cfg\(test\)|(?:[\w:]+::)?test)\]/;
const TEST_MODULE = /^\s*mod\s+tests?\s*\{/;

/**
 * Per line: is it test code? A test file is test code throughout; in Rust, the item after `#[cfg(test)]` or `#[test]`
 * (and a `mod tests { … }`) is test code up to its closing brace, or to the shard's end when the shard cuts it.
 */
export function testLines(views: LineView[], path: string, language: string): boolean[] {
  // The path is classified once, not once per line.
  const inTest: boolean[] = new Array<boolean>(views.length).fill(isTestPath(path));
  if (language !== "rust" || inTest.every(Boolean)) return inTest;
  for (let i = 0; i < views.length; i++) {
    const code = (views[i] as LineView).code;
    if (!TEST_ATTRIBUTE.test(code) && !TEST_MODULE.test(code)) continue;
    const end = itemEnd(views, i);
    for (let k = i; k <= end; k++) inTest[k] = true;
    i = end;
  }
  return inTest;
}

/** The last line of the item starting at `from`: where its braces balance, or a `;` before any brace. */
function itemEnd(views: LineView[], from: number): number {
  let depth = 0;
  let opened = false;
  for (let k = from; k < views.length; k++) {
    const code = (views[k] as LineView).code.replace(TEST_ATTRIBUTE, "");
    for (const ch of code) {
      if (ch === "{") {
        depth += 1;
        opened = true;
      } else if (ch === "}") {
        depth -= 1;
        if (opened && depth <= 0) return k;
      } else if (ch === ";" && !opened) {
        return k;
      }
    }
  }
  return views.length - 1;
}
