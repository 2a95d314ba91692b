/** Short names for the items a shard holds: `fn login`, `impl Auth`, `class Foo`, `def bar`. */
import type { Node } from "web-tree-sitter";
import { shortSymbol } from "./pieces";
import type { Syntax } from "./syntax";

/** The node an export/decorator/template wrapper stands for (the node itself when it wraps nothing). */
export function unwrap(node: Node, syntax: Syntax): Node {
  let item = node;
  for (;;) {
    const inner = wrapped(item, syntax);
    if (inner === null) return item;
    item = inner;
  }
}

function wrapped(node: Node, syntax: Syntax): Node | null {
  if (syntax.wrappers.has(node.type)) {
    return node.childForFieldName("declaration") ?? node.childForFieldName("definition") ?? node.lastNamedChild;
  }
  // TypeScript parses `namespace X {}` as an expression statement around the namespace.
  if (node.type === "expression_statement" && node.namedChildCount === 1) {
    const only = node.firstNamedChild;
    if (only !== null && only.type in syntax.items) return only;
  }
  return null;
}

/**
 * The symbol of an item, or undefined when the node is not a named item. Bindings (const, var,
 * top-level assignments) are named only when `inside` is false: inside a split function they are
 * ordinary statements.
 */
export function symbolOf(node: Node, syntax: Syntax, inside: boolean): string | undefined {
  const item = unwrap(node, syntax);
  const keyword = syntax.items[item.type];
  if (keyword !== undefined) {
    if (syntax.bodied?.has(item.type) && item.childForFieldName("body") === null) return undefined;
    const name = nameItem(item, keyword);
    return syntax.namedOnly && name.trim() === keyword ? undefined : shortSymbol(name);
  }
  const binding = syntax.bindings[item.type];
  if (binding !== undefined && !inside) {
    const name = nameBinding(item, binding);
    return name === undefined ? undefined : shortSymbol(name);
  }
  if (item.type === "expression_statement") {
    const call = callbackCall(item);
    return call === undefined ? undefined : shortSymbol(call);
  }
  return undefined;
}

/**
 * Whether a node of this type can have a symbol (symbolOf) or wrap a node that does (unwrap): an item, a wrapper, an
 * expression statement (a namespace, a callback call, a Python binding), or a binding outside any item. A walk can
 * pass any other node without making a Node of it. Keep it beside symbolOf: a case added there belongs here too.
 */
export function maySymbolise(type: string, syntax: Syntax, inside: boolean): boolean {
  return type in syntax.items || syntax.wrappers.has(type) || type === "expression_statement" || (!inside && type in syntax.bindings);
}

function nameItem(item: Node, keyword: string): string {
  switch (item.type) {
    case "impl_item": {
      const type = item.childForFieldName("type")?.text ?? "";
      const trait = item.childForFieldName("trait")?.text;
      return trait === undefined ? `impl ${type}` : `impl ${trait} for ${type}`;
    }
    case "method_declaration": {
      // Go: `func (s *Server) Handle`; elsewhere methods have a plain name.
      const receiver = item.childForFieldName("receiver")?.text;
      const name = item.childForFieldName("name")?.text ?? "";
      return receiver === undefined ? `${keyword} ${name}` : `${keyword} ${receiver} ${name}`;
    }
    case "type_declaration": {
      const spec = item.firstNamedChild;
      return `${keyword} ${spec?.childForFieldName("name")?.text ?? ""}`;
    }
    case "function_definition": {
      // C and C++ name a function through its declarator: `int Foo::get(int a) const`.
      // Pointer and reference declarators hold the function declarator without a field name.
      const inner = (d: Node) => d.childForFieldName("declarator") ?? d.namedChildren.find((c) => c?.type.endsWith("declarator")) ?? null;
      let declarator = item.childForFieldName("declarator");
      while (declarator !== null && declarator.type !== "function_declarator") declarator = inner(declarator);
      if (declarator !== null) return `${keyword} ${declarator.childForFieldName("declarator")?.text ?? ""}`;
      break;
    }
  }
  const name = item.childForFieldName("name")?.text;
  if (name === undefined) return keyword;
  return keyword.endsWith(".") ? `${keyword}${name}` : `${keyword} ${name}`.trim();
}

function nameBinding(item: Node, keyword: string): string | undefined {
  switch (item.type) {
    case "lexical_declaration":
    case "variable_declaration": {
      const kind = item.firstChild?.text ?? keyword;
      const name = item.firstNamedChild?.childForFieldName("name")?.text;
      return name === undefined ? undefined : `${kind} ${name}`;
    }
    case "expression_statement": {
      // Python module constants: `TIMEOUT = 30`.
      const assignment = item.firstNamedChild;
      const left = assignment?.type === "assignment" ? assignment.childForFieldName("left") : null;
      return left?.type === "identifier" ? `${left.text} =` : undefined;
    }
    case "const_declaration":
    case "var_declaration": {
      const spec = item.firstNamedChild;
      const name = spec?.childForFieldName("name")?.text ?? spec?.firstNamedChild?.firstNamedChild?.text;
      return name === undefined ? keyword : `${keyword} ${name}`;
    }
  }
  const name = item.childForFieldName("name")?.text;
  return name === undefined ? undefined : `${keyword} ${name}`;
}

/** `describe("login")`, `app.get("/users")`: a call that registers a callback, as tests and routers do. */
function callbackCall(statement: Node): string | undefined {
  const call = statement.firstNamedChild;
  if (call?.type !== "call_expression") return undefined;
  const callee = call.childForFieldName("function");
  const args = call.childForFieldName("arguments");
  if (callee === null || args === null || callee.endIndex - callee.startIndex > 40) return undefined;
  const first = args.firstNamedChild;
  const last = args.lastNamedChild;
  if (first?.type !== "string" && first?.type !== "template_string") return undefined;
  if (last === null || !/^(arrow_function|function_expression|function)$/.test(last.type)) return undefined;
  const label = first.text.length > 40 ? `${first.text.slice(0, 39)}…` : first.text;
  return `${callee.text}(${label})`;
}
