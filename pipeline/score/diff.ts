/**
 * Diff of two snapshots: metric deltas with direction, per-file verdict transitions, findings new / resolved /
 * persisting by fingerprint. A snapshot is a state (every file's latest review: the default, so a partial run never
 * looks like a collapse) or one iteration's own rows (`--scope iteration`). Pure.
 */
import type { FindingRow } from "../../kb/kb";
import { METRIC_DIRECTION, SCOPE_DEPENDENT_METRICS, type Metrics } from "./metrics";

export type DiffScope = "state" | "iteration";

export interface SnapshotRow {
  path: string;
  verdict: string;
  /** The iteration whose review the row holds; for an iteration's own rows, that iteration. */
  from_iteration_id?: number;
}

export interface IterationSnapshot {
  id: number;
  label: string | null;
  metrics: Metrics;
  reviews: SnapshotRow[];
  findings: Pick<FindingRow, "path" | "fingerprint" | "category" | "severity" | "title" | "line_start">[];
}

export interface MetricDelta {
  name: string;
  from: number | null;
  to: number | null;
  delta: number | null;
  /**
   * better / worse by the metric's known direction; same when unchanged; null when the metric has no direction;
   * not_comparable for a metric of a run's work (wall time, attempts, tokens, cost) when the two runs' scopes differ.
   */
  direction: "better" | "worse" | "same" | "not_comparable" | null;
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
  scope: DiffScope;
  metrics: MetricDelta[];
  transitions: Array<{ path: string; from: string; to: string }>;
  findings: { new: DiffFinding[]; resolved: DiffFinding[]; persisting: DiffFinding[] };
}

const REVIEWED = new Set(["pass", "needs_patch", "fail"]);

/**
 * Compare `a` (earlier) with `b`. A finding is resolved only where `b` looked again: in iteration scope, a file `b`
 * reviewed; in state scope, a file whose review in `b` is newer than in `a`, or that is gone from the tree.
 */
export function diffIterations(a: IterationSnapshot, b: IterationSnapshot, scope: DiffScope = "iteration", options: { sameRunScope?: boolean } = {}): IterationDiff {
  const sameRunScope = options.sameRunScope ?? true;
  const names = [...new Set([...Object.keys(a.metrics), ...Object.keys(b.metrics)])].sort();
  const metrics = names.map((name): MetricDelta => {
    const from = a.metrics[name] ?? null;
    const to = b.metrics[name] ?? null;
    const delta = from !== null && to !== null ? round(to - from) : null;
    const want = METRIC_DIRECTION[name];
    let direction: MetricDelta["direction"] = null;
    if (!sameRunScope && SCOPE_DEPENDENT_METRICS.has(name)) direction = "not_comparable";
    else if (delta === 0) direction = "same";
    else if (delta !== null && want) direction = (delta < 0) === (want === "lower") ? "better" : "worse";
    return { name, from, to, delta, direction };
  });

  const before = new Map(a.reviews.map((r) => [r.path, r]));
  const after = new Map(b.reviews.map((r) => [r.path, r]));
  const transitions = b.reviews
    .filter((r) => before.has(r.path) && before.get(r.path)!.verdict !== r.verdict)
    .map((r) => ({ path: r.path, from: before.get(r.path)!.verdict, to: r.verdict }))
    .sort((x, y) => x.path.localeCompare(y.path));

  const lookedAgain = (path: string): boolean => {
    const now = after.get(path);
    if (scope === "iteration") return now !== undefined && REVIEWED.has(now.verdict);
    if (now === undefined) return true; // gone from the tree: nothing of it remains to fix
    return now.from_iteration_id !== before.get(path)?.from_iteration_id && REVIEWED.has(now.verdict);
  };
  const problems = (rows: IterationSnapshot["findings"]) => rows.filter((f) => f.category !== "verified_components");
  const key = (f: DiffFinding) => `${f.path}\u0000${f.fingerprint}`;
  const inA = new Map(problems(a.findings).map((f) => [key(f), f]));
  const inB = new Map(problems(b.findings).map((f) => [key(f), f]));
  const pick = (f: DiffFinding): DiffFinding => ({ path: f.path, fingerprint: f.fingerprint, category: f.category, severity: f.severity, title: f.title, line_start: f.line_start });
  return {
    from: { id: a.id, label: a.label },
    to: { id: b.id, label: b.label },
    scope,
    metrics,
    transitions,
    findings: {
      new: [...inB.entries()].filter(([k]) => !inA.has(k)).map(([, f]) => pick(f)),
      resolved: [...inA.entries()].filter(([k, f]) => !inB.has(k) && lookedAgain(f.path)).map(([, f]) => pick(f)),
      persisting: [...inB.entries()].filter(([k]) => inA.has(k)).map(([, f]) => pick(f)),
    },
  };
}

function round(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}
