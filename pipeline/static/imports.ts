/**
 * Duplicate imports: the same module imported twice at the top level of one shard (TS/JS, Python, Rust, Go).
 *
 * Limit: the static rung sees one shard, not the file. Imports sit at the top of a file, so they land in the first
 * shard; later shards carry an imports preamble, which is context and not scanned. A duplicate split across two
 * shards is missed. Only top-level (column 0) imports count: a Python import inside a function is a lazy import,
 * a Rust `use` inside a block is scoped. Test code is not scanned: fixture files repeat imports on purpose (a
 * formatter's test case holds its input and its expected output, both importing the same modules), and a test file
 * whose imports do not load fails its own suite first.
 */
import type { Detector, Hit } from "./rules";
import type { RuleId } from "../../domain/rules";
import type { LineView } from "./source";

/** One import statement: what it brings in, where it starts and ends, and the line to quote. */
interface ImportStatement {
  /**
   * `key` identifies what is imported; `label` names it for a reader (the finding title). A repeated key is a
   * `duplicate-import`, or a `duplicate-import-redeclared` when `redeclares` (the name is bound twice). `after`:
   * keys whose earlier presence also makes this one a repeat (a member required from a module already bound whole).
   */
  imports: Array<{ key: string; label: string; redeclares?: boolean; after?: string[] }>;
  line: number;
  endLine: number;
  evidenceLine: number;
}

/** How far an import statement may run over lines before we stop looking for its end. */
const MAX_STATEMENT_LINES = 60;

/** Report every top-level import that brings in a key an earlier import already brought in. */
export const detectDuplicateImports: Detector = (input) => {
  const reader = READERS[input.language];
  if (!reader || (input.testLines.length > 0 && input.testLines.every(Boolean))) return [];
  const redeclaring = input.language === "rust" || input.language === "go";
  const seen = new Map<string, number>();
  const hits: Hit[] = [];
  for (const s of reader(input.views)) {
    const repeats = s.imports.filter((i) => seen.has(i.key) || (i.after ?? []).some((k) => seen.has(k)));
    const repeated = repeats.find((i) => i.redeclares) ?? repeats[0];
    if (repeated !== undefined && !input.testLines[s.line]) {
      const earlier = seen.get(repeated.key) ?? (repeated.after ?? []).map((k) => seen.get(k)).find((n) => n !== undefined);
      const rule: RuleId = redeclaring || repeated.redeclares ? "duplicate-import-redeclared" : "duplicate-import";
      hits.push({ rule, line: s.line, endLine: s.endLine, evidenceLine: s.evidenceLine, detail: `${repeated.label}, already imported at line ${(earlier as number) + input.lineStart}` });
    }
    for (const i of s.imports) if (!seen.has(i.key)) seen.set(i.key, s.line);
  }
  return hits;
};

type Reader = (views: LineView[]) => ImportStatement[];

/** Gather a statement's lines from `start` until `done` says the joined code is complete. */
function gather(views: LineView[], start: number, done: (code: string) => boolean): { code: string; raw: string[]; end: number } {
  const raw: string[] = [];
  let code = "";
  for (let k = start; k < views.length && k < start + MAX_STATEMENT_LINES; k++) {
    const v = views[k] as LineView;
    raw.push(v.raw);
    code += (code ? "\n" : "") + v.code;
    if (done(code)) return { code, raw, end: k };
  }
  return { code, raw, end: Math.min(views.length, start + MAX_STATEMENT_LINES) - 1 };
}

const JS_IMPORT = /^import(\s+type)?[\s{*"']/;
const JS_SPECIFIER = /(?:\bfrom\s*|^\s*import\s*)(["'])([^"']+)\1/;
const JS_REQUIRE = /^(const|let|var)\s+([^=]+?)\s*=\s*require\(\s*(["'])([^"']+)\3\s*\)\s*(?:\.\s*([\w$]+))?/;
const IDENT = /^[A-Za-z_$][\w$]*$/;

/** The names an import clause binds: `a, { b, type c as d }` → a, b, d; `* as ns` → ns. */
export function importBindings(clause: string): string[] {
  const names: string[] = [];
  const named = /\{([^}]*)\}/.exec(clause);
  for (const part of (named?.[1] ?? "").split(",")) {
    const words = part.trim().replace(/^type\s+/, "").split(/\s+as\s+/);
    const name = (words[1] ?? words[0] ?? "").trim();
    if (IDENT.test(name)) names.push(name);
  }
  const rest = clause.replace(/\{[^}]*\}/, "");
  const ns = /\*\s*as\s+([A-Za-z_$][\w$]*)/.exec(rest);
  if (ns) names.push(ns[1] as string);
  const def = /^\s*([A-Za-z_$][\w$]*)\s*(,|$)/.exec(rest.replace(/\*\s*as\s+[\w$]+/, ""));
  if (def) names.push(def[1] as string);
  return names;
}

/**
 * `import … from "x"` and `require("x")`. The module key carries its form (type or value; default, named, namespace
 * or whole): `import type A` beside `import type {B}` of one module cannot be merged and is not a duplicate. A name
 * bound twice (by imports, or by `const`/`let` requires) is a redeclaration: the module does not load.
 */
function readJsImports(views: LineView[]): ImportStatement[] {
  const out: ImportStatement[] = [];
  for (let i = 0; i < views.length; i++) {
    const v = views[i] as LineView;
    const head = JS_IMPORT.exec(v.code);
    if (head) {
      const g = gather(views, i, (code) => /\bfrom\s*["']|^\s*import\s*["']|;\s*$/.test(code));
      const at = g.raw.findIndex((r) => JS_SPECIFIER.test(r));
      const spec = at >= 0 ? JS_SPECIFIER.exec(g.raw[at] as string)?.[2] : undefined;
      if (spec !== undefined) {
        const clause = g.code.replace(/^import(\s+type)?/, "").replace(/\bfrom\s*["'][\s\S]*$/, "").replace(/["'][\s\S]*$/, "");
        const kind = head[1] ? "type" : "value";
        const form = /\{/.test(clause) ? "named" : /\*/.test(clause) ? "namespace" : clause.trim() === "" ? "side" : "default";
        const bindings = importBindings(clause).map((name) => ({ key: `bind ${name}`, label: name, redeclares: true }));
        out.push({ imports: [{ key: `${kind} ${form} ${spec}`, label: `"${spec}"` }, ...bindings], line: i, endLine: g.end, evidenceLine: i + at });
      }
      i = g.end;
      continue;
    }
    // The specifier is string content, blanked in the code view: read it from the raw line, once the code view says it is code.
    const req = /^(const|let|var)\s/.test(v.code) ? JS_REQUIRE.exec(v.raw) : null;
    if (req) {
      const [, declaration, target, , spec, member] = req;
      const name = (target as string).trim();
      const binds = declaration !== "var" && IDENT.test(name) ? [{ key: `bind ${name}`, label: name, redeclares: true }] : [];
      const module = member === undefined
        ? { key: `value whole ${spec}`, label: `"${spec}"` }
        : { key: `value ${spec} .${member}`, label: `"${spec}".${member}`, after: [`value whole ${spec}`] };
      out.push({ imports: [module, ...binds], line: i, endLine: i, evidenceLine: i });
    }
  }
  return out;
}

/**
 * `import a, b as c` (one key per module and alias) and `from m import x, y as z` (one key per module and name):
 * importing the same name twice is the duplicate. Two from-imports of one module with different names are common,
 * idiomatic Python (the standard library is full of them) and not flagged.
 */
function readPythonImports(views: LineView[]): ImportStatement[] {
  const out: ImportStatement[] = [];
  for (let i = 0; i < views.length; i++) {
    const code = (views[i] as LineView).code;
    const plain = /^import\s+(.+)$/.exec(code);
    if (plain) {
      const names = (plain[1] as string).split(",").map((n) => n.trim().replace(/\s+/g, " ")).filter(Boolean);
      out.push({ imports: names.map((n) => ({ key: `import ${n}`, label: n })), line: i, endLine: i, evidenceLine: i });
      continue;
    }
    const from = /^from\s+(\S+)\s+import\b/.exec(code);
    if (from) {
      const g = gather(views, i, (c) => !/\(/.test(c) || /\)/.test(c));
      const names = g.code
        .slice(g.code.search(/\bimport\b/) + "import".length)
        .replace(/[()\\]/g, " ")
        .split(",")
        .map((n) => n.trim().replace(/\s+/g, " "))
        .filter(Boolean);
      const module = from[1] as string;
      out.push({ imports: names.map((n) => ({ key: `from ${module} import ${n}`, label: `${module}.${n}` })), line: i, endLine: g.end, evidenceLine: i });
      i = g.end;
    }
  }
  return out;
}

/** `use a::{b, c::{d, self}};` expanded to one key per path (with its alias); `use a::b;` twice redeclares `b`. */
function readRustUses(views: LineView[]): ImportStatement[] {
  const out: ImportStatement[] = [];
  for (let i = 0; i < views.length; i++) {
    const head = /^(?:pub(?:\([^)]*\))?\s+)?use\s+/.exec((views[i] as LineView).code);
    if (!head) continue;
    const g = gather(views, i, (c) => c.includes(";"));
    const tree = g.code.slice(head[0].length, g.code.indexOf(";") >= 0 ? g.code.indexOf(";") : undefined).replace(/\s+/g, " ").trim();
    out.push({ imports: expandUseTree(tree, "").map((key) => ({ key, label: key })), line: i, endLine: g.end, evidenceLine: i });
    i = g.end;
  }
  return out;
}

/** Expand a Rust use tree: `std::{io::{self, Read}, fs}` → std::io, std::io::Read, std::fs. */
export function expandUseTree(tree: string, prefix: string): string[] {
  const s = tree.trim();
  const brace = s.indexOf("{");
  if (brace === -1) {
    const [path = "", alias] = s.split(/\s+as\s+/);
    const full = path.trim() === "self" ? prefix.replace(/::$/, "") : prefix + path.trim().replace(/\s+/g, "");
    return [alias ? `${full} as ${alias.trim()}` : full];
  }
  const head = s.slice(0, brace).replace(/\s+/g, "");
  const inner = s.slice(brace + 1, s.lastIndexOf("}"));
  return splitTopLevel(inner)
    .filter((part) => part.trim() !== "")
    .flatMap((part) => expandUseTree(part, prefix + head));
}

function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = "";
  for (const ch of s) {
    if (ch === "{") depth += 1;
    if (ch === "}") depth -= 1;
    if (ch === "," && depth === 0) {
      parts.push(current);
      current = "";
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts;
}

const GO_IMPORT_SPEC = /^\s*(?:([\w.]+)\s+)?"([^"]+)"/;

/** `import "x"`, `import alias "x"` and the lines of an `import ( … )` block; the key is the path with its alias. */
function readGoImports(views: LineView[]): ImportStatement[] {
  const out: ImportStatement[] = [];
  for (let i = 0; i < views.length; i++) {
    const v = views[i] as LineView;
    if (/^import\s*\(/.test(v.code)) {
      for (let k = i + 1; k < views.length; k++) {
        const line = views[k] as LineView;
        if (/^\s*\)/.test(line.code)) {
          i = k;
          break;
        }
        const spec = GO_IMPORT_SPEC.exec(line.raw);
        if (spec && line.code.trim() !== "") out.push(goImport(spec, k));
        i = k;
      }
      continue;
    }
    const single = /^import\s+/.test(v.code) ? GO_IMPORT_SPEC.exec(v.raw.replace(/^import\s+/, "")) : null;
    if (single) out.push(goImport(single, i));
  }
  return out;
}

function goImport(spec: RegExpExecArray, line: number): ImportStatement {
  const [, alias, path] = spec;
  return { imports: [{ key: `${alias ?? ""} ${path}`, label: `"${path}"` }], line, endLine: line, evidenceLine: line };
}

const READERS: Record<string, Reader> = {
  typescript: readJsImports,
  tsx: readJsImports,
  javascript: readJsImports,
  python: readPythonImports,
  rust: readRustUses,
  go: readGoImports,
};
