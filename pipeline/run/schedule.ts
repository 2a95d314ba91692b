/**
 * The shard scheduler's front door. Files are admitted in order while the text in flight fits a memory bound and
 * the ladder wants work; an admitted file is read, sharded and every shard goes straight to its rung's queue (with
 * the file's priority: older files drain first). A file is written the moment its last shard is in, so a slow file
 * holds only its own bytes, never a slot other files need.
 */

export interface ScheduleOptions<T> {
  /** Characters of file text in flight at most; one file larger than the bound still runs, alone. */
  maxInflightChars: number;
  /** What a file holds while in flight (its size on disk): known before it is read, so nothing is read early. */
  sizeOf: (item: T) => number;
  /** Whether the rungs want more work now. Default: always. While false, admission waits for `subscribe`'s wake-up. */
  wantsWork?: () => boolean;
  /** Calls `wake` whenever the rungs may want work again (a call finished); returns the unsubscribe. */
  subscribe?: (wake: () => void) => () => void;
  /** Review one file; `seq` is its admission order (0 first). */
  run: (item: T, seq: number) => Promise<void>;
  /** Stops admitting; files in flight see it through their own signal. */
  signal: AbortSignal;
  /** Lets I/O run between admissions (calls go out while later files are sharded). Default: setImmediate. */
  yieldNow?: () => Promise<void>;
}

export interface ScheduleResult {
  /** Files that ran. */
  admitted: number;
  /** What the failed files threw, in the order they failed. */
  errors: unknown[];
}

/** The queue priority of a file's calls: earlier files first (p-queue runs higher priorities first). */
export function filePriority(seq: number): number {
  return -seq;
}

/** Run every item under the memory bound; resolves when every admitted file has settled. Stops admitting on the first error. */
export async function scheduleFiles<T>(items: Iterable<T> | AsyncIterable<T>, options: ScheduleOptions<T>): Promise<ScheduleResult> {
  const { maxInflightChars, signal } = options;
  if (!Number.isFinite(maxInflightChars) || maxInflightChars < 1) throw new TypeError(`Expected \`maxInflightChars\` to be a number from 1 up, got ${maxInflightChars}`);
  const wantsWork = options.wantsWork ?? (() => true);
  const yieldNow = options.yieldNow ?? (() => new Promise<void>((resolve) => setImmediate(resolve)));
  const errors: unknown[] = [];
  const pending = new Set<Promise<void>>();
  let inflight = 0;
  let seq = 0;
  let wake: (() => void) | null = null;
  const poke = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  const unsubscribe = options.subscribe?.(poke) ?? (() => {});
  signal.addEventListener("abort", poke);
  const stopped = () => signal.aborted || errors.length > 0;
  try {
    // An async source (a shared iteration's queue) is pulled one file at a time, when there is room for it.
    admit: for await (const item of items) {
      if (stopped()) break;
      const size = Math.max(0, options.sizeOf(item));
      while (pending.size > 0 && (inflight + size > maxInflightChars || !wantsWork())) {
        await new Promise<void>((resolve) => (wake = resolve));
        if (stopped()) break admit;
      }
      inflight += size;
      const running: Promise<void> = options
        .run(item, seq++)
        .catch((e: unknown) => void errors.push(e))
        .finally(() => {
          inflight -= size;
          pending.delete(running);
          poke();
        });
      pending.add(running);
      await yieldNow();
    }
    while (pending.size > 0) await Promise.all([...pending]);
  } finally {
    unsubscribe();
    signal.removeEventListener("abort", poke);
  }
  return { admitted: seq, errors };
}
