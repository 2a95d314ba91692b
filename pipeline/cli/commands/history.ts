/** `scrum history`: the iteration tracker, one row per iteration, from grouped queries (no finding is loaded). */
import type { Iteration } from "../../../domain/records";
import { hostname } from "node:os";
import { livenessOf, processAlive } from "../../run/liveness";
import { kbFile, openKb, type CommandContext } from "../context";
import { renderTable } from "../table";
import type { MergedPlan } from "../../run/partition";
import type { GroupPlan } from "../../run/partition-group";
import { showLocation } from "../../../kb/engine";

export function historyCommand(ctx: CommandContext): number {
  const kb = openKb(ctx, { mustExist: true, snapshot: true });
  try {
    const counts = kb.metrics.history();
    const metrics = kb.metrics.all();
    const world = { now: Date.now(), here: { host: hostname(), pid: process.pid }, isAlive: processAlive };
    const rows = kb.iterations.all().map((it) => {
      const c = counts.get(it.id);
      return {
        id: it.id,
        label: it.label,
        // running / stale (its process is gone) / done / aborted
        status: livenessOf(it, world),
        started_at: it.started_at,
        finished_at: it.finished_at,
        git_commit: it.git_commit,
        host: it.host,
        pid: it.pid,
        files: c?.files ?? 0,
        pass: c?.pass ?? 0,
        needs_patch: c?.needs_patch ?? 0,
        fail: c?.fail ?? 0,
        unreviewed: c?.unreviewed ?? 0,
        skipped: c?.skipped ?? 0,
        findings_high: c?.findings_high ?? 0,
        findings_medium: c?.findings_medium ?? 0,
        findings_low: c?.findings_low ?? 0,
        escalations: c?.escalations ?? 0,
        cost_usd: c?.cost_usd ?? 0,
        metrics: metrics.get(it.id) ?? {},
        // A share of a partitioned sweep (`K/N`), or an iteration `scrum kb merge` joined: "merged J of N".
        partition: partitionOf(it),
      };
    });
    if (ctx.json) {
      ctx.io.out(JSON.stringify(rows, null, 2));
      return 0;
    }
    ctx.io.out(`knowledge base ${showLocation(kbFile(ctx))}`);
    if (rows.length === 0) {
      ctx.io.out("no iterations yet; `scrum run PATH` starts the first");
      return 0;
    }
    ctx.io.out(
      renderTable(
        ["id", "label", "status", "started", "files", "pass", "patch", "fail", "unrev", "skip", "high", "med", "low", "esc", "cost $", "state pass/patch/fail"],
        rows.map((r) => [
          r.id, r.partition === null ? (r.label ?? "-") : `${r.label ?? "-"} [${r.partition}]`, r.status, r.started_at.replace("T", " ").slice(0, 19), r.files, r.pass, r.needs_patch, r.fail, r.unreviewed, r.skipped,
          r.findings_high, r.findings_medium, r.findings_low, r.escalations, r.cost_usd.toFixed(4),
          r.metrics.state_files === undefined ? "-" : `${r.metrics.state_pass}/${r.metrics.state_needs_patch}/${r.metrics.state_fail}`,
        ]),
      ),
    );
    return 0;
  } finally {
    kb.close();
  }
}

/**
 * What history says of an iteration's partition: `partition K/N`, `merged J of N` (with what is missing), `group NAME:
 * N partitions`, or null.
 */
function partitionOf(it: Iteration): string | null {
  if (it.partition) return `partition ${it.partition}`;
  if (!it.partition_json) return null;
  const plan = JSON.parse(it.partition_json) as Partial<MergedPlan> | Partial<GroupPlan>;
  // A group's iteration that `--partition K/N --iteration-group NAME` jobs share: every share goes into it.
  if (plan.kind === "group") return `group ${(plan as GroupPlan).group}: ${plan.count} partitions`;
  if (plan.kind !== "merged" || !Array.isArray(plan.shares)) return null;
  return `merged ${plan.shares.length} of ${plan.count}${plan.missing?.length ? `, missing ${plan.missing.join(", ")}` : ""}`;
}
