/** `scrum show [ITER] PATH`: a file's verdict (the state's row, or one iteration's), its findings and every attempt. */
import { UsageError } from "../../../domain/errors";
import { homeOf, kbPathOf, openKb, sources, type CommandContext } from "../context";
import { readStateView } from "../state-view";
import { clipWords, renderTable } from "../table";

export function showCommand(ctx: CommandContext, args: string[]): number {
  if (args.length === 0 || args.length > 2) throw new UsageError("usage: scrum show [ITER] PATH");
  const [ref, path] = args.length === 2 ? [args[0], args[1]!] : [undefined, args[0]!];
  const kb = openKb(ctx, { mustExist: true, snapshot: true });
  try {
    const key = kbPathOf(ctx, path);
    // Without ITER: the state's row, i.e. the file's latest review across iterations (possibly stale).
    let iterationId: number;
    let stale = false;
    let stateRow: { verdict: string; findings_count: number; degraded: boolean; degraded_reason: string | null } | undefined;
    if (ref === undefined) {
      const view = readStateView(kb, undefined, { root: homeOf(ctx).root });
      const row = view.rows.find((r) => r.path === key);
      if (row) {
        iterationId = row.from_iteration_id;
        stale = row.stale;
        stateRow = row;
      } else iterationId = view.iteration.id;
    } else iterationId = kb.iterations.resolve(ref).id;
    const it = kb.iterations.get(iterationId)!;
    const review = kb.reviews.get(iterationId, key);
    if (!review) {
      throw new UsageError(`${ref === undefined ? "the state" : `iteration ${iterationId}`} has no row for "${key}"; \`scrum status\` lists the files the KB knows`);
    }
    const attempts = kb.attempts.inIteration(iterationId, key);
    // A dismissal holds from the moment it is made: a finding shows the dismissal in force now, not the one stored with it.
    const active = kb.dismissals.active();
    const findings = kb.findings.inIteration(iterationId, key).map((f) => ({ ...f, dismissal_id: active.get(f.fingerprint)?.id ?? null }));
    const verdict = review.review_json ? (JSON.parse(review.review_json) as { summary?: string }) : null;
    if (ctx.json) {
      const { review_json: _omit, ...row } = review;
      ctx.io.out(JSON.stringify({ iteration_id: iterationId, stale, review: { ...row, ...(stateRow ? { verdict: stateRow.verdict, findings_count: stateRow.findings_count } : {}) }, degraded: stateRow?.degraded ? stateRow.degraded_reason : null, verdict, findings, attempts, ...sources(ctx) }, null, 2));
      return 0;
    }
    const cooled = attempts.filter((a) => a.outcome === "skipped").length;
    const cached = attempts.filter((a) => a.outcome === "cached").length;
    const redacted = attempts.reduce((s, a) => s + a.redactions, 0);
    const lines = [
      `${key} — iteration ${it.id}${it.label ? ` (${it.label})` : ""}${stale ? " — STALE: the file changed since this review" : ""}`,
      `verdict: ${stateRow?.verdict ?? review.verdict}${stateRow !== undefined && stateRow.verdict !== review.verdict ? ` (reviewed ${review.verdict}; dismissals since leave nothing standing)` : ""}${review.skip_reason ? ` (${review.skip_reason})` : ""}${review.alignment_score !== null ? `, alignment ${review.alignment_score}/10` : ""}, tier ${review.gradient_tier ?? "-"}`,
      `shards: ${review.shards} (${review.shard_strategy ?? "-"}), coverage ${review.coverage_complete === true ? "complete" : review.coverage_complete === false ? "PARTIAL" : "-"}, reduced by ${review.reduced_by ?? "-"}, accepted model ${review.accepted_model ?? "-"}`,
      `attempts: ${attempts.length} (${cached} cached, ${cooled} skipped), secrets redacted: ${redacted}`,
    ];
    if (review.instructions) lines.push(`instructions: ${(JSON.parse(review.instructions) as Array<{ file: string; sha: string; paths: string[] }>).map((i) => `${i.file} (sha ${i.sha.slice(0, 8)}, for ${i.paths.join(", ")})`).join("; ")}`);
    lines.push(`reviewer: ${review.reviewer ?? "-"}`);
    if (stateRow?.degraded) lines.push(`DEGRADED: the file's latest review had only the static rung's answer after the model rungs gave up${review.reviewer === "model" ? "; this is the last model review, kept" : ""}:\n  ${(stateRow.degraded_reason ?? "no reason recorded").split("\n").join("\n  ")}`);
    if (review.error) lines.push(`unreviewed: ${review.error}`);
    if (verdict?.summary) lines.push("", verdict.summary);
    if (findings.length > 0) {
      lines.push(
        "",
        renderTable(
          ["lines", "category", "sev", "conf", "evidence", "verifier", "symbol", "fingerprint", "title"],
          findings.map((f) => [
            f.line_start <= 0 ? "file" : `${f.line_start}-${f.line_end}`, f.category, f.severity, f.confidence,
            f.dismissal_id !== null ? `DISMISSED #${f.dismissal_id}` : f.evidence_verified ? "verified" : "UNVERIFIED",
            f.disposition === null ? (f.verify_reason ? "not verified" : "-") : f.disposition === "refuted" ? "REFUTED" : f.disposition,
            f.symbol ?? "-", f.fingerprint, f.title,
          ]),
        ),
      );
      const said = findings.filter((f) => f.verify_reason);
      if (said.length > 0) lines.push("", "verifier:", ...said.map((f) => `  ${f.fingerprint} ${f.disposition ?? "not verified"}${f.verified_by ? ` by ${f.verified_by}` : ""}: ${f.verify_reason}`));
    }
    if (attempts.length > 0) {
      lines.push("", renderTable(["shard", "rung", "model", "server", "outcome", "ms", "tok in", "tok out", "redacted", "reason"], attempts.map((a) => [a.shard_index < 0 ? "reduce" : a.purpose === "verify" ? `verify ${a.shard_index + 1}` : a.shard_index + 1, a.rung, a.model, a.server ?? "-", a.outcome, a.latency_ms, a.tokens_in, a.tokens_out, a.redactions, clipWords(a.reason ?? "", 100)])));
    }
    ctx.io.out(lines.join("\n"));
    return 0;
  } finally {
    kb.close();
  }
}
