/** One iteration: wires targets → shard → ladder → reduce → score → kb. The only module that knows every stage. */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import PQueue from "p-queue";
import type { Kb } from "../../kb/kb";
import { STATIC_RUNG, type Config, type RungConfig } from "../config/config";
import { ConfigError } from "../errors";
import { flaggedFiles } from "../score/flagged";
import { abortableSleep, makeRung, type Attempt, type Rung } from "../review/ladder";
import { iterationMetrics, type Metrics } from "../score/metrics";
import { checkProbes, runProbes, type ProbeOutcome } from "./probes";
import { buildSystemPrompt } from "../review/prompt";
import type { Provider } from "../providers/provider";
import { reviewFile, skippedRecord } from "./review-file";
import { collectTargets, displayPath, readTarget } from "../targets/targets";

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
  /** Review the flagged files of this iteration reference instead of `inputs` (plus `inputs` if given). */
  fromFlagged?: string;
  /** Finish the files an aborted iteration has no row for. */
  resume?: string;
  offline: boolean;
  /** Files in flight at once. */
  concurrency: number;
  signal: AbortSignal;
  /** Builds a provider for a rung (real clients in the CLI, fakes in tests). */
  providerFor: (rung: RungConfig) => Provider;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  gitCommit?: () => string | null;
  runGate?: (command: string, cwd: string) => { code: number; output: string };
  onEvent?: (event: RunEvent) => void;
}

export type RunEvent =
  | { type: "start"; iterationId: number; files: number; rungs: string[] }
  | { type: "warning"; message: string }
  | { type: "attempt"; path: string; attempt: Attempt }
  | { type: "file"; path: string; verdict: string; done: number; total: number };

export interface RunSummary {
  iteration_id: number;
  label: string | null;
  status: "done" | "aborted";
  files: { total: number; reviewed: number; skipped: number; unreviewed: number };
  verdicts: { pass: number; needs_patch: number; fail: number };
  metrics: Metrics;
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

/** Run one iteration and store everything it learns as it goes. */
export async function runIteration(opts: RunOptions): Promise<RunSummary> {
  const { config, kb, cwd, signal } = opts;
  const root = opts.root ?? cwd;
  const emit = opts.onEvent ?? (() => {});
  const rungConfigs = laddersFor(config, opts.offline);
  checkProbes(config.probes);
  const rungs = rungConfigs.map((r) => makeRung(r, opts.providerFor(r)));
  const reduceRung = !opts.offline && config.reduce.rung ? rungs.find((r) => r.config.name === config.reduce.rung) : undefined;
  const systemPrompt = buildSystemPrompt(readFileSync(config.prompts.system, "utf8"), config.prompts.proposal ? readFileSync(config.prompts.proposal, "utf8") : undefined);
  const reducePrompt = readFileSync(config.prompts.reduce, "utf8");

  // Work out the targets before anything is written: a bad path is a usage error with nothing half-written.
  let iterationId: number;
  let done = new Set<string>();
  let files: string[];
  if (opts.resume !== undefined) {
    const it = kb.resolveIteration(opts.resume);
    if (it.status === "done") {
      throw new ConfigError(`iteration ${it.id}${it.label ? ` (${it.label})` : ""} is done; only an aborted or stale iteration can be resumed (\`scrum history\` shows their status)`);
    }
    const inputs = JSON.parse(it.targets_json) as string[];
    files = collectTargets(inputs, { cwd, sweep: config.sweep });
    done = kb.reviewedPaths(it.id);
    await preflight(rungs, opts, emit);
    kb.reopenIteration(it.id);
    iterationId = it.id;
  } else {
    const inputs = [...opts.inputs];
    if (opts.fromFlagged !== undefined) {
      const from = kb.resolveIteration(opts.fromFlagged);
      const flagged = flaggedFiles(kb.fileReviews(from.id)).map((f) => f.path);
      // A flagged file deleted since (the fix was to remove it) is said, not an error that blocks the sweep.
      const gone = flagged.filter((p) => !existsSync(resolve(root, p)));
      for (const p of gone) emit({ type: "warning", message: `flagged file ${p} no longer exists; not re-reviewed` });
      const present = flagged.filter((p) => !gone.includes(p));
      if (present.length === 0 && inputs.length === 0) {
        throw new ConfigError(`iteration ${from.id}${from.label ? ` (${from.label})` : ""} has no flagged files that still exist; nothing to re-review`);
      }
      inputs.push(...present.map((p) => resolve(root, p)));
    }
    files = collectTargets(inputs, { cwd, sweep: config.sweep });
    await preflight(rungs, opts, emit);
    iterationId = kb.startIteration({
      label: opts.label,
      configJson: JSON.stringify({ ...config, ladder: rungConfigs }),
      gitCommit: (opts.gitCommit ?? (() => gitHead(root)))(),
      targets: inputs,
    });
  }

  const started = performance.now();
  const todo = files.filter((f) => !done.has(displayPath(f, root)));
  emit({ type: "start", iterationId, files: todo.length, rungs: rungs.map((r) => r.config.name) });
  const sleep = opts.sleep ?? abortableSleep;
  const fileQueue = new PQueue({ concurrency: Math.max(1, opts.concurrency) });
  // One failing file (a bug, the KB gone) stops the others too; Ctrl-C arrives through the caller's signal.
  const stop = new AbortController();
  const working = AbortSignal.any([signal, stop.signal]);
  let finished = 0;
  const reviewOne = async (abs: string): Promise<void> => {
    const target = readTarget(abs, root, config.sweep.maxFileBytes, { skipVendored: config.sweep.skipVendored });
    let record;
    let noteIds: number[] = [];
    if (target.kind === "skipped") {
      record = skippedRecord(target);
    } else {
      const notes = kb.openNotesFor(target.path);
      noteIds = notes.map((n) => n.id);
      record = await reviewFile(target, notes.map((n) => n.text), {
        config,
        rungs,
        ...(reduceRung ? { reduceRung } : {}),
        systemPrompt,
        reducePrompt,
        deps: { minChars: config.accept.minChars, sleep, onAttempt: (attempt) => emit({ type: "attempt", path: target.path, attempt }) },
        signal: working,
      });
    }
    working.throwIfAborted();
    kb.recordFile(iterationId, record);
    if (noteIds.length > 0 && record.review.verdict !== "unreviewed") kb.markNotesPickedUp(noteIds, iterationId);
    emit({ type: "file", path: record.review.path, verdict: record.review.verdict, done: ++finished, total: todo.length });
  };
  const settled = await Promise.allSettled(
    todo.map((abs) =>
      fileQueue.add(
        () =>
          reviewOne(abs).catch((e: unknown) => {
            if (!working.aborted) stop.abort(e);
            throw e;
          }),
        { signal: working },
      ),
    ),
  );
  // Every file in flight has settled: nothing can write to this iteration after it is marked aborted.
  if (settled.some((r) => r.status === "rejected")) {
    if (signal.aborted) {
      kb.finishIteration(iterationId, "aborted", "interrupted");
      return summarize(kb, iterationId, "aborted", {});
    }
    const cause = stop.signal.reason as Error;
    kb.finishIteration(iterationId, "aborted", cause?.message ?? String(cause));
    throw cause;
  }

  const probes = runProbes(config.probes, { cwd: root, exclude: config.sweep.exclude });
  for (const p of probes) if (p.problem) emit({ type: "warning", message: p.problem });
  const reviews = kb.fileReviews(iterationId);
  const metrics: Metrics = {
    ...iterationMetrics(reviews, kb.findings(iterationId), kb.attempts(iterationId).length),
    wall_ms: Math.round(performance.now() - started),
    ...probeMetrics(probes),
  };
  kb.recordMetrics(iterationId, metrics);
  kb.finishIteration(iterationId, "done");
  return summarize(kb, iterationId, "done", metrics);
}

function probeMetrics(probes: ProbeOutcome[]): Metrics {
  return Object.fromEntries(probes.map((p) => [p.name, p.value]));
}

/** The run's summary as `scrum run --json` prints it. */
export function summarize(kb: Kb, iterationId: number, status: "done" | "aborted", metrics: Metrics): RunSummary {
  const reviews = kb.fileReviews(iterationId);
  const count = (v: string) => reviews.filter((r) => r.verdict === v).length;
  const it = kb.iteration(iterationId);
  return {
    iteration_id: iterationId,
    label: it?.label ?? null,
    status,
    files: {
      total: reviews.length,
      reviewed: count("pass") + count("needs_patch") + count("fail"),
      skipped: count("skipped"),
      unreviewed: count("unreviewed"),
    },
    verdicts: { pass: count("pass"), needs_patch: count("needs_patch"), fail: count("fail") },
    metrics,
  };
}

/** Before an iteration starts: the build gate must pass, and at least one rung must be reachable. */
async function preflight(rungs: Rung[], opts: RunOptions, emit: (e: RunEvent) => void): Promise<void> {
  const gate = opts.config.gate.command;
  if (gate) {
    const run = opts.runGate ?? runGateCommand;
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

function runGateCommand(command: string, cwd: string): { code: number; output: string } {
  const r = Bun.spawnSync(["sh", "-c", command], { cwd, stdout: "pipe", stderr: "pipe" });
  return { code: r.exitCode ?? 1, output: r.stdout.toString() + r.stderr.toString() };
}

function gitHead(cwd: string): string | null {
  const r = Bun.spawnSync(["git", "rev-parse", "HEAD"], { cwd, stdout: "pipe", stderr: "pipe" });
  return r.exitCode === 0 ? r.stdout.toString().trim() : null;
}
