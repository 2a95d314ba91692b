/** `scrum kb merge A.db B.db … [--into KB]`: join the KBs of a partitioned sweep into one iteration (pipeline/run/merge.ts). */
import { existsSync, readdirSync, rmdirSync, rmSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { Kb } from "../../../kb/kb";
import { UsageError } from "../../../domain/errors";
import { summarize } from "../../run/iteration";
import { countModelAnswers } from "../../run/model-answers";
import type { StoredConfig } from "../../run/plan";
import { mergePartitions, NothingToMerge, type MergeResult } from "../../run/merge";
import { homeOf, kbFile, openKb, sources, type CommandContext } from "../context";
import { gateTripped, renderSummary, tierSplit, worklist } from "./run";
import { isPostgresLocation, showLocation } from "../../../kb/engine";

export interface MergeFlags {
  files: string[];
  label?: string;
  failOn?: string;
}

const FAIL_ON = ["needs_patch", "fail"] as const;

/** Merge the partitions' KBs into the command's KB; returns the exit code (3 when the --fail-on gate trips). */
export function kbMergeCommand(ctx: CommandContext, flags: MergeFlags): number {
  if (flags.failOn !== undefined && !(FAIL_ON as readonly string[]).includes(flags.failOn)) {
    throw new UsageError(`--fail-on must be one of: ${FAIL_ON.join(", ")}; got "${flags.failOn}"`);
  }
  if (flags.files.length === 0) throw new UsageError("kb merge needs the partitions' KB files: scrum kb merge A.db B.db … [--into KB]");
  // A partition's KB is a file, or a PostgreSQL KB a partition job ran on (--kb postgres://…).
  const locate = (f: string) => (isPostgresLocation(f) ? f : resolve(ctx.cwd, f));
  const absent = flags.files.filter((f) => !isPostgresLocation(f) && !existsSync(locate(f)));
  if (absent.length > 0) throw new UsageError(`no knowledge base at ${absent.join(", ")}; give the KB file each \`scrum run --partition K/N\` job wrote`);
  const target = kbFile(ctx);
  const shown = showLocation(target);
  // A PostgreSQL KB is a database that outlives a refused merge; a new KB file does not.
  const existed = isPostgresLocation(target) || existsSync(target);
  const dirExisted = existsSync(dirname(target));
  const parts: Array<{ file: string; kb: Kb }> = [];
  let into: Kb | undefined;
  try {
    for (const f of flags.files) parts.push({ file: showLocation(f), kb: new Kb(locate(f)) });
    into = openKb(ctx, { mustExist: false });
    let result: MergeResult;
    try {
      result = mergePartitions({ into, intoFile: shown, parts, root: homeOf(ctx).root, ...(flags.label !== undefined ? { label: flags.label } : {}) });
    } catch (e) {
      if (!(e instanceof NothingToMerge)) throw e;
      if (ctx.json) ctx.io.out(JSON.stringify({ iteration_id: null, status: "nothing_to_merge", reason: e.message, ...sources(ctx) }, null, 2));
      else ctx.io.err(`scrum: ${e.message}\n`);
      return 0;
    }
    if (into.meta.root() !== homeOf(ctx).root) into.meta.setRoot(homeOf(ctx).root);
    // Model answers counted as a run counts them: a merge of partitions whose model rungs answered nothing says so.
    const stored = JSON.parse(into.iterations.get(result.iteration_id)!.config_json) as StoredConfig;
    const modelRungs = stored.ladder.filter((r) => r.provider !== "static").map((r) => r.name);
    const answers = countModelAnswers(modelRungs, into.attempts.inIteration(result.iteration_id), into.reviews.outcomes(result.iteration_id));
    if (answers?.warning) result.warnings.push(answers.warning);
    const summary = { ...summarize(into, result.iteration_id, "done", result.metrics, null), model_answers: answers, merged: mergedOf(result) };
    if (!ctx.quiet) for (const w of result.warnings) ctx.io.err(`warning: ${w}\n`);
    if (ctx.json) ctx.io.out(JSON.stringify({ ...summary, ...sources(ctx) }, null, 2));
    else {
      const said = result.partitions.map((p) => `${p.partition} (${p.kb}: ${p.files} files)`).join(", ");
      ctx.io.out(`merged ${result.partitions.length} of ${result.partitions[0]?.partition.split("/")[1] ?? "?"} partitions into iteration ${result.iteration_id} of ${shown}: ${said}`);
      if (result.missing.length > 0) {
        ctx.io.out(`MISSING partitions ${result.missing.join(", ")}: ${result.unreviewed.length} files no partition reviewed are unreviewed (never a pass): ${result.unreviewed.slice(0, 10).join(", ")}${result.unreviewed.length > 10 ? ", …" : ""}`);
      }
      ctx.io.out(renderSummary(summary, tierSplit(into, result.iteration_id), worklist(into, summary)));
    }
    return gateTripped(summary, flags.failOn) ? 3 : 0;
  } finally {
    for (const p of parts) p.kb.close();
    const empty = into !== undefined && into.iterations.all().length === 0;
    into?.close();
    // A refused merge into a KB that did not exist leaves no file behind.
    if (!existed && (into === undefined || empty)) {
      for (const suffix of ["", "-wal", "-shm"]) rmSync(`${target}${suffix}`, { force: true });
      if (!dirExisted && existsSync(dirname(target)) && readdirSync(dirname(target)).length === 0) rmdirSync(dirname(target));
    }
  }
}

function mergedOf(r: MergeResult): { partitions: MergeResult["partitions"]; missing: string[]; unreviewed: string[] } {
  return { partitions: r.partitions, missing: r.missing, unreviewed: r.unreviewed };
}
