/**
 * Placeholder logic in non-test code: hard-coded returns marked "for now". (Names and values containing
 * stub/fake/mock are not findings: a feature called "mock" or an input's `placeholder` attribute is not unfinished code.)
 */
import type { Detector, Hit } from "./rules";
import { searchable } from "../reduce/evidence";

// A "stub class" or "stub file" is Python's typing stub (.pyi), not an unfinished one (psf/black: "Insert an empty line
// after a decorated stub class" above `return 0, 1`).
// A "temporary buffer" or "temporary file" is a thing the code makes, not code meant to go (DaveGamble/cJSON: "free the
// temporary buffer" above `return false;`).
const HINT = /\b(for now|placeholder|(?<!\btype\s)stub(bed)?(?!\s+(?:class|classes|files?|modules?|packages?|only)\b)|hard-?coded|temporarily|temporary(?!\s+(?:buffers?|files?|dir(?:ector(?:y|ies))?|folders?|variables?|storage|memory|copy|copies|objects?|strings?|arrays?|lists?|tables?|results?|paths?|names?|nodes?|data)\b)|dummy|fake)\b/i;
const LITERAL = String.raw`(?:-?\d[\d_]*(?:\.\d+)?(?:[eE][+-]?\d+)?(?:_?[a-z]\w*)?|"[^"]*"|'[^']*'|\x60[^\x60]*\x60|true|false|True|False|null|None|nil|undefined|\[\s*\]|\{\s*\}|\(\s*\)|vec!\[\s*\]|(?:Vec|String|HashMap|BTreeMap)::new\(\)|dict\(\)|list\(\)|Default::default\(\))`;
const VALUE = String.raw`(?:(?:Ok|Some|Promise\.resolve)\(\s*${LITERAL}\s*\)|${LITERAL})`;
const VALUES = String.raw`${VALUE}(?:\s*,\s*${VALUE})*`;
const RETURN_LITERAL = new RegExp(String.raw`^\s*return\s+${VALUES}\s*;?\s*$`);
/** Rust returns its tail expression without `return`. */
const TEMPLATE_WITH_VALUE = /\x60[^\x60]*\$\{/;
const TAIL_LITERAL = new RegExp(String.raw`^\s*${VALUE}\s*$`);
/** How far above the return a "for now" comment still speaks about it. */
const HINT_LINES_ABOVE = 2;

/** `return <literal>` (or a Rust tail literal) with a "for now"/"placeholder"/"hard-coded" comment on it or just above it. */
export const detectPlaceholderReturns: Detector = (input) => {
  const hits: Hit[] = [];
  input.views.forEach((v, i) => {
    if (input.testLines[i]) return;
    const literal = RETURN_LITERAL.test(v.code) || (input.language === "rust" && TAIL_LITERAL.test(v.code));
    // A template literal with an interpolation computes its value: it is no constant (the code view blanks `${…}`).
    if (!literal || TEMPLATE_WITH_VALUE.test(v.raw)) return;
    for (let k = i; k >= Math.max(0, i - HINT_LINES_ABOVE); k--) {
      const hint = HINT.exec(input.views[k]?.comment ?? "");
      if (!hint) continue;
      const detail = `comment says "${hint[0]}"`;
      // A bare tail literal (`0`) is too short to find again in the file: quote the comment and start there.
      if (!searchable(v.raw.trim())) hits.push({ rule: "placeholder-return", line: k, endLine: i, detail });
      else hits.push({ rule: "placeholder-return", line: i, column: v.code.search(/\S/), detail });
      return;
    }
  });
  return hits;
};
