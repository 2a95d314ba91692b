/** Line markers in code: stub macros and "not implemented" throws, TODO/FIXME comments, silenced dead code, debug leftovers. */
import type { Detector, Hit, ScanInput } from "./rules";
import { blankInlineCode, isTestDataPath, type LineView } from "./source";

const STUB_MACRO = /\b(todo|unimplemented)!\s*\(/;

/** todo!()/unimplemented!() anywhere in code (comments and strings are blanked in the code view). One hit per line. */
export const detectStubs: Detector = (input) => {
  const hits: Hit[] = [];
  input.views.forEach((v, i) => {
    const macro = STUB_MACRO.exec(v.code);
    if (macro) hits.push({ rule: "stub-macro", line: i, column: macro.index, detail: `${macro[1]}!()`, severity: input.testLines[i] ? "medium" : undefined });
  });
  return hits;
};

/**
 * A marker used as one: `TODO: …`, `FIXME(ana)`, `HACK!`, `XXX - …`, or the comment's first word. Upper case only
 * (the convention; prose like "hack" stays quiet), and a mention in a list ("TODO/FIXME comments") is not a use.
 */
function markerUse(words: string): RegExp {
  return new RegExp(String.raw`^[\s/*#!<-]*(${words})\b(?![,/])|\b(${words})\s*[:(!-]`);
}
const FIXME_USE = markerUse("FIXME|XXX|HACK");
const TODO_USE = markerUse("TODO");

/**
 * TODO, FIXME, XXX and HACK comments. Not in test input (isTestDataPath): a marker there is text a test feeds the
 * program (a formatter's case keeps `# FIXME` as input and in its expected output), a note to no one. A block of
 * comment lines that repeats the marker on every line (`# XXX: This can be confused …` / `# XXX: a non-attrs class …`,
 * python-attrs) is one note: one finding, quoting the block's first line.
 */
export const detectMarkerComments: Detector = (input) => {
  const hits: Hit[] = [];
  if (isTestDataPath(input.path)) return hits;
  // The marker of the last hit when it stands on comment-only lines that a next such line may continue.
  let open: { hit: Hit; word: string } | undefined;
  input.views.forEach((v, i) => {
    if (!v.comment) return;
    const comment = blankInlineCode(v.comment);
    const fixme = FIXME_USE.exec(comment);
    const word = fixme ? ((fixme[1] ?? fixme[2]) as string) : TODO_USE.test(comment) ? "TODO" : undefined;
    if (word === undefined) return;
    const alone = v.code.trim() === "";
    if (alone && open?.word === word && (open.hit.endLine ?? open.hit.line) === i - 1) {
      open.hit.endLine = i;
      return;
    }
    const hit: Hit = fixme ? { rule: "fixme-marker", line: i, column: v.raw.indexOf(word), detail: word } : { rule: "todo-comment", line: i, column: v.raw.indexOf(word) };
    hits.push(hit);
    open = alone ? { hit, word } : undefined;
  });
  return hits;
};

const ALLOW_DEAD_CODE = /#!?\[\s*allow\s*\(([^)]*\b(dead_code|unused\w*)\b[^)]*)\)\s*\]/;
/** The directive itself, at the start of its comment (a comment that talks about it is not one). */
const ESLINT_UNUSED = /^(?:\/\/|\/\*+)\s*eslint-disable\S*\s+[^*]*\bno-unused-vars\b/;
/** F841 (an unused local) only: `noqa: F401` marks re-exports, TYPE_CHECKING and optional-import probes, which are used. */
const NOQA_UNUSED = /#\s*noqa:\s*[^#]*\b(F841)\b/;
/** A `#[cfg(…)]` beside the allowance: the code is used on another platform or feature. */
const CFG_ATTRIBUTE = /^\s*#\[cfg(_attr)?\(/;

/**
 * `#[allow(dead_code)]`/`#[allow(unused…)]`, eslint-disable no-unused-vars, `# noqa: F841`: unused code kept on purpose.
 * An allowance that states its reason in a comment on its line, or sits beside a `#[cfg(…)]`, is deliberate and skipped;
 * so is one in test code, where values declared only for their types and fixtures never read are the norm.
 */
export const detectDeadCode: Detector = (input) => {
  const hits: Hit[] = [];
  input.views.forEach((v, i) => {
    if (input.testLines[i]) return;
    const allow = ALLOW_DEAD_CODE.exec(v.code);
    if (allow) {
      const beside = [input.views[i - 1], input.views[i + 1]].some((n) => n !== undefined && CFG_ATTRIBUTE.test(n.code));
      if (v.comment.trim() !== "" || beside) return;
      hits.push({ rule: "dead-code-allowed", line: i, column: allow.index, detail: `allow(${allow[1]?.trim()})` });
      return;
    }
    const comment = blankInlineCode(v.comment);
    const lint = ESLINT_UNUSED.exec(comment) ?? NOQA_UNUSED.exec(comment);
    if (lint) hits.push({ rule: "dead-code-allowed", line: i, column: v.raw.indexOf(lint[0]), detail: lint[0] });
  });
  return hits;
};

const DEBUG_STATEMENT: Record<string, RegExp> = {
  typescript: /^\s*debugger\s*;?\s*$/,
  tsx: /^\s*debugger\s*;?\s*$/,
  javascript: /^\s*debugger\s*;?\s*$/,
  python: /\bbreakpoint\(\s*\)|\bpdb\.set_trace\(\s*\)/,
  rust: /\bdbg!\s*\(/,
};

/** `debugger;`, `breakpoint()` / `pdb.set_trace()`, `dbg!(…)`. */
export const detectDebugLeftovers: Detector = (input: ScanInput) => {
  const pattern = DEBUG_STATEMENT[input.language];
  if (!pattern) return [];
  const hits: Hit[] = [];
  input.views.forEach((v, i) => {
    const m = pattern.exec(v.code);
    if (m) hits.push({ rule: "debug-leftover", line: i, column: m.index + (m[0].length - m[0].trimStart().length) });
  });
  return hits;
};
