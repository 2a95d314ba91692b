/**
 * The state: after an iteration, every file of the swept tree with its latest review across iterations. A file not
 * reviewed now carries its last review forward, `stale` when its content changed since, dropped when it is gone.
 * Pure over rows; the KB stores and reads them, the run supplies what is on disk.
 */
import type { DismissedNow, FileReview, FindingTally, StateEntry } from "../../domain/records";

export interface StateInput {
  iterationId: number;
  /** The state rows after the previous iteration (empty for the first). */
  previous: StateEntry[];
  /** This iteration's file reviews. */
  reviewed: Pick<FileReview, "path" | "content_sha" | "verdict" | "gradient_tier" | "reviewer" | "degraded_reason">[];
  /** Counting findings per path of this iteration's reviews. */
  counts: Map<string, FindingTally>;
  /** The file's content hash on disk now, or null when it is gone. */
  onDisk: (path: string) => string | null;
}

const NO_COUNTS: FindingTally = { high: 0, medium: 0, low: 0, critical: 0, missing: 0 };

/**
 * The state after an iteration. A degraded review (the static rung answered after the model rungs failed) never
 * replaces a model review: the file keeps its last model review, marked degraded with the reason (and stale when the
 * file changed since that review). A file with no model review yet takes the degraded review, marked degraded too.
 */
export function buildState(input: StateInput): StateEntry[] {
  const rows = new Map<string, StateEntry>();
  const before = new Map(input.previous.map((p) => [p.path, p]));
  for (const r of input.reviewed) {
    const c = input.counts.get(r.path) ?? NO_COUNTS;
    const degraded = r.reviewer === "static_fallback";
    const kept = before.get(r.path);
    if (degraded && kept?.reviewer === "model") {
      const sha = input.onDisk(r.path);
      const stale = kept.content_sha !== null && sha !== null && sha !== kept.content_sha ? true : kept.stale;
      rows.set(r.path, { ...kept, iteration_id: input.iterationId, stale, degraded: true, degraded_reason: r.degraded_reason });
      continue;
    }
    rows.set(r.path, {
      iteration_id: input.iterationId,
      path: r.path,
      from_iteration_id: input.iterationId,
      content_sha: r.content_sha,
      stale: false,
      verdict: r.verdict,
      gradient_tier: r.gradient_tier,
      findings_count: c.high + c.medium + c.low,
      findings_high: c.high,
      findings_medium: c.medium,
      findings_low: c.low,
      critical_failures_count: c.critical,
      missing_components_count: c.missing,
      reviewer: r.reviewer,
      degraded,
      degraded_reason: degraded ? r.degraded_reason : null,
    });
  }
  for (const p of input.previous) {
    if (rows.has(p.path)) continue;
    const sha = input.onDisk(p.path);
    if (sha === null) continue; // gone: deleted since, or no longer a file
    // A skipped file has no sha to compare (binary, empty...): it stays as it was.
    const stale = p.content_sha !== null && sha !== p.content_sha ? true : p.stale;
    rows.set(p.path, { ...p, iteration_id: input.iterationId, stale });
  }
  return [...rows.values()].sort((a, b) => a.path.localeCompare(b.path));
}

/**
 * The state as a user sees it: findings dismissed after they were recorded are taken out of the counts, and a
 * needs_patch/fail file whose every counting finding is dismissed reads as pass.
 */
export function applyDismissals(rows: StateEntry[], dismissed: DismissedNow[]): StateEntry[] {
  if (dismissed.length === 0) return rows;
  const byReview = new Map<string, DismissedNow[]>();
  for (const d of dismissed) {
    const key = `${d.iteration_id}\u0000${d.path}`;
    byReview.set(key, [...(byReview.get(key) ?? []), d]);
  }
  return rows.map((r) => {
    const gone = byReview.get(`${r.from_iteration_id}\u0000${r.path}`);
    if (!gone) return r;
    const minus = (sev: string) => gone.filter((d) => d.severity === sev).length;
    const out: StateEntry = {
      ...r,
      findings_high: r.findings_high - minus("high"),
      findings_medium: r.findings_medium - minus("medium"),
      findings_low: r.findings_low - minus("low"),
      critical_failures_count: r.critical_failures_count - gone.filter((d) => d.category === "critical_failures").length,
      missing_components_count: r.missing_components_count - gone.filter((d) => d.category === "missing_components").length,
      findings_count: r.findings_count - gone.length,
    };
    if (out.findings_count === 0 && (r.verdict === "needs_patch" || r.verdict === "fail")) out.verdict = "pass";
    return out;
  });
}
