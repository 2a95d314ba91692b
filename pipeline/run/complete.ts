/**
 * Finishing an iteration whose files are all stored: the probes, the state (every file of the swept tree with its
 * latest review, carried forward, stale or gone), the metrics (the iteration's own, the outcome metrics against the
 * state before it, the probes', the state's), written in one transaction, then the disk-stat cache. A run and
 * `scrum kb merge` finish their iterations with this one function, so a merged iteration's state and metrics are
 * those a single sweep computes.
 */
import { stateMetrics, type Metrics } from "../../kb/aggregates";
import type { DiskStat } from "../../kb/disk";
import type { Kb } from "../../kb/kb";
import type { Config } from "../config/config";
import { applyDismissals, buildState } from "../score/state";
import { diskChecker } from "../targets/disk-check";
import { runProbes, type ProbeOutcome } from "./probes";

export interface CompleteOptions {
  config: Config;
  /** The repository root: probes run here, and carried-forward files are checked against what is on disk here. */
  root: string;
  /** The iteration's wall time, read once the probes have run. */
  wallMs: () => number;
  onWarning: (message: string) => void;
  /** The stat and hash of each file as this sweep read it: such a file unchanged since is not read again. */
  seen?: ReadonlyMap<string, DiskStat>;
}

/** Complete iteration `id` as done with its state and metrics; returns the metrics stored. */
export function completeSweep(kb: Kb, id: number, opts: CompleteOptions): Metrics {
  const { config, root } = opts;
  const probes = runProbes(config.probes, { cwd: root, exclude: config.sweep.exclude });
  for (const p of probes) if (p.problem) opts.onWarning(p.problem);
  const previous = kb.state.latestIteration(id - 1);
  // Size and mtime first: an unchanged carried-forward file is not read again.
  const disk = diskChecker(root, kb.meta.diskStats(), undefined, opts.seen);
  const state = buildState({
    iterationId: id,
    previous: previous === null ? [] : kb.state.of(previous),
    reviewed: kb.reviews.outcomes(id),
    counts: kb.findings.counting(id),
    onDisk: (path) => disk.sha(path),
  });
  const metrics: Metrics = {
    ...kb.metrics.computed(id),
    ...kb.metrics.outcomes(id, previous),
    wall_ms: Math.round(opts.wallMs()),
    ...probeMetrics(probes),
    ...stateMetrics(applyDismissals(state, kb.findings.dismissedSince())),
  };
  kb.completeIteration(id, state, metrics);
  // Remember every state file's hash at its size and mtime, so readers (status, flagged, show) tell staleness cheaply.
  for (const r of state) disk.sha(r.path);
  kb.meta.recordDiskStats(disk.fresh());
  return metrics;
}

function probeMetrics(probes: ProbeOutcome[]): Metrics {
  return Object.fromEntries(probes.map((p) => [p.name, p.value]));
}
