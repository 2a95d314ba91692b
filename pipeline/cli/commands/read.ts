/** The read-back commands: `scrum history`, `scrum show`, `scrum flagged`. */
import { diffIterations } from "../../score/diff";
import { UsageError } from "../../errors";
import { flaggedFiles } from "../../score/flagged";
import { renderTable } from "../table";
import { kbPathOf, openKb, sources, type CommandContext } from "../context";

/** `scrum history`: one row per iteration with its headline metrics. */
export function historyCommand(ctx: CommandContext): number {
  const kb = openKb(ctx, { mustExist: true });
  try {
    const rows = kb.iterations().map((it) => {
      const m = kb.metrics(it.id);
      const reviews = kb.fileReviews(it.id);
      const count = (v: string) => reviews.filter((r) => r.verdict === v).length;
      const findings = kb.findings(it.id).filter((f) => f.category !== "verified_components");
      const sev = (s: string) => findings.filter((f) => f.severity === s).length;
      return {
        id: it.id,
        label: it.label,
        status: it.status,
        started_at: it.started_at,
        finished_at: it.finished_at,
        git_commit: it.git_commit,
        files: reviews.length,
        pass: count("pass"),
        needs_patch: count("needs_patch"),
        fail: count("fail"),
        unreviewed: count("unreviewed"),
        skipped: count("skipped"),
        findings_high: sev("high"),
        findings_medium: sev("medium"),
        findings_low: sev("low"),
        escalations: reviews.reduce((s, r) => s + r.escalations, 0),
        cost_usd: Math.round(reviews.reduce((s, r) => s + r.cost_usd, 0) * 1e6) / 1e6,
        metrics: m,
      };
    });
    if (ctx.json) {
      ctx.io.out(JSON.stringify(rows, null, 2));
      return 0;
    }
    if (rows.length === 0) {
      ctx.io.out("no iterations yet; `scrum run PATH` starts the first");
      return 0;
    }
    ctx.io.out(
      renderTable(
        ["id", "label", "status", "started", "files", "pass", "patch", "fail", "unrev", "skip", "high", "med", "low", "esc", "cost $"],
        rows.map((r) => [r.id, r.label ?? "-", r.status, r.started_at.replace("T", " ").slice(0, 19), r.files, r.pass, r.needs_patch, r.fail, r.unreviewed, r.skipped, r.findings_high, r.findings_medium, r.findings_low, r.escalations, r.cost_usd.toFixed(4)]),
      ),
    );
    return 0;
  } finally {
    kb.close();
  }
}

/** `scrum show [ITER] PATH`: the stored file verdict and its attempts. */
export function showCommand(ctx: CommandContext, args: string[]): number {
  if (args.length === 0 || args.length > 2) throw new UsageError("usage: scrum show [ITER] PATH");
  const [ref, path] = args.length === 2 ? [args[0], args[1]!] : [undefined, args[0]!];
  const kb = openKb(ctx, { mustExist: true });
  try {
    const it = kb.resolveIteration(ref);
    const key = kbPathOf(ctx, path);
    const review = kb.fileReview(it.id, key);
    if (!review) throw new UsageError(`iteration ${it.id} has no row for "${key}"; \`scrum flagged ${it.id} --format paths\` or the KB's file_reviews list what it holds`);
    const attempts = kb.attempts(it.id, key);
    const findings = kb.findings(it.id, key);
    const verdict = review.review_json ? (JSON.parse(review.review_json) as unknown) : null;
    if (ctx.json) {
      const { review_json: _omit, ...row } = review;
      ctx.io.out(JSON.stringify({ iteration_id: it.id, review: row, verdict, findings, attempts, ...sources(ctx) }, null, 2));
      return 0;
    }
    const lines = [
      `${key} — iteration ${it.id}${it.label ? ` (${it.label})` : ""}`,
      `verdict: ${review.verdict}${review.skip_reason ? ` (${review.skip_reason})` : ""}${review.alignment_score !== null ? `, alignment ${review.alignment_score}/10` : ""}, tier ${review.gradient_tier ?? "-"}`,
      `shards: ${review.shards} (${review.shard_strategy ?? "-"}), coverage ${review.coverage_complete === 1 ? "complete" : review.coverage_complete === 0 ? "PARTIAL" : "-"}, reduced by ${review.reduced_by ?? "-"}, accepted model ${review.accepted_model ?? "-"}`,
    ];
    if (review.error) lines.push(`unreviewed: ${review.error}`);
    if (verdict && typeof verdict === "object" && "summary" in verdict) lines.push("", String((verdict as { summary: string }).summary));
    if (findings.length > 0) {
      lines.push("", renderTable(["lines", "category", "sev", "conf", "evidence", "title"], findings.map((f) => [`${f.line_start}-${f.line_end}`, f.category, f.severity, f.confidence, f.evidence_verified ? "verified" : "UNVERIFIED", f.title])));
    }
    if (attempts.length > 0) {
      lines.push("", renderTable(["shard", "rung", "model", "outcome", "ms", "tok in", "tok out", "redacted", "reason"], attempts.map((a) => [a.shard_index < 0 ? "reduce" : a.shard_index + 1, a.rung, a.model, a.outcome, a.latency_ms, a.tokens_in, a.tokens_out, a.redactions, (a.reason ?? "").slice(0, 80)])));
    }
    ctx.io.out(lines.join("\n"));
    return 0;
  } finally {
    kb.close();
  }
}

const FLAGGED_FORMATS = ["table", "paths", "json"] as const;

/** `scrum flagged [ITER]`: files whose verdict is not pass or whose tier is not auto, most urgent first. */
export function flaggedCommand(ctx: CommandContext, args: string[], format: string | undefined): number {
  const fmt = format ?? (ctx.json ? "json" : "table");
  if (!(FLAGGED_FORMATS as readonly string[]).includes(fmt)) throw new UsageError(`--format must be one of: ${FLAGGED_FORMATS.join(", ")}; got "${fmt}"`);
  if (args.length > 1) throw new UsageError("usage: scrum flagged [ITER] [--format table|paths|json]");
  const kb = openKb(ctx, { mustExist: true });
  try {
    const it = kb.resolveIteration(args[0]);
    const flagged = flaggedFiles(kb.fileReviews(it.id));
    if (fmt === "json") ctx.io.out(JSON.stringify(flagged, null, 2));
    else if (fmt === "paths") {
      if (flagged.length > 0) ctx.io.out(flagged.map((f) => f.path).join("\n"));
    } else if (flagged.length === 0) ctx.io.out(`iteration ${it.id}: nothing flagged`);
    else {
      ctx.io.out(renderTable(["verdict", "tier", "critical", "missing", "findings", "path"], flagged.map((f) => [f.verdict, f.gradient_tier ?? "-", f.critical_failures_count, f.missing_components_count, f.findings_count, f.path])));
    }
    return 0;
  } finally {
    kb.close();
  }
}

/** `scrum diff [A] [B]`: B (default latest) against A (default the iteration before B). */
export function diffCommand(ctx: CommandContext, args: string[]): number {
  if (args.length > 2) throw new UsageError("usage: scrum diff [A] [B]");
  const kb = openKb(ctx, { mustExist: true });
  try {
    const b = kb.resolveIteration(args[1] ?? (args.length === 1 ? "latest" : undefined));
    let a;
    if (args.length >= 1) a = kb.resolveIteration(args[0]);
    else {
      const earlier = kb.iterations().filter((it) => it.id < b.id);
      if (earlier.length === 0) throw new UsageError(`iteration ${b.id} is the first; there is nothing to diff against yet`);
      a = earlier[earlier.length - 1]!;
    }
    const snap = (id: number, label: string | null) => ({ id, label, metrics: kb.metrics(id), reviews: kb.fileReviews(id), findings: kb.findings(id) });
    const d = diffIterations(snap(a.id, a.label), snap(b.id, b.label));
    if (ctx.json) {
      ctx.io.out(JSON.stringify({ ...d, ...sources(ctx) }, null, 2));
      return 0;
    }
    const name = (x: { id: number; label: string | null }) => `${x.id}${x.label ? ` (${x.label})` : ""}`;
    const lines = [`iteration ${name(d.to)} vs ${name(d.from)}`, ""];
    const changed = d.metrics.filter((m) => m.delta !== 0);
    lines.push(renderTable(["metric", "from", "to", "delta", ""], changed.map((m) => [m.name, m.from, m.to, m.delta === null ? null : (m.delta > 0 ? "+" : "") + m.delta, m.direction ?? ""])));
    if (d.transitions.length > 0) lines.push("", renderTable(["path", "from", "to"], d.transitions.map((t) => [t.path, t.from, t.to])));
    lines.push("", `findings: ${d.findings.new.length} new, ${d.findings.resolved.length} resolved, ${d.findings.persisting.length} persisting`);
    ctx.io.out(lines.join("\n"));
    return 0;
  } finally {
    kb.close();
  }
}
