/**
 * Stub functions, read from the syntax tree: a function whose whole body (after its docstring and comments) is one
 * `raise NotImplementedError`, or one throw/panic whose message says "not implemented"/"TODO". A method of a class
 * that only raises is the class's interface (subclasses override it), not a stub, and is not reported.
 */
import type { Node } from "web-tree-sitter";
import type { Detector, Hit } from "./rules";

const FUNCTIONS = [
  "function_definition", "function_declaration", "function_expression", "generator_function_declaration", "arrow_function",
  "method_definition", "method_declaration", "func_literal", "function_item",
];
const CLASS_BODY = /^(class_body|class_definition|class_declaration|abstract_class_declaration|class)$/;
const NOT_IMPLEMENTED = /\b(not (yet )?implemented|unimplemented)\b|\bTODO\b/i;
const RAISE_NOT_IMPLEMENTED = /^raise\s+NotImplementedError\b/;
const THROW = /^(throw\b|raise\b|panic\s*\(|panic!\s*\(|return\b.*\b(errors\.New|fmt\.Errorf)\s*\(|Err\s*\()/;
const ABSTRACT = /@(abc\.)?abstractmethod\b|\babstract\b/;

/** Report stub functions: raise NotImplementedError (stub-raise), or a "not implemented" throw/panic (stub-throw). */
export const detectStubFunctions: Detector = (input) => {
  const root = input.root;
  if (!root) return [];
  const hits: Hit[] = [];
  for (const fn of root.descendantsOfType(FUNCTIONS)) {
    const hit = fn ? stubOf(fn, input.testLines) : null;
    if (hit) hits.push(hit);
  }
  return hits;
};

function stubOf(fn: Node, testLines: boolean[]): Hit | null {
  const body = fn.childForFieldName("body");
  if (!body) return null;
  const statements = bodyStatements(body);
  if (statements.length !== 1) return null;
  const only = statements[0] as Node;
  const text = only.text.trim();
  const line = only.startPosition.row;
  const severity = testLines[line] ? "medium" : undefined;
  if (RAISE_NOT_IMPLEMENTED.test(text)) {
    if (isClassMember(fn) || isAbstract(fn)) return null;
    return { rule: "stub-raise", line, column: only.startPosition.column, severity };
  }
  if (THROW.test(text) && NOT_IMPLEMENTED.test(text)) {
    if (fn.type === "method_definition" && isClassMember(fn)) return null;
    return { rule: "stub-throw", line, column: only.startPosition.column, severity };
  }
  return null;
}

/** The statements of a function body, without comments and a leading docstring; Go's statement_list unwrapped. */
function bodyStatements(body: Node): Node[] {
  let nodes = body.namedChildren.filter((n): n is Node => n !== null && !/comment|debugger_statement/.test(n.type));
  if (nodes.length === 1 && nodes[0]?.type === "statement_list") nodes = (nodes[0] as Node).namedChildren.filter((n): n is Node => n !== null && !/comment/.test(n.type));
  // A Rust body may be a bare tail expression; an arrow function's body may be an expression, not a block.
  if (!/block/.test(body.type)) return [body];
  const first = nodes[0];
  if (first?.type === "expression_statement" && first.namedChildren[0]?.type === "string" && nodes.length > 1) nodes = nodes.slice(1);
  return nodes.map((n) => (n.type === "expression_statement" && n.namedChildren.length === 1 && /throw|raise|macro|call/.test(n.namedChildren[0]?.type ?? "") ? (n.namedChildren[0] as Node) : n));
}

/**
 * True when the function is defined directly in a class body (a method), decorators included. An indented function
 * at the top of the shard is a member of a class the sharder cut off (the class header sits in an earlier shard).
 */
function isClassMember(fn: Node): boolean {
  const outer = fn.parent?.type === "decorated_definition" ? fn.parent : fn;
  let p = outer.parent;
  if (p?.type === "block") p = p.parent;
  if (p !== null && CLASS_BODY.test(p.type)) return true;
  return p !== null && p.parent === null && outer.startPosition.column > 0;
}

function isAbstract(fn: Node): boolean {
  const decorated = fn.parent?.type === "decorated_definition" ? fn.parent : null;
  return ABSTRACT.test(decorated ? decorated.text.slice(0, decorated.text.indexOf("def")) : "");
}
