/** Markdown building blocks that keep arbitrary text (titles, evidence, paths, reasons) from breaking the document. */

// ASCII punctuation CommonMark lets us backslash-escape and that would otherwise start emphasis, code, links,
// raw HTML, strikethrough or (in a table) a new cell.
const MARKDOWN_SPECIAL = /[\\`*_[\]<>|~]/g;

/** Plain text as literal markdown inline content: special characters escaped, line breaks as spaces. */
export function text(value: string): string {
  return oneLine(value).replace(MARKDOWN_SPECIAL, "\\$&");
}

/**
 * A code span that shows `value` verbatim: the fence is one backtick longer than the longest run inside, and padded
 * with a space when the content starts or ends with a backtick or space (CommonMark strips one space each side).
 * `inTable` escapes `|`, which GFM treats as a cell boundary even inside code spans.
 */
export function code(value: string, options: { inTable?: boolean } = {}): string {
  let content = oneLine(value);
  if (content.trim() === "") return "_(empty)_";
  if (options.inTable) content = content.replace(/\|/g, "\\|");
  const longestRun = Math.max(0, ...(content.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longestRun + 1);
  const pad = /^[` ]|[` ]$/.test(content) ? " " : "";
  return `${fence}${pad}${content}${pad}${fence}`;
}

/** A GFM table; cells must already be inline markdown (from `text`/`code`) with no line breaks. */
export function table(headers: string[], rows: string[][]): string {
  for (const row of rows) {
    if (row.length !== headers.length) throw new Error(`bug: table row has ${row.length} cells, the header ${headers.length}`);
    if (row.some((cell) => /[\r\n]/.test(cell))) throw new Error("bug: a table cell holds a line break");
  }
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(headers), line(headers.map(() => "---")), ...rows.map(line)].join("\n");
}

function oneLine(value: string): string {
  return value.replace(/\r\n|\r|\n/g, " ");
}
