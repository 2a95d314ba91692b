/**
 * Answers from model servers are judged in batches. An answer that arrives waits up to `ms` for the others arriving
 * about then; when the window closes they are judged, reduced and recorded one after another in one turn of the
 * event loop. The call's queue slot is given back before the wait, so the next call goes out at once.
 *
 * Why: the same work costs the orchestrator about 1.5 times the CPU when answers arrive one by one, tens of
 * milliseconds apart, as when they arrive back to back (docs/PERFORMANCE.md, "CPU per shard"); judged together, the
 * later ones of a batch run warm. A model answer takes seconds, so the wait is never what a sweep waits on.
 */
export class AnswerBatch {
  private waiting: (() => void)[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;

  /** `ms`: how long the first answer of a batch waits for the others; 0 judges each answer as it arrives. */
  constructor(readonly ms: number) {
    if (!Number.isFinite(ms) || ms < 0) throw new TypeError(`Expected \`ms\` to be a number from 0 up, got ${ms}`);
  }

  /** Resolves when the batch this answer joined closes (at once with `ms` = 0). */
  join(): Promise<void> {
    if (this.ms === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.timer ??= setTimeout(() => this.close(), this.ms);
    });
  }

  private close(): void {
    const batch = this.waiting;
    this.waiting = [];
    this.timer = null;
    for (const resolve of batch) resolve();
  }
}

/** The process's window: 20 ms cut no more CPU than 10, and 50 ms lengthened the sweep (docs/PERFORMANCE.md, seventh pass). */
export const ANSWER_BATCH_MS = 10;
