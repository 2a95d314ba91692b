/** What the sharder needs to know about each tree-sitter grammar: node types, not parsing rules. */
import type { Node } from "web-tree-sitter";

export interface Syntax {
  /** Line-comment prefix for preamble lines. */
  comment: string;
  /** Nodes that belong to the item after them (besides any type containing "comment"). */
  attached: ReadonlySet<string>;
  /** Top-level nodes that are imports (or the package line) and go into every shard's preamble. */
  isImport: (node: Node) => boolean;
  /** Items with a body of members: when too big, the sharder descends into the body and keeps members whole. */
  containers: ReadonlySet<string>;
  /** Nodes that only wrap one item (export, decorators): named and split as the item they wrap. */
  wrappers: ReadonlySet<string>;
  /** Named items and the keyword their symbol starts with ("" for none). */
  items: Readonly<Record<string, string>>;
  /** Bindings (const, var, fields): named only at the top level or in a container, not inside a split function. */
  bindings: Readonly<Record<string, string>>;
  /**
   * Items the language cannot define inside a function body (C and C++ functions). One the grammar finds there is a
   * macro call followed by a block (`cJSON_ArrayForEach(e, list) { … }`), read as a definition: not an item.
   */
  unnested?: ReadonlySet<string>;
  /**
   * Items that define something only with a body (C and C++ `struct`, `union`, `enum` and `class` specifiers): without
   * one they name a type where it is used (`struct tm *out`), and a finding on that line is not in an item called
   * `struct tm`.
   */
  bodied?: ReadonlySet<string>;
  /**
   * An item whose name the grammar did not find is no item (C and C++): an anonymous union's members belong to the
   * class around it, and `class GTEST_API_ TestResult {` (an export macro before the name) reads as a function with
   * no name.
   */
  namedOnly?: boolean;
}

const types = (...names: string[]): ReadonlySet<string> => new Set(names);
const none = types();

const JS_ITEMS = {
  function_declaration: "function",
  generator_function_declaration: "function*",
  function_signature: "function",
  class_declaration: "class",
  abstract_class_declaration: "abstract class",
  class: "class",
  interface_declaration: "interface",
  type_alias_declaration: "type",
  enum_declaration: "enum",
  internal_module: "namespace",
  module: "module",
  method_definition: "method",
  abstract_method_signature: "method",
};

const JS_SYNTAX: Syntax = {
  comment: "//",
  attached: types("decorator"),
  isImport: (node) =>
    node.type === "import_statement" ||
    ((node.type === "lexical_declaration" || node.type === "variable_declaration") &&
      node.endIndex - node.startIndex < 400 &&
      /^\s*(const|let|var)\s[^=]*=\s*require\(/.test(node.text)),
  containers: types("class_declaration", "abstract_class_declaration", "class", "interface_declaration", "internal_module", "module"),
  wrappers: types("export_statement", "ambient_declaration"),
  items: JS_ITEMS,
  bindings: { lexical_declaration: "", variable_declaration: "var", public_field_definition: "field" },
};

const SYNTAX: Record<string, Syntax> = {
  typescript: JS_SYNTAX,
  tsx: JS_SYNTAX,
  javascript: JS_SYNTAX,
  rust: {
    comment: "//",
    attached: types("attribute_item", "inner_attribute_item"),
    isImport: (node) => node.type === "use_declaration" || node.type === "extern_crate_declaration",
    containers: types("impl_item", "trait_item", "mod_item", "foreign_mod_item"),
    wrappers: none,
    items: {
      function_item: "fn",
      function_signature_item: "fn",
      struct_item: "struct",
      enum_item: "enum",
      union_item: "union",
      trait_item: "trait",
      impl_item: "impl",
      mod_item: "mod",
      foreign_mod_item: "extern",
      type_item: "type",
      macro_definition: "macro_rules!",
    },
    bindings: { const_item: "const", static_item: "static" },
  },
  python: {
    comment: "#",
    attached: none,
    isImport: (node) => node.type === "import_statement" || node.type === "import_from_statement" || node.type === "future_import_statement",
    containers: types("class_definition"),
    wrappers: types("decorated_definition"),
    items: { function_definition: "def", class_definition: "class" },
    bindings: { expression_statement: "" },
  },
  go: {
    comment: "//",
    attached: none,
    isImport: (node) => node.type === "import_declaration" || node.type === "package_clause",
    containers: none,
    wrappers: none,
    items: { function_declaration: "func", method_declaration: "func", type_declaration: "type" },
    bindings: { const_declaration: "const", var_declaration: "var" },
  },
  java: {
    comment: "//",
    attached: none,
    isImport: (node) => node.type === "import_declaration" || node.type === "package_declaration",
    containers: types("class_declaration", "interface_declaration", "enum_declaration", "record_declaration", "annotation_type_declaration"),
    wrappers: none,
    items: {
      class_declaration: "class",
      interface_declaration: "interface",
      enum_declaration: "enum",
      record_declaration: "record",
      annotation_type_declaration: "@interface",
      method_declaration: "method",
      constructor_declaration: "constructor",
    },
    bindings: {},
  },
  csharp: {
    comment: "//",
    attached: none,
    isImport: (node) => node.type === "using_directive" || node.type === "file_scoped_namespace_declaration",
    containers: types("namespace_declaration", "class_declaration", "struct_declaration", "interface_declaration", "record_declaration"),
    wrappers: none,
    items: {
      namespace_declaration: "namespace",
      class_declaration: "class",
      struct_declaration: "struct",
      interface_declaration: "interface",
      record_declaration: "record",
      enum_declaration: "enum",
      method_declaration: "method",
      constructor_declaration: "constructor",
      property_declaration: "property",
      delegate_declaration: "delegate",
    },
    bindings: {},
  },
  cpp: {
    comment: "//",
    attached: none,
    isImport: (node) => node.type === "preproc_include" || node.type === "using_declaration",
    containers: types("namespace_definition", "class_specifier", "struct_specifier", "linkage_specification"),
    wrappers: types("template_declaration"),
    items: {
      function_definition: "function",
      class_specifier: "class",
      struct_specifier: "struct",
      union_specifier: "union",
      enum_specifier: "enum",
      namespace_definition: "namespace",
    },
    bindings: {},
    unnested: types("function_definition"),
    bodied: types("class_specifier", "struct_specifier", "union_specifier", "enum_specifier"),
    namedOnly: true,
  },
  ruby: {
    comment: "#",
    attached: none,
    isImport: (node) => node.type === "call" && /^(require|require_relative|load)$/.test(node.childForFieldName("method")?.text ?? ""),
    containers: types("class", "module", "singleton_class"),
    wrappers: none,
    items: { method: "def", singleton_method: "def self.", class: "class", module: "module" },
    bindings: {},
  },
  php: {
    comment: "//",
    attached: none,
    isImport: (node) =>
      node.type === "namespace_use_declaration" ||
      (node.type === "namespace_definition" && node.childForFieldName("body") === null) ||
      (node.type === "expression_statement" && /^(require|include)(_once)?_expression$/.test(node.firstNamedChild?.type ?? "")),
    containers: types("class_declaration", "interface_declaration", "trait_declaration", "enum_declaration", "namespace_definition"),
    wrappers: none,
    items: {
      function_definition: "function",
      method_declaration: "function",
      class_declaration: "class",
      interface_declaration: "interface",
      trait_declaration: "trait",
      enum_declaration: "enum",
      namespace_definition: "namespace",
    },
    bindings: {},
  },
  bash: {
    comment: "#",
    attached: none,
    isImport: (node) => node.type === "command" && /^(source|\.)$/.test(node.childForFieldName("name")?.text ?? ""),
    containers: none,
    wrappers: none,
    items: { function_definition: "function" },
    bindings: {},
  },
};
SYNTAX.c = SYNTAX.cpp as Syntax;

/** The node-type tables for a language that has a grammar. */
export function syntaxOf(language: string): Syntax {
  const syntax = SYNTAX[language];
  if (syntax === undefined) throw new Error(`no syntax tables for language "${language}"`);
  return syntax;
}

/** True for comments and for whatever the grammar attaches to the next item (attributes, decorators). */
export function isAttached(node: Node, syntax: Syntax): boolean {
  return node.type.includes("comment") || syntax.attached.has(node.type);
}
