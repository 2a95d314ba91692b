/**
 * Pieces: the spans the packer may not cut. Every strategy turns a file into contiguous pieces
 * (a whole function, a heading section, a TOML table, a blank-line block, or — last resort — a line);
 * the packer then groups neighbouring pieces into shards.
 */

/** An enclosing item whose first line(s) a shard repeats in its preamble when the shard starts below it. */
export interface Header {
  /** 1-based line the item starts on. */
  line: number;
  text: string;
}

/**
 * An item (or section, or block) that was too big, or that the packer should rather not cut, and
 * was broken into pieces. Whether it really ends up split is only known after packing.
 */
export interface Split {
  /** Unique within a file: the split's first line and depth. */
  key: string;
  /** The item would fit in one shard: cutting it costs as much as an extra shard. */
  fits: boolean;
  /** Cutting it splits code inside an item (a function body, a paragraph) rather than between members of a container. */
  inside: boolean;
}

export interface Piece {
  /** 1-based inclusive line range. The pieces of a file are ordered and contiguous. */
  start: number;
  end: number;
  symbols: string[];
  /** The splits the piece sits in, outermost first. */
  path: Split[];
  /** Enclosing items, outermost first. */
  context: Header[];
  /** The piece starts on a line it shares with the item before it, so a cut before it splits that line's code. */
  joined: boolean;
}

/** What every piece of one region has in common. */
export interface Scope {
  path: Split[];
  context: Header[];
  /** Symbol of the item being split, given to pieces that hold no item of their own. */
  within?: string;
}

const MAX_SYMBOL_CHARS = 60;

/** A symbol on one line, at most MAX_SYMBOL_CHARS long. */
export function shortSymbol(symbol: string): string {
  const flat = symbol.replace(/\s+/g, " ").trim();
  return flat.length > MAX_SYMBOL_CHARS ? `${flat.slice(0, MAX_SYMBOL_CHARS - 1)}…` : flat;
}

export const TOP_SCOPE: Scope = { path: [], context: [] };

/** The scope of the pieces of a split of lines from..to. */
export function enter(scope: Scope, from: number, split: { fits: boolean; inside: boolean }, extra: { header?: Header; within?: string } = {}): Scope {
  const last = scope.context[scope.context.length - 1];
  const header = extra.header;
  return {
    path: [...scope.path, { key: `${from}:${scope.path.length}`, ...split }],
    context: header === undefined || last?.line === header.line ? scope.context : [...scope.context, header],
    within: extra.within ?? scope.within,
  };
}

/** True when the scope is inside an item that is being split (not just inside a container). */
export function isInside(scope: Scope): boolean {
  return scope.path.some((s) => s.inside);
}

/** The file's lines with O(1) character counts of any line range. */
export class LineIndex {
  readonly lines: string[];
  private readonly offsets: number[];

  constructor(lines: string[]) {
    this.lines = lines;
    this.offsets = new Array<number>(lines.length + 1);
    let total = 0;
    this.offsets[0] = 0;
    for (let i = 0; i < lines.length; i++) {
      total += (lines[i] as string).length + 1;
      this.offsets[i + 1] = total;
    }
  }

  get count(): number {
    return this.lines.length;
  }

  /** Characters of lines a..b (1-based, inclusive) joined with "\n": the size of a shard holding them. */
  chars(a: number, b: number): number {
    if (b < a) return 0;
    return (this.offsets[b] as number) - (this.offsets[a - 1] as number) - 1;
  }

  line(n: number): string {
    return this.lines[n - 1] ?? "";
  }

  isBlank(n: number): boolean {
    return this.line(n).trim() === "";
  }
}

/** One piece over lines a..b. */
export function piece(start: number, end: number, scope: Scope, symbols: string[] = [], joined = false): Piece {
  const own = symbols.length > 0 ? symbols : scope.within !== undefined ? [scope.within] : [];
  return { start, end, symbols: own, path: scope.path, context: scope.context, joined };
}

/** Last resort: one piece per line of from..to (the packer puts lines back together up to the size limit). */
export function linePieces(from: number, to: number, scope: Scope): Piece[] {
  const out: Piece[] = [];
  for (let n = from; n <= to; n++) out.push(piece(n, n, scope));
  return out;
}

/**
 * Blocks of non-blank lines, each with the blank lines after it (blank lines before the first
 * block go with it). A block bigger than `maxChars` becomes line pieces; `inside` says whether
 * cutting such a block splits code (false for a long comment).
 */
export function blankLinePieces(
  index: LineIndex,
  from: number,
  to: number,
  maxChars: number,
  scope: Scope,
  options: { canCut?: (line: number) => boolean; inside?: boolean } = {},
): Piece[] {
  const out: Piece[] = [];
  for (const [a, b] of blankLineBlocks(index, from, to, options.canCut)) {
    if (index.chars(a, b) <= maxChars || a === b) out.push(piece(a, b, scope));
    else out.push(...linePieces(a, b, enter(scope, a, { fits: false, inside: options.inside ?? true })));
  }
  return out;
}

/**
 * Ranges of blank-line-separated blocks covering from..to exactly; trailing blank lines stay with
 * their block. `canCut(n)` can forbid starting a block at line n (inside a code fence, say).
 */
export function blankLineBlocks(index: LineIndex, from: number, to: number, canCut: (line: number) => boolean = () => true): Array<[number, number]> {
  const blocks: Array<[number, number]> = [];
  let start = from;
  let seenText = false;
  for (let n = from; n <= to; n++) {
    const blank = index.isBlank(n);
    if (!blank && seenText && index.isBlank(n - 1) && canCut(n)) {
      blocks.push([start, n - 1]);
      start = n;
    }
    if (!blank) seenText = true;
  }
  if (to >= from) blocks.push([start, to]);
  return blocks;
}
