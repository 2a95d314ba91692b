/** Diff of two iterations: metric deltas with direction, verdict transitions, findings new / resolved / persisting. Pure. */
import type { FileReviewRow, FindingRow } from "../../kb/kb";
import { METRIC_DIRECTION, type Metrics } from "./metrics";

export interface IterationSnapshot {
  id: number;
  label: string | null;
  metrics: Metrics;
  reviews: FileReviewRow[];
  findings: FindingRow[];
}

export interface MetricDelta {
  name: string;
  from: number | null;
  to: number | null;
  delta: number | null;
  /** better / worse by the metric's known direction; same when unchanged; null when the metric has no direction. */
  direction: "better" | "worse" | "same" | null;
}

export interface DiffFinding {
  path: string;
  fingerprint: string;
  category: string;
  severity: string;
  title: string;
  line_start: number;
}

export interface IterationDiff {
  from: { id: number; label: string | null };
  to: { id: number; label: string | null };
  metrics: MetricDelta[];
  transitions: Array<{ path: string; from: string; to: string }>;
  findings: { new: DiffFinding[]; resolved: DiffFinding[]; persisting: DiffFinding[] };
}

const REVIEWED = new Set(["pass", "needs_patch", "fail"]);

/**
 * Compare iteration `a` (earlier) with `b`. A finding is resolved only if its file was reviewed again in `b` and the
 * fingerprint is gone: a file `b` did not look at (a --from-flagged run) resolves nothing.
 */
export function diffIterations(a: IterationSnapshot, b: IterationSnapshot): IterationDiff {
  const names = [...new Set([...Object.keys(a.metrics), ...Object.keys(b.metrics)])].sort();
  const metrics = names.map((name): MetricDelta => {
    const from = a.metrics[name] ?? null;
    const to = b.metrics[name] ?? null;
    const delta = from !== null && to !== null ? round(to - from) : null;
    const want = METRIC_DIRECTION[name];
    let direction: MetricDelta["direction"] = null;
    if (delta === 0) direction = "same";
    else if (delta !== null && want) direction = (delta < 0) === (want === "lower") ? "better" : "worse";
    return { name, from, to, delta, direction };
  });

  const before = new Map(a.reviews.map((r) => [r.path, r.verdict]));
  const transitions = b.reviews
    .filter((r) => before.has(r.path) && before.get(r.path) !== r.verdict)
    .map((r) => ({ path: r.path, from: before.get(r.path)!, to: r.verdict }))
    .sort((x, y) => x.path.localeCompare(y.path));

  const problems = (rows: FindingRow[]) => rows.filter((f) => f.category !== "verified_components");
  const key = (f: FindingRow) => `${f.path}\u0000${f.fingerprint}`;
  const inA = new Map(problems(a.findings).map((f) => [key(f), f]));
  const inB = new Map(problems(b.findings).map((f) => [key(f), f]));
  const rereviewed = new Set(b.reviews.filter((r) => REVIEWED.has(r.verdict)).map((r) => r.path));
  const pick = (f: FindingRow): DiffFinding => ({ path: f.path, fingerprint: f.fingerprint, category: f.category, severity: f.severity, title: f.title, line_start: f.line_start });
  return {
    from: { id: a.id, label: a.label },
    to: { id: b.id, label: b.label },
    metrics,
    transitions,
    findings: {
      new: [...inB.entries()].filter(([k]) => !inA.has(k)).map(([, f]) => pick(f)),
      resolved: [...inA.entries()].filter(([k, f]) => !inB.has(k) && rereviewed.has(f.path)).map(([, f]) => pick(f)),
      persisting: [...inB.entries()].filter(([k]) => inA.has(k)).map(([, f]) => pick(f)),
    },
  };
}

function round(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}
