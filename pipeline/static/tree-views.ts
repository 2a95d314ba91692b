/**
 * Line views from a tree-sitter tree: the parser, not a line lexer, says what is a comment and what is a string.
 * Columns are tree-sitter's UTF-16 indexes, which are JavaScript string indexes into each line.
 */
import type { Node, Point } from "web-tree-sitter";
import type { LineView } from "./source";

const COMMENT = /comment/;
/** Outermost literal nodes whose content is text, not code (strings, template strings, chars, regexes). */
const LITERAL = /^(string|template_string|string_literal|raw_string_literal|interpreted_string_literal|char_literal|regex|concatenated_string|encapsed_string|heredoc)$/;

const OTHER = 0;
const COMMENT_NODE = 1;
const LITERAL_NODE = 2;
/** Node type name → what it is; a handful of names per grammar, so two regex tests per node become one lookup. */
const KINDS = new Map<string, number>();

function kindOf(type: string): number {
  let kind = KINDS.get(type);
  if (kind === undefined) {
    kind = COMMENT.test(type) ? COMMENT_NODE : LITERAL.test(type) ? LITERAL_NODE : OTHER;
    KINDS.set(type, kind);
  }
  return kind;
}

/** Split the shard's lines into code, comment and string views from the tree of their joined text. */
export function treeViews(root: Node, lines: string[]): LineView[] {
  // Per line, filled only for lines that hold a comment or a literal: most lines are plain code and stay as they are.
  const code: Array<string[] | undefined> = new Array(lines.length);
  const comments: Array<string | undefined> = new Array(lines.length);
  const strings: Array<string[] | undefined> = new Array(lines.length);
  // A cursor walk: no Node object per syntax node (allocating them dominates the scan time otherwise). A query for
  // the comment and literal types was tried: marshalling its captures made it no faster.
  const cursor = root.walk();
  try {
    let descend = true;
    while (true) {
      const kind = kindOf(cursor.nodeType);
      if (kind !== OTHER) {
        mark(cursor.startPosition, cursor.endPosition, kind === COMMENT_NODE);
        descend = false;
      }
      if (descend && cursor.gotoFirstChild()) continue;
      descend = true;
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent()) return views();
      }
    }
  } finally {
    cursor.delete();
  }

  function mark(start: Point, end: Point, isComment: boolean): void {
    for (let r = start.row; r <= end.row && r < lines.length; r++) {
      const line = lines[r] as string;
      const from = r === start.row ? start.column : 0;
      const to = r === end.row ? end.column : line.length;
      const chars = (code[r] ??= line.split(""));
      if (isComment) {
        comments[r] = (comments[r] ?? "") + line.slice(from, to);
        for (let c = from; c < to; c++) chars[c] = " ";
      } else {
        // Keep the delimiters in the code view (a rule may look for `"`), blank the content.
        const open = r === start.row ? Math.min(to, from + openingLength(line, from)) : from;
        const close = r === end.row ? Math.max(open, to - 1) : to;
        (strings[r] ??= []).push(line.slice(open, close));
        for (let c = open; c < close; c++) chars[c] = " ";
      }
    }
  }

  function views(): LineView[] {
    return lines.map((raw, i) => ({ raw, code: code[i]?.join("") ?? raw, comment: comments[i] ?? "", strings: strings[i] ?? [] }));
  }
}
/** Length of a literal's opening delimiter: a prefix (`f`, `b`, `r#`), then one or three quote characters. */
function openingLength(line: string, from: number): number {
  OPENING.lastIndex = from;
  const m = OPENING.exec(line);
  return m ? m[0].length : 1;
}
// Sticky: matched at the literal's start, without slicing the line.
const OPENING = /[A-Za-z]{0,2}#*("""|'''|["'`/])/y;
