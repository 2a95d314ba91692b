/** `scrum status [PATH...]` and `scrum flagged [ITER]`: what the loop knows about every file now. */
import { UsageError } from "../../../domain/errors";
import { flaggedFiles, parseInclude } from "../../score/flagged";
import { homeOf, kbPathOf, openKb, type CommandContext } from "../context";
import { readStateView, rowsUnder } from "../state-view";
import { renderTable } from "../table";

/** `scrum status [PATH...]`: each file's latest verdict, tier, findings, the iteration it comes from, stale if changed since. */
export function statusCommand(ctx: CommandContext, paths: string[]): number {
  const kb = openKb(ctx, { mustExist: true, snapshot: true });
  try {
    const view = readStateView(kb, undefined, { root: homeOf(ctx).root });
    const rows = rowsUnder(view.rows, paths.map((p) => kbPathOf(ctx, p)));
    const out = rows.map((r) => ({
      path: r.path,
      verdict: r.verdict,
      gradient_tier: r.gradient_tier,
      findings_count: r.findings_count,
      iteration_id: r.from_iteration_id,
      stale: r.stale,
      reviewer: r.reviewer,
      degraded: r.degraded,
    }));
    if (ctx.json) {
      ctx.io.out(JSON.stringify(out, null, 2));
      return 0;
    }
    if (view.stateOf === null) {
      ctx.io.out("no finished iteration yet: the state is empty (`scrum run PATH` makes one)");
      return 0;
    }
    if (out.length === 0) {
      ctx.io.out(`the state after iteration ${view.stateOf} has no file under ${paths.join(", ")}`);
      return 0;
    }
    ctx.io.out(`state after iteration ${view.stateOf}: ${out.length} file${out.length === 1 ? "" : "s"}`);
    ctx.io.out(renderTable(["verdict", "tier", "findings", "from", "stale", "reviewer", "path"], out.map((r) => [r.verdict, r.gradient_tier ?? "-", r.findings_count, r.iteration_id, r.stale ? "STALE" : "", `${r.reviewer ?? "-"}${r.degraded ? " (DEGRADED)" : ""}`, r.path])));
    const degraded = out.filter((r) => r.degraded).length;
    if (degraded > 0) ctx.io.out(`${degraded} file${degraded === 1 ? "" : "s"} DEGRADED: the latest review had only the static rung's answer after the model rungs gave up; the row keeps the last model review where there is one (\`scrum show PATH\` says why)`);
    return 0;
  } finally {
    kb.close();
  }
}

const FLAGGED_FORMATS = ["table", "paths", "json"] as const;

/** `scrum flagged [ITER]`: from the state, files that need work, most urgent first; `--include review,stale` widens it. */
export function flaggedCommand(ctx: CommandContext, args: string[], format: string | undefined, include?: string): number {
  const fmt = format ?? (ctx.json ? "json" : "table");
  if (!(FLAGGED_FORMATS as readonly string[]).includes(fmt)) throw new UsageError(`--format must be one of: ${FLAGGED_FORMATS.join(", ")}; got "${fmt}"`);
  if (args.length > 1) throw new UsageError("usage: scrum flagged [ITER] [--format table|paths|json] [--include review,stale]");
  const options = parseInclude(include);
  const kb = openKb(ctx, { mustExist: true, snapshot: true });
  try {
    const view = readStateView(kb, args[0], { root: homeOf(ctx).root });
    // Before any iteration finished there is no state: an aborted first sweep's own rows stand in.
    const flagged = flaggedFiles(view.stateOf === null ? kb.reviews.inIteration(view.iteration.id) : view.rows, options);
    if (fmt === "json") ctx.io.out(JSON.stringify(flagged, null, 2));
    else if (fmt === "paths") {
      if (flagged.length > 0) ctx.io.out(flagged.map((f) => f.path).join("\n"));
    } else if (flagged.length === 0) ctx.io.out(`state after iteration ${view.stateOf ?? view.iteration.id}: nothing flagged`);
    else {
      ctx.io.out(
        renderTable(
          ["verdict", "tier", "critical", "missing", "findings", "from", "stale", "path"],
          flagged.map((f) => [f.verdict, f.gradient_tier ?? "-", f.critical_failures_count, f.missing_components_count, f.findings_count, f.iteration_id, f.stale ? "STALE" : "", f.path]),
        ),
      );
    }
    return 0;
  } finally {
    kb.close();
  }
}
