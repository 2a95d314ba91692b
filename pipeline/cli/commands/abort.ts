/** `scrum abort ITER`: mark a running or stale iteration aborted; what finished is kept. */
import { hostname } from "node:os";
import { UsageError } from "../../../domain/errors";
import { holderOf, livenessOf, processAlive } from "../../run/liveness";
import { openKb, sources, type CommandContext } from "../context";

export function abortCommand(ctx: CommandContext, ref: string): number {
  const kb = openKb(ctx, { mustExist: true });
  try {
    const it = kb.iterations.resolve(ref);
    const now = Date.now();
    const state = livenessOf(it, { now, here: { host: hostname(), pid: process.pid }, isAlive: processAlive });
    if (state === "done" || state === "aborted") throw new UsageError(`iteration ${it.id} is ${state}; only a running or stale iteration can be aborted`);
    if (state === "running") throw new UsageError(`${holderOf(it, now)}; stop that process (Ctrl-C marks it aborted itself), or wait until its heartbeat is stale`);
    if (!kb.iterations.abort(it.id, "aborted by `scrum abort`: its process was gone")) throw new UsageError(`iteration ${it.id} changed while aborting it; look again with \`scrum history\``);
    const rows = kb.reviews.outcomes(it.id).length;
    if (ctx.json) ctx.io.out(JSON.stringify({ id: it.id, status: "aborted", files: rows, ...sources(ctx) }));
    else ctx.io.out(`iteration ${it.id}: aborted (${rows} file rows kept); \`scrum run --resume ${it.id}\` finishes it`);
    return 0;
  } finally {
    kb.close();
  }
}
