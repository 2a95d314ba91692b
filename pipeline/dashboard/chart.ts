/** Line charts as inline SVG, drawn here so the page needs no script and tests can count the points. Pure. */
import { escapeHtml, formatNumber, type NumberKind } from "./format";

export interface ChartSeries {
  /** The metric name; also the `data-series` of its points. */
  name: string;
  color: string;
  /** One value per x tick; null leaves a gap. */
  values: (number | null)[];
}

export interface ChartTick {
  /** Iteration id: the `data-iteration` of its points. */
  id: number;
  /** Shown under the axis: `#3`. */
  text: string;
  /** Shown in tooltips: `3 (iter-3)`. */
  name: string;
  /** A second line under the tick (`aborted`, `running`); null for a finished iteration. */
  note: string | null;
  /** A partial point (computed from the rows of an unfinished iteration): drawn hollow, joined by dashed lines. */
  partial: boolean;
}

export interface ChartSpec {
  /** Stable id for the `data-chart` attribute. */
  id: string;
  title: string;
  kind: NumberKind;
  series: ChartSeries[];
}

const WIDTH = 440;
const HEIGHT = 200;
const MARGIN = { left: 52, right: 12, top: 12, bottom: 40 };
// Keeps the first and last points off the y labels and the frame.
const X_INSET = 14;
const POINT_RADIUS = (ticks: number) => (ticks > 24 ? 2.5 : 3.5);
const MAX_TICK_LABELS = 12;
const Y_DIVISIONS = 4;
const COMPACT = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 });

/** A y scale in round steps (1 / 2 / 2.5 / 5 × 10^k; whole steps for counts) from 0, or below 0 for negative values, up to at least `max`. */
export function yScale(min: number, max: number, kind: NumberKind): { low: number; high: number; step: number } {
  const span = Math.max(max, 0) - Math.min(min, 0) || 1;
  const target = span / Y_DIVISIONS;
  const p = 10 ** Math.floor(Math.log10(target));
  // A count axis never shows a fraction: 2.5 × 10^k only from 25 up.
  const multiples = [1, 2, 2.5, 5, 10].filter((m) => kind !== "count" || Number.isInteger(m * p));
  let step = (multiples.find((m) => m * p >= target) ?? 10) * p;
  if (kind === "count") step = Math.max(1, step);
  const low = min < 0 ? -Math.ceil(-min / step) * step : 0;
  const high = Math.max(step, Math.ceil(Math.max(max, 0) / step) * step);
  return { low, high, step };
}

/** Axis labels with as many decimals as the step needs, the same for every label of a chart. */
function axisLabel(v: number, step: number, kind: NumberKind): string {
  if (kind === "count" && Math.abs(v) >= 10_000) return COMPACT.format(v);
  if (kind !== "usd") return formatNumber(v, kind);
  let decimals = 2;
  while (decimals < 6 && Math.abs(Math.round(step * 10 ** decimals) - step * 10 ** decimals) > 1e-9) decimals++;
  return `$${v.toFixed(decimals)}`;
}

/** One chart: axes, a line per series and a circle per non-null value. */
export function renderLineChart(spec: ChartSpec, ticks: ChartTick[]): string {
  const plotW = WIDTH - MARGIN.left - MARGIN.right - 2 * X_INSET;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const values = spec.series.flatMap((s) => s.values.filter((v): v is number => v !== null && Number.isFinite(v)));
  const { low: yMin, high, step } = yScale(Math.min(0, ...values), Math.max(0, ...values), spec.kind);
  const x = (i: number) => MARGIN.left + X_INSET + (ticks.length === 1 ? plotW / 2 : (i * plotW) / (ticks.length - 1));
  const y = (v: number) => MARGIN.top + plotH - ((v - yMin) / (high - yMin)) * plotH;
  const r = (n: number) => Math.round(n * 10) / 10;

  const grid: string[] = [];
  for (let i = 0; yMin + i * step <= high + step / 1e6; i++) {
    const v = yMin + i * step;
    const gy = r(y(v));
    grid.push(`<line class="grid" x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${gy}" y2="${gy}"/>`);
    grid.push(`<text class="y-label" x="${MARGIN.left - 6}" y="${gy + 4}" text-anchor="end">${escapeHtml(axisLabel(v, step, spec.kind))}</text>`);
  }

  // Label every k-th tick counted from the newest, so the latest is always labelled; notes (aborted) are always shown.
  const every = Math.ceil(ticks.length / MAX_TICK_LABELS);
  const xLabels = ticks.map((t, i) => {
    const tx = r(x(i));
    const base = HEIGHT - MARGIN.bottom + 16;
    const label = (ticks.length - 1 - i) % every === 0 ? `<text class="x-label" x="${tx}" y="${base}" text-anchor="middle">${escapeHtml(t.text)}</text>` : "";
    const note = t.note ? `<text class="x-note" x="${tx}" y="${base + 13}" text-anchor="middle">${escapeHtml(t.note)}</text>` : "";
    return label + note;
  });

  const lines = spec.series.map((s) => {
    const solid: string[] = [];
    const dashed: string[] = [];
    for (let i = 1; i < ticks.length; i++) {
      const a = s.values[i - 1] ?? null;
      const b = s.values[i] ?? null;
      if (a === null || b === null) continue;
      const seg = `M${r(x(i - 1))} ${r(y(a))}L${r(x(i))} ${r(y(b))}`;
      (ticks[i - 1]!.partial || ticks[i]!.partial ? dashed : solid).push(seg);
    }
    const path = (d: string[], cls: string) => (d.length ? `<path class="${cls}" d="${d.join("")}" stroke="${s.color}"/>` : "");
    return path(solid, "line") + path(dashed, "line partial");
  });

  const points = spec.series.map((s) =>
    ticks
      .map((t, i) => {
        const v = s.values[i] ?? null;
        if (v === null || !Number.isFinite(v)) return "";
        const tip = `${s.name} = ${formatNumber(v, spec.kind)} — iteration ${t.name}${t.note ? `, ${t.note}` : ""}`;
        return (
          `<circle class="point${t.partial ? " partial" : ""}" cx="${r(x(i))}" cy="${r(y(v))}" r="${POINT_RADIUS(ticks.length)}" ` +
          `stroke="${s.color}" fill="${t.partial ? "#fff" : s.color}" data-series="${escapeHtml(s.name)}" data-iteration="${t.id}" data-value="${v}">` +
          `<title>${escapeHtml(tip)}</title></circle>`
        );
      })
      .join(""),
  );

  const axis = `<line class="axis" x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${r(y(yMin))}" y2="${r(y(yMin))}"/>`;
  return (
    `<svg class="chart" data-chart="${escapeHtml(spec.id)}" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${escapeHtml(spec.title)}">` +
    grid.join("") + axis + xLabels.join("") + lines.join("") + points.join("") +
    `</svg>`
  );
}
