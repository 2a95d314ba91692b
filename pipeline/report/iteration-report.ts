/** The data every report format renders: one iteration read back from the KB, assembled in one place. */
import type { Dismissal, FileReview, Iteration, StateEntry, StoredFinding } from "../../domain/records";
import type { Kb } from "../../kb/kb";
import { DamagedKbError, UsageError } from "../../domain/errors";
import { stateReportMetrics } from "./state-metrics";
import { flaggedFiles, type FlaggedFile } from "../score/flagged";
import { applyDismissals } from "../score/state";
import type { Metrics } from "../score/metrics";

export interface ReportIteration {
  id: number;
  label: string | null;
  status: Iteration["status"];
  started_at: string;
  finished_at: string | null;
  git_commit: string | null;
  targets: string[];
  /** Why an aborted iteration stopped. */
  error: string | null;
}

/** A stored finding (domain/records.ts) as a report shows it: the dismissal spelled out instead of its id. */
export type ReportFinding = Omit<StoredFinding, "path" | "symbol" | "agreement" | "dismissal_id"> & {
  /** The dismissal that keeps the finding out of verdicts and metrics, or null when it counts. */
  dismissal: ReportDismissal | null;
};

export interface ReportDismissal {
  id: number;
  reason: string;
  created_at: string;
  /** Set when the dismissal was undone after the finding was stored: the finding is raised again. */
  undone_at: string | null;
}

export interface ReportFile {
  path: string;
  verdict: FileReview["verdict"];
  gradient_tier: FileReview["gradient_tier"];
  alignment_score: number | null;
  shards: number;
  /** How many shards a rung reviewed (the verdict's `coverage`); null for a skipped file. */
  shards_reviewed: number | null;
  /** null for a skipped file, which has no shards. */
  coverage_complete: boolean | null;
  reduced_by: string | null;
  accepted_model: string | null;
  skip_reason: string | null;
  /** For a file with unreviewed shards: one line per shard, with the reason every rung gave up. */
  error: string | null;
  /** Which kind of reviewer produced the review (`model`, `static_fallback`, `static`); null when none, or for old rows. */
  reviewer: FileReview["reviewer"];
  /**
   * Why the file's latest review is degraded (the model rungs gave up and only the static rung answered), or null. In
   * a state report the file then keeps its last model review and this says why it was not replaced.
   */
  degraded: string | null;
  findings: ReportFinding[];
}

export interface IterationReport {
  /**
   * `iteration`: the files this iteration reviewed. `state`: every file of the swept tree with its latest review
   * (each file's row and findings come from the iteration that last reviewed it; `targets` are all swept targets).
   */
  scope: "iteration" | "state";
  iteration: ReportIteration;
  metrics: Metrics;
  /**
   * `stored`: the iteration's rows in the `metrics` table; `computed`: recomputed from its file rows (an unfinished
   * iteration has none stored); `state`: computed from the state's rows (a state report; no metrics of a run's work).
   */
  metrics_source: "stored" | "computed" | "state";
  /** Every file row of the iteration, by path. */
  files: ReportFile[];
  /** The files that need work, most urgent first (as `scrum flagged`). */
  flagged: FlaggedFile[];
}

/** The rows of one iteration, as the KB returns them. */
export interface IterationRows {
  iteration: Iteration;
  reviews: FileReview[];
  findings: StoredFinding[];
  metrics: Metrics;
  /** The metrics computed from its rows (kb.computeMetrics): what an unfinished iteration, which stored none, shows. */
  computedMetrics: Metrics;
  /** The dismissals the findings' `dismissal_id` refer to (every row of the table will do). */
  dismissals: Dismissal[];
}

/** Read the iteration `ref` (id, label, latest, previous; default latest) and assemble its report. */
export function readIterationReport(kb: Kb, ref: string | undefined): IterationReport {
  const iteration = kb.iterations.resolve(ref);
  return assembleReport({
    iteration,
    reviews: kb.reviews.inIteration(iteration.id),
    findings: kb.findings.inIteration(iteration.id),
    metrics: kb.metrics.of(iteration.id),
    computedMetrics: kb.metrics.computed(iteration.id),
    dismissals: kb.dismissals.all(),
  });
}

/** Assemble the report from the iteration's rows. Pure. */
export function assembleReport(rows: IterationRows): IterationReport {
  const it = rows.iteration;
  const dismissals = new Map(rows.dismissals.map((d) => [d.id, d]));
  const active = activeByFingerprint(rows.dismissals);
  const byPath = new Map<string, ReportFinding[]>();
  for (const f of rows.findings) {
    const list = byPath.get(f.path) ?? [];
    list.push(toReportFinding(f, it.id, dismissals, active));
    byPath.set(f.path, list);
  }
  // A dismissal made after the findings were stored holds at once: the file reads as the state reads it.
  const reviews = rows.reviews.map((r) => withDismissalsNow(r, rows.findings.filter((f) => f.path === r.path), active));
  const files = [...reviews]
    .sort((a, b) => a.path.localeCompare(b.path))
    .map((r) => toReportFile(r, byPath.get(r.path) ?? []));
  const reviewed = new Set(rows.reviews.map((r) => r.path));
  const orphans = [...byPath.keys()].filter((p) => !reviewed.has(p));
  // kb.findings refuses such rows as a damaged KB; rows handed in from elsewhere are held to the same rule.
  if (orphans.length > 0) throw new DamagedKbError(`iteration ${it.id} has findings for files with no file_reviews row: ${orphans.join(", ")}; the knowledge base was changed outside scrum`);
  const stored = Object.keys(rows.metrics).length > 0;
  return {
    iteration: {
      id: it.id,
      label: it.label,
      status: it.status,
      started_at: it.started_at,
      finished_at: it.finished_at,
      git_commit: it.git_commit,
      targets: it.targets,
      error: it.error,
    },
    scope: "iteration",
    metrics: stored ? rows.metrics : rows.computedMetrics,
    metrics_source: stored ? "stored" : "computed",
    files,
    flagged: flaggedFiles(reviews),
  };
}

/** The active dismissal of each fingerprint (the oldest, as kb.activeDismissals picks it). */
function activeByFingerprint(dismissals: Dismissal[]): Map<string, Dismissal> {
  const out = new Map<string, Dismissal>();
  for (const d of [...dismissals].sort((a, b) => a.id - b.id)) if (d.undone_at === null && !out.has(d.fingerprint)) out.set(d.fingerprint, d);
  return out;
}

/**
 * A file row with the findings dismissed since it was stored taken out of its counts; a needs_patch/fail file left
 * with no counting finding reads as pass (the same rule as score/state.ts applyDismissals).
 */
function withDismissalsNow(r: FileReview, findings: StoredFinding[], active: Map<string, Dismissal>): FileReview {
  const gone = findings.filter((f) => f.category !== "verified_components" && f.evidence_verified && f.dismissal_id === null && active.has(f.fingerprint));
  if (gone.length === 0) return r;
  const out: FileReview = {
    ...r,
    findings_count: r.findings_count - gone.length,
    critical_failures_count: r.critical_failures_count - gone.filter((f) => f.category === "critical_failures").length,
    missing_components_count: r.missing_components_count - gone.filter((f) => f.category === "missing_components").length,
  };
  if (out.findings_count <= 0 && (r.verdict === "needs_patch" || r.verdict === "fail")) out.verdict = "pass";
  return out;
}

function toReportFinding(row: StoredFinding, iterationId: number, dismissals: Map<number, Dismissal>, active: Map<string, Dismissal>): ReportFinding {
  const { path: _path, symbol: _symbol, agreement: _agreement, dismissal_id, ...f } = row;
  // The dismissal in force now wins over the one recorded with the finding (which may have been undone since).
  const now = active.get(row.fingerprint);
  if (now) return { ...f, dismissal: { id: now.id, reason: now.reason, created_at: now.created_at, undone_at: null } };
  return { ...f, dismissal: dismissal_id === null ? null : toReportDismissal(row, iterationId, dismissals) };
}

function toReportDismissal(f: StoredFinding, iterationId: number, dismissals: Map<number, Dismissal>): ReportDismissal {
  const d = dismissals.get(f.dismissal_id!);
  if (!d) throw new Error(`iteration ${iterationId}, ${f.path}: finding ${f.fingerprint} refers to dismissal ${f.dismissal_id}, which is not in the dismissals table`);
  return { id: d.id, reason: d.reason, created_at: d.created_at, undone_at: d.undone_at };
}

/** True when the finding is dismissed and the dismissal still holds: reports that raise findings leave it out or mark it suppressed. */
export function isDismissed(f: Pick<ReportFinding, "dismissal">): boolean {
  return f.dismissal !== null && f.dismissal.undone_at === null;
}

/** The verifier ([verify]) refuted the finding: kept for the record, raised nowhere. */
export function isRefuted(f: Pick<ReportFinding, "disposition">): boolean {
  return f.disposition === "refuted";
}

/** Why a finding is set aside in reports (a dismissal or a refutation), or null when it stands. */
export function setAsideReason(f: Pick<ReportFinding, "dismissal" | "disposition" | "verified_by" | "verify_reason">): string | null {
  if (isDismissed(f)) return f.dismissal!.reason;
  if (isRefuted(f)) return `refuted by the verifier${f.verified_by ? ` (${f.verified_by})` : ""}: ${f.verify_reason ?? "no reason given"}`;
  return null;
}

function toReportFile(r: FileReview, findings: ReportFinding[]): ReportFile {
  return {
    path: r.path,
    verdict: r.verdict,
    gradient_tier: r.gradient_tier,
    alignment_score: r.alignment_score,
    shards: r.shards,
    shards_reviewed: shardsReviewed(r),
    coverage_complete: r.coverage_complete === null ? null : r.coverage_complete === true,
    reduced_by: r.reduced_by,
    accepted_model: r.accepted_model,
    skip_reason: r.skip_reason,
    error: r.error,
    // Rows written before the KB recorded reviewers have none.
    reviewer: r.reviewer ?? null,
    degraded: r.reviewer === "static_fallback" ? (r.degraded_reason ?? "no model rung answered") : null,
    findings,
  };
}

/** True when the report does not cover every file with a model's (or the configured static) review: unreviewed, partial or degraded files. */
export function coverageIncomplete(report: IterationReport): boolean {
  return report.files.some((f) => f.verdict !== "skipped" && (f.verdict === "unreviewed" || f.coverage_complete === false || f.degraded !== null));
}

/** The length of the stored verdict's `coverage` list (validated against the file-verdict schema when it was written). */
function shardsReviewed(r: FileReview): number | null {
  if (r.review_json === null) return null;
  const verdict = JSON.parse(r.review_json) as { coverage?: unknown };
  if (!Array.isArray(verdict.coverage)) throw new DamagedKbError(`iteration ${r.iteration_id}, ${r.path}: the stored verdict (review_json) has no coverage list; the knowledge base was changed outside scrum`);
  return verdict.coverage.length;
}


/** "2 of 3 shards reviewed", as every format words a file's coverage. */
export function coverageCount(f: Pick<ReportFile, "shards" | "shards_reviewed">): string {
  const noun = f.shards === 1 ? "shard" : "shards";
  return f.shards_reviewed === null ? `${f.shards} ${noun}` : `${f.shards_reviewed} of ${f.shards} ${noun} reviewed`;
}

/**
 * The state report after ITER (default latest): every file with its latest review, so a report of a `--changed`
 * sweep still carries the files it did not look at (code scanning then closes only what was really fixed).
 */
export function readStateReport(kb: Kb, ref: string | undefined, live?: (rows: StateEntry[]) => StateEntry[]): IterationReport {
  const named = kb.iterations.resolve(ref);
  const at = kb.state.latestIteration(named.id);
  if (at === null) throw new UsageError(`no iteration up to ${named.id} has finished, so there is no state to report; \`scrum history\` lists them`);
  const iteration = kb.iterations.get(at)!;
  const stored = applyDismissals(kb.state.of(at), kb.findings.dismissedSince());
  // The latest state's staleness as the disk says now, as `scrum status` shows it; an earlier state as it was.
  const rows = live && at === kb.state.latestIteration() ? live(stored) : stored;
  const reviews = rows.map((r) => kb.reviews.get(r.from_iteration_id, r.path)).filter((r): r is FileReview => r !== undefined);
  const findings = rows.flatMap((r) => kb.findings.inIteration(r.from_iteration_id, r.path));
  // The state covers every tree any finished sweep looked at: its scope is all of their targets.
  const targets = [...new Set(kb.iterations.all().filter((it) => it.status === "done" && it.id <= at).flatMap((it) => it.targets))];
  // What the state holds, not what the iteration at its end did (a --changed run of 2 files is not the tree's numbers).
  const metrics = stateReportMetrics(rows, reviews, findings, kb.metrics.of(at));
  const report = assembleReport({ iteration: { ...iteration, targets }, reviews, findings, metrics, computedMetrics: metrics, dismissals: kb.dismissals.all() });
  // A file whose latest review was degraded keeps its model review in the state; the state row says why.
  const degraded = new Map(rows.filter((r) => r.degraded).map((r) => [r.path, r.degraded_reason ?? "no model rung answered"]));
  const files = report.files.map((f) => ({ ...f, degraded: degraded.get(f.path) ?? null }));
  return { ...report, files, scope: "state", metrics_source: "state", flagged: flaggedFiles(rows) };
}
