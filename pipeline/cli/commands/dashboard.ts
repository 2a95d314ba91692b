/** `scrum dashboard --out FILE.html`: trajectory charts, flagged files and KB health as one self-contained HTML page. */
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { homeOf, kbFile as kbFileOf, openKb, sources, type CommandContext } from "../context";
import { liveRows } from "../state-view";
import { checkOutFile } from "../paths";
import { gatherDashboard } from "../../dashboard/gather";
import { renderDashboard } from "../../dashboard/render";
import { UsageError } from "../../../domain/errors";

export interface DashboardFlags {
  out?: string;
  /** The clock for "generated at" and the last iteration's age; tests pass a fixed one. */
  now?: () => Date;
}

/** Write the dashboard for the KB of `ctx` to `flags.out`, atomically (temp file, then rename). */
export function dashboardCommand(ctx: CommandContext, flags: DashboardFlags): number {
  if (!flags.out) throw new UsageError("usage: scrum dashboard --out FILE.html (--out is required)");
  const out = checkOutFile(ctx.cwd, flags.out, "--out", homeOf(ctx));
  const kbFile = kbFileOf(ctx);
  const kb = openKb(ctx, { mustExist: true, snapshot: true });
  let html: string;
  let iterations: number;
  try {
    const data = gatherDashboard(kb, { kbFile, now: (flags.now ?? (() => new Date()))(), live: (rows) => liveRows(kb, rows, homeOf(ctx).root) });
    html = renderDashboard(data);
    iterations = data.iterations.length;
  } finally {
    kb.close();
  }
  writeAtomically(out, html);
  if (ctx.json) ctx.io.out(JSON.stringify({ out, iterations, ...sources(ctx) }));
  if (!ctx.quiet) ctx.io.err(`dashboard: wrote ${out} (${iterations} iteration${iterations === 1 ? "" : "s"})\n`);
  return 0;
}

/** A reader (a browser tab, a CI artifact upload) never sees a half-written page: write beside the target, then rename over it. */
function writeAtomically(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.${Date.now()}.tmp`);
  try {
    writeFileSync(tmp, text, "utf8");
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}
