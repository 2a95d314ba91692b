/** Read everything the dashboard shows from the KB, once, into a plain DashboardData. The only dashboard module that sees the Kb. */
import type { Iteration, Note, StateEntry, StoredFinding } from "../../domain/records";
import type { Kb } from "../../kb/kb";
import { flaggedFiles, type FlagInput } from "../score/flagged";
import { BUILT_IN_METRICS } from "../../kb/aggregates";
import { isUnverifiedProblem } from "../../domain/counts";
import { applyDismissals } from "../score/state";
import {
  type DashboardData,
  type DashboardFinding,
  type IterationPoint,
  type IterationRows,
  type KbHealth,
  type LatestIteration,
  type OutcomeCounts,
  type RungAttempts,
} from "./data";

/** Metrics every finished iteration stores; any other name in the metrics table is a `[[probe]]`. */
const REVIEWED = new Set(["pass", "needs_patch", "fail"]);

export interface GatherOptions {
  kbFile: string;
  now: Date;
  /** Staleness of the latest state as the disk says now; without it, as the last run saw it. */
  live?: (rows: StateEntry[]) => StateEntry[];
}

/** Read the whole KB into the dashboard's data. */
export function gatherDashboard(kb: Kb, options: GatherOptions): DashboardData {
  const iterations = kb.iterations.all();
  const rows = new Map<number, IterationRows>(
    iterations.map((it) => {
      const metrics = kb.metrics.of(it.id);
      // An unfinished iteration stored no metrics: computed from its rows, in SQL like the stored ones.
      return [it.id, { reviews: kb.reviews.inIteration(it.id), findings: kb.findings.inIteration(it.id), attempts: kb.attempts.inIteration(it.id), metrics, computed: Object.keys(metrics).length > 0 ? metrics : kb.metrics.computed(it.id) }];
    }),
  );
  const rowsOf = (id: number): IterationRows => {
    const r = rows.get(id);
    if (!r) throw new Error(`iteration ${id} was listed but its rows were not read`);
    return r;
  };
  const points = iterations.map((it) => trajectoryPoint(it, rowsOf(it.id)));
  const probeNames = [...new Set(points.flatMap((p) => (p.source === "stored" ? Object.keys(p.metrics) : [])))].filter((n) => !BUILT_IN_METRICS.has(n)).sort();
  const last = iterations.at(-1);
  const lastPoint = points.at(-1);
  return {
    generatedAt: options.now.toISOString(),
    kbFile: options.kbFile,
    iterations: points,
    probeNames,
    latest: last && lastPoint ? latestIteration(lastPoint, rowsOf(last.id), stateOf(kb, options.live)) : null,
    health: kbHealth(kb.schemaVersion, iterations, [...rows.values()], kb.notes.all(), options.now),
  };
}

/** The iteration's stored metrics; computed from its rows when it has none (aborted or running). */
export function trajectoryPoint(it: Iteration, rows: IterationRows): IterationPoint {
  const stored = Object.keys(rows.metrics).length > 0;
  return {
    id: it.id,
    label: it.label,
    status: it.status,
    startedAt: it.started_at,
    finishedAt: it.finished_at,
    source: stored ? "stored" : "rows",
    metrics: stored ? rows.metrics : rows.computed,
  };
}

/** The flagged list and its findings come from the state: every file's latest review, not only the last sweep's. */
interface StateView {
  rows: FlagInput[];
  findings: StoredFinding[];
  degraded: { path: string; reason: string | null }[];
}

function stateOf(kb: Kb, live: GatherOptions["live"]): StateView | null {
  const at = kb.state.latestIteration();
  if (at === null) return null;
  const rows = applyDismissals(kb.state.of(at), kb.findings.dismissedSince());
  const shown = live ? live(rows) : rows;
  return { rows: shown, findings: kb.findings.behindState(at), degraded: shown.filter((r) => r.degraded).map((r) => ({ path: r.path, reason: r.degraded_reason })) };
}

function latestIteration(point: IterationPoint, rows: IterationRows, state: StateView | null): LatestIteration {
  const flagged = flaggedFiles(state?.rows ?? rows.reviews, { stale: true });
  const alignment = new Map(rows.reviews.map((r) => [r.path, r.alignment_score]));
  const order = new Map(flagged.map((f, i) => [f.path, i]));
  const findings: DashboardFinding[] = (state?.findings ?? rows.findings)
    .filter((f) => f.category !== "verified_components" && order.has(f.path))
    .sort((a, b) => order.get(a.path)! - order.get(b.path)! || a.line_start - b.line_start)
    .map(({ path, category, severity, confidence, title, evidence, line_start, line_end, evidence_verified }) => ({ path, category, severity, confidence, title, evidence, line_start, line_end, evidence_verified }));
  return {
    point,
    flagged: flagged.map((f) => ({ ...f, alignment_score: alignment.get(f.path) ?? null })),
    findings,
    unreviewed: rows.reviews.filter((r) => r.verdict === "unreviewed").map((r) => ({ path: r.path, reason: r.error })),
    degraded: state?.degraded ?? rows.reviews.filter((r) => r.reviewer === "static_fallback").map((r) => ({ path: r.path, reason: r.degraded_reason })),
    skipped: rows.reviews.filter((r) => r.verdict === "skipped").map((r) => ({ path: r.path, reason: r.skip_reason })),
  };
}

function zeroOutcomes(): OutcomeCounts {
  return { accepted: 0, cached: 0, thin: 0, invalid: 0, error: 0, timeout: 0, skipped: 0, refused: 0 };
}

/** KB health: how much is stored, how much of it is trustworthy, and whether notes are being read back. */
export function kbHealth(schemaVersion: number, iterations: Iteration[], perIteration: IterationRows[], notes: Note[], now: Date): KbHealth {
  const reviews = perIteration.flatMap((r) => r.reviews);
  const findings = perIteration.flatMap((r) => r.findings);
  const attempts = perIteration.flatMap((r) => r.attempts);
  const byOutcome = zeroOutcomes();
  const byRung = new Map<string, RungAttempts>();
  for (const a of attempts) {
    byOutcome[a.outcome]++;
    const rung = byRung.get(a.rung) ?? { rung: a.rung, total: 0, outcomes: zeroOutcomes() };
    rung.total++;
    rung.outcomes[a.outcome]++;
    byRung.set(a.rung, rung);
  }
  const reviewed = reviews.filter((r) => REVIEWED.has(r.verdict));
  const last = iterations.at(-1);
  const lastAt = last ? (last.finished_at ?? last.started_at) : null;
  const status = (s: Iteration["status"]) => iterations.filter((it) => it.status === s).length;
  const noteCount = (s: Note["status"]) => notes.filter((n) => n.status === s).length;
  return {
    schemaVersion,
    iterations: { total: iterations.length, done: status("done"), aborted: status("aborted"), running: status("running") },
    rows: {
      iterations: iterations.length,
      file_reviews: reviews.length,
      findings: findings.length,
      attempts: attempts.length,
      metrics: perIteration.reduce((s, r) => s + Object.keys(r.metrics).length, 0),
      notes: notes.length,
    },
    notes: { open: noteCount("open"), picked_up: noteCount("picked_up"), resolved: noteCount("resolved") },
    // Problem findings only, as every other count of unverified evidence (kb/state.ts): proof-of-life quotes are not claims.
    evidence: { unverified: findings.filter(isUnverifiedProblem).length, findings: findings.filter((f) => f.category !== "verified_components").length },
    coverage: { partial: reviewed.filter((r) => r.coverage_complete === false).length, reviewed: reviewed.length },
    attemptsByOutcome: byOutcome,
    // Rungs in the order the KB first saw them: ladder order for a KB that kept one ladder.
    attemptsByRung: [...byRung.values()],
    lastIteration: last && lastAt ? { id: last.id, at: lastAt, ageMs: Math.max(0, now.getTime() - Date.parse(lastAt)) } : null,
  };
}
