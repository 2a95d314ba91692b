/**
 * Line views from a tree-sitter tree: the parser, not a line lexer, says what is a comment and what is a string.
 * Columns are tree-sitter's UTF-16 indexes, which are JavaScript string indexes into each line.
 */
import type { Node, Point } from "web-tree-sitter";
import type { LineView } from "./source";

const COMMENT = /comment/;
/** Outermost literal nodes whose content is text, not code (strings, template strings, chars, regexes). */
const LITERAL = /^(string|template_string|string_literal|raw_string_literal|interpreted_string_literal|char_literal|regex|concatenated_string|encapsed_string|heredoc)$/;

/** Split the shard's lines into code, comment and string views from the tree of their joined text. */
export function treeViews(root: Node, lines: string[]): LineView[] {
  const code = lines.map((l) => l.split(""));
  const comments = lines.map(() => "");
  const strings: string[][] = lines.map(() => []);
  // A cursor walk: no Node object per syntax node (allocating them dominates the scan time otherwise).
  const cursor = root.walk();
  try {
    let descend = true;
    while (true) {
      const type = cursor.nodeType;
      const isComment = COMMENT.test(type);
      const isLiteral = !isComment && LITERAL.test(type);
      if (isComment || isLiteral) {
        mark(cursor.startPosition, cursor.endPosition, isComment);
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
      if (isComment) {
        comments[r] += line.slice(from, to);
        for (let c = from; c < to; c++) (code[r] as string[])[c] = " ";
      } else {
        // Keep the delimiters in the code view (a rule may look for `"`), blank the content.
        const open = r === start.row ? Math.min(to, from + openingLength(line, from)) : from;
        const close = r === end.row ? Math.max(open, to - 1) : to;
        (strings[r] as string[]).push(line.slice(open, close));
        for (let c = open; c < close; c++) (code[r] as string[])[c] = " ";
      }
    }
  }

  function views(): LineView[] {
    return lines.map((raw, i) => ({ raw, code: (code[i] as string[]).join(""), comment: comments[i] as string, strings: strings[i] as string[] }));
  }
}
/** Length of a literal's opening delimiter: a prefix (`f`, `b`, `r#`), then one or three quote characters. */
function openingLength(line: string, from: number): number {
  const m = /^[A-Za-z]{0,2}#*("""|'''|["'`/])/.exec(line.slice(from, from + 8));
  return m ? m[0].length : 1;
}
