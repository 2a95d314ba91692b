/** Placeholder logic in non-test code: stub/fake/mock/dummy names and values, and hard-coded returns marked "for now". */
import { extname } from "node:path";
import type { Detector, Hit } from "./rules";

const STUB_WORDS = new Set([
  "stub", "stubs", "stubbed", "fake", "fakes", "faked", "placeholder", "placeholders",
  "dummy", "dummies", "mock", "mocks", "mocked",
]);
/** In UI code `placeholder` is an input's hint text, not unfinished logic. */
const UI_EXTENSIONS = new Set([".tsx", ".jsx", ".html", ".vue", ".svelte"]);
const UI_WORDS = new Set(["placeholder", "placeholders"]);
const PLACEHOLDER_VALUE = /^(change[-_]?me|replace[-_]?me|your[-_].*[-_]here|<your[^>]*>)$/i;
const IDENTIFIER = /[A-Za-z_$][\w$]*/g;
/** A value-like string (a key, token, name): no whitespace, short. Prose messages are left alone. */
const MAX_VALUE_CHARS = 64;

/** Words of an identifier or value: `fakeUser` → fake, user; `HTTPMock` → http, mock; `MOCK_URL` → mock, url. */
export function wordsOf(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}

/**
 * Identifiers and value-like strings with a whole word stub/fake/placeholder/dummy/mock (so `mockingbird` and
 * `stubborn` stay quiet), outside test files and Rust test modules. One hit per line.
 */
export const detectStubIdentifiers: Detector = (input) => {
  const ui = UI_EXTENSIONS.has(extname(input.path).toLowerCase());
  const isStubWord = (w: string) => STUB_WORDS.has(w) && !(ui && UI_WORDS.has(w));
  const hits: Hit[] = [];
  input.views.forEach((v, i) => {
    if (input.testLines[i]) return;
    for (const m of v.code.matchAll(IDENTIFIER)) {
      if (wordsOf(m[0]).some(isStubWord)) {
        hits.push({ rule: "stub-identifier", line: i, column: m.index, detail: m[0] });
        return;
      }
    }
    for (const s of v.strings) {
      if (s.length === 0 || s.length > MAX_VALUE_CHARS || /\s/.test(s)) continue;
      if (PLACEHOLDER_VALUE.test(s) || wordsOf(s).some(isStubWord)) {
        hits.push({ rule: "stub-identifier", line: i, column: v.raw.indexOf(s), detail: JSON.stringify(s) });
        return;
      }
    }
  });
  return hits;
};

const HINT = /\b(for now|placeholder|stub(bed)?|hard-?coded|temporar(y|ily)|dummy|fake)\b/i;
const LITERAL = String.raw`(?:-?\d[\d_]*(?:\.\d+)?(?:[eE][+-]?\d+)?(?:_?[a-z]\w*)?|"[^"]*"|'[^']*'|\x60[^\x60]*\x60|true|false|True|False|null|None|nil|undefined|\[\s*\]|\{\s*\}|\(\s*\)|vec!\[\s*\]|(?:Vec|String|HashMap|BTreeMap)::new\(\)|dict\(\)|list\(\)|Default::default\(\))`;
const VALUE = String.raw`(?:(?:Ok|Some|Promise\.resolve)\(\s*${LITERAL}\s*\)|${LITERAL})`;
const VALUES = String.raw`${VALUE}(?:\s*,\s*${VALUE})*`;
const RETURN_LITERAL = new RegExp(String.raw`^\s*return\s+${VALUES}\s*;?\s*$`);
/** Rust returns its tail expression without `return`. */
const TAIL_LITERAL = new RegExp(String.raw`^\s*${VALUE}\s*$`);
/** Evidence shorter than this cannot be located again reliably (the evidence check ignores it). */
const MIN_QUOTE_CHARS = 4;
/** How far above the return a "for now" comment still speaks about it. */
const HINT_LINES_ABOVE = 2;

/** `return <literal>` (or a Rust tail literal) with a "for now"/"placeholder"/"hard-coded" comment on it or just above it. */
export const detectPlaceholderReturns: Detector = (input) => {
  const hits: Hit[] = [];
  input.views.forEach((v, i) => {
    if (input.testLines[i]) return;
    const literal = RETURN_LITERAL.test(v.code) || (input.language === "rust" && TAIL_LITERAL.test(v.code));
    if (!literal) return;
    for (let k = i; k >= Math.max(0, i - HINT_LINES_ABOVE); k--) {
      const hint = HINT.exec(input.views[k]?.comment ?? "");
      if (!hint) continue;
      const detail = `comment says "${hint[0]}"`;
      // A bare tail literal (`0`) is too short to find again in the file: quote the comment and start there.
      if (v.raw.trim().length < MIN_QUOTE_CHARS) hits.push({ rule: "placeholder-return", line: k, endLine: i, detail });
      else hits.push({ rule: "placeholder-return", line: i, column: v.code.search(/\S/), detail });
      return;
    }
  });
  return hits;
};
