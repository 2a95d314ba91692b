/**
 * What the ladder learns from its own log: how often a later judgment (the verifier, a user's dismissal) overturned a
 * rung's findings, with a 95% Wilson interval; and the skip_when_trusted rule built on it.
 */
import type { OverturnCount } from "../../domain/overturn";
import type { TrustCheck } from "./verify";

/** The 95% Wilson score interval of `k` successes in `n` trials; [0, 1] when n is 0. */
export function wilson(k: number, n: number, z = 1.959964): { low: number; high: number } {
  if (n === 0) return { low: 0, high: 1 };
  const p = k / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/** Overturn rate's upper bound a producer's category must stay at or under to skip verification. */
export const TRUSTED_UPPER_BOUND = 0.05;

/**
 * skip_when_trusted: a rung's findings of a category skip the verifier only when, over at least `minJudged` judged
 * cases, the Wilson upper bound of their overturn rate is at most 5%. The reason names the numbers.
 */
export function trustCheck(counts: readonly OverturnCount[], minJudged: number): TrustCheck {
  const byKey = new Map(counts.map((c) => [`${c.rung}\u0000${c.category}`, c]));
  return (producer, category) => {
    const c = byKey.get(`${producer}\u0000${category}`);
    if (!c || c.judged < minJudged) return null;
    const { high } = wilson(c.overturned, c.judged);
    if (high > TRUSTED_UPPER_BOUND) return null;
    return `trusted: rung ${producer}'s ${category} overturned ${c.overturned} of ${c.judged} (95% upper bound ${(high * 100).toFixed(1)}% <= 5%), verification skipped`;
  };
}
