import { describe, expect, test } from "bun:test";
import type { RungConfig } from "../../pipeline/config/config";
import { ProviderError } from "../../domain/errors";
import { budgetSpent, canFailOver, cooledDown, heldByBreaker, judgeCompletion, reusable, windowTooSmall, worthRetry } from "../../pipeline/call/rules";
import { makeRung } from "../../pipeline/call/rung";
import { ServerCallError, ServersHeldError } from "../../pipeline/providers/fleet";
import { FakeProvider } from "../fake-provider";

const config: RungConfig = {
  name: "local", provider: "ollama", model: "m", servers: ["http://a", "http://b"], concurrency: 1, timeoutMs: 1000, retries: 2,
  structured: true, cloud: false, costInPerMtok: 0, costOutPerMtok: 0,
};
const estimate = { prompt: 900, output: 200, total: 1100, method: "chars" as const };

describe("skip rules", () => {
  test("a window that cannot hold the request says so with the numbers; no window, no skip", () => {
    expect(windowTooSmall(estimate, { ...config, contextTokens: 1000 })).toMatch(/^window too small: .*1000/);
    expect(windowTooSmall(estimate, { ...config, contextTokens: 4096 })).toBeNull();
    expect(windowTooSmall(estimate, config)).toBeNull();
  });

  test("a cooled rung is skipped with the cooldown's reason", () => {
    const rung = makeRung({ ...config, concurrency: 1 }, new FakeProvider("m", ["x"]));
    expect(cooledDown(rung)).toBeNull();
    for (let i = 0; i < rung.health.threshold; i++) rung.health.failed("timeout: slow");
    expect(cooledDown(rung)).toMatch(/^cooldown: \d+ requests failed in a row/);
  });

  test("a spent budget is a skip; no budget or budget left is none", () => {
    expect(budgetSpent(undefined)).toBeNull();
    expect(budgetSpent(() => null)).toBeNull();
    expect(budgetSpent(() => "max_cost_usd 1 reached")).toBe("budget: max_cost_usd 1 reached");
  });

  test("every server held by its breaker is a skip (nothing was sent); a server's own failure is not", () => {
    expect(heldByBreaker(new ServersHeldError("all 2 servers held", 0))).toBe("breaker: all 2 servers held");
    expect(heldByBreaker(new ServerCallError("http://a", new ProviderError("timeout", "slow")))).toBeNull();
  });
});

describe("accept rules", () => {
  test("a cached answer is reused only when accepted today", () => {
    expect(reusable({ outcome: "accepted", value: 1, format: null, notes: [] })).toBe(true);
    expect(reusable({ outcome: "thin", reason: "short", format: null })).toBe(false);
  });

  test("an answer the server cut is invalid whatever its text; a whole one goes to the judge", () => {
    const judge = (text: string) => ({ outcome: "accepted" as const, value: text, format: null, notes: [] });
    const cut = judgeCompletion({ text: "{}", tokensIn: 10, tokensOut: 200, latencyMs: 1, finishReason: "length" }, estimate, config, judge);
    expect(cut.outcome).toBe("invalid");
    expect(judgeCompletion({ text: "{}", tokensIn: 10, tokensOut: 20, latencyMs: 1 }, estimate, config, judge)).toMatchObject({ outcome: "accepted", value: "{}" });
  });
});

describe("retry rules", () => {
  test("a retryable failure is asked again while retries are left; an overflow never", () => {
    const timeout = new ProviderError("timeout", "slow");
    expect([0, 1, 2].map((n) => worthRetry(timeout, n, config))).toEqual([true, true, false]);
    expect(worthRetry(new ProviderError("context_overflow", "too long", { status: 400 }), 0, config)).toBe(false);
  });

  test("a failed server with another left in the fleet fails over", () => {
    expect(canFailOver(config, new Set(["http://a"]), "http://a")).toBe(true);
    expect(canFailOver(config, new Set(["http://a", "http://b"]), "http://b")).toBe(false);
    expect(canFailOver(config, new Set(), null)).toBe(false);
  });
});
