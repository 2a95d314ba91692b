/**
 * TOML: one piece per table (`[x]` / `[[x]]`, with the comment lines right above it); a table too
 * big splits between its entries, never inside a multi-line string or array.
 */
import { enter, linePieces, piece, shortSymbol, type LineIndex, type Piece, type Scope } from "./pieces";

const HEADER = /^\s*(\[\[?)\s*([^\s\[\]#=][^\[\]=]*?)\s*(\]\]?)\s*(#.*)?$/;

/** Pieces covering the whole file: the root keys before the first table, then each table. */
export function tomlPieces(index: LineIndex, maxChars: number, scope: Scope): Piece[] {
  const { tables, continued } = scan(index);
  const starts = tables.map((t) => t.start);
  const bounds = starts[0] === 1 ? [...starts, index.count + 1] : [1, ...starts, index.count + 1];
  const out: Piece[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const from = bounds[i] as number;
    const to = (bounds[i + 1] as number) - 1;
    const table = tables.find((t) => t.start === from);
    const symbols = table === undefined ? [] : [table.symbol];
    if (index.chars(from, to) <= maxChars || from === to) {
      out.push(piece(from, to, scope, symbols));
      continue;
    }
    const header = table === undefined ? undefined : { line: table.header, text: index.line(table.header) };
    const inner = enter(scope, from, { fits: false, inside: true }, { header, within: symbols[0] });
    out.push(...entryPieces(index, from, to, maxChars, inner, continued));
  }
  return out;
}

/**
 * One piece per entry of lines from..to: an entry starts on a line that does not continue a
 * multi-line value and does not follow a comment (comments belong to the entry below them).
 * An entry too big for one shard is cut at lines.
 */
function entryPieces(index: LineIndex, from: number, to: number, maxChars: number, scope: Scope, continued: boolean[]): Piece[] {
  const starts = [from];
  for (let n = from + 1; n <= to; n++) {
    if (!continued[n - 1] && !index.isBlank(n) && !/^\s*#/.test(index.line(n - 1))) starts.push(n);
  }
  return starts.flatMap((a, i) => {
    const b = (starts[i + 1] ?? to + 1) - 1;
    if (index.chars(a, b) <= maxChars || a === b) return [piece(a, b, scope)];
    return linePieces(a, b, enter(scope, a, { fits: false, inside: true }));
  });
}

interface Table {
  /** First line of the table, including the comment lines right above its header. */
  start: number;
  header: number;
  symbol: string;
}

/**
 * Table headers outside multi-line strings and arrays, and for each line whether it continues a
 * value that started on an earlier line (index n - 1 for line n).
 */
function scan(index: LineIndex): { tables: Table[]; continued: boolean[] } {
  const tables: Table[] = [];
  const continued = new Array<boolean>(index.count).fill(false);
  let quote: string | undefined; // open multi-line string delimiter
  let depth = 0; // open brackets of a multi-line array or inline table
  for (let n = 1; n <= index.count; n++) {
    const line = index.line(n);
    continued[n - 1] = quote !== undefined || depth > 0;
    if (quote === undefined && depth === 0) {
      const match = HEADER.exec(line);
      if (match && (match[1] as string).length === (match[3] as string).length) {
        let start = n;
        while (start > 1 && /^\s*#/.test(index.line(start - 1)) && start - 1 > (tables[tables.length - 1]?.header ?? 0)) start--;
        tables.push({ start, header: n, symbol: shortSymbol(`${match[1]}${match[2]}${match[3]}`) });
        continue;
      }
    }
    [quote, depth] = scanLine(line, quote, depth);
  }
  return { tables, continued };
}

/** Track multi-line strings and bracket depth across one line (comments and strings skipped). */
function scanLine(line: string, quote: string | undefined, depth: number): [string | undefined, number] {
  let i = 0;
  while (i < line.length) {
    if (quote !== undefined) {
      const close = line.indexOf(quote, i);
      if (close < 0) return [quote, depth];
      i = close + quote.length;
      quote = undefined;
      continue;
    }
    const ch = line[i] as string;
    if (ch === "#") break;
    if (line.startsWith('"""', i) || line.startsWith("'''", i)) {
      quote = line.slice(i, i + 3);
      i += 3;
      continue;
    }
    if (ch === '"' || ch === "'") {
      // A one-line string: skip to its closing quote (basic strings honour backslash escapes).
      let j = i + 1;
      while (j < line.length && line[j] !== ch) j += ch === '"' && line[j] === "\\" ? 2 : 1;
      i = j + 1;
      continue;
    }
    if (ch === "[" || ch === "{") depth++;
    else if ((ch === "]" || ch === "}") && depth > 0) depth--;
    i++;
  }
  return [quote, depth];
}
