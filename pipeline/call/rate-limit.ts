/**
 * A rung's rate limits as a sliding window over the last minute: `requests_per_minute` calls and, optionally,
 * `tokens_per_minute` tokens. A fixed window (p-queue's intervalCap) lets a full minute's calls through at the end of
 * one window and again at the start of the next: twice the limit in a few seconds. Here any 60 s span holds at most
 * the limit.
 */

export interface RateLimits {
  requestsPerMinute?: number;
  tokensPerMinute?: number;
}

export interface WindowDeps {
  now: () => number;
  /** Waits; rejects when the signal aborts. */
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
}

export const WINDOW_MS = 60_000;

interface Entry {
  at: number;
  tokens: number;
  gone: boolean;
}

/** A call let through: `settle` replaces its token estimate with what the call really used. */
export interface Admission {
  settle(tokens: number): void;
}

/** The sliding window of one rung. */
export class SlidingWindow {
  private readonly entries: Entry[] = [];
  private tokens = 0;

  constructor(
    private readonly limits: RateLimits,
    private readonly deps: WindowDeps,
  ) {
    for (const key of ["requestsPerMinute", "tokensPerMinute"] as const) {
      const v = limits[key];
      if (v !== undefined && !(Number.isInteger(v) && v >= 1)) throw new TypeError(`Expected \`${key}\` to be a whole number from 1 up, got ${v}`);
    }
  }

  /** Whether any limit is set (a rung without one never waits here). */
  get limited(): boolean {
    return this.limits.requestsPerMinute !== undefined || this.limits.tokensPerMinute !== undefined;
  }

  /** Wait until a call estimated at `tokens` fits the last minute, then count it. */
  async admit(tokens: number, signal: AbortSignal): Promise<Admission> {
    for (;;) {
      const wait = this.waitFor(tokens);
      if (wait === 0) break;
      await this.deps.sleep(wait, signal);
    }
    const entry: Entry = { at: this.deps.now(), tokens, gone: false };
    this.entries.push(entry);
    this.tokens += tokens;
    return {
      settle: (used: number) => {
        // Already out of the window: nothing left to correct.
        if (entry.gone) return;
        this.tokens += used - entry.tokens;
        entry.tokens = used;
      },
    };
  }

  /** Milliseconds until the call fits; 0 when it fits now. */
  private waitFor(tokens: number): number {
    const now = this.deps.now();
    while (this.entries.length > 0 && this.entries[0]!.at <= now - WINDOW_MS) {
      const old = this.entries.shift()!;
      old.gone = true;
      this.tokens -= old.tokens;
    }
    const first = this.entries[0];
    if (!first) return 0;
    const { requestsPerMinute: rpm, tokensPerMinute: tpm } = this.limits;
    if (rpm !== undefined && this.entries.length >= rpm) return this.expiryWait(this.entries.length - rpm, now);
    if (tpm !== undefined && this.tokens + tokens > tpm) {
      // Drop the oldest entries until the call fits (a call bigger than the whole limit waits for an empty window).
      let freed = 0;
      for (let i = 0; i < this.entries.length; i++) {
        freed += this.entries[i]!.tokens;
        if (this.tokens - freed + tokens <= tpm) return this.expiryWait(i, now);
      }
      return this.expiryWait(this.entries.length - 1, now);
    }
    return 0;
  }

  /** Time until entry `i` (and every older one) has left the window. */
  private expiryWait(i: number, now: number): number {
    return Math.max(1, this.entries[i]!.at + WINDOW_MS - now);
  }
}
