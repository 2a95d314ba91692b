/** The state as the read commands show it: the rows after an iteration, with dismissals made since applied. */
import type { Iteration, StateEntry } from "../../domain/records";
import type { Kb } from "../../kb/kb";
import { applyDismissals } from "../score/state";
import { diskChecker, withLiveStaleness } from "../targets/disk-check";

export interface StateView {
  /** The iteration the user named (or the latest). */
  iteration: Iteration;
  /** The iteration whose state is shown: the named one, or the latest finished one before it. */
  stateOf: number | null;
  rows: StateEntry[];
}

/**
 * The state at ITER (default latest): the latest finished iteration's state up to it; empty when none finished yet.
 * With `live`, the latest state's `stale` is what the disk under the root says now, not what it was when the state
 * was written (a file edited after the run is stale at once); an earlier iteration's state is shown as it was.
 */
export function readStateView(kb: Kb, ref: string | undefined, live?: { root: string }): StateView {
  const iteration = kb.iterations.resolve(ref);
  const stateOf = kb.state.latestIteration(iteration.id);
  const stored = stateOf === null ? [] : applyDismissals(kb.state.of(stateOf), kb.findings.dismissedSince());
  const rows = live && stateOf !== null && stateOf === kb.state.latestIteration() ? liveRows(kb, stored, live.root) : stored;
  return { iteration, stateOf, rows };
}

/** State rows with staleness read from the disk now; the hashes read are remembered for the next reader. */
export function liveRows<T extends { path: string; content_sha: string | null; stale: boolean }>(kb: Kb, rows: T[], root: string): T[] {
  const check = diskChecker(root, kb.meta.diskStats());
  const out = withLiveStaleness(rows, check);
  const fresh = check.fresh();
  if (fresh.length > 0) kb.meta.recordDiskStats(fresh);
  return out;
}

/** Rows whose path is one of `paths` or lies under one of them (a folder); all rows when none is given. */
export function rowsUnder<T extends { path: string }>(rows: T[], paths: string[]): T[] {
  if (paths.length === 0 || paths.includes(".")) return rows;
  return rows.filter((r) => paths.some((p) => r.path === p || r.path.startsWith(p.endsWith("/") ? p : `${p}/`)));
}
