/**
 * A file's outline: the named items (functions, methods, classes, impls, headings, tables) and the lines they span,
 * so a finding can name the symbol it sits in. Fingerprints use it: a finding keeps its identity when code above it
 * moves or an identical finding in another function goes away.
 */
import type { Node, Tree } from "web-tree-sitter";
import { hasGrammar, withTree, type SharedTree } from "./grammars";
import { splitLines } from "./lines";
import { languageOf } from "./shard";
import { maySymbolise, symbolOf, unwrap } from "./symbols";
import { syntaxOf, type Syntax } from "./syntax";
import { nodeLines } from "./tree";

export interface OutlineItem {
  symbol: string;
  start: number;
  end: number;
}

/** Items outermost first; an item nested in another comes after it. */
export type Outline = OutlineItem[];

/**
 * The outline of one file's text. Languages without a grammar: Markdown headings, TOML tables, else none. `shared`: a
 * tree the caller already parsed, used when its text is the file's or the file's without its final newline (a
 * one-shard file's shard): a trailing newline is whitespace, so every item sits on the same lines in both.
 */
export async function outlineFile(path: string, text: string, shared?: SharedTree): Promise<Outline> {
  const language = languageOf(path, text);
  if (hasGrammar(language)) {
    const outline = (tree: Tree) => treeOutline(tree.rootNode, syntaxOf(language));
    if (shared !== undefined && (shared.text === text || `${shared.text}\n` === text)) return outline(await shared.tree());
    return withTree(language, text, outline);
  }
  const lines = splitLines(text);
  if (language === "markdown") return sections(lines, /^\s{0,3}(#{1,6})\s+(.+?)\s*#*\s*$/, (m) => m[2]!);
  if (language === "toml") return sections(lines, /^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?/, (m) => `[${m[2]}]`);
  return [];
}

/** The innermost item holding `line`, or "" at the top level. */
export function symbolAt(outline: Outline, line: number): string {
  let best: OutlineItem | undefined;
  for (const item of outline) {
    if (line < item.start || line > item.end) continue;
    if (!best || item.end - item.start <= best.end - best.start) best = item;
  }
  return best?.symbol ?? "";
}

function treeOutline(root: Node, syntax: Syntax): Outline {
  const out: Outline = [];
  // A cursor walk: a Node object only for the nodes that can name an item, not for every node of the file.
  const cursor = root.walk();
  // For each level open below the root: whether it is inside an item, and the symbol its nodes belong to.
  const levels: Level[] = [{ inside: false, parentSymbol: undefined }];
  try {
    if (!cursor.gotoFirstChild()) return out;
    for (;;) {
      const level = levels[levels.length - 1]!;
      // Named nodes only, as `namedChildren` gives them; an anonymous token holds no item.
      if (cursor.nodeIsNamed) {
        let below = level;
        if (maySymbolise(cursor.nodeType, syntax, level.inside)) {
          const child = cursor.currentNode;
          const item = unwrap(child, syntax);
          const symbol = item.type in syntax.items || !level.inside ? symbolOf(child, syntax, level.inside) : undefined;
          // An export or decorator wrapper and the item it wraps are one symbol.
          if (symbol !== undefined && symbol !== level.parentSymbol) {
            const [start, end] = nodeLines(child);
            out.push({ symbol, start, end });
          }
          // Bindings and statements inside a function are not symbols, but a closure or class inside one can be.
          below = { inside: level.inside || (symbol !== undefined && item.type in syntax.items), parentSymbol: symbol ?? level.parentSymbol };
        }
        if (out.length < 20_000 && cursor.gotoFirstChild()) {
          levels.push(below);
          continue;
        }
      }
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent()) return out;
        levels.pop();
      }
    }
  } finally {
    cursor.delete();
  }
}

interface Level {
  inside: boolean;
  parentSymbol: string | undefined;
}

/** Heading-like sections: each runs to the line before the next one of the same or a higher level. */
function sections(lines: string[], header: RegExp, name: (m: RegExpExecArray) => string): Outline {
  const heads: Array<{ line: number; level: number; symbol: string }> = [];
  let fence = false;
  lines.forEach((l, i) => {
    if (/^\s{0,3}(`{3,}|~{3,})/.test(l)) fence = !fence;
    if (fence) return;
    const m = header.exec(l);
    if (m) heads.push({ line: i + 1, level: m[1]!.length, symbol: name(m).slice(0, 60) });
  });
  return heads.map((h, k) => {
    const next = heads.slice(k + 1).find((x) => x.level <= h.level);
    return { symbol: h.symbol, start: h.line, end: next ? next.line - 1 : lines.length };
  });
}
