/**
 * Pieces from a tree-sitter tree: whole top-level items, and inside an item that is too big its
 * members (container bodies) or statements (everything else), recursively, down to lines.
 *
 * All line math uses node rows: tree-sitter columns and indexes are UTF-16 offsets into the
 * string we passed, never bytes, and rows count "\n" exactly as `splitLines` does.
 */
import type { Node } from "web-tree-sitter";
import { blankLinePieces, enter, isInside, linePieces, piece, type Header, type LineIndex, type Piece, type Scope } from "./pieces";
import { symbolOf, unwrap } from "./symbols";
import { isAttached, type Syntax } from "./syntax";

const MAX_HEADER_LINES = 3;
const MAX_DEPTH = 64;
const MAX_HEADER_LINE_CHARS = 200;

/** A run of sibling nodes that must stay together: leading comments/attributes, then the item(s). */
interface Unit {
  start: number;
  /** First line of the item itself (after its leading comments). */
  coreStart: number;
  end: number;
  nodes: Node[];
  /** The unit's first line is shared with the previous unit (it was clipped). */
  joined: boolean;
}

interface Walk {
  index: LineIndex;
  syntax: Syntax;
  maxChars: number;
}

/** 1-based first and last line of a node. A node ending at column 0 ends on the line before. */
export function nodeLines(node: Node): [number, number] {
  const start = node.startPosition.row + 1;
  const endPos = node.endPosition;
  const end = endPos.column === 0 && endPos.row + 1 > start ? endPos.row : endPos.row + 1;
  return [start, end];
}

/** Pieces covering lines 1..index.count from the root node's children. */
export function treePieces(root: Node, index: LineIndex, syntax: Syntax, maxChars: number, scope: Scope): Piece[] {
  const walk: Walk = { index, syntax, maxChars };
  // The import block stays one piece while it fits: cutting between imports helps nobody.
  return regionPieces(walk, children(root), 1, index.count, scope, syntax.isImport) ?? blankLinePieces(index, 1, index.count, maxChars, scope);
}

/**
 * Pieces for lines from..to out of these sibling nodes, or null when no node has a line of its own
 * there. Consecutive nodes for which `together` holds are kept in one unit while they fit.
 */
function regionPieces(walk: Walk, nodes: Node[], from: number, to: number, scope: Scope, together?: (node: Node) => boolean): Piece[] | null {
  const units = buildUnits(walk, nodes, from, to, together);
  if (units.length === 0) return null;
  return units.flatMap((unit) => unitPieces(walk, unit, scope));
}

function children(node: Node): Node[] {
  return node.namedChildren.filter((c): c is Node => c !== null);
}

/**
 * Group sibling nodes into units over from..to, contiguous and covering the region: lines before
 * the first unit join it (a container's header), lines between units join the unit before (blank
 * lines, closing braces). A node that starts on the line the previous one ends on is merged into
 * it while the two fit in one shard; otherwise it is clipped to start one line later.
 */
function buildUnits(walk: Walk, nodes: Node[], from: number, to: number, together: (node: Node) => boolean = () => false): Unit[] {
  const { index, syntax, maxChars } = walk;
  const units: Unit[] = [];
  let prevEnd = from - 1;
  let leadStart: number | undefined;
  for (const node of nodes) {
    const [first, last] = nodeLines(node);
    const start = Math.max(first, prevEnd + 1);
    const end = Math.min(last, to);
    if (start > end) continue; // wholly on lines already taken (e.g. a trailing comment)
    const joined = first <= prevEnd;
    prevEnd = end;
    if (isAttached(node, syntax)) {
      leadStart ??= start;
      continue;
    }
    const previous = units[units.length - 1];
    const merge = previous !== undefined && previous.nodes.length > 0 && index.chars(previous.start, end) <= maxChars &&
      ((joined && leadStart === undefined) || (together(node) && previous.nodes.every(together)));
    if (merge) {
      previous.end = end;
      previous.nodes.push(node);
      leadStart = undefined;
      continue;
    }
    units.push({ start: leadStart ?? start, coreStart: start, end, nodes: [node], joined: joined && leadStart === undefined });
    leadStart = undefined;
  }
  if (leadStart !== undefined) units.push({ start: leadStart, coreStart: leadStart, end: prevEnd, nodes: [], joined: false });
  if (units.length === 0) return units;
  (units[0] as Unit).start = from;
  for (let i = 1; i < units.length; i++) (units[i - 1] as Unit).end = (units[i] as Unit).start - 1;
  (units[units.length - 1] as Unit).end = to;
  return units;
}

/**
 * One piece when the unit fits; otherwise its item alone if that fits, else the item split inside.
 * A fitting unit that shares its first line with the unit before is broken up too (as a split that
 * fits, which the packer avoids cutting): it gives the packer cut points other than that shared line.
 */
function unitPieces(walk: Walk, unit: Unit, scope: Scope): Piece[] {
  const { index, syntax, maxChars } = walk;
  const inside = isInside(scope);
  const symbols = unit.nodes.map((n) => symbolOf(n, syntax, inside)).filter((s): s is string => s !== undefined);
  const node = unit.nodes[0];
  const fits = index.chars(unit.start, unit.end) <= maxChars;
  if (fits && unit.joined && unit.nodes.length === 1 && node !== undefined && unit.end > unit.start) {
    // Whether the item fits is a question of all its lines, the shared first one included; if it
    // does not, cutting it at the shared line is no worse than anywhere else.
    const whole = index.chars(nodeLines(node)[0], unit.end) <= maxChars;
    return markJoined(nodePieces(walk, node, unit.start, unit.end, scope, whole), whole);
  }
  if (fits || unit.start === unit.end) return [piece(unit.start, unit.end, scope, symbols, unit.joined)];
  if (node === undefined) return markJoined(plainPieces(walk, unit.start, unit.end, scope), unit.joined); // only comments
  const coreEnd = Math.min(nodeLines(unit.nodes[unit.nodes.length - 1] as Node)[1], unit.end);
  if (index.chars(unit.coreStart, coreEnd) <= maxChars) {
    // The item fits without its doc comment or trailing blank lines: keep the item whole.
    const out: Piece[] = [];
    if (unit.start < unit.coreStart) out.push(...plainPieces(walk, unit.start, unit.coreStart - 1, scope));
    out.push(piece(unit.coreStart, coreEnd, scope, symbols));
    if (coreEnd < unit.end) out.push(...plainPieces(walk, coreEnd + 1, unit.end, scope));
    return markJoined(out, unit.joined);
  }
  // Merged units always fit, so a unit too big for one shard holds exactly one item.
  return markJoined(nodePieces(walk, node, unit.start, unit.end, scope, false), unit.joined);
}

function markJoined(pieces: Piece[], joined = true): Piece[] {
  if (joined && pieces.length > 0) (pieces[0] as Piece).joined = true;
  return pieces;
}

/** Lines that are not an item (comments, blank lines, closing braces): one piece, or blocks when too big. */
function plainPieces(walk: Walk, from: number, to: number, scope: Scope): Piece[] {
  if (walk.index.chars(from, to) <= walk.maxChars) return [piece(from, to, scope)];
  return blankLinePieces(walk.index, from, to, walk.maxChars, scope, { inside: false });
}

/** Split one item over lines from..to (which may include its leading comments) into pieces. */
function nodePieces(walk: Walk, node: Node, from: number, to: number, scope: Scope, fits: boolean): Piece[] {
  const { index, syntax, maxChars } = walk;
  // An ERROR node's children are a token soup, and very deep trees (long operator chains in
  // generated code) would only be split into lines anyway: use blank-line blocks for both.
  if (node.type === "ERROR" || scope.path.length >= MAX_DEPTH) {
    return blankLinePieces(index, from, to, maxChars, enter(scope, from, { fits, inside: node.type !== "ERROR" }));
  }
  const item = unwrap(node, syntax);
  const isContainer = syntax.containers.has(item.type);
  const symbol = symbolOf(node, syntax, isInside(scope));
  const named = symbol !== undefined || isContainer;
  const inner = enter(
    scope,
    from,
    // Descending into a container keeps its members whole; anything else is split inside.
    { fits, inside: !isContainer },
    {
      header: named || scope.path.length === 0 ? headerOf(index, item) : undefined,
      within: isContainer ? undefined : symbol,
    },
  );
  const pieces = regionPieces(walk, splitChildren(node, item), from, to, inner) ?? linePieces(from, to, inner);
  // The first piece holds the container's own first line, so it names the container.
  if (isContainer && symbol !== undefined && pieces.length > 0) {
    const first = pieces[0] as Piece;
    first.symbols = [symbol, ...first.symbols.filter((s) => s !== symbol)];
  }
  return pieces;
}

/**
 * The nodes an item is split at. With a body (function, class, impl, loop) that is the body's
 * statements or members plus whatever follows the body (`except`/`finally` clauses): the
 * signature before the body is not a piece of its own but the header of the first piece.
 */
function splitChildren(node: Node, item: Node): Node[] {
  const body = item.childForFieldName("body");
  if (body === null) return children(node);
  return [...children(body), ...children(item).filter((c) => c.startIndex >= body.endIndex)];
}

/**
 * The first line(s) of an item: from the line of its name (below any attributes) to the line its
 * body opens on, or the line before when the body starts a line of its own (a Python block, an
 * Allman brace). At most MAX_HEADER_LINES.
 */
function headerOf(index: LineIndex, item: Node): Header {
  const name = item.childForFieldName("name");
  const body = item.childForFieldName("body");
  const first = Math.max(nodeLines(item)[0], name === null ? 0 : nodeLines(name)[0]);
  let last = first;
  if (body !== null) {
    const bodyLine = nodeLines(body)[0];
    const indent = index.line(bodyLine).length - index.line(bodyLine).trimStart().length;
    last = Math.max(first, body.startPosition.column <= indent ? bodyLine - 1 : bodyLine);
  }
  const text: string[] = [];
  for (let n = first; n <= Math.min(last, first + MAX_HEADER_LINES - 1); n++) {
    const line = index.line(n).trimEnd();
    text.push(line.length > MAX_HEADER_LINE_CHARS ? `${line.slice(0, MAX_HEADER_LINE_CHARS - 1)}…` : line);
  }
  return { line: first, text: text.join("\n") };
}
