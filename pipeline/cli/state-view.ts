/** The state as the read commands show it: the rows after an iteration, with dismissals made since applied. */
import type { IterationRow, Kb } from "../../kb/kb";
import type { StateRow } from "../../kb/state";
import { applyDismissals } from "../score/state";

export interface StateView {
  /** The iteration the user named (or the latest). */
  iteration: IterationRow;
  /** The iteration whose state is shown: the named one, or the latest finished one before it. */
  stateOf: number | null;
  rows: StateRow[];
}

/** The state at ITER (default latest): the latest finished iteration's state up to it; empty when none finished yet. */
export function readStateView(kb: Kb, ref: string | undefined): StateView {
  const iteration = kb.resolveIteration(ref);
  const stateOf = kb.latestStateIteration(iteration.id);
  const rows = stateOf === null ? [] : applyDismissals(kb.state(stateOf), kb.dismissedSinceRecorded());
  return { iteration, stateOf, rows };
}

/** Rows whose path is one of `paths` or lies under one of them (a folder); all rows when none is given. */
export function rowsUnder<T extends { path: string }>(rows: T[], paths: string[]): T[] {
  if (paths.length === 0 || paths.includes(".")) return rows;
  return rows.filter((r) => paths.some((p) => r.path === p || r.path.startsWith(p.endsWith("/") ? p : `${p}/`)));
}
