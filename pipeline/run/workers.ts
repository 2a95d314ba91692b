/**
 * Workers on one iteration (`scrum run --workers --iteration-group NAME`, docs/TEAM.md): the files a worker reviews
 * come from the iteration's queue in the KB, one claim at a time, instead of from its own plan. A worker that finds
 * nothing to claim waits while other workers' claims are alive, takes over one that outlived its lease, and stops
 * when every file is stored. A partition job of a group (`--partition K/N --iteration-group NAME`) is such a worker
 * restricted to share K: it claims, waits for and takes over files of its share only.
 */
import { join } from "node:path";
import type { Kb, Owner } from "../../kb/kb";

/** How a worker names itself in the queue's claims. */
export function workerName(owner: Owner): string {
  return `${owner.host}:${owner.pid}`;
}

/** How long a worker that found nothing to claim waits before it looks again. */
function pollMs(leaseMs: number): number {
  return Math.max(50, Math.min(1_000, Math.floor(leaseMs / 4)));
}

/**
 * The files this worker claims, as absolute paths, until the queue is stored to its end. Claimed only when pulled,
 * so a worker holds no more claims than it has room to review.
 */
export async function* claimedFiles(
  kb: Kb,
  input: { iterationId: number; worker: string; root: string; leaseMs: number; signal: AbortSignal; sleep: (ms: number, signal: AbortSignal) => Promise<void>; share?: number },
): AsyncGenerator<string> {
  const { iterationId, worker, leaseMs, signal, share } = input;
  while (!signal.aborted) {
    const path = kb.queue.claimNext(iterationId, worker, leaseMs, share);
    if (path !== null) {
      yield join(input.root, path);
      continue;
    }
    const progress = kb.queue.progress(iterationId, leaseMs, share);
    if (progress.done >= progress.total) return;
    try {
      await input.sleep(pollMs(leaseMs), signal);
    } catch {
      return;
    }
  }
}
