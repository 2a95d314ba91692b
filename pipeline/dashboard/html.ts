/** Small HTML builders for the dashboard panels. Text is escaped by default; only `Html` values pass through raw. Pure. */
import { escapeHtml, formatNumber, type NumberKind } from "./format";

/** Markup built by these helpers, trusted to be already escaped. */
export interface Html {
  html: string;
}

/** A table cell: text (escaped), a number (formatted, right-aligned), null (a dash) or built markup. */
export type Cell = string | number | null | Html;

export function raw(html: string): Html {
  return { html };
}

function cell(c: Cell, tag: "td" | "th"): string {
  if (c === null) return `<${tag} class="num">–</${tag}>`;
  if (typeof c === "number") return `<${tag} class="num">${escapeHtml(formatNumber(c))}</${tag}>`;
  if (typeof c === "string") return `<${tag}>${escapeHtml(c)}</${tag}>`;
  return `<${tag}>${c.html}</${tag}>`;
}

/** Our own sentences: escaped, with `backticked` commands shown as code. */
export function prose(text: string): string {
  return escapeHtml(text).replace(/`([^`]+)`/g, "<code>$1</code>");
}

/** A table with a header row; `empty` is shown instead when there are no rows. */
export function table(headers: string[], rows: Cell[][], options: { id: string; empty: string }): string {
  if (rows.length === 0) return `<p class="empty" data-table="${escapeHtml(options.id)}">${prose(options.empty)}</p>`;
  const head = `<tr>${headers.map((h) => `<th>${escapeHtml(h)}</th>`).join("")}</tr>`;
  const body = rows.map((r) => `<tr>${r.map((c) => cell(c, "td")).join("")}</tr>`).join("");
  return `<div class="table-wrap"><table data-table="${escapeHtml(options.id)}"><thead>${head}</thead><tbody>${body}</tbody></table></div>`;
}

/** A headline number with its caption. `name` is the `data-tile` a test or a reader can find it by. */
export function tile(name: string, caption: string, value: number | null, kind: NumberKind = "count", detail?: string): string {
  const sub = detail ? `<span class="tile-detail">${escapeHtml(detail)}</span>` : "";
  return `<div class="tile" data-tile="${escapeHtml(name)}"><span class="tile-value">${escapeHtml(formatNumber(value, kind))}</span><span class="tile-caption">${escapeHtml(caption)}</span>${sub}</div>`;
}

/** A tile whose value is already text (a share, an age). */
export function textTile(name: string, caption: string, value: string, detail?: string): string {
  const sub = detail ? `<span class="tile-detail">${escapeHtml(detail)}</span>` : "";
  return `<div class="tile" data-tile="${escapeHtml(name)}"><span class="tile-value">${escapeHtml(value)}</span><span class="tile-caption">${escapeHtml(caption)}</span>${sub}</div>`;
}

/** A coloured word: a verdict, tier, severity or status. The class is the word itself, restricted to [a-z_]. */
export function badge(word: string | null): Html {
  if (word === null) return raw(`<span class="badge">–</span>`);
  const cls = word.replace(/[^a-z_]/g, "");
  return raw(`<span class="badge b-${cls}">${escapeHtml(word)}</span>`);
}

/** Inline code (evidence, a quoted line): wraps where it must. */
export function code(text: string): Html {
  return raw(`<code>${escapeHtml(text)}</code>`);
}

/** A file path: kept on one line, since a path broken mid-name is hard to read. */
export function path(text: string): Html {
  return raw(`<code class="path">${escapeHtml(text)}</code>`);
}
