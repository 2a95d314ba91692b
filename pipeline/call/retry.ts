/**
 * The one retry policy of every model call: which failures are worth another call, how long to wait before it, and
 * whether the next call can fail over to another server of the rung instead of waiting. The ladder's loop in
 * `callRung` applies it; nothing below it (fleet, clients) retries on its own.
 */
import { ProviderError } from "../../domain/errors";
import { ServerCallError, ServersHeldError } from "../providers/fleet";

export interface RetryPolicy {
  /** Backoff before retry 0 when the server gave no Retry-After; doubles per retry. */
  baseMs: number;
  /** Backoff never exceeds this. */
  maxMs: number;
  /** Longest wait a Retry-After header may impose (a server asking for an hour is not waited for). */
  maxRetryAfterMs: number;
  /** Uniform in [0, 1): the jitter source, injected so tests are exact. */
  random: () => number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { baseMs: 500, maxMs: 8000, maxRetryAfterMs: 60_000, random: Math.random };

/** Whether a transport failure is worth another call on the same rung. */
export function retryable(e: ProviderError): boolean {
  if (e.kind === "timeout" || e.kind === "connection") return true;
  // The same request overflows the same window again: it climbs (or is re-split) instead.
  if (e.kind === "context_overflow") return false;
  if (e.kind === "http") return e.status === 429 || (e.status !== undefined && e.status >= 500);
  return false;
}

/**
 * The wait before retry `n` (0-based). Retry-After when the server gave one (capped); 0 when the retry fails over
 * to a server of the fleet this request has not tried (the failure was that server's); else exponential backoff with
 * "equal jitter": half the step fixed, half random, so shards that failed together do not retry together.
 */
export function retryDelayMs(e: ProviderError, n: number, policy: RetryPolicy, failover = false): number {
  if (e.retryAfterMs !== undefined) return Math.min(Math.max(0, e.retryAfterMs), policy.maxRetryAfterMs);
  if (failover) return 0;
  const step = Math.min(policy.maxMs, policy.baseMs * 2 ** n);
  return Math.round(step / 2 + (step / 2) * policy.random());
}

/** Which server a failed call went to (null when the provider names none), and whether anything was sent at all. */
export function failureOf(e: ProviderError): { server: string | null; sent: boolean } {
  if (e instanceof ServersHeldError) return { server: null, sent: false };
  return { server: e instanceof ServerCallError ? e.server : null, sent: true };
}
