/**
 * Which of many regular expressions can match a text, found in one pass over it. Each pattern's required literals
 * (strings one of which every match contains, read from its syntax tree) go into one Aho–Corasick automaton; a
 * pattern none of whose literals is in the text cannot match it and need not be run. A pattern with nothing to
 * require, or a flag this reading does not model (`u`, `v`), is always a candidate.
 *
 * Why it holds: without `u`/`v`, an ASCII letter of a pattern matches only its two ASCII cases, even under `i`, and a
 * character of 128 or more matches only characters of 128 or more. So a literal is kept in lower case with every
 * character of 128 or more as one symbol, OTHER, and the text is read the same way: every match of a pattern leaves
 * one of its literals in the text so read.
 */
import { RegExpParser } from "@eslint-community/regexpp";
import type { Alternative, Element } from "@eslint-community/regexpp/ast";

/** The symbol standing for any UTF-16 unit of 128 or more, in literals and in the text. */
const OTHER = 128;
const SYMBOLS = 129;
/** Largest set of exact strings kept for a piece of a pattern; beyond it the piece is only required, not spelled. */
const MAX_EXACT = 64;
/** Largest set of required strings kept for a pattern; beyond it the pattern is always a candidate. */
const MAX_REQUIRED = 256;
/** Widest character range spelled out as single characters. */
const MAX_RANGE = 26;

/** What is known of the strings a piece of a pattern matches. */
interface Piece {
  /** Every string it can match, when few (symbols as char codes 0–128); null when not known or too many. */
  exact: Set<string> | null;
  /** Strings one of which every match contains; null when nothing is required. */
  required: Set<string> | null;
}

const NOTHING_KNOWN: Piece = { exact: null, required: null };
const EMPTY: Piece = { exact: new Set([""]), required: null };

export interface LiteralGate {
  /**
   * One entry per pattern, in the order given: 1 when the pattern may match `text`, 0 when it cannot. The array is
   * reused by the next call.
   */
  candidates(text: string): Uint8Array;
}

/** A gate over `patterns`: what each requires, in one automaton. */
export function literalGate(patterns: readonly RegExp[]): LiteralGate {
  const always: number[] = [];
  const literals = new Map<string, number[]>();
  patterns.forEach((pattern, index) => {
    const required = requiredLiterals(pattern);
    if (required === null) always.push(index);
    else for (const literal of required) literals.set(literal, [...(literals.get(literal) ?? []), index]);
  });
  const automaton = buildAutomaton(literals);
  const mask = new Uint8Array(patterns.length);
  return {
    candidates(text) {
      mask.fill(0);
      for (const index of always) mask[index] = 1;
      const { delta, outputs } = automaton;
      let state = 0;
      for (let i = 0; i < text.length; i++) {
        const code = text.charCodeAt(i);
        state = delta[state * SYMBOLS + (code >= OTHER ? OTHER : code >= 65 && code <= 90 ? code + 32 : code)]!;
        const out = outputs[state];
        if (out !== undefined) for (const index of out) mask[index] = 1;
      }
      return mask;
    },
  };
}

/** Strings one of which (lower case, OTHER for 128 and above) is in every match of `pattern`; null when none is known. */
export function requiredLiterals(pattern: RegExp): Set<string> | null {
  if (/[uv]/.test(pattern.flags)) return null;
  const ast = new RegExpParser().parsePattern(pattern.source, 0, pattern.source.length, { unicode: false });
  return requiredOf(alternativesPiece(ast.alternatives));
}

function requiredOf(piece: Piece): Set<string> | null {
  if (piece.required) return piece.required;
  return piece.exact && !piece.exact.has("") ? piece.exact : null;
}

/** `a|b|…`: exact when every branch is; else each branch's requirement, all of them. */
function alternativesPiece(alternatives: readonly Alternative[]): Piece {
  const pieces = alternatives.map((a) => sequencePiece(a.elements));
  if (pieces.every((p) => p.exact)) {
    const exact = new Set(pieces.flatMap((p) => [...p.exact!]));
    if (exact.size <= MAX_EXACT) return { exact, required: null };
  }
  const required = new Set<string>();
  for (const piece of pieces) {
    const own = requiredOf(piece);
    if (own === null) return NOTHING_KNOWN;
    for (const s of own) required.add(s);
  }
  return required.size <= MAX_REQUIRED ? { exact: null, required } : NOTHING_KNOWN;
}

/** `ab…`: runs of exactly known pieces are spelled out together; the best requirement of the whole is kept. */
function sequencePiece(elements: readonly Element[]): Piece {
  const candidates: Set<string>[] = [];
  let run = new Set([""]);
  let allExact = true;
  const endRun = () => {
    if (!run.has("")) candidates.push(run);
    run = new Set([""]);
  };
  for (const element of elements) {
    const piece = elementPiece(element);
    const joined = piece.exact && product(run, piece.exact);
    if (joined) {
      run = joined;
      continue;
    }
    allExact = false;
    endRun();
    if (piece.exact) run = piece.exact;
    else if (piece.required) candidates.push(piece.required);
  }
  if (allExact) return { exact: run, required: null };
  endRun();
  return { exact: null, required: best(candidates) };
}

function elementPiece(element: Element): Piece {
  switch (element.type) {
    case "Character":
      return { exact: new Set([symbol(element.value)]), required: null };
    case "CharacterClass": {
      if (element.negate || element.unicodeSets) return NOTHING_KNOWN;
      const exact = new Set<string>();
      for (const e of element.elements) {
        if (e.type === "Character") exact.add(symbol(e.value));
        else if (e.type === "CharacterClassRange" && e.max.value - e.min.value < MAX_RANGE) {
          for (let c = e.min.value; c <= e.max.value; c++) exact.add(symbol(c));
        } else return NOTHING_KNOWN;
      }
      return { exact, required: null };
    }
    case "CharacterSet":
    case "Backreference":
      return NOTHING_KNOWN;
    case "Assertion":
      // Consumes nothing: a match's text is the concatenation of what the other elements consumed.
      return EMPTY;
    case "Group":
      // `(?i:…)` and its kind change how letters match: not modelled.
      return element.modifiers ? NOTHING_KNOWN : alternativesPiece(element.alternatives);
    case "CapturingGroup":
      return alternativesPiece(element.alternatives);
    case "Quantifier": {
      const inner = elementPiece(element.element);
      // What may match nothing requires nothing; `x?` is still spelled out.
      if (element.min === 0) return element.max === 1 && inner.exact && inner.exact.size < MAX_EXACT ? { exact: new Set(["", ...inner.exact]), required: null } : NOTHING_KNOWN;
      if (element.min === 1 && element.max === 1) return inner;
      return { exact: null, required: requiredOf(inner) };
    }
    default:
      return NOTHING_KNOWN;
  }
}

function symbol(code: number): string {
  if (code >= OTHER) return String.fromCharCode(OTHER);
  return String.fromCharCode(code >= 65 && code <= 90 ? code + 32 : code);
}

/** Every `a + b`, or null when there would be more than MAX_EXACT. */
function product(left: Set<string>, right: Set<string>): Set<string> | null {
  if (left.size * right.size > MAX_EXACT) return null;
  const out = new Set<string>();
  for (const a of left) for (const b of right) out.add(a + b);
  return out;
}

/** The requirement that rules out most texts: its shortest string longest, then the fewest strings. */
function best(candidates: Set<string>[]): Set<string> | null {
  let chosen: Set<string> | null = null;
  let chosenShortest = 0;
  for (const c of candidates) {
    const shortest = Math.min(...[...c].map((s) => s.length));
    if (!chosen || shortest > chosenShortest || (shortest === chosenShortest && c.size < chosen.size)) {
      chosen = c;
      chosenShortest = shortest;
    }
  }
  return chosen;
}

interface Automaton {
  /** Next state for (state, symbol), at state × SYMBOLS + symbol. */
  delta: Int32Array;
  /** The patterns whose literal ends at a state, its suffixes' included. */
  outputs: (number[] | undefined)[];
}

/** Aho–Corasick over the literals, as a full transition table. */
function buildAutomaton(literals: Map<string, number[]>): Automaton {
  const goto: Map<number, number>[] = [new Map()];
  const own: Set<number>[] = [new Set()];
  for (const [literal, patterns] of literals) {
    let state = 0;
    for (let i = 0; i < literal.length; i++) {
      const sym = literal.charCodeAt(i);
      let next = goto[state]!.get(sym);
      if (next === undefined) {
        next = goto.length;
        goto.push(new Map());
        own.push(new Set());
        goto[state]!.set(sym, next);
      }
      state = next;
    }
    for (const p of patterns) own[state]!.add(p);
  }
  const delta = new Int32Array(goto.length * SYMBOLS);
  const fail = new Int32Array(goto.length);
  const outputs: (number[] | undefined)[] = new Array(goto.length);
  // Breadth first, so a state's failure state is complete before the state is.
  const queue: number[] = [0];
  for (let head = 0; head < queue.length; head++) {
    const state = queue[head]!;
    const merged = new Set([...own[state]!, ...(state === 0 ? [] : outputs[fail[state]!] ?? [])]);
    outputs[state] = merged.size > 0 ? [...merged] : undefined;
    for (let sym = 0; sym < SYMBOLS; sym++) {
      const next = goto[state]!.get(sym);
      if (next === undefined) {
        delta[state * SYMBOLS + sym] = state === 0 ? 0 : delta[fail[state]! * SYMBOLS + sym]!;
        continue;
      }
      delta[state * SYMBOLS + sym] = next;
      fail[next] = state === 0 ? 0 : delta[fail[state]! * SYMBOLS + sym]!;
      queue.push(next);
    }
  }
  return { delta, outputs };
}
