/** Placeholder text in prose (Markdown, plain text): `!!!`, TODO/TBD/FIXME/WIP/XXX, lorem ipsum, "we need to update this", "insert … here". */
import type { Detector, Hit } from "./rules";
import { blankInlineCode } from "./source";

const MARKERS = "TODO|FIXME|XXX|TBD|WIP";
/**
 * Checked in order; the first that matches names the finding (one finding per line). Markers count where they are
 * used as placeholders (a line or list item that starts with one, `TODO:`, `Owner: TBD`, `(WIP)`), not where prose
 * mentions them ("TODO/FIXME comments").
 */
const PLACEHOLDERS: Array<[RegExp, string]> = [
  [/\bwe need to (update|fill in|finish|write) this\b/i, "\"we need to update this\""],
  [/!{3,}/, "\"!!!\""],
  [/\blorem ipsum\b/i, "lorem ipsum"],
  [new RegExp(String.raw`^\s{0,3}(?:<!--\s*|[-*+]\s+|\d+[.)]\s+|#{1,6}\s+|>\s*)*(?:\[[ xX]\]\s+)?(${MARKERS})\b(?![,/])`), ""],
  [new RegExp(String.raw`\b(${MARKERS})\s*:|:\s*(${MARKERS})\b(?![,/])|[(\[]\s*(${MARKERS})\s*[)\]]|\b(TBD)\b`), ""],
  [/\[?\binsert\b[^\]\n]{0,40}\bhere\b\]?/i, "\"insert … here\""],
];
const FENCE = /^\s{0,3}(`{3,}|~{3,})/;

/** Placeholder markers in prose (Markdown, plain text), outside fenced code blocks and inline code. */
export const detectDocPlaceholders: Detector = (input) => {
  const hits: Hit[] = [];
  let fence: string | null = null;
  input.views.forEach((v, i) => {
    const f = FENCE.exec(v.raw);
    if (f) {
      const marker = (f[1] as string)[0] as string;
      if (fence === null) fence = marker;
      else if (fence === marker) fence = null;
      return;
    }
    if (fence !== null) return;
    const prose = blankInlineCode(v.raw);
    for (const [pattern, name] of PLACEHOLDERS) {
      const m = pattern.exec(prose);
      if (m) {
        hits.push({ rule: "doc-placeholder", line: i, column: m.index, detail: name || (m.slice(1).find(Boolean) as string) });
        return;
      }
    }
  });
  return hits;
};
