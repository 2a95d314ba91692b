/**
 * Defect operators: where in a real file each kind of planted defect can go, found with tree-sitter, as text edits.
 * Offsets are UTF-16 string indexes (what tree-sitter's startIndex/endIndex are under web-tree-sitter).
 */
import type { Node } from "web-tree-sitter";
import { hasGrammar, withTree } from "../shard/grammars";
import type { FindingCategory } from "../../domain/verdict";

export const OPERATORS = ["stub", "hardcode", "swallow", "guard", "doc-placeholder", "duplicate-import", "dead-code"] as const;
export type Operator = (typeof OPERATORS)[number];

/** The finding categories that count as finding each operator's plant (verified_components never does). */
export const OPERATOR_CATEGORIES: Record<Operator, FindingCategory[]> = {
  stub: ["pseudocode_flags", "missing_components", "critical_failures"],
  hardcode: ["pseudocode_flags", "critical_failures", "risk_points"],
  swallow: ["risk_points", "critical_failures", "pseudocode_flags"],
  guard: ["risk_points", "critical_failures", "missing_components"],
  "doc-placeholder": ["pseudocode_flags", "critical_failures", "missing_components", "prd_mismatches"],
  "duplicate-import": ["critical_failures", "risk_points", "pseudocode_flags"],
  "dead-code": ["pseudocode_flags", "broken_pipelines", "risk_points"],
};

/** One place an operator can plant: replace [start, end) with `text`; the defect sits on `focus` lines of the result. */
export interface Site {
  operator: Operator;
  start: number;
  end: number;
  text: string;
  /** Lines of the defect, counted from the line `start` is on (0 = that line). */
  focus: [number, number];
  /** The function the plant went into, when it went into one. */
  symbol?: string;
  /** What was done, for the report ("throw not implemented", "deleted guard"). */
  detail: string;
}

const FUNCTIONS: Record<string, string[]> = {
  typescript: ["function_declaration", "generator_function_declaration", "method_definition", "function_expression", "arrow_function"],
  tsx: ["function_declaration", "generator_function_declaration", "method_definition", "function_expression", "arrow_function"],
  javascript: ["function_declaration", "generator_function_declaration", "method_definition", "function_expression", "arrow_function"],
  rust: ["function_item"],
  python: ["function_definition"],
  go: ["function_declaration", "method_declaration", "func_literal"],
};
const IMPORTS: Record<string, string[]> = {
  typescript: ["import_statement"],
  tsx: ["import_statement"],
  javascript: ["import_statement"],
  rust: ["use_declaration"],
  python: ["import_statement", "import_from_statement"],
  go: ["import_spec"],
};
const STUBS: Record<string, string> = {
  typescript: 'throw new Error("not implemented");',
  tsx: 'throw new Error("not implemented");',
  javascript: 'throw new Error("not implemented");',
  rust: "todo!()",
  go: 'panic("not implemented")',
};
const EXITS = /\b(throw|raise|return|panic|bail!|Err\()/;
const DOC_PLACEHOLDERS = ["TODO: describe this section.", "Lorem ipsum dolor sit amet, consectetur adipiscing elit.", "We need to update this once the behaviour settles.", "TBD"];

/** Every site where an operator can plant in this file; empty for a language with no operator. */
export async function findSites(language: string, text: string): Promise<Site[]> {
  if (language === "markdown") return docSites(text);
  if (!hasGrammar(language) || !FUNCTIONS[language]) return [];
  return withTree(language, text, (tree) => {
    const root = tree.rootNode;
    const sites: Site[] = [];
    for (const fn of nodes(root.descendantsOfType(FUNCTIONS[language]!))) {
      const body = fn.childForFieldName("body");
      if (!body || body.endPosition.row - body.startPosition.row < 2) continue;
      const symbol = fn.childForFieldName("name")?.text;
      const at = <T extends Omit<Site, "symbol">>(s: T | null) => s && sites.push({ ...s, ...(symbol ? { symbol } : {}) });
      at(stubSite(language, text, fn, body));
      for (const r of returnsOf(language, body)) at(hardcodeSite(language, r));
      at(swallowSite(language, text, body));
      at(guardSite(language, text, body));
      if (language === "rust") at(deadCodeSite(text, fn));
    }
    sites.push(...importSites(language, text, root));
    return sites;
  });
}

function nodes(list: (Node | null)[]): Node[] {
  return list.filter((n): n is Node => n !== null);
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf("\n", offset - 1) + 1;
}

function lineEnd(text: string, offset: number): number {
  const i = text.indexOf("\n", offset);
  return i < 0 ? text.length : i;
}

function indentAt(text: string, offset: number): string {
  return /^[ \t]*/.exec(text.slice(lineStart(text, offset)))![0];
}

function stubSite(language: string, text: string, fn: Node, body: Node): Omit<Site, "symbol"> | null {
  const statements = nodes(body.namedChildren).filter((n) => !n.type.includes("comment"));
  if (statements.length < 2) return null;
  if (language === "python") {
    // Keep the docstring: a stub under its documentation is the shape a real one has.
    const first = statements[0]!;
    const doc = first.type === "expression_statement" && first.namedChildren[0]?.type === "string";
    const from = doc ? statements[1]! : first;
    return { operator: "stub", start: from.startIndex, end: body.endIndex, text: "raise NotImplementedError", focus: [0, 0], detail: "raise NotImplementedError" };
  }
  const inner = indentAt(text, statements[0]!.startIndex);
  const outer = indentAt(text, fn.startIndex);
  return { operator: "stub", start: body.startIndex, end: body.endIndex, text: `{\n${inner}${STUBS[language]}\n${outer}}`, focus: [1, 1], detail: STUBS[language]! };
}

function returnsOf(language: string, body: Node): Node[] {
  if (language === "rust") {
    const tail = nodes(body.namedChildren).at(-1);
    // A tail that is itself a stub (`unimplemented!()`) has no computed value to hard-code.
    const computed = tail && !/^(todo|unimplemented|panic|unreachable)!/.test(tail.text) && !tail.type.endsWith("_statement") && !tail.type.includes("comment") && !tail.type.endsWith("_item") && tail.type !== "let_declaration" ? [tail] : [];
    return [...nodes(body.descendantsOfType("return_expression")).map((r) => r.namedChildren[0]).filter((n): n is Node => !!n), ...computed];
  }
  return nodes(body.descendantsOfType("return_statement")).flatMap((r) => {
    const values = nodes(r.namedChildren);
    const only = values.length === 1 ? values[0]! : null;
    if (only?.type === "expression_list") return nodes(only.namedChildren).length === 1 ? nodes(only.namedChildren) : [];
    return only ? [only] : [];
  });
}

/** A returned value computed from something, replaced by a constant of a plausible type. */
function hardcodeSite(language: string, value: Node): Omit<Site, "symbol"> | null {
  const t = value.text;
  if (value.startPosition.row !== value.endPosition.row || /^(\w+|\d+|"[^"]*"|'[^']*'|true|false|null|None|nil|self|this)$/.test(t.trim())) return null;
  const literal = constantFor(language, t);
  return { operator: "hardcode", start: value.startIndex, end: value.endIndex, text: literal, focus: [0, 0], detail: `returns ${literal} instead of ${t.slice(0, 40)}` };
}

function constantFor(language: string, expr: string): string {
  const py = language === "python";
  if (language === "rust") return expr.startsWith("Ok(") ? "Ok(Default::default())" : expr.startsWith("Some(") ? "None" : "Default::default()";
  if (/[=!]=|[<>]=?|&&|\|\||^!|\b(is|has|and|or|not)\b/.test(expr)) return py ? "True" : "true";
  if (/["'`]/.test(expr)) return '""';
  if (/[-+*/%]|\b(len|count|size|total|sum|length)\b/i.test(expr)) return "0";
  return py ? "None" : language === "go" ? "nil" : "null";
}

/** An error handler emptied where one exists, a `?` turned into `.ok()`/`.unwrap_or_default()` in Rust. */
function swallowSite(language: string, text: string, body: Node): Omit<Site, "symbol"> | null {
  if (language === "rust") {
    const q = nodes(body.descendantsOfType("try_expression")).find((n) => n.startPosition.row === n.endPosition.row);
    if (!q) return null;
    const inner = q.namedChildren[0];
    if (!inner) return null;
    const statement = q.parent?.type === "expression_statement";
    const suffix = statement ? ".ok()" : ".unwrap_or_default()";
    return { operator: "swallow", start: q.startIndex, end: q.endIndex, text: `${inner.text}${suffix}`, focus: [0, 0], detail: `? became ${suffix}` };
  }
  if (language === "python") {
    const clause = nodes(body.descendantsOfType("except_clause"))[0];
    if (!clause) return null;
    const indent = indentAt(text, clause.startIndex);
    return { operator: "swallow", start: clause.startIndex, end: clause.endIndex, text: `except Exception:\n${indent}    pass`, focus: [0, 1], detail: "except Exception: pass" };
  }
  if (language === "go") {
    const guard = nodes(body.descendantsOfType("if_statement")).find((n) => n.childForFieldName("condition")?.text === "err != nil");
    const block = guard?.childForFieldName("consequence");
    if (!guard || !block) return null;
    return { operator: "swallow", start: block.startIndex, end: block.endIndex, text: `{\n${indentAt(text, guard.startIndex)}}`, focus: [0, 1], detail: "if err != nil {} (empty)" };
  }
  const handler = nodes(body.descendantsOfType("catch_clause"))[0]?.childForFieldName("body");
  if (handler && nodes(handler.namedChildren).length > 0) {
    return { operator: "swallow", start: handler.startIndex, end: handler.endIndex, text: "{}", focus: [0, 0], detail: "empty catch block" };
  }
  return null;
}

/** An early-exit check at the top of a function (validation), deleted whole. */
function guardSite(language: string, text: string, body: Node): Omit<Site, "symbol"> | null {
  const statements = nodes(body.namedChildren).filter((n) => !n.type.includes("comment"));
  for (const s of statements.slice(0, 3)) {
    const isIf = s.type === "if_statement" || (s.type === "expression_statement" && s.namedChildren[0]?.type === "if_expression") || s.type === "if_expression";
    const isAssert = s.type === "assert_statement" || (language === "rust" && /^(ensure!|assert!)/.test(s.text));
    if (!isIf && !isAssert) continue;
    if (isIf && (!EXITS.test(s.text) || /\belse\b/.test(s.text) || /err != nil/.test(s.text))) continue;
    if (s === statements.at(-1)) continue;
    const start = lineStart(text, s.startIndex);
    const end = Math.min(text.length, lineEnd(text, s.endIndex) + 1);
    // The plant is the gap: the line before the deletion and the line now in its place.
    return { operator: "guard", start, end, text: "", focus: [-1, 0], detail: `deleted guard: ${s.text.split("\n")[0]!.trim().slice(0, 60)}` };
  }
  return null;
}

/** A short function copied under a new name and kept alive only by `#[allow(dead_code)]`. */
function deadCodeSite(text: string, fn: Node): Omit<Site, "symbol"> | null {
  const name = fn.childForFieldName("name");
  const rows = fn.endPosition.row - fn.startPosition.row;
  if (!name || rows > 25 || fn.parent?.type !== "source_file") return null;
  const copy = `${text.slice(fn.startIndex, name.startIndex)}${name.text}_legacy${text.slice(name.endIndex, fn.endIndex)}`;
  const at = lineEnd(text, fn.endIndex);
  return { operator: "dead-code", start: at, end: at, text: `\n\n#[allow(dead_code)]\n${copy}`, focus: [2, 3 + rows], detail: `${name.text}_legacy kept by #[allow(dead_code)]` };
}

/** A single-line import repeated after the last import. */
function importSites(language: string, text: string, root: Node): Site[] {
  const imports = nodes(root.descendantsOfType(IMPORTS[language] ?? [])).filter((n) => n.startPosition.row === n.endPosition.row);
  const last = imports.at(-1);
  if (!last) return [];
  const at = lineEnd(text, last.endIndex);
  return imports.map((imp) => {
    const line = text.slice(lineStart(text, imp.startIndex), lineEnd(text, imp.endIndex));
    return { operator: "duplicate-import" as const, start: at, end: at, text: `\n${line}`, focus: [1, 1] as [number, number], detail: `repeated: ${line.trim().slice(0, 60)}` };
  });
}

/** Placeholder text under a Markdown heading (outside code fences). */
function docSites(text: string): Site[] {
  const sites: Site[] = [];
  let fenced = false;
  let offset = 0;
  for (const line of text.split("\n")) {
    if (/^\s{0,3}(```|~~~)/.test(line)) fenced = !fenced;
    else if (!fenced && /^#{1,6}\s+\S/.test(line)) {
      const at = offset + line.length;
      const placeholder = DOC_PLACEHOLDERS[sites.length % DOC_PLACEHOLDERS.length]!;
      sites.push({ operator: "doc-placeholder", start: at, end: at, text: `\n\n${placeholder}`, focus: [2, 2], symbol: line.replace(/^#+\s*/, "").slice(0, 60), detail: `"${placeholder}" under ${line.trim().slice(0, 40)}` });
    }
    offset += line.length + 1;
  }
  return sites;
}
