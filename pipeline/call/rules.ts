/**
 * The rules of one call, each a small named predicate: when a rung is passed over without a call (skip rules, each
 * giving the reason it is recorded with), when an answer is taken (accept rules), and when a failure is asked again.
 */
import type { RungConfig } from "../config/config";
import { ProviderError } from "../../domain/errors";
import type { Completion } from "../providers/provider";
import { truncationReason, windowShortfall, type TokenEstimate } from "../review/tokens";
import type { Judgement } from "./attempt";
import { failureOf, retryable } from "./retry";
import type { Rung } from "./rung";

/** Skip: the request does not fit the rung's window (a server would cut or refuse it), so it is never sent. */
export function windowTooSmall(estimate: TokenEstimate, rung: RungConfig): string | null {
  const shortfall = windowShortfall(estimate, rung);
  return shortfall ? `window too small: ${shortfall}` : null;
}

/** Skip: the rung kept failing this iteration and is cooled down. */
export function cooledDown(rung: Rung): string | null {
  const cooled = rung.health.cooled();
  return cooled ? `cooldown: ${cooled}` : null;
}

/** Skip: the iteration's spend limit is reached. */
export function budgetSpent(budget: (() => string | null) | undefined): string | null {
  const spent = budget?.();
  return spent ? `budget: ${spent}` : null;
}

/**
 * Skip: every server of the rung is held by its breaker, so nothing was sent; the shard climbs instead of waiting out
 * the hold (and the hold counts toward the rung's cooldown like a failed call).
 */
export function heldByBreaker(e: ProviderError): string | null {
  return failureOf(e).sent ? null : `breaker: ${e.message}`;
}

/** Accept: an answer from the cache is reused only when today's acceptance rules still take it. */
export function reusable<T>(judged: Judgement<T>): judged is Extract<Judgement<T>, { outcome: "accepted" }> {
  return judged.outcome === "accepted";
}

/** Accept: an answer to a prompt the server cut, or cut off itself, is judged by none of its text. */
export function judgeCompletion<T>(completion: Completion, estimate: TokenEstimate, rung: RungConfig, judge: (text: string, rung: RungConfig) => Judgement<T>): Judgement<T> {
  const cut = truncationReason(completion, estimate, rung.contextTokens);
  return cut ? { outcome: "invalid", reason: cut, format: null } : judge(completion.text, rung);
}

/** Retry: a transport failure worth another call on the same rung, with retries left (`n` is the 0-based call). */
export function worthRetry(e: ProviderError, n: number, rung: RungConfig): boolean {
  return retryable(e) && n < rung.retries;
}

/** Retry: the next call can go to a server of the fleet this request has not failed on, instead of waiting. */
export function canFailOver(rung: RungConfig, failedOn: ReadonlySet<string>, server: string | null): boolean {
  return rung.servers.length > failedOn.size && server !== null;
}
