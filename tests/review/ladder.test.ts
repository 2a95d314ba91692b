import { describe, expect, test } from "bun:test";
import type { RungConfig } from "../../pipeline/config/config";
import { ProviderError } from "../../domain/errors";
import { climbLadder, countEscalations, type LadderDeps } from "../../pipeline/review/ladder";
import { DEFAULT_RETRY_POLICY, retryDelayMs } from "../../pipeline/call/retry";
import { makeRung } from "../../pipeline/call/rung";
import { FakeProvider, goodAnswer, type Scripted } from "../fake-provider";

function rungConfig(name: string, extra: Partial<RungConfig> = {}): RungConfig {
  return {
    name, provider: "ollama", model: `${name}-model`, servers: ["http://127.0.0.1:1"], concurrency: 1, timeoutMs: 1000, retries: 0,
    structured: true, cloud: false, costInPerMtok: 0, costOutPerMtok: 0, ...extra,
  };
}

function ladder(...rungs: Array<[string, Scripted[], Partial<RungConfig>?]>) {
  const providers = rungs.map(([name, script]) => new FakeProvider(`${name}-model`, script));
  return { providers, rungs: rungs.map(([name, , extra], i) => makeRung(rungConfig(name, extra), providers[i]!)) };
}

const sleeps: number[] = [];
// random() = 1 puts the jitter at its top: backoff steps are exact (500, 1000, 2000 …).
const deps: LadderDeps = { minChars: 200, sleep: async (ms) => void sleeps.push(ms), retry: { ...DEFAULT_RETRY_POLICY, random: () => 1 } };
const request = { system: "sys", prompt: "review this", shard: { path: "a.rs", language: "rust", lineStart: 1, text: "todo!()" } };
const signal = new AbortController().signal;

describe("climbLadder", () => {
  test("a window named in a 400 is used for the rest of the run: the next shard skips the rung without a call", async () => {
    const overflow = new ProviderError("context_overflow", "maximum context length is 600 tokens", { status: 400, window: 600 });
    const { rungs, providers } = ladder(["small", [overflow], { contextTokens: 32768 }], ["big", [goodAnswer("todo!()", 1)]]);
    const big = { ...request, prompt: "x".repeat(1500) };
    await climbLadder(big, 0, rungs, deps, signal);
    expect(rungs[0]!.config.contextTokens).toBe(600);
    const r = await climbLadder(big, 1, rungs, deps, signal);
    expect(providers[0]!.calls).toHaveLength(1);
    expect(r.attempts[0]).toMatchObject({ rung: "small", outcome: "skipped" });
    expect(r.attempts[0]!.reason).toContain("context_tokens is 600");
  });

  test("a refusal is its own outcome and climbs", async () => {
    const { rungs } = ladder(["tiny", ["I can't help with that."]], ["big", [goodAnswer("todo!()", 1)]]);
    const r = await climbLadder(request, 0, rungs, deps, signal);
    expect(r.attempts.map((a) => [a.rung, a.outcome])).toEqual([["tiny", "refused"], ["big", "accepted"]]);
  });

  test("thin → malformed → good: accepted from rung 3 after two escalations, three attempts recorded", async () => {
    const { rungs } = ladder(["cheap", ["Looks fine overall."]], ["mid", ['{"verdict": "pass", "alignment_score": 7, "summary": "ok", "critical_fa']], ["big", [goodAnswer("todo!()", 1)]]);
    const r = await climbLadder(request, 0, rungs, deps, signal);
    expect(r.accepted?.rung).toBe("big");
    expect(r.attempts.map((a) => [a.rung, a.outcome])).toEqual([["cheap", "thin"], ["mid", "invalid"], ["big", "accepted"]]);
    expect(countEscalations(r.attempts)).toBe(2);
    expect(r.attempts[0]!.reason).toMatch(/\d+ chars|unstructured|thin/);
  });

  test("every rung failing leaves the shard unreviewed with each rung's reason", async () => {
    const { rungs } = ladder(["a", [new ProviderError("connection", "connect ECONNREFUSED 127.0.0.1:1")]], ["b", ["ok"]]);
    const r = await climbLadder(request, 0, rungs, deps, signal);
    expect(r.accepted).toBeNull();
    expect(r.reasons).toHaveLength(2);
    expect(r.reasons[0]).toMatch(/rung a .*error: connect ECONNREFUSED/);
    expect(r.reasons[1]).toMatch(/rung b .*thin/);
  });

  test("transport errors retry on the same rung, honouring Retry-After, before climbing", async () => {
    sleeps.length = 0;
    const { rungs, providers } = ladder(["a", [new ProviderError("http", "429 Too Many Requests", { status: 429, retryAfterMs: 1000 }), new ProviderError("http", "500", { status: 500 }), goodAnswer("todo!()", 1)], { retries: 2 }]);
    const r = await climbLadder(request, 0, rungs, deps, signal);
    expect(r.accepted?.rung).toBe("a");
    expect(providers[0]!.calls).toHaveLength(3);
    expect(sleeps).toEqual([1000, 1000]);
    expect(r.attempts.map((a) => a.outcome)).toEqual(["error", "error", "accepted"]);
    expect(countEscalations(r.attempts)).toBe(0);
  });

  test("a 4xx that is not 429 is not retried", async () => {
    const { rungs, providers } = ladder(["a", [new ProviderError("http", "404 model not found", { status: 404 })], { retries: 3 }], ["b", [goodAnswer("todo!()", 1)]]);
    const r = await climbLadder(request, 0, rungs, deps, signal);
    expect(providers[0]!.calls).toHaveLength(1);
    expect(r.accepted?.rung).toBe("b");
  });

  test("timeouts are recorded as timeout and climb", async () => {
    const { rungs } = ladder(["a", [new ProviderError("timeout", "no answer within 1000 ms")]], ["b", [goodAnswer("todo!()", 1)]]);
    const r = await climbLadder(request, 0, rungs, deps, signal);
    expect(r.attempts[0]!.outcome).toBe("timeout");
    expect(r.accepted?.rung).toBe("b");
  });

  test("low confidence is accepted, not escalated: it is signal for the tier", async () => {
    const low = goodAnswer("todo!()", 1).replaceAll('"confidence": 90', '"confidence": 20');
    const { rungs } = ladder(["a", [low]], ["b", [goodAnswer("todo!()", 1)]]);
    const r = await climbLadder(request, 0, rungs, deps, signal);
    expect(r.accepted?.rung).toBe("a");
  });

  test("structured rungs get the schema; cost comes from the rung's prices", async () => {
    const { rungs, providers } = ladder(["a", [goodAnswer("todo!()", 1)], { costInPerMtok: 1_000_000, costOutPerMtok: 0 }]);
    const r = await climbLadder(request, 0, rungs, deps, signal);
    expect(providers[0]!.calls[0]!.schema).toBeDefined();
    expect(r.attempts[0]!.costUsd).toBe(r.attempts[0]!.tokensIn);
  });

  test("an aborted signal stops the climb", async () => {
    const { rungs } = ladder(["a", [goodAnswer("todo!()", 1)]]);
    const c = new AbortController();
    c.abort(new Error("interrupted"));
    await expect(climbLadder(request, 0, rungs, deps, c.signal)).rejects.toThrow(/interrupted/);
  });
});

test("retry delay: Retry-After wins and is capped; otherwise exponential with jitter; failover does not wait", () => {
  const top = { ...DEFAULT_RETRY_POLICY, random: () => 1 };
  const bottom = { ...DEFAULT_RETRY_POLICY, random: () => 0 };
  expect(retryDelayMs(new ProviderError("http", "x", { status: 429, retryAfterMs: 2000 }), 0, top)).toBe(2000);
  expect(retryDelayMs(new ProviderError("http", "x", { status: 429, retryAfterMs: 600_000 }), 0, top)).toBe(60_000);
  expect([0, 1, 2, 5].map((n) => retryDelayMs(new ProviderError("connection", "x"), n, top))).toEqual([500, 1000, 2000, 8000]);
  // Half of each step is jitter: shards that failed together spread their retries over [step/2, step].
  expect([0, 1, 2, 5].map((n) => retryDelayMs(new ProviderError("connection", "x"), n, bottom))).toEqual([250, 500, 1000, 4000]);
  expect(retryDelayMs(new ProviderError("connection", "x"), 3, top, true)).toBe(0);
});

describe("cooldown", () => {
  test("a rung whose calls keep failing is cooled down: later shards skip it with the reason and climb at once", async () => {
    const cooled: string[] = [];
    const dead = new ProviderError("connection", "connect ECONNREFUSED 127.0.0.1:1");
    const { rungs, providers } = ladder(["a", [dead], { retries: 1 }], ["b", [goodAnswer("todo!()", 1)]]);
    const d: LadderDeps = { ...deps, onCooldown: (rung, reason) => void cooled.push(`${rung}: ${reason}`) };
    const threshold = rungs[0]!.health.threshold;
    const results = [];
    for (let i = 0; i < threshold; i++) results.push(await climbLadder(request, i, rungs, d, signal));
    // Each shard made retries + 1 calls before climbing; the threshold-th shard that gave up cooled the rung.
    expect(providers[0]!.calls).toHaveLength(threshold * 2);
    expect(cooled).toHaveLength(1);
    expect(cooled[0]).toMatch(/^a: \d+ requests failed in a row after their retries \(last: error: connect ECONNREFUSED/);
    const later = await climbLadder(request, 99, rungs, d, signal);
    expect(providers[0]!.calls).toHaveLength(threshold * 2);
    expect(later.attempts.map((a) => [a.rung, a.outcome])).toEqual([["a", "skipped"], ["b", "accepted"]]);
    expect(later.attempts[0]!.reason).toMatch(/^cooldown: /);
    expect(results.every((r) => r.accepted?.rung === "b")).toBe(true);
  });

  test("a request answered on a retry is no failure: a rung failing once per request never cools down", async () => {
    const dead = new ProviderError("http", "500", { status: 500 });
    const script = Array.from({ length: 80 }, (_, i) => (i % 2 === 0 ? dead : goodAnswer("todo!()", 1)));
    const { rungs } = ladder(["a", script, { retries: 1 }], ["b", [goodAnswer("todo!()", 1)]]);
    for (let i = 0; i < 40; i++) expect((await climbLadder(request, i, rungs, deps, signal)).accepted?.rung).toBe("a");
    expect(rungs[0]!.health.cooled()).toBeNull();
  });

  test("an answer in between resets the count: thin answers are answers, not failures", async () => {
    const dead = new ProviderError("http", "500", { status: 500 });
    const script = Array.from({ length: 40 }, (_, i) => (i % 4 === 3 ? "thin answer" : dead));
    const { rungs } = ladder(["a", script], ["b", [goodAnswer("todo!()", 1)]]);
    for (let i = 0; i < 40; i++) await climbLadder(request, i, rungs, deps, signal);
    expect(rungs[0]!.health.cooled()).toBeNull();
  });
});

test("a cloud rung gets the prompt with secrets masked; a local rung gets it as it is", async () => {
  const secret = { ...request, prompt: 'File: a.rs\n 1 | let api_key = "hunter2hunter2";' };
  const local = ladder(["local", ["Looks fine."]], ["cloud", [goodAnswer("todo!()", 1)], { cloud: true }]);
  const result = await climbLadder(secret, 0, local.rungs, deps, signal);
  expect(local.providers[0]!.calls[0]!.prompt).toContain("hunter2hunter2");
  expect(local.providers[1]!.calls[0]!.prompt).not.toContain("hunter2hunter2");
  expect(local.providers[1]!.calls[0]!.prompt).toMatch(/api_key = "<REDACTED:[0-9a-f]{8}>"/);
  expect(result.attempts.map((a) => a.redactions)).toEqual([0, 1]);
});
