/** `scrum run`: one iteration. */
import { resolveApiKeys, type RungConfig } from "../../config/config";
import { UsageError } from "../../errors";
import { runIteration, type RunEvent, type RunSummary } from "../../run/iteration";
import { makeProvider } from "../../providers/make-provider";
import type { Provider } from "../../providers/provider";
import { StaticProvider } from "../../providers/static";
import { renderTable } from "../table";
import { existsSync, rmSync } from "node:fs";
import type { Kb } from "../../../kb/kb";
import { homeOf, kbFile, loadContextConfig, openKb, sources, type CommandContext } from "../context";
import { progressPrinter } from "../progress";

export interface RunFlags {
  paths: string[];
  label?: string;
  fromFlagged?: string;
  resume?: string;
  offline: boolean;
  concurrency?: string;
  failOn?: string;
}

const FAIL_ON = ["needs_patch", "fail"] as const;

/** Run one iteration; returns the exit code (3 when the --fail-on gate trips). */
export async function runCommand(ctx: CommandContext, flags: RunFlags, signal: AbortSignal): Promise<number> {
  if (flags.failOn !== undefined && !(FAIL_ON as readonly string[]).includes(flags.failOn)) {
    throw new UsageError(`--fail-on must be one of: ${FAIL_ON.join(", ")}; got "${flags.failOn}"`);
  }
  const concurrency = flags.concurrency === undefined ? 8 : Number(flags.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new UsageError(`--concurrency must be a whole number from 1 up; got "${flags.concurrency}"`);
  }
  const config = loadContextConfig(ctx);
  const keys = flags.offline ? new Map<string, string>() : resolveApiKeys(config, ctx.env);
  const existed = existsSync(kbFile(ctx));
  const kb = openKb(ctx, { mustExist: false });
  try {
    flags = bindIterationWords(flags, kb);
    if (flags.resume !== undefined && (flags.paths.length > 0 || flags.fromFlagged !== undefined)) {
      throw new UsageError("--resume continues an iteration with its own targets; give no paths and no --from-flagged with it");
    }
    if (flags.resume === undefined && flags.fromFlagged === undefined && flags.paths.length === 0) {
      throw new UsageError("no targets: give paths, directories or globs (e.g. `scrum run src/`), or --from-flagged");
    }
    const progress = progressPrinter(ctx);
    const summary = await runIteration({
      config,
      kb,
      cwd: ctx.cwd,
      root: homeOf(ctx).root,
      inputs: flags.paths,
      label: flags.label ?? null,
      ...(flags.fromFlagged !== undefined ? { fromFlagged: flags.fromFlagged } : {}),
      ...(flags.resume !== undefined ? { resume: flags.resume } : {}),
      offline: flags.offline,
      concurrency,
      signal,
      providerFor: (rung: RungConfig): Provider => {
        if (rung.provider === "static") return new StaticProvider();
        const apiKey = keys.get(rung.name);
        return makeProvider(rung, apiKey !== undefined ? { apiKey } : {});
      },
      onEvent: progress.event,
    });
    progress.end();
    if (ctx.json) ctx.io.out(JSON.stringify({ ...summary, ...sources(ctx, { config: true }) }, null, 2));
    else ctx.io.out(renderSummary(summary));
    if (summary.status === "aborted") return 1;
    return gateTripped(summary, flags.failOn) ? 3 : 0;
  } finally {
    // A run that stopped before its first iteration (bad target, gate, no rung) leaves no new KB file behind.
    const empty = kb.iterations().length === 0;
    kb.close();
    if (!existed && empty) for (const suffix of ["", "-wal", "-shm"]) rmSync(`${kbFile(ctx)}${suffix}`, { force: true });
  }
}

/** --fail-on needs_patch trips on needs_patch, fail or unreviewed files; --fail-on fail on fail or unreviewed. */
export function gateTripped(summary: RunSummary, failOn: string | undefined): boolean {
  if (failOn === undefined) return false;
  const { fail, needs_patch } = summary.verdicts;
  const unreviewed = summary.files.unreviewed;
  return failOn === "fail" ? fail + unreviewed > 0 : fail + needs_patch + unreviewed > 0;
}

function renderSummary(s: RunSummary): string {
  const m = s.metrics;
  const lines = [
    `iteration ${s.iteration_id}${s.label ? ` (${s.label})` : ""}: ${s.status}`,
    `files: ${s.files.total} total, ${s.files.reviewed} reviewed, ${s.files.skipped} skipped, ${s.files.unreviewed} unreviewed`,
    `verdicts: ${s.verdicts.pass} pass, ${s.verdicts.needs_patch} needs_patch, ${s.verdicts.fail} fail`,
  ];
  if (m.findings_total !== undefined) {
    lines.push(
      `findings: ${m.findings_total} (${m.findings_high} high, ${m.findings_medium} medium, ${m.findings_low} low), ${m.evidence_unverified} with unverified evidence`,
      `ladder: ${m.shards_total} shards, ${m.attempts_total} attempts, ${m.escalations} escalations, ${m.thin_rejections} thin; tokens ${m.tokens_in} in / ${m.tokens_out} out; cost $${(m.cost_usd ?? 0).toFixed(4)}`,
      "",
      renderTable(["tier", "files"], [["auto", m.tier_auto ?? 0], ["review", m.tier_review ?? 0], ["block", m.tier_block ?? 0]]),
    );
  }
  lines.push("", "next: `scrum flagged` lists what needs work; `scrum show PATH` shows one verdict.");
  return lines.join("\n");
}

/**
 * A bare `--resume` / `--from-flagged` (value "") takes the next word as its ITER only when the KB has an iteration
 * of that id or label; otherwise the word stays a path and the flag means `latest`.
 */
export function bindIterationWords(flags: RunFlags, kb: Kb): RunFlags {
  const out: RunFlags = { ...flags, paths: [...flags.paths] };
  for (const key of ["resume", "fromFlagged"] as const) {
    if (out[key] !== "") continue;
    const word = out.paths[0];
    if (word !== undefined && kb.findIteration(word) !== undefined) {
      out[key] = word;
      out.paths.shift();
    } else out[key] = "latest";
  }
  return out;
}
