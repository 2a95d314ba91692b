/** Text for the dashboard's HTML: escaping (paths, titles and evidence are untrusted) and number formatting. Pure. */

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Escape text for HTML element content and quoted attribute values alike. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

export type NumberKind = "count" | "usd" | "ms" | "ratio";

const GROUPED = new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 });

/** A number as a person reads it: grouped counts, dollars, durations. Null is an en dash (no value), never 0. */
export function formatNumber(value: number | null, kind: NumberKind = "count"): string {
  if (value === null || !Number.isFinite(value)) return "–";
  if (kind === "usd") return `$${value.toFixed(Math.abs(value) >= 1 ? 2 : 4)}`;
  if (kind === "ratio") return `${(value * 100).toFixed(1)}%`;
  if (kind === "ms") return formatDuration(value);
  return GROUPED.format(value);
}

/** A duration in the largest unit that keeps it readable: 850 ms, 4.2 s, 12 min, 3 h, 2 d. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const min = s / 60;
  if (min < 60) return `${Math.round(min)} min`;
  const h = min / 60;
  if (h < 48) return `${Math.round(h)} h`;
  return `${Math.round(h / 24)} d`;
}

/** `part` of `whole` as a percentage with one decimal; a dash when there is nothing to take a share of. */
export function formatShare(part: number, whole: number): string {
  return whole === 0 ? "–" : `${((part / whole) * 100).toFixed(1)}%`;
}

/** An iteration as the other commands name it: `3 (iter-3)`. */
export function iterationName(id: number, label: string | null): string {
  return label ? `${id} (${label})` : String(id);
}

/** `1 note`, `3 notes`: a count with its noun. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
