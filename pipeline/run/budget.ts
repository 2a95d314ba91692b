/**
 * The iteration's `[budget]`: what was spent, and what calls in flight hold. A model call holds its estimated cost and
 * tokens (the prompt as counted before sending plus the answer's whole reserve, max_output_tokens) from the moment it
 * has its queue slot until it is recorded; a call that does not fit in what is left is not sent. So the spend can pass
 * the cap only by how much the calls in flight were under-estimated, never by whole calls.
 */
import type { Config } from "../config/config";
import type { Attempt } from "../../domain/attempt";
import type { BudgetHold } from "../call/call-rung";

export interface BudgetTracker {
  /** Count a recorded attempt's real spend. */
  add(a: Attempt): void;
  /** Hold a call's estimate, or say why it does not fit. */
  reserve(costUsd: number, tokens: number): BudgetHold | string;
  /** Why nothing more may be sent (the cap is spent), or null. */
  exhausted(): string | null;
  /** Why calls were held back: the cap spent, or the first call that did not fit; null when the budget never bound. */
  limited(): string | null;
}

/** A tracker for one iteration's `[budget]`; with no limit set it holds nothing and refuses nothing. */
export function budgetTracker(budget: Config["budget"]): BudgetTracker {
  let cost = 0;
  let tokens = 0;
  let heldCost = 0;
  let heldTokens = 0;
  let refused: string | null = null;
  const exhausted = (): string | null => {
    if (budget.maxCostUsd !== undefined && cost >= budget.maxCostUsd) return `max_cost_usd ${budget.maxCostUsd} spent ($${cost.toFixed(4)})`;
    if (budget.maxTokens !== undefined && tokens >= budget.maxTokens) return `max_tokens ${budget.maxTokens} used (${tokens})`;
    return null;
  };
  const misfit = (costUsd: number, n: number): string | null => {
    const max = budget.maxCostUsd;
    if (max !== undefined && cost + heldCost + costUsd > max) {
      return `max_cost_usd ${max}: the call's estimated $${costUsd.toFixed(4)} does not fit in the $${Math.max(0, max - cost - heldCost).toFixed(4)} left ($${cost.toFixed(4)} spent, $${heldCost.toFixed(4)} held by calls in flight)`;
    }
    const maxTokens = budget.maxTokens;
    if (maxTokens !== undefined && tokens + heldTokens + n > maxTokens) {
      return `max_tokens ${maxTokens}: the call's estimated ${n} tokens do not fit in the ${Math.max(0, maxTokens - tokens - heldTokens)} left (${tokens} used, ${heldTokens} held by calls in flight)`;
    }
    return null;
  };
  return {
    add: (a) => {
      cost += a.costUsd;
      tokens += a.tokensIn + a.tokensOut;
    },
    reserve: (costUsd, n) => {
      const why = misfit(costUsd, n);
      if (why !== null) {
        refused ??= why;
        return why;
      }
      heldCost += costUsd;
      heldTokens += n;
      let released = false;
      return {
        release: () => {
          if (released) return;
          released = true;
          heldCost -= costUsd;
          heldTokens -= n;
        },
      };
    },
    exhausted,
    limited: () => exhausted() ?? refused,
  };
}
