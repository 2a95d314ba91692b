import { describe, expect, test } from "bun:test";
import { budgetTracker } from "../../pipeline/run/budget";
import type { Attempt } from "../../domain/attempt";

const spent = (costUsd: number, tokensIn = 0, tokensOut = 0): Attempt => ({
  shardIndex: 0, rung: "r", model: "m", outcome: "accepted", reason: null, latencyMs: 1, tokensIn, tokensOut, costUsd,
  format: null, server: null, purpose: "review", redactions: 0, promptSha: null,
});

describe("budgetTracker", () => {
  test("calls in flight hold their estimate: the next one that does not fit in what is left is refused", () => {
    const b = budgetTracker({ maxCostUsd: 10 });
    const one = b.reserve(4, 100);
    const two = b.reserve(4, 100);
    expect(typeof one).toBe("object");
    expect(typeof two).toBe("object");
    expect(b.reserve(4, 100)).toMatch(/estimated \$4\.0000 does not fit in the \$2\.0000 left \(\$0\.0000 spent, \$8\.0000 held by calls in flight\)/);
    expect(b.exhausted()).toBeNull();
    expect(b.limited()).toMatch(/does not fit/);
    // A call that cost less than its estimate gives the rest back once recorded.
    b.add(spent(1));
    (one as { release(): void }).release();
    (one as { release(): void }).release();
    expect(typeof b.reserve(4, 100)).toBe("object");
  });

  test("max_tokens counts tokens in + out, held and spent", () => {
    const b = budgetTracker({ maxTokens: 1000 });
    b.add(spent(0, 300, 200));
    expect(b.reserve(0, 600)).toMatch(/max_tokens 1000: the call's estimated 600 tokens do not fit in the 500 left \(500 used, 0 held/);
    expect(typeof b.reserve(0, 500)).toBe("object");
  });

  test("with no limit nothing is refused and nothing is exhausted", () => {
    const b = budgetTracker({});
    expect(typeof b.reserve(1e9, 1e9)).toBe("object");
    expect(b.limited()).toBeNull();
  });

  test("spent to the cap: exhausted, and says what was spent", () => {
    const b = budgetTracker({ maxCostUsd: 1 });
    b.add(spent(1.5));
    expect(b.exhausted()).toBe("max_cost_usd 1 spent ($1.5000)");
  });
});
