/**
 * Retry accounting over real HTTP against the simulated server: every call the servers saw is one attempt row, with
 * its server named; failover to another server of a fleet is one of the rung's retries, not a multiplier; a rung
 * that keeps failing is cooled down, and its later shards skip it with the reason.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Kb } from "../../kb/kb";
import { testKb } from "../kb/postgres-server";
import { defaultConfig, type RungConfig } from "../../pipeline/config/config";
import { makeProvider } from "../../pipeline/providers/make-provider";
import { runIteration } from "../../pipeline/run/iteration";
import { type SimServer, startSimServer } from "../../scripts/sim-server";

let broken: SimServer;
let good: SimServer;
beforeAll(async () => {
  broken = await startSimServer({ behaviours: { m: "error500", big: "good" } });
  good = await startSimServer({ behaviours: { m: "good", big: "good" } });
});
afterAll(async () => {
  await Promise.all([broken.stop(), good.stop()]);
});

let dir: string;
let kb: Kb;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "scrum-retry-"));
  mkdirSync(join(dir, "src"));
  for (let i = 0; i < 12; i++) writeFileSync(join(dir, `src/f${i}.rs`), `pub fn f${i}() -> u32 {\n    todo!()\n}\n`);
  kb = new Kb(testKb(join(dir, "kb.db")));
});
afterEach(() => {
  kb.close();
  rmSync(dir, { recursive: true, force: true });
});

function rung(name: string, model: string, servers: string[], extra: Partial<RungConfig> = {}): RungConfig {
  return { name, provider: "ollama", model, servers, concurrency: 1, timeoutMs: 5000, retries: 2, structured: true, cloud: false, costInPerMtok: 0, costOutPerMtok: 0, ...extra };
}

async function sweep(ladder: RungConfig[]) {
  const slept: number[] = [];
  const before = broken.calls.length + good.calls.length;
  const summary = await runIteration({
    config: { ...defaultConfig(), ladder },
    kb,
    cwd: dir,
    inputs: ["src"],
    label: "t",
    offline: false,
    noCache: true,
    signal: new AbortController().signal,
    providerFor: (r) => makeProvider(r),
    gitCommit: () => null,
    // Backoff is never slept for real.
    sleep: async (ms) => void slept.push(ms),
  });
  const calls = broken.calls.length + good.calls.length - before;
  return { summary, calls, slept, attempts: kb.attempts.inIteration(summary.iteration_id) };
}

describe("attempt rows equal calls made", () => {
  test("a fleet of a broken and a good server: failover is a retry, each call one row naming its server", async () => {
    const { summary, calls, attempts } = await sweep([rung("local", "m", [broken.ollamaHost, good.ollamaHost])]);
    expect(summary.files.reviewed).toBe(12);
    const made = attempts.filter((a) => a.outcome !== "skipped" && a.outcome !== "cached");
    expect(made).toHaveLength(calls);
    expect(made.every((a) => a.server === broken.ollamaHost || a.server === good.ollamaHost)).toBe(true);
    const errors = made.filter((a) => a.outcome === "error");
    expect(errors.every((a) => a.server === broken.ollamaHost)).toBe(true);
    // Three 500s in a row open the broken server's breaker: it is not called again in this run.
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.length).toBeLessThanOrEqual(3);
    // No shard made more calls than retries + 1 on the rung.
    const perShard = new Map<string, number>();
    for (const a of made) perShard.set(a.path, (perShard.get(a.path) ?? 0) + 1);
    expect(Math.max(...perShard.values())).toBeLessThanOrEqual(3);
  });

  test("a rung that keeps failing is cooled down: later shards skip it with the reason, and the summary says so", async () => {
    const { summary, calls, attempts } = await sweep([rung("local", "m", [broken.ollamaHost], { retries: 1 }), rung("big", "big", [good.ollamaHost])]);
    expect(summary.files.reviewed).toBe(12);
    const made = attempts.filter((a) => a.outcome !== "skipped" && a.outcome !== "cached");
    expect(made).toHaveLength(calls);
    const skipped = attempts.filter((a) => a.rung === "local" && a.outcome === "skipped");
    expect(skipped.length).toBeGreaterThan(0);
    expect(skipped.every((a) => /^(cooldown|breaker): /.test(a.reason ?? ""))).toBe(true);
    expect(skipped.some((a) => /^cooldown: \d+ requests failed in a row after their retries/.test(a.reason ?? ""))).toBe(true);
    expect(summary.cooldowns.map((c) => c.rung)).toEqual(["local"]);
    // The broken rung took at most the cooldown threshold of calls; every shard was reviewed on the next rung.
    expect(made.filter((a) => a.rung === "local").length).toBeLessThanOrEqual(8);
    expect(attempts.filter((a) => a.rung === "big" && a.outcome === "accepted")).toHaveLength(12);
  });
});
