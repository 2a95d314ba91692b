/**
 * A rung's health over one iteration. A rung whose requests keep failing after their retries (errors and timeouts,
 * with no answer in between; a request answered on a retry is no failure) is cooled down for the rest of the iteration: later shards skip it and go straight to the next rung,
 * instead of each paying its timeouts and retries again. Thin or invalid answers are answers: they do not count.
 */

/** Failed requests in a row that cool a rung down, at least; a rung with many slots gets more (they fail together). */
export const COOLDOWN_MIN_FAILURES = 8;

export class RungHealth {
  private failuresInRow = 0;
  private reason: string | null = null;

  /** `threshold`: requests in a row that failed after their retries and cool the rung down. */
  constructor(readonly threshold: number) {
    if (!Number.isInteger(threshold) || threshold < 1) throw new TypeError(`Expected \`threshold\` to be a whole number from 1 up, got ${threshold}`);
  }

  /** A call answered (of any quality): the rung works. */
  succeeded(): void {
    if (this.reason === null) this.failuresInRow = 0;
  }

  /** A request failed in transport after its retries; returns the cooldown reason when this failure cooled the rung down. */
  failed(lastError: string): string | null {
    if (this.reason !== null) return null;
    this.failuresInRow++;
    if (this.failuresInRow < this.threshold) return null;
    this.reason = `${this.failuresInRow} requests failed in a row after their retries (last: ${lastError}); skipped for the rest of the iteration`;
    return this.reason;
  }

  /** Why the rung is cooled down, or null while it takes calls. */
  cooled(): string | null {
    return this.reason;
  }
}

/** The cooldown threshold of a rung with `slots` calls in flight at once. */
export function cooldownThreshold(slots: number): number {
  return Math.max(COOLDOWN_MIN_FAILURES, 2 * slots);
}
