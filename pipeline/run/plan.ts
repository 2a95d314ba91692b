/**
 * What an iteration will review, worked out before anything is written: the targets given, the files the state
 * flags (--from-flagged), the files changed since their last review (--changed), or what is left of an iteration
 * being taken over (--resume). A bad target is a usage error with nothing half-written.
 */
import type { Iteration } from "../../domain/records";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import type { Kb } from "../../kb/kb";
import type { Config, RungConfig } from "../config/config";
import { ConfigError } from "../../domain/errors";
import { applyDismissals } from "../score/state";
import { flaggedFiles } from "../score/flagged";
import { collectTargets, displayPath } from "../targets/targets";
import { rootKey } from "../targets/root-path";
import { formatPartition, readSharePlan, shareFiles, sharePlan, splitInput, type Partition, type SplitInput } from "./partition";

export interface PlanInput {
  kb: Kb;
  config: Config;
  cwd: string;
  root: string;
  inputs: string[];
  fromFlagged?: string;
  resume?: string;
  changed?: boolean;
  /** The ladder has a model rung: `--changed` then re-reviews unchanged files that no model answered last time. */
  modelRungs?: boolean;
  /** `--partition K/N`: review only this job's share of the files planned. */
  partition?: Partition;
}

export interface Plan {
  /** Absolute paths of the files to review now. */
  files: string[];
  /** The targets stored with the iteration, relative to the root (so a later --resume finds them from anywhere). */
  targets: string[];
  /** The iteration being resumed. */
  resume?: Iteration;
  /** Things to say before the run (a flagged file deleted since, say). */
  warnings: string[];
  /** For --changed: what the change is measured against (null: no earlier review, so the run is a full sweep). */
  changedSince?: { iteration: number | null; fullSweep: boolean };
  /** With --partition: the share (`K/N`) and its split, stored with the iteration; `planned` counts every share's files. */
  partition?: { label: string; json: string; planned: number };
}

/** Raised when there is nothing to review and that is a normal answer (--changed with no change): exit 0, said why. */
export class NothingToReview extends Error {
  override readonly name = "NothingToReview";
}

/** The iteration's stored config as it was written: the config with its ladder, and whether it ran offline. */
export interface StoredConfig extends Config {
  offline?: boolean;
}

/** The config JSON stored with an iteration: enough to resume it exactly. */
export function storedConfigJson(config: Config, ladder: RungConfig[], offline: boolean): string {
  return JSON.stringify({ ...config, ladder, offline });
}

/** Work out the files of the iteration: all of them, or this job's share of them with --partition. */
export function planIteration(input: PlanInput): Plan {
  const whole = planWhole(input);
  if (input.partition === undefined || whole.resume) return whole;
  const { kb, root } = input;
  const split = splitOf(kb, root, whole.files.map((f) => displayPath(f, root)), input.partition.count);
  const mine = new Set(shareFiles(split, input.partition.index));
  return {
    ...whole,
    files: whole.files.filter((f) => mine.has(displayPath(f, root))),
    partition: { label: formatPartition(input.partition), json: JSON.stringify(sharePlan(split, input.partition.index)), planned: split.paths.length },
  };
}

/** The split of `paths` (repository-relative) into `count` shares, from the KB's state (pipeline/run/partition.ts). */
export function splitOf(kb: Kb, root: string, paths: string[], count: number): SplitInput {
  const recorded = kb.meta.diskStats();
  return splitInput(
    count,
    paths,
    kb.state.latestIteration() !== null,
    (path) => recorded.get(path)?.size,
    (path) => statSync(resolve(root, path)).size,
  );
}

function planWhole(input: PlanInput): Plan {
  const { kb, config, root } = input;
  const sweep = { cwd: root, sweep: config.sweep };
  if (input.resume !== undefined) {
    const it = input.resume === "latest" ? latestUnfinished(kb) : kb.iterations.resolve(input.resume);
    if (it.status === "done") {
      throw new ConfigError(`iteration ${it.id}${it.label ? ` (${it.label})` : ""} is done; only an aborted or stale iteration can be resumed (\`scrum history\` shows their status)`);
    }
    const targets = it.targets;
    const done = kb.reviews.paths(it.id);
    // A share finishes its own files (those of its split still on disk), not the whole of its targets.
    const planned = it.partition && it.partition_json
      ? (() => {
          const plan = readSharePlan(it.partition_json, `iteration ${it.id}`);
          return shareFiles(plan, plan.index).map((p) => resolve(root, p)).filter((f) => existsSync(f));
        })()
      : collectTargets(targets, sweep);
    const files = planned.filter((f) => !done.has(displayPath(f, root)));
    return { files, targets, resume: it, warnings: [] };
  }
  const given = input.inputs.map((i) => rootRelative(input.cwd, root, i));
  const warnings: string[] = [];
  if (input.fromFlagged !== undefined) {
    const from = kb.iterations.resolve(input.fromFlagged);
    const stateOf = kb.state.latestIteration(from.id);
    const rows = stateOf === null ? kb.reviews.inIteration(from.id) : applyDismissals(kb.state.of(stateOf), kb.findings.dismissedSince());
    const flagged = flaggedFiles(rows).map((f) => f.path);
    // A flagged file deleted since (the fix was to remove it) is said, not an error that blocks the sweep.
    const present = flagged.filter((p) => existsSync(resolve(root, p)));
    for (const p of flagged.filter((x) => !present.includes(x))) warnings.push(`flagged file ${p} no longer exists; not re-reviewed`);
    if (present.length === 0 && given.length === 0) {
      throw new ConfigError(`iteration ${from.id}${from.label ? ` (${from.label})` : ""} has no flagged files that still exist; nothing to re-review`);
    }
    const targets = [...given, ...present];
    return { files: collectTargets(targets, sweep), targets, warnings };
  }
  if (input.changed) {
    // With no paths, the tree every earlier sweep looked at; new files in it count as changed. With no earlier
    // sweep (CI's first run, an expired cache) that is the whole root: every file is new, so the run is a full sweep.
    const swept = sweptTargets(kb);
    const targets = given.length > 0 ? given : swept.length > 0 ? swept : ["."];
    const latest = kb.state.latestIteration();
    if (latest === null) {
      warnings.push(`--changed: the knowledge base has no earlier review, so every file of ${targets.join(", ")} is new: a full sweep`);
    }
    const rows = latest === null ? [] : kb.state.of(latest);
    const known = new Map(rows.map((r) => [r.path, r.content_sha]));
    // A file whose latest review was degraded (no model answered) is due for a model's review, changed or not; with
    // no model rung (--offline) the static rung would only say again what it said.
    const degraded = new Set(input.modelRungs === false ? [] : rows.filter((r) => r.degraded).map((r) => r.path));
    let unchangedDegraded = 0;
    const files = collectTargets(targets, sweep).filter((f) => {
      const path = displayPath(f, root);
      if (!known.has(path)) return true;
      // A skipped file (binary, vendored…) has no sha on record: it is not re-swept until it is reviewable.
      const sha = known.get(path);
      const changed = sha !== null && sha !== fileSha(f);
      if (!changed && degraded.has(path)) unchangedDegraded += 1;
      return changed || degraded.has(path);
    });
    if (unchangedDegraded > 0) {
      warnings.push(`--changed: ${unchangedDegraded} unchanged ${unchangedDegraded === 1 ? "file is" : "files are"} reviewed again: no model answered ${unchangedDegraded === 1 ? "it" : "them"} last time (degraded)`);
    }
    // Targets are stored from the root: run from another folder, "in ." would name that folder instead.
    const from = resolve(input.cwd) === resolve(root) ? "" : ` (paths from the repository root, ${root})`;
    if (files.length === 0) throw new NothingToReview(`nothing changed since its last review in ${targets.join(", ")}${from}; no iteration started (the state of iteration ${latest} stands; \`scrum report --scope state\` reports it)`);
    return { files, targets, warnings, changedSince: { iteration: latest, fullSweep: latest === null } };
  }
  return { files: collectTargets(given, sweep), targets: given, warnings };
}

/** The latest iteration that is not done: what a bare --resume takes over. */
function latestUnfinished(kb: Kb): Iteration {
  const open = kb.iterations.all().filter((it) => it.status !== "done");
  const it = open.at(-1);
  if (!it) throw new ConfigError("no aborted or stale iteration to resume; `scrum history` lists them");
  return it;
}

/** Every target of every finished iteration, once each. */
function sweptTargets(kb: Kb): string[] {
  const all = kb.iterations.all().filter((it) => it.status === "done").flatMap((it) => it.targets);
  return [...new Set(all)];
}

/** A target as stored: relative to the root (globs keep their pattern), forward slashes; outside the root, exit 2. */
function rootRelative(cwd: string, root: string, input: string): string {
  return rootKey(input, { cwd, root });
}

function fileSha(abs: string): string {
  return createHash("sha256").update(readFileSync(abs)).digest("hex");
}
