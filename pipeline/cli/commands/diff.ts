/**
 * `scrum diff [A] [B]`: B (default latest) against A (default the iteration before B). By default the states are
 * compared (every file's latest review), so a partial sweep never reads as a collapse; `--scope iteration` compares
 * only the files both iterations reviewed.
 */
import type { Kb } from "../../../kb/kb";
import { UsageError } from "../../../domain/errors";
import { comparable, diffIterations, type DiffScope, type IterationSnapshot } from "../../score/diff";
import { isStateScopeMetric } from "../../score/metrics";
import { openKb, sources, type CommandContext } from "../context";
import { readStateView } from "../state-view";
import { renderTable } from "../table";

export const DIFF_SCOPES = ["state", "iteration"] as const;

export function diffCommand(ctx: CommandContext, args: string[], scope: DiffScope = "state"): number {
  if (args.length > 2) throw new UsageError("usage: scrum diff [A] [B] [--scope state|iteration]");
  const kb = openKb(ctx, { mustExist: true, snapshot: true });
  try {
    const b = kb.iterations.resolve(args[1] ?? (args.length === 1 ? "latest" : undefined));
    let a;
    if (args.length >= 1) a = kb.iterations.resolve(args[0]);
    else {
      const earlier = kb.iterations.all().filter((it) => it.id < b.id && (scope === "iteration" || it.status === "done"));
      if (earlier.length === 0) throw new UsageError(`iteration ${b.id} is the first; there is nothing to diff against yet`);
      a = earlier[earlier.length - 1]!;
    }
    const runs = scope === "state" ? runScopes(kb, a.id, b.id) : undefined;
    const d = scope === "state" ? diffIterations(stateSnapshot(kb, a.id), stateSnapshot(kb, b.id), "state", { sameRunScope: runs!.same }) : iterationDiff(kb, a.id, b.id);
    if (ctx.json) {
      ctx.io.out(JSON.stringify({ ...d, ...(runs ? { run_scopes: runs } : {}), ...sources(ctx) }, null, 2));
      return 0;
    }
    const name = (x: { id: number; label: string | null }) => `${x.id}${x.label ? ` (${x.label})` : ""}`;
    const what = scope === "state" ? "state after" : "files reviewed in both:";
    const lines = [`${what} iteration ${name(d.to)} vs ${name(d.from)}`, ""];
    const changed = d.metrics.filter((m) => m.delta !== 0);
    const word = (dir: string | null) => (dir === "not_comparable" ? "not comparable" : (dir ?? ""));
    lines.push(changed.length === 0 ? "no metric changed" : renderTable(["metric", "from", "to", "delta", ""], changed.map((m) => [m.name, m.from, m.to, m.delta === null ? null : (m.delta > 0 ? "+" : "") + m.delta, word(m.direction)])));
    if (runs && !runs.same) {
      lines.push("", `not comparable: the runs' own work (wall time, attempts, tokens, cost) — iteration ${d.from.id} reviewed ${runs.from_files} files, iteration ${d.to.id} ${runs.to_files}`);
    }
    if (d.transitions.length > 0) lines.push("", renderTable(["path", "from", "to"], d.transitions.map((t) => [t.path, t.from, t.to])));
    lines.push("", `findings: ${d.findings.new.length} new, ${d.findings.resolved.length} resolved, ${d.findings.persisting.length} persisting`);
    if (d.reviewers_differ.length > 0) lines.push(`reviewers differ (not compared, nothing of them counted resolved): ${d.reviewers_differ.map((r) => `${r.path} ${r.from} → ${r.to}`).join(", ")}`);
    if (d.degraded.length > 0) lines.push(`degraded (only the static rung answered; the state kept the model review): ${d.degraded.join(", ")}`);
    ctx.io.out(lines.join("\n"));
    return 0;
  } finally {
    kb.close();
  }
}

/**
 * What each run reviewed: the metrics of a run's work compare only between runs over the same files. A state is
 * measured at its latest finished iteration, so that is the run whose files count.
 */
function runScopes(kb: Kb, a: number, b: number): { from_files: number; to_files: number; same: boolean } {
  const files = (id: number) => {
    const at = kb.state.latestIteration(id);
    return at === null ? [] : kb.reviews.inIteration(at).map((r) => r.path);
  };
  const from = files(a);
  const to = files(b);
  return { from_files: from.length, to_files: to.length, same: from.length === to.length && from.every((p, i) => p === to[i]) };
}

/** The state after an iteration (or the latest finished one before it) as a diff snapshot. */
function stateSnapshot(kb: Kb, iterationId: number): IterationSnapshot {
  const view = readStateView(kb, String(iterationId));
  const metrics = view.stateOf === null ? {} : kb.metrics.of(view.stateOf);
  const dismissed = kb.dismissals.active();
  return {
    id: view.iteration.id,
    label: view.iteration.label,
    metrics: Object.fromEntries(Object.entries(metrics).filter(([name]) => isStateScopeMetric(name))),
    reviews: view.rows.map((r) => ({ path: r.path, verdict: r.verdict, from_iteration_id: r.from_iteration_id, reviewer: r.reviewer, degraded: r.degraded })),
    findings: view.stateOf === null ? [] : kb.findings.behindState(view.stateOf).filter((f) => !dismissed.has(f.fingerprint)),
  };
}

/** Only the files both iterations reviewed: their verdicts, counting findings and counts over just those files. */
function iterationDiff(kb: Kb, a: number, b: number) {
  const reviewedIn = (id: number) => new Map(kb.reviews.inIteration(id).filter((r) => r.verdict !== "skipped").map((r) => [r.path, r]));
  const ra = reviewedIn(a);
  const rb = reviewedIn(b);
  const both = new Set([...ra.keys()].filter((p) => rb.has(p)));
  // Counts compare like with like: files the same kind of reviewer looked at in both (the rest are listed apart).
  const like = new Set([...both].filter((p) => comparable(ra.get(p), rb.get(p))));
  const snap = (id: number, rows: typeof ra): IterationSnapshot => {
    const it = kb.iterations.get(id)!;
    const listed = [...rows.values()].filter((r) => both.has(r.path));
    const reviews = listed.filter((r) => like.has(r.path));
    const findings = kb.findings.inIteration(id).filter((f) => like.has(f.path) && f.category !== "verified_components" && f.evidence_verified && f.dismissal_id === null);
    const count = (v: string) => reviews.filter((r) => r.verdict === v).length;
    const sev = (s: string) => findings.filter((f) => f.severity === s).length;
    return {
      id,
      label: it.label,
      metrics: {
        files_compared: reviews.length,
        verdict_pass: count("pass"),
        verdict_needs_patch: count("needs_patch"),
        verdict_fail: count("fail"),
        files_unreviewed: count("unreviewed"),
        findings_total: findings.length,
        findings_high: sev("high"),
        findings_medium: sev("medium"),
        findings_low: sev("low"),
      },
      reviews: listed.map((r) => ({ path: r.path, verdict: r.verdict, reviewer: r.reviewer, degraded: r.reviewer === "static_fallback" })),
      findings,
    };
  };
  return diffIterations(snap(a, ra), snap(b, rb), "iteration");
}
