/** Line markers in code: stub macros and "not implemented" throws, TODO/FIXME comments, silenced dead code, debug leftovers. */
import type { Detector, Hit, ScanInput } from "./rules";
import { blankInlineCode, indentOf, type LineView } from "./source";

const STUB_MACRO = /\b(todo|unimplemented)!\s*\(/;
const RAISE_NOT_IMPLEMENTED = /\braise\s+NotImplementedError\b/;
const THROWING = /\b(throw|raise|panic!?|Err|errors\.New|fmt\.Errorf)\s*[(\s]/;
const NOT_IMPLEMENTED_TEXT = /\b(not (yet )?implemented|unimplemented)\b/i;
const TODO_TEXT = /\bTODO\b/;
const NOT_IMPLEMENTED_EXCEPTION = /\bthrow\s+new\s+NotImplementedException\b/;
const ABSTRACT = /^\s*@(abc\.)?abstractmethod\b/;
const PY_DEF = /^(\s*)(async\s+)?def\s/;

/** todo!()/unimplemented!(), `raise NotImplementedError`, and throws/panics whose message says "not implemented". One hit per line. */
export const detectStubs: Detector = (input) => {
  const hits: Hit[] = [];
  input.views.forEach((v, i) => {
    const severity = input.testLines[i] ? "medium" : undefined;
    const macro = STUB_MACRO.exec(v.code);
    if (macro) {
      hits.push({ rule: "stub-macro", line: i, column: macro.index, detail: `${macro[1]}!()`, severity });
      return;
    }
    const raise = RAISE_NOT_IMPLEMENTED.exec(v.code);
    if (raise) {
      if (isAbstractMethod(input.views, i) || v.strings.some((s) => /subclass/i.test(s))) return;
      hits.push({ rule: "stub-raise", line: i, column: raise.index, severity });
      return;
    }
    const thrown = THROWING.exec(v.code);
    if ((thrown && v.strings.some((s) => NOT_IMPLEMENTED_TEXT.test(s) || TODO_TEXT.test(s))) || NOT_IMPLEMENTED_EXCEPTION.test(v.code)) {
      hits.push({ rule: "stub-throw", line: i, column: thrown?.index, severity });
    }
  });
  return hits;
};

/** A Python `raise` inside a def decorated with @abstractmethod is the contract, not a stub. */
function isAbstractMethod(views: LineView[], line: number): boolean {
  const indent = indentOf((views[line] as LineView).code);
  for (let k = line - 1; k >= 0; k--) {
    const code = (views[k] as LineView).code;
    if (code.trim() === "") continue;
    const def = PY_DEF.exec(code);
    if (def && (def[1] ?? "").length < indent) {
      for (let d = k - 1; d >= 0 && (views[d] as LineView).code.trim().startsWith("@"); d--) {
        if (ABSTRACT.test((views[d] as LineView).code)) return true;
      }
      return false;
    }
  }
  return false;
}

/**
 * A marker used as one: `TODO: …`, `FIXME(ana)`, `HACK!`, `XXX - …`, or the comment's first word. Upper case only
 * (the convention; prose like "hack" stays quiet), and a mention in a list ("TODO/FIXME comments") is not a use.
 */
function markerUse(words: string): RegExp {
  return new RegExp(String.raw`^[\s/*#!<-]*(${words})\b(?![,/])|\b(${words})\s*[:(!-]`);
}
const FIXME_USE = markerUse("FIXME|XXX|HACK");
const TODO_USE = markerUse("TODO");

/** TODO, FIXME, XXX and HACK comments. */
export const detectMarkerComments: Detector = (input) => {
  const hits: Hit[] = [];
  input.views.forEach((v, i) => {
    if (!v.comment) return;
    const comment = blankInlineCode(v.comment);
    const fixme = FIXME_USE.exec(comment);
    if (fixme) {
      const word = (fixme[1] ?? fixme[2]) as string;
      hits.push({ rule: "fixme-comment", line: i, column: v.raw.indexOf(word), detail: word });
      return;
    }
    if (TODO_USE.test(comment)) hits.push({ rule: "todo-comment", line: i, column: v.raw.indexOf("TODO") });
  });
  return hits;
};

const ALLOW_DEAD_CODE = /#!?\[\s*allow\s*\(([^)]*\b(dead_code|unused\w*)\b[^)]*)\)\s*\]/;
/** The directive itself, at the start of its comment (a comment that talks about it is not one). */
const ESLINT_UNUSED = /^(?:\/\/|\/\*+)\s*eslint-disable\S*\s+[^*]*\bno-unused-vars\b/;
const NOQA_UNUSED = /#\s*noqa:\s*[^#]*\b(F401|F841)\b/;

/** `#[allow(dead_code)]`/`#[allow(unused…)]`, eslint-disable no-unused-vars, `# noqa: F401/F841`: unused code kept on purpose. */
export const detectDeadCode: Detector = (input) => {
  const hits: Hit[] = [];
  input.views.forEach((v, i) => {
    const allow = ALLOW_DEAD_CODE.exec(v.code);
    if (allow) {
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
