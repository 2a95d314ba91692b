/** One iteration: wires plan → preflight → review every file (shard, ladder, reduce, score) → kb → state. */
import type { FileReview, Iteration, StoredAttempt, StoredFinding } from "../../domain/records";
import type { FileOutcome } from "../../domain/outcome";
import { readFileSync, statSync } from "node:fs";
import { thisProcess, type Kb, type Owner } from "../../kb/kb";
import { fileRecord, outcomeVerdict } from "../../domain/file-record";
import type { Metrics } from "../../kb/aggregates";
import type { DiskStat } from "../../kb/disk";
import { STATIC_RUNG, type Config, type RungConfig, type VerifyConfig } from "../config/config";
import { ConfigError } from "../../domain/errors";
import { readInputFile } from "../config/input-file";
import type { Attempt } from "../../domain/attempt";
import type { AnswerCache } from "../call/call-rung";
import { makeRung, type Rung } from "../call/rung";
import { abortableSleep } from "../providers/abortable-sleep";
import { buildSystemPrompt } from "../review/prompt";
import { loadInstructions } from "../review/instructions";
import type { Provider } from "../providers/provider";
import { readTarget } from "../targets/targets";
import { budgetTracker } from "./budget";
import { countModelAnswers, type ModelAnswers } from "./model-answers";
import { HEARTBEAT_MS, holderOf, livenessOf, processAlive } from "./liveness";
import { planIteration, splitOf, storedConfigJson, type Plan } from "./plan";
import { checkProbes } from "./probes";
import { completeSweep } from "./complete";
import { assignShares, formatPartition, type Partition } from "./partition";
import { checkJoinsGroup, groupPlan, groupRequest } from "./partition-group";
import { reviewFile, type ReviewContext } from "./review-file";
import { shippedTemplate } from "../review/template";
import { trustCheck } from "../verify/trust";
import { filePriority, scheduleFiles } from "./schedule";
import { RecordBatch } from "./record-batch";
import { claimedFiles, workerName } from "./workers";
import { rootKey } from "../targets/root-path";
import { gitHead, repositoryIdentity, runShell } from "./spawn";

export interface RunOptions {
  config: Config;
  kb: Kb;
  /** Where command-line targets are resolved from. */
  cwd: string;
  /** KB paths are relative to this folder (the repository root); default `cwd`. Probes, the gate and git run here. */
  root?: string;
  /** Paths, directories and globs from the command line. */
  inputs: string[];
  label: string | null;
  /** Review the files the state of this iteration flags (plus `inputs` if given). */
  fromFlagged?: string;
  /** Take over a stale or aborted iteration and finish the files it has no row for. */
  resume?: string;
  /** Review the files changed since their last review, and new ones. */
  changed?: boolean;
  /** `--partition K/N`: review only this job's share of the files planned (pipeline/run/partition.ts). */
  partition?: Partition;
  /** Ask every rung again instead of reusing answers accepted before. */
  noCache?: boolean;
  offline: boolean;
  /** Calls in flight per server of every model rung, overriding each rung's `concurrency`; default: the config's. */
  concurrency?: number;
  signal: AbortSignal;
  /** Builds a provider for a rung (real clients in the CLI, fakes in tests). */
  providerFor: (rung: RungConfig) => Provider;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  gitCommit?: () => string | null;
  runGate?: (command: string, cwd: string) => { code: number; output: string };
  onEvent?: (event: RunEvent) => void;
  /** false: a model's verdict is not joined by the precise static rules (the bench measures models alone). Default true. */
  staticFloor?: boolean;
  /** Who runs the iteration; default this process. */
  owner?: Owner;
  /**
   * `--workers --iteration-group NAME`: this process is one of several workers of the group's iteration (opened by the
   * first to arrive, with its planned files as the queue); it reviews the files it claims, takes over claims not
   * renewed within `leaseMs`, and the worker that stores the last file finishes the iteration (pipeline/run/workers.ts).
   */
  workers?: { group: string; leaseMs: number; share?: Partition };
  now?: () => number;
}

export type RunEvent =
  | { type: "start"; iterationId: number; files: number; rungs: string[]; iteration: Iteration }
  | { type: "warning"; message: string }
  | { type: "cooldown"; rung: string; reason: string }
  | { type: "attempt"; path: string; attempt: Attempt }
  /** `stored` reads the file's rows back as the KB holds them; only an event sink that writes them calls it. */
  | { type: "file"; path: string; verdict: string; done: number; total: number; stored: () => StoredFile }
  | { type: "budget"; reason: string }
  | { type: "finish"; iteration: Iteration; metrics: Metrics };

/** A file's rows as the KB stored them (read back after the write, so every column is there). */
export interface StoredFile {
  review: FileReview;
  findings: StoredFinding[];
  attempts: StoredAttempt[];
}

export interface RunSummary {
  iteration_id: number;
  label: string | null;
  /** `running`: a partition job of a group stored its share while other shares are still outstanding. */
  status: "done" | "aborted" | "running";
  files: { total: number; reviewed: number; skipped: number; unreviewed: number };
  verdicts: { pass: number; needs_patch: number; fail: number };
  metrics: Metrics;
  /** Why nothing more was sent when the [budget] ran out; null when it did not. */
  budget_exhausted: string | null;
  /** Rungs cooled down during the run (their later shards went straight to the next rung), with the reason. */
  cooldowns: Array<{ rung: string; reason: string }>;
  /** For --changed: the iteration whose state the change is measured against; null (and full_sweep) when there was none. */
  changed_since?: { iteration: number | null; full_sweep: boolean };
  /** Accepted model answers per model rung and the degraded files; null for a ladder of the static rung only. */
  model_answers: ModelAnswers | null;
  /** With --partition: this job's share (`K/N`) and how many files every share planned together. */
  partition?: { partition: string; planned: number };
  /** With --partition K/N --iteration-group: the group, and the files and shares not stored yet (none once it is done). */
  group?: { name: string; outstanding_files: number; outstanding_shares: number[] };
}

/** Raised when a run cannot start: the gate failed, or no rung of the ladder can be reached. Exit code 1. */
export class PreflightError extends Error {
  override readonly name = "PreflightError";
}

/** The rungs a run climbs: the config's ladder, or only the static rung offline. */
export function laddersFor(config: Config, offline: boolean): RungConfig[] {
  if (offline) return [STATIC_RUNG];
  if (config.ladder.length === 0) {
    throw new ConfigError("no [[ladder]] rungs configured; add one to routing.toml or run with --offline (static rung only)", config.source ?? "config");
  }
  return config.ladder;
}

/**
 * The prompts and instructions a run sends, read before anything is written (regular files only, size-capped: a
 * resumed iteration's stored paths may have changed since). `scrum config check` reads them the same way.
 */
export function loadRunTexts(config: Config, root: string): { systemPrompt: string; reducePrompt: string; instructions: ReturnType<typeof loadInstructions> } {
  const read = (file: string, key: string) => readInputFile(file, `[prompts] ${key}`, config.source ? { where: config.source } : {});
  return {
    systemPrompt: buildSystemPrompt(read(config.prompts.system, "system"), config.prompts.proposal ? read(config.prompts.proposal, "proposal") : undefined),
    reducePrompt: read(config.prompts.reduce, "reduce"),
    instructions: loadInstructions(config.instructions, root, (file) => readInputFile(file, "[[instructions]] file")),
  };
}

/** [verify]: the ladder from the verifier rung upwards (model rungs only), the verifier prompt and the trust check. */
function verifierFor(config: VerifyConfig, rungs: Rung[], kb: Kb): NonNullable<ReviewContext["verify"]> {
  const from = rungs.findIndex((r) => r.config.name === config.rung);
  return {
    config,
    rungs: rungs.slice(Math.max(0, from)).filter((r) => r.config.provider !== "static"),
    systemPrompt: shippedTemplate("verify.md"),
    ...(config.skipWhenTrusted ? { trusted: trustCheck(kb.rungs.overturns(), config.minJudged) } : {}),
  };
}

/** Run one iteration and store everything it learns as it goes. */
export async function runIteration(opts: RunOptions): Promise<RunSummary> {
  const { config, kb, cwd, signal } = opts;
  const root = opts.root ?? cwd;
  const emit = opts.onEvent ?? (() => {});
  const owner = opts.owner ?? thisProcess();
  const now = opts.now ?? Date.now;
  const rungConfigs = withConcurrency(laddersFor(config, opts.offline), opts.concurrency);
  checkProbes(config.probes);
  const rungs = rungConfigs.map((r) => makeRung(r, opts.providerFor(r), { now, ...(opts.sleep ? { sleep: opts.sleep } : {}) }));
  const modelRungs = new Set(rungConfigs.filter((r) => r.provider !== "static").map((r) => r.name));
  const reduceRung = !opts.offline && config.reduce.rung ? rungs.find((r) => r.config.name === config.reduce.rung) : undefined;
  const { systemPrompt, reducePrompt, instructions } = loadRunTexts(config, root);
  const verify = !opts.offline && config.verify ? verifierFor(config.verify, rungs, kb) : undefined;

  // Work out the files before anything is written: a bad path is a usage error with nothing half-written. A worker
  // joining its group's iteration takes the files from the queue, not from a plan of its own (which, made after the
  // others stored their files, could find nothing changed and miss the group's sweep).
  const joining = opts.workers ? kb.iterations.ofGroup(opts.workers.group) : undefined;
  // A partition job of a group: a worker that claims only its share's files, from a split the group's first job fixed.
  const share = opts.workers?.share;
  const configJson = storedConfigJson(config, rungConfigs, opts.offline);
  const request = opts.workers ? groupRequest({ cwd, root, inputs: opts.inputs, changed: opts.changed === true, ...pick(opts, "fromFlagged") }) : undefined;
  const gitCommit = () => (opts.gitCommit ?? (() => gitHead(root)))();
  const checkJoins = (it: Iteration) => checkJoinsGroup(it, opts.workers!.group, { count: share?.count, request: request!, configJson, gitCommit });
  if (joining) checkJoins(joining);
  const plan: Plan = joining
    ? { files: [], targets: joining.targets, warnings: [] }
    : planIteration({ kb, config, cwd, root, inputs: opts.inputs, modelRungs: modelRungs.size > 0, ...pick(opts, "fromFlagged", "resume", "changed"), ...(share ? {} : pick(opts, "partition")) });
  for (const message of plan.warnings) emit({ type: "warning", message });
  if (plan.resume) {
    const state = livenessOf(plan.resume, { now: now(), here: owner, isAlive: processAlive });
    if (state === "running") throw new ConfigError(`${holderOf(plan.resume, now())}; wait for it to finish, or stop that process and run \`scrum run --resume\` again`);
  }
  await preflight(rungs, opts, emit);
  const workers = opts.workers;
  const worker = workerName(owner);
  let iterationId: number;
  let shared: { total: number } | undefined;
  if (workers) {
    // The first worker of the group opens its iteration with its planned files as the queue; the others join it. A
    // partitioned group's first job fixes the split here, once: every file goes into the queue with its share.
    const paths = () => plan.files.map((abs) => rootKey(abs, { cwd: root, root }));
    const split = share && !joining ? splitOf(kb, root, paths(), share.count) : undefined;
    const joined = kb.iterations.join(
      workers.group,
      () =>
        kb.iterations.start({
          label: opts.label,
          configJson,
          gitCommit: gitCommit(),
          targets: plan.targets,
          owner,
          group: workers.group,
          ...(split ? { partition: { label: null, json: JSON.stringify(groupPlan(workers.group, split, request!)) } } : {}),
        }),
      paths,
      ...(split ? [() => assignShares(split)] : []),
    );
    iterationId = joined.iteration.id;
    // Another job opened the group first (while this one planned): it must ask for what that one asked for.
    if (!joined.created && !joining) checkJoins(joined.iteration);
    if (joined.iteration.status !== "running") {
      emit({ type: "warning", message: `iteration ${iterationId} of group ${workers.group} is already ${joined.iteration.status}; nothing left to review` });
      const summary = summarize(kb, iterationId, joined.iteration.status === "done" ? "done" : "aborted", kb.metrics.of(iterationId), null);
      return share ? { ...summary, ...groupSummary(kb, iterationId, workers.group, share) } : summary;
    }
    shared = { total: kb.queue.progress(iterationId, workers.leaseMs, share?.index).total };
  } else if (plan.resume) {
    // Of two processes taking over the same stale iteration, exactly one wins; the other is told who holds it.
    if (!kb.iterations.takeOver(plan.resume, owner)) {
      const now2 = kb.iterations.get(plan.resume.id)!;
      throw new ConfigError(`${holderOf(now2, now())}; another process took it over first`);
    }
    iterationId = plan.resume.id;
  } else {
    iterationId = kb.iterations.start({
      label: opts.label,
      configJson: storedConfigJson(config, rungConfigs, opts.offline),
      gitCommit: (opts.gitCommit ?? (() => gitHead(root)))(),
      targets: plan.targets,
      owner,
      ...(plan.partition ? { partition: { label: plan.partition.label, json: plan.partition.json } } : {}),
    });
  }
  // The KB remembers the root its paths are relative to (once an iteration exists: a refused run writes nothing), so a
  // later command from anywhere resolves paths against it.
  if (kb.meta.root() !== root) kb.meta.setRoot(root);
  const identity = repositoryIdentity(root);
  if (identity !== null && kb.meta.repository() !== identity) kb.meta.setRepository(identity);
  // A worker renews its claims (and the shared iteration's heartbeat) three times a lease.
  const heartbeat = workers
    ? setInterval(() => kb.queue.renew(iterationId, worker), Math.max(20, Math.floor(workers.leaseMs / 3)))
    : setInterval(() => kb.iterations.heartbeat(iterationId, owner), HEARTBEAT_MS);
  try {
    const files = workers
      ? claimedFiles(kb, { iterationId, worker, root, leaseMs: workers.leaseMs, signal, sleep: opts.sleep ?? abortableSleep, ...(share ? { share: share.index } : {}) })
      : plan.files;
    const summary = await sweep(iterationId, files, shared?.total ?? plan.files.length);
    return {
      ...summary,
      ...(share && workers ? groupSummary(kb, iterationId, workers.group, share) : {}),
      ...(plan.changedSince ? { changed_since: { iteration: plan.changedSince.iteration, full_sweep: plan.changedSince.fullSweep } } : {}),
      ...(plan.partition ? { partition: { partition: plan.partition.label, planned: plan.partition.planned } } : {}),
    };
  } catch (e) {
    // A failure after the files (probes, the state, the KB's disk filling) must not leave the iteration `running`;
    // a worker's failure is its own: its claims go back to the queue and the other workers go on.
    if (workers) kb.queue.release(iterationId, worker);
    else markAborted(kb, iterationId, e);
    throw e;
  } finally {
    clearInterval(heartbeat);
  }

  async function sweep(id: number, files: Iterable<string> | AsyncIterable<string>, total: number): Promise<RunSummary> {
    const started = performance.now();
    emit({ type: "start", iterationId: id, files: total, rungs: rungs.map((r) => r.config.name), iteration: kb.iterations.get(id)! });
    const sleep = opts.sleep ?? abortableSleep;
    const spend = budgetTracker(config.budget);
    const cache: AnswerCache | undefined = opts.noCache
      ? undefined
      : { lookup: (sha) => { const hit = kb.cache.answer(sha); return hit ? { text: hit.verdict_json, iterationId: hit.iteration_id } : undefined; } };
    const dismissed = new Map([...kb.dismissals.active()].map(([fp, d]) => [fp, d.id]));
    const cooldowns: RunSummary["cooldowns"] = [];
    const onCooldown = (rung: string, reason: string) => {
      cooldowns.push({ rung, reason });
      emit({ type: "cooldown", rung, reason });
      emit({ type: "warning", message: `rung ${rung} cooled down: ${reason}; its later shards go straight to the next rung` });
    };
    // One failing file (a bug, the KB gone) stops the others too; Ctrl-C arrives through the caller's signal.
    const stop = new AbortController();
    const working = AbortSignal.any([signal, stop.signal]);
    let finished = 0;
    let budgetSaid = false;
    // Notes left while the sweep runs wait for the next one, as a file changed mid-sweep does.
    const openNotes = kb.notes.openByPath();
    // What each file was when it was read: completing the sweep need not read it again to know its hash.
    const seen = new Map<string, DiskStat>();
    // Files finishing in the same turn (a batch of answers) are stored in one transaction.
    const records = new RecordBatch((batch) => kb.recordFiles(id, batch));
    const reviewOne = async (abs: string, seq: number): Promise<void> => {
      const target = readTarget(abs, root, config.sweep.maxFileBytes, { skipVendored: config.sweep.skipVendored });
      let outcome: FileOutcome;
      let noteIds: number[] = [];
      if (target.kind === "skipped") {
        outcome = { kind: "skipped", path: target.path, reason: target.reason };
      } else {
        if (target.mtimeMs !== null) seen.set(target.path, { path: target.path, size: target.bytes, mtime_ms: target.mtimeMs, content_sha: target.sha });
        const notes = openNotes.get(target.path) ?? [];
        noteIds = notes.map((n) => n.id);
        outcome = await reviewFile(target, notes.map((n) => n.text), {
          config,
          rungs,
          ...(reduceRung ? { reduceRung } : {}),
          systemPrompt,
          reducePrompt,
          dismissed,
          instructions,
          ...(opts.staticFloor === false ? { staticFloor: false } : {}),
          ...(verify ? { verify } : {}),
          deps: {
            minChars: config.accept.minChars,
            sleep,
            onAttempt: (attempt) => {
              spend.add(attempt);
              emit({ type: "attempt", path: target.path, attempt });
              const spent = spend.limited();
              if (spent && !budgetSaid) {
                budgetSaid = true;
                emit({ type: "budget", reason: spent });
              }
            },
            ...(cache ? { cache } : {}),
            budget: spend.exhausted,
            reserve: spend.reserve,
            priority: filePriority(seq),
            onCooldown,
          },
          signal: working,
        });
      }
      working.throwIfAborted();
      try {
        await records.add(fileRecord(outcome));
      } catch (e) {
        // A worker whose claim expired (it was slow, not dead) finds the file stored by the worker that took it over.
        if (!workers || kb.reviews.get(id, outcome.path) === undefined) throw e;
        kb.queue.finish(id, outcome.path);
        emit({ type: "warning", message: `${outcome.path}: another worker stored its review first (this worker's claim had expired); kept theirs` });
        return;
      }
      if (workers) kb.queue.finish(id, outcome.path);
      // A note is picked up only when a model was sent the prompt that carried it.
      const sent = outcome.kind === "reviewed" && outcome.attempts.some((a) => modelRungs.has(a.rung) && a.outcome !== "cached" && a.outcome !== "skipped");
      if (noteIds.length > 0 && sent) kb.notes.markPickedUp(noteIds, id);
      const path = outcome.path;
      const stored = () => ({ review: kb.reviews.get(id, path)!, findings: kb.findings.inIteration(id, path), attempts: kb.attempts.inIteration(id, path) });
      emit({ type: "file", path, verdict: outcomeVerdict(outcome), done: ++finished, total, stored });
    };
    // Shards, not files, are what the servers work on: files are admitted while their text fits the memory bound
    // and the first usable rung has less than two rounds of calls waiting.
    const feeding = () => rungs.find((r) => r.health.cooled() === null);
    const scheduled = await scheduleFiles(files, {
      maxInflightChars: config.sweep.maxInflightChars,
      sizeOf: (abs) => Math.min(statSync(abs, { throwIfNoEntry: false })?.size ?? 0, config.sweep.maxFileBytes),
      wantsWork: () => {
        const rung = feeding();
        return rung === undefined || rung.queue.size < 2 * rung.queue.concurrency;
      },
      subscribe: (wake) => {
        for (const r of rungs) r.queue.on("next", wake);
        return () => {
          for (const r of rungs) r.queue.off("next", wake);
        };
      },
      run: (abs, seq) =>
        reviewOne(abs, seq).catch((e: unknown) => {
          if (!working.aborted) stop.abort(e);
          throw e;
        }),
      signal: working,
    });
    // Every file in flight has settled: nothing can write to this iteration after it is marked aborted.
    if (workers && (scheduled.errors.length > 0 || working.aborted)) {
      // A worker stops alone: its claims go back to the queue; the iteration stays running for the others.
      kb.queue.release(id, worker);
      if (signal.aborted) return summarize(kb, id, "aborted", {}, null, cooldowns);
      throw stop.signal.reason as Error;
    }
    if (scheduled.errors.length > 0 || working.aborted) {
      if (signal.aborted) {
        kb.iterations.finish(id, "aborted", "interrupted");
        emit({ type: "finish", iteration: kb.iterations.get(id)!, metrics: {} });
        return summarize(kb, id, "aborted", {}, null, cooldowns);
      }
      const cause = stop.signal.reason as Error;
      kb.iterations.finish(id, "aborted", cause?.message ?? String(cause));
      emit({ type: "finish", iteration: kb.iterations.get(id)!, metrics: {} });
      throw cause;
    }

    const completeOptions = { config, root, seen, onWarning: (message: string) => emit({ type: "warning", message }) };
    let metrics: Metrics;
    if (workers) {
      // Every file is stored (a partition job: every file of its share). Of the workers getting here once the whole
      // queue is stored, the first finishes the iteration (state, metrics, wall time since it was opened); the others
      // find it done and report it. A partition job whose share is stored while others are not leaves it running.
      const completed = kb.atomically(() => {
        kb.iterations.lock(id);
        const it = kb.iterations.get(id)!;
        if (it.status !== "running") return kb.metrics.of(id);
        if (share) {
          const whole = kb.queue.progress(id, workers.leaseMs);
          if (whole.done < whole.total) return null;
        }
        return completeSweep(kb, id, { ...completeOptions, wallMs: () => now() - Date.parse(it.started_at) });
      });
      if (completed === null) {
        const answers = countModelAnswers([...modelRungs], kb.attempts.inIteration(id), kb.reviews.outcomes(id));
        return { ...summarize(kb, id, "running", {}, spend.limited(), cooldowns), model_answers: answers };
      }
      metrics = completed;
    } else {
      metrics = completeSweep(kb, id, { ...completeOptions, wallMs: () => performance.now() - started });
    }
    emit({ type: "finish", iteration: kb.iterations.get(id)!, metrics: kb.metrics.of(id) });
    const exhausted = spend.limited();
    if (exhausted) emit({ type: "warning", message: `budget reached (${exhausted}): calls that did not fit were not sent; their files are unreviewed with reason "budget"` });
    const answers = countModelAnswers([...modelRungs], kb.attempts.inIteration(id), kb.reviews.outcomes(id));
    if (answers?.warning) emit({ type: "warning", message: answers.warning });
    return { ...summarize(kb, id, "done", metrics, exhausted, cooldowns), model_answers: answers };
  }
}

/** A partition job's place in its group: its share, the files every share planned, and what is still outstanding. */
function groupSummary(kb: Kb, id: number, group: string, share: Partition): Pick<RunSummary, "partition" | "group"> {
  const open = kb.queue.outstandingShares(id);
  return {
    partition: { partition: formatPartition(share), planned: kb.queue.progress(id, 0).total },
    group: { name: group, outstanding_files: open.reduce((n, s) => n + s.files, 0), outstanding_shares: open.map((s) => s.share) },
  };
}

/**
 * Mark an iteration that failed while still `running` aborted, with the reason; `--resume` finishes it. When the KB
 * cannot take even that write (the disk is full), the iteration is left to go stale with its owner's heartbeat, which
 * --resume takes over too, and the caller reports the first error.
 */
function markAborted(kb: Kb, id: number, cause: unknown): void {
  try {
    if (kb.iterations.get(id)?.status === "running") kb.iterations.finish(id, "aborted", cause instanceof Error ? cause.message : String(cause));
  } catch (second) {
    if ((second as Error)?.name !== "SQLiteError") throw second;
  }
}

/** The ladder with `--concurrency` applied: calls in flight per server of every model rung (the static rung keeps its own). */
function withConcurrency(ladder: RungConfig[], concurrency: number | undefined): RungConfig[] {
  if (concurrency === undefined) return ladder;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new ConfigError(`--concurrency must be a whole number from 1 up; got ${concurrency}`);
  return ladder.map((r) => (r.provider === "static" ? r : { ...r, concurrency }));
}

function pick<T extends object, K extends keyof T>(o: T, ...keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

/** The run's summary as `scrum run --json` prints it. */
export function summarize(kb: Kb, iterationId: number, status: RunSummary["status"], metrics: Metrics, budgetExhausted: string | null, cooldowns: RunSummary["cooldowns"] = []): RunSummary {
  const c = kb.metrics.history().get(iterationId);
  const it = kb.iterations.get(iterationId);
  return {
    iteration_id: iterationId,
    label: it?.label ?? null,
    status,
    files: {
      total: c?.files ?? 0,
      reviewed: (c?.pass ?? 0) + (c?.needs_patch ?? 0) + (c?.fail ?? 0),
      skipped: c?.skipped ?? 0,
      unreviewed: c?.unreviewed ?? 0,
    },
    verdicts: { pass: c?.pass ?? 0, needs_patch: c?.needs_patch ?? 0, fail: c?.fail ?? 0 },
    metrics,
    budget_exhausted: budgetExhausted,
    cooldowns,
    model_answers: null,
  };
}

/** Before an iteration starts: the build gate must pass, and at least one rung must be reachable. */
async function preflight(rungs: Rung[], opts: RunOptions, emit: (e: RunEvent) => void): Promise<void> {
  const gate = opts.config.gate.command;
  if (gate) {
    const run = opts.runGate ?? ((command: string, cwd: string) => {
      const r = runShell(command, cwd);
      return { code: r.code, output: r.stdout + r.stderr };
    });
    const r = run(gate, opts.root ?? opts.cwd);
    if (r.code !== 0) {
      throw new PreflightError(`[gate] command \`${gate}\` failed (exit ${r.code}); the build must be green before an iteration starts.\n${r.output.trim().split("\n").slice(-15).join("\n")}`);
    }
  }
  const modelRungs = rungs.filter((r) => r.config.provider !== "static");
  if (modelRungs.length === 0) return;
  const probes = await Promise.all(
    modelRungs.map(async (r) => {
      try {
        return { rung: r, results: await r.provider.probe(AbortSignal.any([opts.signal, AbortSignal.timeout(5000)])) };
      } catch (e) {
        return { rung: r, results: [{ server: r.config.servers.join(", "), reachable: false, modelPresent: false, detail: (e as Error).message }] };
      }
    }),
  );
  const usable = probes.filter((p) => p.results.some((s) => s.reachable));
  const hasStatic = rungs.length > modelRungs.length;
  if (usable.length === 0 && !hasStatic) {
    const hosts = probes.flatMap((p) => p.results.map((s) => `${p.rung.config.name}: ${s.detail}`));
    throw new PreflightError(
      `no rung of the ladder is reachable, so no shard could be reviewed:\n  ${hosts.join("\n  ")}\n` +
        `Start a model server (for a local rung: \`ollama serve\` and \`ollama pull ${modelRungs[0]!.config.model}\`), fix host/base_url in ${opts.config.source ?? "routing.toml"}, or run with --offline (static rung only).`,
    );
  }
  // Some rung answers: the run goes ahead, and what will fail and climb is said once up front.
  for (const p of probes) {
    for (const s of p.results) {
      if (!s.reachable) emit({ type: "warning", message: `rung ${p.rung.config.name}: ${s.server} unreachable (${s.detail}); its calls will fail and climb` });
      else if (!s.modelPresent) emit({ type: "warning", message: `rung ${p.rung.config.name}: model ${p.rung.config.model} not found on ${s.server} (${s.detail})` });
    }
  }
}

