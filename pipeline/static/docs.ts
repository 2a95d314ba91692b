/** Placeholder text in prose (Markdown, plain text): `!!!`, TODO/TBD/FIXME/WIP/XXX, lorem ipsum, "we need to update this", "insert … here". */
import type { Detector, Hit } from "./rules";
import { blankInlineCode } from "./source";

const MARKERS = "TODO|FIXME|XXX|TBD|WIP";
const BANGS = /!{3,}/;
/**
 * Checked in order; the first that matches names the finding (one finding per line). Markers count where they are
 * used as placeholders (a line or list item that starts with one, `TODO:`, `Owner: TBD`, `(WIP)`), not where prose
 * mentions them ("TODO/FIXME comments").
 */
/** [pattern, name, is a marker (low; not a finding in changelogs) rather than placeholder text]. */
const PLACEHOLDERS: Array<[RegExp, string, boolean]> = [
  [/\bwe need to (update|fill in|finish|write) this\b/i, "\"we need to update this\"", false],
  [BANGS, "\"!!!\"", false],
  [/\blorem ipsum\b/i, "lorem ipsum", false],
  [new RegExp(String.raw`^\s{0,3}(?:<!--\s*|[-*+]\s+|\d+[.)]\s+|#{1,6}\s+|>\s*)*(?:\[[ xX]\]\s+)?(${MARKERS})\b(?![,/])`), "", true],
  [new RegExp(String.raw`\b(${MARKERS})\s*:|:\s*(${MARKERS})\b(?![,/])|[(\[]\s*(${MARKERS})\s*[)\]]|\b(TBD)\b`), "", true],
  [/\[?\binsert\b[^\]\n]{0,40}\bhere\b\]?/i, "\"insert … here\"", false],
];
const FENCE = /^\s{0,3}(`{3,}|~{3,})/;
/**
 * An admonition of MkDocs / Python-Markdown (`!!! note`, `!!! tip "Gotcha"`, `!!! Warning "Trust no one!"`: the type
 * in any case, as uvicorn's docs write it): syntax, not a placeholder `!!!`.
 */
const ADMONITION = /^\s*!!!\s+[a-z][\w-]*(?:\s+(?:"[^"]*"|'[^']*'))?\s*$/i;

/** Changelogs and release checklists use TBD/TODO as a convention (an unreleased section, a step to do). */
const CONVENTION_FILES = /(^|\/)(CHANGELOG|CHANGES|HISTORY|NEWS|RELEASES?|RELEASE[-_]?NOTES|[\w-]*CHECKLIST)[\w.-]*$/i;
/** A line that is nothing but a marker (a README that says `WIP`, a table cell `| TBD |`) is placeholder text itself. */
const BARE_MARKER = new RegExp(String.raw`^\s*(?:#{1,6}\s*)?(${MARKERS})\s*$|\|\s*(${MARKERS})\s*\|`);

/**
 * Placeholder text in prose (Markdown, plain text), outside fenced code blocks and inline code. Placeholder text
 * (`!!!`, lorem ipsum, a bare marker line or cell) is `medium`; a marker in a sentence (`TODO: add examples`) is `low`;
 * markers are not findings in changelogs and release checklists.
 */
export const detectDocPlaceholders: Detector = (input) => {
  const hits: Hit[] = [];
  const convention = CONVENTION_FILES.test(input.path);
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
    const bare = BARE_MARKER.exec(prose);
    if (bare && !convention) {
      hits.push({ rule: "doc-placeholder", line: i, column: bare.index, detail: bare.slice(1).find(Boolean) as string });
      return;
    }
    for (const [pattern, name, marker] of PLACEHOLDERS) {
      if (pattern === BANGS && ADMONITION.test(prose)) continue;
      const m = pattern.exec(prose);
      if (!m) continue;
      if (marker && convention) return;
      hits.push({ rule: "doc-placeholder", line: i, column: m.index, detail: name || (m.slice(1).find(Boolean) as string), severity: marker ? "low" : undefined });
      return;
    }
  });
  return hits;
};
