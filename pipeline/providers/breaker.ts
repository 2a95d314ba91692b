/**
 * A circuit breaker per server of a fleet. A server that times out or fails `failuresToOpen` times in a row is
 * opened: it takes no call for a hold that doubles each time it opens again (capped). When the hold ends it is
 * half-open: exactly one call goes through as a probe; success closes it, failure opens it for the next, longer hold.
 */

export interface BreakerOptions {
  /** Server faults in a row (timeouts, refused connections, 5xx) that open the breaker. Default 3. */
  failuresToOpen?: number;
  /** The first hold; each re-open doubles it. Default 30 000 ms. */
  baseHoldMs?: number;
  /** The longest hold. Default 600 000 ms (10 min). */
  maxHoldMs?: number;
  now?: () => number;
}

export const BREAKER_DEFAULTS = { failuresToOpen: 3, baseHoldMs: 30_000, maxHoldMs: 600_000 } as const;

export type BreakerState = "closed" | "open" | "half_open";

/** One server's breaker; the fleet asks it before every call and tells it how the call went. */
export class Breaker {
  private readonly failuresToOpen: number;
  private readonly baseHoldMs: number;
  private readonly maxHoldMs: number;
  private readonly now: () => number;
  private faults = 0;
  private opens = 0;
  private openUntil = 0;
  /** A server that asked for a pause (429 Retry-After) takes nothing before this time; it is not a fault. */
  private notBefore = 0;
  private probing = false;
  private tripped = false;

  constructor(options: BreakerOptions = {}) {
    this.failuresToOpen = checked("failuresToOpen", options.failuresToOpen ?? BREAKER_DEFAULTS.failuresToOpen, 1);
    this.baseHoldMs = checked("baseHoldMs", options.baseHoldMs ?? BREAKER_DEFAULTS.baseHoldMs, 0);
    this.maxHoldMs = checked("maxHoldMs", options.maxHoldMs ?? BREAKER_DEFAULTS.maxHoldMs, this.baseHoldMs);
    this.now = options.now ?? Date.now;
  }

  /** closed: takes calls; open: takes none until the hold ends; half_open: takes one probe call. */
  state(): BreakerState {
    if (!this.tripped) return "closed";
    return this.now() < this.openUntil ? "open" : "half_open";
  }

  /** Whether a call may go to this server now. */
  canTake(): boolean {
    if (this.now() < this.notBefore) return false;
    const s = this.state();
    return s === "closed" || (s === "half_open" && !this.probing);
  }

  /** A call is going out (after canTake said yes): in half-open state it is the probe. */
  started(): void {
    if (this.state() === "half_open") this.probing = true;
  }

  /** The server answered: the breaker closes and forgets. */
  succeeded(): void {
    this.faults = 0;
    this.opens = 0;
    this.tripped = false;
    this.probing = false;
  }

  /** The server failed the call (its fault, not the request's); returns true when this opened the breaker. */
  failed(): boolean {
    this.faults++;
    const wasProbe = this.probing;
    this.probing = false;
    if (!wasProbe && this.faults < this.failuresToOpen && !this.tripped) return false;
    if (this.tripped && !wasProbe && this.now() < this.openUntil) return false;
    this.tripped = true;
    this.openUntil = this.now() + Math.min(this.maxHoldMs, this.baseHoldMs * 2 ** this.opens);
    this.opens++;
    return true;
  }

  /** The server asked to be left alone for `ms` (Retry-After); not counted as a fault. */
  pause(ms: number): void {
    this.probing = false;
    this.notBefore = Math.max(this.notBefore, this.now() + ms);
  }

  /** When the server takes calls again (epoch ms of the injected clock); 0 when it does now. */
  availableAt(): number {
    const until = this.tripped ? this.openUntil : 0;
    const at = Math.max(until, this.notBefore);
    return at <= this.now() ? 0 : at;
  }
}

function checked(name: string, value: number, min: number): number {
  if (!Number.isFinite(value) || value < min) throw new TypeError(`Expected \`${name}\` to be a number from ${min} and up, got ${value}`);
  return value;
}
