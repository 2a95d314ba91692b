/**
 * The context preamble sent with a shard but not counted in its range: the file's imports (capped)
 * and the first line(s) of each item the shard sits inside (`// line 40: impl AuthService {`).
 */
import type { Header, LineIndex } from "./pieces";

const MAX_IMPORT_LINES = 20;
const MAX_IMPORT_CHARS = 1500;

/** Wraps a line of preamble text as a comment of the file's language. */
export type CommentStyle = (text: string) => string;

export const lineComment = (prefix: string): CommentStyle => (text) => `${prefix} ${text}`;
export const htmlComment: CommentStyle = (text) => `<!-- ${text} -->`;

/** Inputs of every shard's preamble in one file. `imports` are 1-based inclusive line ranges, in file order. */
export interface PreambleSource {
  index: LineIndex;
  imports: Array<[number, number]>;
  comment: CommentStyle;
}

/** The preamble for the shard over lines start..end that sits inside `headers` (outermost first). */
export function buildPreamble(source: PreambleSource, start: number, end: number, headers: Header[]): string {
  const parts: string[] = [];
  const outside = source.imports.filter(([a, b]) => b < start || a > end);
  if (outside.length > 0) parts.push(...importLines(source, outside));
  for (const header of headers) {
    if (header.line >= start) continue;
    header.text.split("\n").forEach((text, k) => parts.push(source.comment(`line ${header.line + k}: ${text.trim()}`)));
  }
  return parts.join("\n");
}

/** The import statements' lines, at most MAX_IMPORT_LINES / MAX_IMPORT_CHARS, then how many were left out. */
function importLines(source: PreambleSource, imports: Array<[number, number]>): string[] {
  const out: string[] = [];
  let chars = 0;
  let shown = 0;
  for (const [a, b] of imports) {
    const lines = source.index.lines.slice(a - 1, b);
    const size = lines.reduce((sum, line) => sum + line.length + 1, 0);
    if (out.length + lines.length > MAX_IMPORT_LINES || chars + size > MAX_IMPORT_CHARS) break;
    out.push(...lines);
    chars += size;
    shown++;
  }
  const left = imports.length - shown;
  if (left > 0) out.push(source.comment(`… ${left} more import${left === 1 ? "" : "s"}`));
  return out;
}
