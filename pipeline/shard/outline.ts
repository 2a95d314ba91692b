/**
 * A file's outline: the named items (functions, methods, classes, impls, headings, tables) and the lines they span,
 * so a finding can name the symbol it sits in. Fingerprints use it: a finding keeps its identity when code above it
 * moves or an identical finding in another function goes away.
 */
import type { Tree } from "web-tree-sitter";
import { hasGrammar, withTree, type SharedTree } from "./grammars";
import { splitLines } from "./lines";
import { languageOf } from "./shard";
import { syntaxOf } from "./syntax";
import { treeOutline, type Outline, type OutlineItem } from "./tree-outline";

export type { Outline, OutlineItem } from "./tree-outline";

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
