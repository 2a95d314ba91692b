/** The sharding stage: file text in, a shard plan out that covers every line exactly once. */
import { extname } from "node:path";
import type { Node } from "web-tree-sitter";
import { hasGrammar, withTree } from "./grammars";
import { assertCoverage, makeShard, splitLines } from "./lines";
import { markdownPieces } from "./markdown";
import { packPieces } from "./pack";
import { blankLineBlocks, blankLinePieces, LineIndex, TOP_SCOPE, type Header, type Piece } from "./pieces";
import { buildPreamble, htmlComment, lineComment, type PreambleSource } from "./preamble";
import { scriptLanguage } from "./script-language";
import { syntaxOf } from "./syntax";
import { tomlPieces } from "./toml";
import { nodeLines, treePieces } from "./tree";
import { treeOutline, type Outline } from "./tree-outline";
import type { Shard, ShardOptions, ShardPlan, ShardStrategy } from "./types";

/** A parse whose ERROR nodes cover more than this share of the lines is not trusted: blank-line blocks instead. */
const MAX_ERROR_SHARE = 0.5;

/** Language name from a file extension (used in prompts and the shard plan). */
export function languageOf(path: string, text?: string): string {
  const ext = extname(path);
  // Case matters only where a convention gives it meaning: `.C` and `.H` are C++ (FLTK's headers), `.c` and `.h` C.
  const byExtension = LANGUAGES[ext] ?? LANGUAGES[ext.toLowerCase()];
  if (byExtension) return byExtension;
  return (ext === "" && text !== undefined ? scriptLanguage(text) : undefined) ?? "text";
}

/** The file extensions with a language of their own (every other file is `text`). */
export function knownExtensions(): string[] {
  return Object.keys(LANGUAGES);
}

const LANGUAGES: Record<string, string> = {
  ".ts": "typescript", ".mts": "typescript", ".cts": "typescript", ".tsx": "tsx",
  ".js": "javascript", ".mjs": "javascript", ".cjs": "javascript", ".jsx": "javascript",
  ".rs": "rust", ".py": "python", ".pyi": "python", ".go": "go", ".md": "markdown", ".markdown": "markdown", ".toml": "toml",
  ".java": "java", ".c": "c", ".h": "c", ".cpp": "cpp", ".cc": "cpp", ".cxx": "cpp", ".hpp": "cpp", ".hh": "cpp", ".C": "cpp", ".H": "cpp",
  ".cs": "csharp", ".rb": "ruby", ".php": "php", ".sh": "bash", ".bash": "bash",
};

/** How a file was cut into pieces, and what every shard's preamble draws on; the outline of its tree when asked for. */
interface Layout {
  strategy: ShardStrategy;
  pieces: Piece[];
  preamble: PreambleSource;
  outline?: Outline;
}

/**
 * Shard one file's text. A file of at most `thresholdChars` is one shard; a larger one is cut
 * into whole items (functions, classes, sections, tables) packed up to `maxShardChars`, and an
 * item too big for that is split inside. Throws if the plan would not cover every line once.
 */
export async function shardFile(path: string, text: string, options: ShardOptions): Promise<ShardPlan> {
  checkOptions(options);
  const lines = splitLines(text);
  const language = languageOf(path, text);
  if (lines.length === 0) return { path, lines: 0, language, strategy: "whole", shards: [] };
  if (text.length <= options.thresholdChars) {
    return { path, lines: lines.length, language, strategy: "whole", shards: [makeShard(lines, 0, 1, lines.length)] };
  }
  const index = new LineIndex(lines);
  const layout = await layoutOf(language, text, index, options.maxShardChars, options.outline === true);
  const shards = assemble(layout, packPieces(layout.pieces, index, options.maxShardChars));
  assertCoverage(path, shards, lines.length);
  const plan: ShardPlan = { path, lines: lines.length, language, strategy: layout.strategy, shards };
  if (layout.outline !== undefined) plan.outline = layout.outline;
  return plan;
}

function checkOptions(options: ShardOptions): void {
  for (const key of ["thresholdChars", "maxShardChars"] as const) {
    const value = options[key];
    if (!Number.isInteger(value) || value < 1) throw new Error(`Expected shard option \`${key}\` to be an integer from 1 and up, got ${String(value)}`);
  }
}

async function layoutOf(language: string, text: string, index: LineIndex, maxChars: number, outline: boolean): Promise<Layout> {
  if (hasGrammar(language)) {
    return withTree(language, text, (tree) => {
      const layout = treeLayout(language, tree.rootNode, index, maxChars);
      return outline ? { ...layout, outline: treeOutline(tree.rootNode, syntaxOf(language)) } : layout;
    });
  }
  if (language === "markdown") return { strategy: "markdown", pieces: markdownPieces(index, maxChars, TOP_SCOPE), preamble: noImports(index, htmlComment) };
  if (language === "toml") return { strategy: "toml", pieces: tomlPieces(index, maxChars, TOP_SCOPE), preamble: noImports(index, lineComment("#")) };
  return blankLineLayout(index, maxChars, noImports(index, lineComment("#")));
}

function treeLayout(language: string, root: Node, index: LineIndex, maxChars: number): Layout {
  const syntax = syntaxOf(language);
  const imports = root.namedChildren.filter((n): n is Node => n !== null && syntax.isImport(n)).map(nodeLines);
  const preamble = { index, imports, comment: lineComment(syntax.comment) };
  if (unparsed(root, index.count)) return blankLineLayout(index, maxChars, preamble);
  return { strategy: "tree-sitter", pieces: treePieces(root, index, syntax, maxChars, TOP_SCOPE), preamble };
}

/** Blank-line blocks; "lines" when the file has no blank line to cut at. */
function blankLineLayout(index: LineIndex, maxChars: number, preamble: PreambleSource): Layout {
  const strategy = blankLineBlocks(index, 1, index.count).length > 1 ? "blank-lines" : "lines";
  return { strategy, pieces: blankLinePieces(index, 1, index.count, maxChars, TOP_SCOPE), preamble };
}

function noImports(index: LineIndex, comment: PreambleSource["comment"]): PreambleSource {
  return { index, imports: [], comment };
}

/** True when the grammar could not make sense of the file: most of its lines sit in ERROR nodes. */
function unparsed(root: Node, lineCount: number): boolean {
  if (!root.hasError) return false;
  if (root.type === "ERROR") return true;
  const covered = new Uint8Array(lineCount + 2);
  for (const error of root.descendantsOfType("ERROR")) {
    if (error === null) continue;
    const [a, b] = nodeLines(error);
    covered.fill(1, a, Math.min(b, lineCount) + 1);
  }
  return covered.reduce((sum, v) => sum + v, 0) > lineCount * MAX_ERROR_SHARE;
}

/** Shards from packed runs of pieces. A shard is `splitInside` when an item it holds part of continues in another shard. */
function assemble(layout: Layout, runs: Array<[number, number]>): Shard[] {
  const shardsOf = new Map<string, Set<number>>();
  runs.forEach(([first, last], i) => {
    for (let k = first; k <= last; k++) {
      for (const split of (layout.pieces[k] as Piece).path) {
        if (!split.inside) continue;
        const seen = shardsOf.get(split.key) ?? new Set<number>();
        shardsOf.set(split.key, seen.add(i));
      }
    }
  });
  return runs.map(([first, last], i) => {
    const pieces = layout.pieces.slice(first, last + 1);
    const start = (pieces[0] as Piece).start;
    const end = (pieces[pieces.length - 1] as Piece).end;
    const symbols = [...new Set(pieces.flatMap((p) => p.symbols))];
    const headers = new Map<number, Header>();
    for (const p of pieces) for (const h of p.context) if (h.line < start) headers.set(h.line, h);
    const context = [...headers.values()].sort((a, b) => a.line - b.line);
    const splitInside = pieces.some((p) => p.path.some((s) => s.inside && (shardsOf.get(s.key)?.size ?? 0) > 1));
    return makeShard(layout.preamble.index.lines, i, start, end, { symbols, splitInside, preamble: buildPreamble(layout.preamble, start, end, context) });
  });
}
