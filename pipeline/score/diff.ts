/**
 * Diff of two snapshots: metric deltas with direction, per-file verdict transitions, findings new / resolved /
 * persisting by fingerprint. A snapshot is a state (every file's latest review: the default, so a partial run never
 * looks like a collapse) or one iteration's own rows (`--scope iteration`). Pure.
 */
import type { StoredFinding } from "../../domain/records";
import { METRIC_DIRECTION, SCOPE_DEPENDENT_METRICS, type Metrics } from "./metrics";

export type DiffScope = "state" | "iteration";

export interface SnapshotRow {
  path: string;
  verdict: string;
  /** The iteration whose review the row holds; for an iteration's own rows, that iteration. */
  from_iteration_id?: number;
  /** Which kind of reviewer produced the review (kb Reviewer); null or absent when unknown (older rows). */
  reviewer?: string | null;
  /** The file's latest review was degraded (the state kept its model review). */
  degraded?: boolean;
}

export interface IterationSnapshot {
  id: number;
  label: string | null;
  metrics: Metrics;
  reviews: SnapshotRow[];
  findings: Pick<StoredFinding, "path" | "fingerprint" | "category" | "severity" | "title" | "line_start">[];
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
  /**
   * Files whose reviews were made by different kinds of reviewer (a model, the static rung): not compared — no
   * transition, and none of their findings counts as resolved.
   */
  reviewers_differ: Array<{ path: string; from: string; to: string }>;
  /** Files whose latest review in `to` was degraded (only the static rung answered): the state kept their model review. */
  degraded: string[];
}

/** The kind of reviewer for comparing: a model, or the static rung (configured or as a fallback); null is unknown. */
function reviewerKind(reviewer: string | null | undefined): string | null {
  if (reviewer === undefined || reviewer === null) return null;
  return reviewer === "model" ? "model" : "static";
}

/** Two reviews are compared only when the same kind of reviewer made them (an unknown one compares with any). */
export function comparable(a: SnapshotRow | undefined, b: SnapshotRow | undefined): boolean {
  const x = reviewerKind(a?.reviewer);
  const y = reviewerKind(b?.reviewer);
  return x === null || y === null || x === y;
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
  const reviewersDiffer = b.reviews
    .filter((r) => before.has(r.path) && !comparable(before.get(r.path), r))
    .map((r) => ({ path: r.path, from: before.get(r.path)!.reviewer!, to: r.reviewer! }))
    .sort((x, y) => x.path.localeCompare(y.path));
  const transitions = b.reviews
    .filter((r) => before.has(r.path) && before.get(r.path)!.verdict !== r.verdict && comparable(before.get(r.path), r))
    .map((r) => ({ path: r.path, from: before.get(r.path)!.verdict, to: r.verdict }))
    .sort((x, y) => x.path.localeCompare(y.path));

  const lookedAgain = (path: string): boolean => {
    const now = after.get(path);
    // Nothing is resolved that no comparable reviewer looked at again.
    if (now !== undefined && !comparable(before.get(path), now)) return false;
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
    reviewers_differ: reviewersDiffer,
    degraded: b.reviews.filter((r) => r.degraded === true).map((r) => r.path).sort(),
  };
}

function round(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}
