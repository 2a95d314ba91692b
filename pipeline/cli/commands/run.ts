/** `scrum run`: one iteration. */
import { resolveApiKeys, type Config, type RungConfig } from "../../config/config";
import { ConfigError, UsageError } from "../../../domain/errors";
import { laddersFor, runIteration, type RunSummary } from "../../run/iteration";
import { estimateSweep } from "../../run/estimate";
import { NothingToReview, planIteration, type StoredConfig } from "../../run/plan";
import { parsePartition, type Partition } from "../../run/partition";
import { makeProvider } from "../../providers/make-provider";
import type { Provider } from "../../providers/provider";
import { StaticProvider } from "../../providers/static";
import { renderTable } from "../table";
import { existsSync, readdirSync, rmdirSync, rmSync } from "node:fs";
import type { Kb } from "../../../kb/kb";
import { isPostgresLocation } from "../../../kb/engine";
import { homeOf, kbFile, loadContextConfig, openKb, sources, type CommandContext } from "../context";
import { progressPrinter } from "../progress";
import { openEventStream } from "../../run/events";
import { describeObserverStats, recordObserverStats } from "../../run/observer";
import { dirname, resolve } from "node:path";
import { checkOutFile } from "../paths";
import { kbTraitBook } from "../server-traits";
import { systemPromptOf, windowPlanError, withKnownWindows } from "../../run/windows";
import { isFlagged } from "../../score/flagged";
import { readStateView } from "../state-view";

export interface RunFlags {
  paths: string[];
  label?: string;
  fromFlagged?: string;
  resume?: string;
  offline: boolean;
  changed?: boolean;
  noCache?: boolean;
  estimate?: boolean;
  concurrency?: string;
  failOn?: string;
  /** `--events FILE.jsonl`: every run event appended as one JSON line. */
  events?: string;
  /** `--partition K/N`: this job's share of the files. */
  partition?: string;
  /** `--workers`: this process is one worker of `--iteration-group`'s iteration. */
  workers?: boolean;
  iterationGroup?: string;
}

/** How long a worker's claim lasts without being renewed: $SCRUM_WORKER_LEASE_MS, else 15 s (three heartbeats). */
const DEFAULT_LEASE_MS = 15_000;

/**
 * The worker settings of a run, or undefined when it is not one of a group's workers; bad combinations are usage
 * errors. A `--partition K/N --iteration-group NAME` job is a worker restricted to share K (`--workers` with it changes
 * nothing: several jobs may work one share).
 */
function workersOf(ctx: CommandContext, flags: RunFlags, partition: Partition | undefined): { group: string; leaseMs: number; share?: Partition } | undefined {
  if (flags.iterationGroup !== undefined && !flags.workers && !partition) {
    throw new UsageError("--iteration-group names the iteration that several jobs share; give --workers (pull files from one queue) or --partition K/N (review share K of N) with it");
  }
  if (!flags.workers && flags.iterationGroup === undefined) return undefined;
  const group = flags.iterationGroup?.trim() ?? "";
  const flag = flags.workers ? "--workers" : `--partition ${flags.partition}`;
  if (group === "" || group.length > 200) throw new UsageError(`${flag} needs --iteration-group NAME (1 to 200 characters) here, the same on every job of the sweep, e.g. nightly-$CI_PIPELINE_ID`);
  const clash = flags.resume !== undefined ? "--resume" : flags.estimate ? "--estimate" : undefined;
  if (clash) throw new UsageError(`${flag} --iteration-group with ${clash}: the job takes its files from the group's queue; give ${clash} without --iteration-group`);
  const typed = ctx.env.SCRUM_WORKER_LEASE_MS;
  const leaseMs = typed === undefined || typed.trim() === "" ? DEFAULT_LEASE_MS : Number(typed);
  if (!Number.isInteger(leaseMs) || leaseMs < 100 || leaseMs > 86_400_000) throw new UsageError(`$SCRUM_WORKER_LEASE_MS must be a whole number of milliseconds from 100 to 86400000; got "${typed}"`);
  return { group, leaseMs, ...(partition ? { share: partition } : {}) };
}

const FAIL_ON = ["needs_patch", "fail"] as const;
/** The most calls in flight per server `--concurrency` may ask for (the config's own bound on a rung's concurrency). */
export const MAX_CONCURRENCY = 256;

/** Run one iteration; returns the exit code (3 when the --fail-on gate trips). */
export async function runCommand(ctx: CommandContext, flags: RunFlags, signal: AbortSignal): Promise<number> {
  if (flags.failOn !== undefined && !(FAIL_ON as readonly string[]).includes(flags.failOn)) {
    throw new UsageError(`--fail-on must be one of: ${FAIL_ON.join(", ")}; got "${flags.failOn}"`);
  }
  // Files are bounded by memory ([sweep] max_inflight_chars); the flag overrides each model rung's calls per server.
  const concurrency = flags.concurrency === undefined ? undefined : Number(flags.concurrency);
  if (concurrency !== undefined && (flags.concurrency!.trim() === "" || !Number.isInteger(concurrency) || concurrency < 1 || concurrency > MAX_CONCURRENCY)) {
    throw new UsageError(`--concurrency must be a whole number from 1 to ${MAX_CONCURRENCY}; got "${flags.concurrency}"`);
  }
  const partition = flags.partition === undefined ? undefined : parsePartition(flags.partition);
  const workers = workersOf(ctx, flags, partition);
  if (partition && flags.resume !== undefined) {
    throw new UsageError(`--partition ${flags.partition} with --resume: a resumed share finishes the files of its own partition; give --resume alone`);
  }
  const events = flags.events === undefined ? undefined : checkOutFile(ctx.cwd, flags.events, "--events", homeOf(ctx));
  let config = loadContextConfig(ctx);
  const existed = existsSync(kbFile(ctx));
  const dirExisted = existsSync(dirname(kbFile(ctx)));
  const kb = openKb(ctx, { mustExist: false });
  try {
    flags = bindIterationWords(flags, kb);
    if (flags.resume !== undefined && (flags.paths.length > 0 || flags.fromFlagged !== undefined || flags.changed)) {
      throw new UsageError("--resume continues an iteration with its own targets; give no paths, --from-flagged or --changed with it");
    }
    if (flags.resume === undefined && flags.fromFlagged === undefined && !flags.changed && flags.paths.length === 0) {
      throw new UsageError("no targets: give paths, directories or globs (e.g. `scrum run src/`), --changed or --from-flagged");
    }
    // A resumed iteration finishes with the config and ladder it started with, never another one.
    if (flags.resume !== undefined) config = resumeConfig(ctx, kb, flags, config);
    const keys = flags.offline ? new Map<string, string>() : resolveApiKeys(config, ctx.env);
    const traits = kbTraitBook(kb);
    // A window a server named before (its overflow error, its listing) holds for this run too.
    config = withKnownWindows(config, traits);
    const root = homeOf(ctx).root;
    if (flags.estimate) {
      try {
        return await estimate(ctx, kb, flags, config, root, partition);
      } catch (e) {
        if (e instanceof NothingToReview) return sayNothingToReview(ctx, e);
        throw e;
      }
    }
    // Planned before anything is sent: a ladder whose windows cannot hold one small review stops here, with numbers.
    const unplannable = await windowPlanError(laddersFor(config, flags.offline), systemPromptOf(config));
    if (unplannable) throw new ConfigError(unplannable);
    const progress = progressPrinter(ctx);
    const stream = openEventStream({ ...(events !== undefined ? { file: events } : {}), ...(config.observer ? { observer: config.observer } : {}) });
    let summary: RunSummary;
    try {
      summary = await runIteration({
      config,
      kb,
      cwd: ctx.cwd,
      root,
      inputs: flags.paths,
      label: flags.label ?? null,
      ...(flags.fromFlagged !== undefined ? { fromFlagged: flags.fromFlagged } : {}),
      ...(flags.resume !== undefined ? { resume: flags.resume } : {}),
      changed: flags.changed === true,
      noCache: flags.noCache === true,
      offline: flags.offline,
      ...(partition ? { partition } : {}),
      ...(workers ? { workers } : {}),
      ...(concurrency !== undefined ? { concurrency } : {}),
      signal,
      providerFor: (rung: RungConfig): Provider => {
        if (rung.provider === "static") return new StaticProvider({ raise: config.static.raise });
        const apiKey = keys.get(rung.name);
        return makeProvider(rung, { traits, ...(apiKey !== undefined ? { apiKey } : {}) });
      },
      onEvent: (e) => {
        progress.event(e);
        stream.emit(e);
      },
      });
    } catch (e) {
      progress.end();
      await stream.close();
      // Nothing changed since the last review: a normal answer in CI, said on stderr, exit 0.
      if (e instanceof NothingToReview) return sayNothingToReview(ctx, e);
      throw e;
    }
    progress.end();
    const observed = await stream.close();
    if (observed) summary = recordObserverStats(kb, summary, observed);
    if (ctx.json) ctx.io.out(JSON.stringify({ ...summary, ...sources(ctx, { config: true }) }, null, 2));
    else ctx.io.out(renderSummary(summary, tierSplit(kb, summary.iteration_id), worklist(kb, summary)) + (observed ? `\n${describeObserverStats(observed)}` : ""));
    if (summary.status === "aborted") return 1;
    // This job's share is stored; the group's iteration is completed by the job that stores its last file.
    if (summary.status === "running") return 0;
    if (summary.budget_exhausted) {
      ctx.io.err(`scrum: the [budget] ran out (${summary.budget_exhausted}); files not reviewed are unreviewed with reason "budget"\n`);
      return 1;
    }
    if (gateTripped(summary, flags.failOn)) return 3;
    // Model rungs exist and none of their answers was accepted: not a clean sweep, whatever the static rung said. The
    // run's warning (stderr) and its summary said why in full; this line says why the exit is 1.
    if (summary.model_answers?.none_accepted) {
      ctx.io.err("scrum: exit 1: no model answer was accepted (the warning above says which rungs and what answered instead)\n");
      return 1;
    }
    return 0;
  } finally {
    // A run that stopped before its first iteration (bad target, gate, no rung) leaves no new KB file behind.
    const empty = kb.iterations.all().length === 0;
    kb.close();
    if (!existed && empty && !isPostgresLocation(kbFile(ctx))) {
      for (const suffix of ["", "-wal", "-shm"]) rmSync(`${kbFile(ctx)}${suffix}`, { force: true });
      // The folder the KB's open created (.scrum/ in a fresh checkout) goes too, when nothing else is in it.
      if (!dirExisted && readdirSync(dirname(kbFile(ctx))).length === 0) rmdirSync(dirname(kbFile(ctx)));
    }
  }
}

/** Nothing changed since the last review: a normal answer in CI (exit 0), on stderr or as JSON. */
function sayNothingToReview(ctx: CommandContext, e: NothingToReview): number {
  if (ctx.json) ctx.io.out(JSON.stringify({ iteration_id: null, status: "nothing_to_review", reason: e.message, ...sources(ctx, { config: true }) }, null, 2));
  else ctx.io.err(`scrum: ${e.message}\n`);
  return 0;
}

/** --fail-on needs_patch trips on needs_patch, fail or unreviewed files; --fail-on fail on fail or unreviewed. */
export function gateTripped(summary: RunSummary, failOn: string | undefined): boolean {
  if (failOn === undefined) return false;
  const { fail, needs_patch } = summary.verdicts;
  const unreviewed = summary.files.unreviewed;
  return failOn === "fail" ? fail + unreviewed > 0 : fail + needs_patch + unreviewed > 0;
}

/** Files of the iteration per tier, split into those with findings and clean ones: a tier means different things for each. */
export type TierSplit = Record<"auto" | "review" | "block", { findings: number; clean: number }>;

export function tierSplit(kb: Kb, iterationId: number): TierSplit {
  const split: TierSplit = { auto: { findings: 0, clean: 0 }, review: { findings: 0, clean: 0 }, block: { findings: 0, clean: 0 } };
  for (const r of kb.reviews.outcomes(iterationId)) {
    if (r.gradient_tier === null) continue;
    split[r.gradient_tier][r.findings_count > 0 ? "findings" : "clean"]++;
  }
  return split;
}

/** What `scrum flagged` lists after a finished iteration, and the files it leaves out that hold findings. */
export interface Worklist {
  flagged: number;
  /** Passes at tier review with findings: `scrum flagged --include review` lists them. */
  heldWithFindings: number;
}

/** The state's worklist after iteration `summary`, when it finished (an aborted one has no state of its own). */
export function worklist(kb: Kb, summary: RunSummary): Worklist | undefined {
  if (summary.status !== "done") return undefined;
  const { rows } = readStateView(kb, String(summary.iteration_id));
  const flagged = rows.filter((r) => isFlagged(r)).length;
  return { flagged, heldWithFindings: rows.filter((r) => !isFlagged(r) && r.gradient_tier === "review" && r.findings_count > 0).length };
}

/** The summary `scrum run` prints (and `scrum kb merge` for the iteration it made). */
export function renderSummary(s: RunSummary, tiers: TierSplit, work?: Worklist): string {
  const m = s.metrics;
  const lines = [
    `iteration ${s.iteration_id}${s.label ? ` (${s.label})` : ""}: ${s.status}`,
    ...(s.group && s.partition
      ? [
          `partition ${s.partition.partition} of group ${s.group.name}: its share is stored; the group's iteration has ${s.files.total} of the ${s.partition.planned} files planned` +
            (s.group.outstanding_files === 0
              ? ""
              : `; ${s.group.outstanding_files} file${s.group.outstanding_files === 1 ? "" : "s"} of share${s.group.outstanding_shares.length === 1 ? "" : "s"} ${s.group.outstanding_shares.map((k) => `${k}/${s.partition!.partition.split("/")[1]}`).join(", ")} still outstanding (the job that stores the last file completes the iteration)`),
        ]
      : s.partition
        ? [`partition ${s.partition.partition}: ${s.files.total} of the ${s.partition.planned} files planned (\`scrum kb merge\` joins the partitions' KBs)`]
        : []),
    `files: ${s.files.total} total, ${s.files.reviewed} reviewed, ${s.files.skipped} skipped, ${s.files.unreviewed} unreviewed`,
    `verdicts: ${s.verdicts.pass} pass, ${s.verdicts.needs_patch} needs_patch, ${s.verdicts.fail} fail`,
  ];
  if (m.findings_total !== undefined) {
    lines.push(
      `findings: ${m.findings_total} (${m.findings_high} high, ${m.findings_medium} medium, ${m.findings_low} low), ${m.evidence_unverified} with unverified evidence`,
      ...(m.findings_confirmed || m.findings_refuted || m.findings_uncertain || m.findings_not_verified
        ? [
            `verify: ${m.findings_confirmed ?? 0} confirmed, ${m.findings_refuted ?? 0} refuted (set aside), ${m.findings_uncertain ?? 0} uncertain, ${m.findings_not_verified ?? 0} not verified` +
              `${m.verify_skipped_trusted ? ` (${m.verify_skipped_trusted} skipped as trusted; \`scrum show PATH\` says why)` : ""}`,
          ]
        : []),
      `ladder: ${m.shards_total} shards (${m.cached_shards ?? 0} answered from the cache), ${m.attempts_total} attempts, ${m.escalations} escalations, ${m.thin_rejections} thin; tokens ${m.tokens_in} in / ${m.tokens_out} out; cost $${(m.cost_usd ?? 0).toFixed(4)}`,
      `state (every file's latest review): ${m.state_files} files, ${m.state_pass} pass, ${m.state_needs_patch} needs_patch, ${m.state_fail} fail, ${m.state_unreviewed} unreviewed, ${m.state_stale} stale; ${m.state_findings_total} open finding${m.state_findings_total === 1 ? "" : "s"}`,
      "",
      renderTable(
        ["tier", "files", "with findings", "clean", "meaning"],
        [
          ["auto", m.tier_auto ?? 0, tiers.auto.findings, tiers.auto.clean, "nothing to act on, a confident review"],
          ["review", m.tier_review ?? 0, tiers.review.findings, tiers.review.clean, "a patch to review, or a pass not vouched for"],
          ["block", m.tier_block ?? 0, tiers.block.findings, tiers.block.clean, "the reviewer doubts its verdict: check first"],
        ],
      ),
    );
  }
  const answers = s.model_answers;
  if (answers) {
    lines.push(`model answers accepted: ${answers.rungs.map((r) => `${r.rung} ${r.accepted} of ${r.shards_sent} shard${r.shards_sent === 1 ? "" : "s"} sent${r.cached > 0 ? ` (+${r.cached} from the cache)` : ""}`).join(", ")}; ${answers.degraded_files} degraded file${answers.degraded_files === 1 ? "" : "s"}`);
    if (answers.warning) lines.push(`${answers.none_accepted ? "NO MODEL ANSWER" : "DEGRADED"}: ${answers.warning}`);
  }
  lines.push("", nextStep(s, work));
  return lines.join("\n");
}

function nextStep(s: RunSummary, work: Worklist | undefined): string {
  if (s.status === "aborted") return `next: \`scrum run --resume=${s.iteration_id}\` reviews the files this iteration did not store; \`scrum flagged\` lists what needs work so far.`;
  // Findings that raise no verdict (every static rule's, unless the repository raises it) are never flagged: say where they are.
  if (work && work.flagged === 0 && work.heldWithFindings > 0) {
    const n = work.heldWithFindings;
    return `next: nothing is flagged (no file fails, needs a patch, is unreviewed or blocked); ${n} passing file${n === 1 ? " holds" : "s hold"} findings that raise no verdict (docs/STATIC.md, "Which rules raise verdicts"): \`scrum flagged --include review\` lists ${n === 1 ? "it" : "them"} first; \`scrum show PATH\` shows one verdict.`;
  }
  return "next: `scrum flagged` lists what needs work; `scrum show PATH` shows one verdict.";
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
    if (word !== undefined && kb.iterations.find(word) !== undefined) {
      out[key] = word;
      out.paths.shift();
    } else out[key] = "latest";
  }
  return out;
}

/**
 * The config a resumed iteration finishes with: the one it stored. A different --config, or --offline on a model
 * iteration (or its absence on an offline one), is refused naming the difference.
 */
function resumeConfig(ctx: CommandContext, kb: Kb, flags: RunFlags, given: Config): Config {
  const it = flags.resume === "latest" ? kb.iterations.all().filter((x) => x.status !== "done").at(-1) : kb.iterations.find(flags.resume!);
  if (!it || it.status === "done") return given; // planIteration says what is wrong with the reference
  const stored = JSON.parse(it.config_json) as StoredConfig;
  const offline = stored.offline ?? stored.ladder.every((r) => r.provider === "static");
  if (offline !== flags.offline) {
    throw new ConfigError(
      offline
        ? `iteration ${it.id} ran offline (static rung only); resume it with --offline, or start a new iteration for the model ladder`
        : `iteration ${it.id} ran with the model ladder ${stored.ladder.map((r) => r.name).join(" → ")}; --offline would finish it with the static rung. Resume it without --offline`,
    );
  }
  const home = homeOf(ctx);
  if ((home.configFrom === "--config" || home.configFrom === "$SCRUM_CONFIG") && stored.source !== given.source) {
    throw new ConfigError(`iteration ${it.id} ran with config ${stored.source ?? "(built-in defaults)"}; resuming with ${given.source} would mix two ladders. Resume without ${home.configFrom}`);
  }
  return stored;
}

/** `--estimate`: plan the files and price them per rung; nothing is called and nothing is written. */
async function estimate(ctx: CommandContext, kb: Kb, flags: RunFlags, config: Config, root: string, partition: Partition | undefined): Promise<number> {
  const plan = planIteration({
    kb, config, cwd: ctx.cwd, root, inputs: flags.paths,
    ...(partition ? { partition } : {}),
    ...(flags.fromFlagged !== undefined ? { fromFlagged: flags.fromFlagged } : {}),
    ...(flags.resume !== undefined ? { resume: flags.resume } : {}),
    changed: flags.changed === true,
  });
  if (!ctx.quiet) for (const w of plan.warnings) ctx.io.err(`warning: ${w}\n`);
  const e = await estimateSweep({ files: plan.files, root, config, ladder: laddersFor(config, flags.offline), kb, noCache: flags.noCache === true });
  if (ctx.json) {
    ctx.io.out(JSON.stringify({ ...e, ...sources(ctx, { config: true }) }, null, 2));
    return 0;
  }
  ctx.io.out(`estimate: ${e.files} files to review (${e.skipped} would be skipped), ${e.shards} shards; nothing was called`);
  ctx.io.out(
    renderTable(
      ["rung", "model", "window", "shards", "cached", "over window", "to send", "tokens in", "tokens out (max)", "cost $ if all go here"],
      e.rungs.map((r, i) => {
        const rung = laddersFor(config, flags.offline)[i];
        return [r.rung, r.model, rung?.contextTokens ?? "-", r.shards, r.cached, r.over_window, r.shards - r.cached - r.over_window, r.tokens_in, r.tokens_out, r.cost_usd.toFixed(4)];
      }),
    ),
  );
  ctx.io.out("The first rung gets every shard the cache does not answer and its window holds; later rungs only those that climb. A run re-splits a shard no window holds.");
  if (e.verify) {
    const v = e.verify;
    ctx.io.out(
      `verify: rung ${v.rung} (${v.model}), at most ${v.max_calls} calls ([verify] max_per_file per file; findings are not known before the sweep), ` +
        `~${v.tokens_in_per_call} tokens in and up to ${v.tokens_out_per_call} out each; at most $${v.max_cost_usd.toFixed(4)}`,
    );
  }
  return 0;
}
