/** Markdown: sections at headings; a section too big splits at its sub-headings, then at paragraphs. */
import { blankLinePieces, enter, piece, shortSymbol, type Header, type LineIndex, type Piece, type Scope } from "./pieces";

interface Heading {
  line: number;
  level: number;
  /** `## Setup`, whichever syntax (ATX or setext) the file used. */
  symbol: string;
}

/** Pieces covering the whole file. */
export function markdownPieces(index: LineIndex, maxChars: number, scope: Scope): Piece[] {
  const fenced = fencedLines(index);
  const headings = findHeadings(index, fenced);
  return sectionPieces(index, headings, 1, index.count, maxChars, scope, fenced);
}

/**
 * Lines from..to, which start with the heading they belong to (or with text before any heading).
 * `headings` are those inside the range after its first line.
 */
function sectionPieces(index: LineIndex, headings: Heading[], from: number, to: number, maxChars: number, scope: Scope, fenced: boolean[]): Piece[] {
  const own = headings.find((h) => h.line === from);
  const inner = headings.filter((h) => h.line > from && h.line <= to);
  if (index.chars(from, to) <= maxChars || from === to) return [piece(from, to, scope, own === undefined ? [] : [own.symbol])];
  const header: Header | undefined = own === undefined ? undefined : { line: own.line, text: index.line(own.line) };
  if (inner.length === 0) {
    // No sub-headings: split at paragraphs, never inside a code fence nor right after a heading.
    const headingLines = new Set(headings.map((h) => h.line));
    const canCut = (n: number) => {
      let previous = n - 1;
      while (previous > from && index.isBlank(previous)) previous--;
      return !fenced[n - 1] && !headingLines.has(previous);
    };
    const paragraphs = blankLinePieces(index, from, to, maxChars, enter(scope, from, { fits: false, inside: true }, { header }), { canCut });
    if (own !== undefined && paragraphs.length > 0) (paragraphs[0] as Piece).symbols = [own.symbol];
    return paragraphs;
  }
  const innerScope = enter(scope, from, { fits: false, inside: false }, { header });
  const level = Math.min(...inner.map((h) => h.level));
  const cuts = inner.filter((h) => h.level === level).map((h) => h.line);
  const bounds = [from, ...cuts.filter((c) => c > from), to + 1];
  const out: Piece[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const a = bounds[i] as number;
    const b = (bounds[i + 1] as number) - 1;
    // The part before the first sub-heading carries the section's own heading, so it keeps the outer scope.
    out.push(...sectionPieces(index, headings, a, b, maxChars, i === 0 ? scope : innerScope, fenced));
  }
  return out;
}

/** True for each line inside a ``` or ~~~ fence (the closing fence too, not the opening one). */
function fencedLines(index: LineIndex): boolean[] {
  const fenced = new Array<boolean>(index.count).fill(false);
  let fence: string | undefined;
  for (let n = 1; n <= index.count; n++) {
    const match = /^ {0,3}(`{3,}|~{3,})/.exec(index.line(n));
    if (fence === undefined) {
      if (match) fence = match[1];
      continue;
    }
    fenced[n - 1] = true;
    if (match && (match[1] as string)[0] === fence[0] && (match[1] as string).length >= fence.length && index.line(n).trim() === match[1]) {
      fence = undefined;
    }
  }
  return fenced;
}

/** ATX (`## x`) and setext (`x` over `---`/`===`) headings outside code fences and front matter. */
function findHeadings(index: LineIndex, fenced: boolean[]): Heading[] {
  const headings: Heading[] = [];
  let first = 1;
  if (index.line(1).trim() === "---") {
    // YAML front matter: nothing in it is a heading.
    for (let n = 2; n <= index.count; n++) {
      if (/^(---|\.\.\.)\s*$/.test(index.line(n))) {
        first = n + 1;
        break;
      }
    }
  }
  for (let n = first; n <= index.count; n++) {
    if (fenced[n - 1] || /^ {0,3}(`{3,}|~{3,})/.test(index.line(n))) continue;
    const line = index.line(n);
    const atx = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/.exec(line);
    if (atx) {
      const level = (atx[1] as string).length;
      headings.push({ line: n, level, symbol: shortSymbol(`${atx[1]} ${atx[2] ?? ""}`) });
      continue;
    }
    const underline = /^ {0,3}(=+|-+)[ \t]*$/.exec(index.line(n + 1));
    const isParagraphStart = n === first || index.isBlank(n - 1);
    if (underline && n + 1 <= index.count && !index.isBlank(n) && isParagraphStart && !/^ {0,3}([-*+]|\d+[.)])\s/.test(line) && !fenced[n]) {
      const level = (underline[1] as string)[0] === "=" ? 1 : 2;
      headings.push({ line: n, level, symbol: shortSymbol(`${"#".repeat(level)} ${line.trim()}`) });
      n++;
    }
  }
  return headings;
}
