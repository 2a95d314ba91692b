/** The bench against the simulated server: each measuring behaviour is reported as it is, and consensus pays off. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { nothingFound, perTp } from "../../pipeline/bench/table";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Kb } from "../../kb/kb";
import { runBench, type BenchResult } from "../../pipeline/bench/run-bench";
import { benchCommand } from "../../pipeline/cli/commands/bench";
import { loadConfig, type RungConfig } from "../../pipeline/config/config";
import { makeProvider } from "../../pipeline/providers/make-provider";
import type { RunEvent } from "../../pipeline/run/iteration";
import { startSimServer, type SimServer } from "../../scripts/sim-server";
import { testKb } from "../kb/postgres-server";

const FIXTURE = resolve(import.meta.dir, "../fixtures/bench");
/** Operators whose plants leave a mark the noisy sim can see (a deleted guard or a hard-coded value does not). */
const VISIBLE = ["stub", "swallow", "duplicate-import", "doc-placeholder"] as const;
const HIT = 0.8;

let sim: SimServer;
let dir: string;
let scratchParent: string;

function rung(name: string, model: string): string {
  return `[[ladder]]\nname = "${name}"\nprovider = "ollama"\nmodel = "${model}"\nhost = "${sim.url}"\nretries = 0\ntimeout_s = 10\nconcurrency = 8\n`;
}

async function bench(routing: string, extra: { repeat?: number; onEvent?: (e: RunEvent) => void } = {}): Promise<BenchResult> {
  const file = join(dir, `routing-${Math.random().toString(36).slice(2)}.toml`);
  writeFileSync(file, routing);
  return runBench({
    config: loadConfig(file),
    cwd: dir,
    inputs: ["src", "docs"],
    offline: false,
    seed: 3,
    plants: 24,
    operators: VISIBLE,
    repeat: extra.repeat ?? 1,
    tolerance: 2,
    concurrency: 8,
    providerFor: (r: RungConfig) => makeProvider(r, {}),
    signal: new AbortController().signal,
    scratchParent,
    ...(extra.onEvent ? { onEvent: extra.onEvent } : {}),
  });
}

const variant = (r: BenchResult, name: string) => r.variants.find((v) => v.variant === name)!;

beforeAll(async () => {
  sim = await startSimServer({
    behaviours: { blind: "blind", "flag-all": "flag-all", "noisy-a": `noisy:${HIT}:1:11`, "noisy-b": `noisy:${HIT}:1:22`, "noisy-c": `noisy:${HIT}:1:33`, "noisy-loud": "noisy:1:2:44", verifier: "verify-real", error500: "error500" },
  });
  dir = mkdtempSync(join(tmpdir(), "scrum-bench-test-"));
  scratchParent = mkdtempSync(join(tmpdir(), "scrum-bench-scratch-"));
  cpSync(FIXTURE, dir, { recursive: true });
});

afterAll(async () => {
  await sim.stop();
  rmSync(dir, { recursive: true, force: true });
  rmSync(scratchParent, { recursive: true, force: true });
});

describe("scrum bench on the simulated server", () => {
  test("a model that finds something: its cost per true positive in tokens and seconds", async () => {
    const r = variant(await bench(rung("flag-all", "flag-all")), "flag-all");
    expect(r.details.tokens_per_tp).toBeGreaterThan(0);
    expect(perTp(r)).toMatch(/^\d+ tok, \d+\.\d s$/);
  });

  test("a model that finds nothing: recall 0, no precision to speak of, no noise", async () => {
    const r = variant(await bench(rung("blind", "blind")), "blind");
    expect(r.planted).toBeGreaterThanOrEqual(12);
    expect(r.recall).toBe(0);
    expect(r.precision).toBeNull();
    expect(r.noise_per_kloc).toBe(0);
    expect(r.cost_per_tp).toBeNull();
    // A local rung costs $0: what it spent for nothing is said in tokens and seconds, never a bare "-".
    expect(r.details.subject_tokens).toBeGreaterThan(0);
    expect(perTp(r)).toMatch(/^none found \(\d+ tok, \d+\.\d s spent\)$/);
    expect(nothingFound(r)).toMatch(/^blind found none of the \d+ planted defects for \d+ tokens and [\d.]+ s of model time/);
  });

  test("a rung that answers nothing: each pass's warning says which copy it is about, none printed twice alike", async () => {
    const warnings: string[] = [];
    await bench(rung("dead", "error500"), { onEvent: (e) => e.type === "warning" && warnings.push(e.message) });
    expect(warnings.some((w) => w.startsWith("dead, planted copy, run 1: no model answer was accepted"))).toBe(true);
    expect(warnings.some((w) => w.startsWith("dead, unplanted copy, run 1: no model answer was accepted"))).toBe(true);
    expect(new Set(warnings).size).toBe(warnings.length);
  });

  test("a model that flags every function: precision near 0 and loud on the controls", async () => {
    const r = variant(await bench(rung("flag-all", "flag-all")), "flag-all");
    expect(r.precision).not.toBeNull();
    expect(r.precision!).toBeLessThan(0.25);
    expect(r.noise_per_kloc!).toBeGreaterThan(20);
  });

  test("a noisy model is measured at its hit rate, and consensus of three raises precision at the recall its rule implies", async () => {
    const routing = [rung("a", "noisy-a"), rung("b", "noisy-b"), rung("c", "noisy-c"), `[consensus]\nrungs = ["a", "b", "c"]\nmin_agree = 2\n`].join("\n");
    const result = await bench(routing);
    if (process.env.BENCH_PRINT) console.log(JSON.stringify(result.variants.map((v) => [v.variant, v.found, v.planted, v.recall, v.precision, v.noise_per_kloc, v.tokens])));
    expect(result.variants.map((v) => v.variant)).toEqual(["a", "b", "c", "ladder", "ladder+consensus"]);
    const n = result.plants.length;
    // Two standard errors of a proportion over n plants, plus a little for plants the sim sees twice.
    const margin = 2 * Math.sqrt((HIT * (1 - HIT)) / n) + 0.05;
    for (const name of ["a", "b", "c"]) expect(Math.abs(variant(result, name).recall! - HIT)).toBeLessThan(margin);
    const single = variant(result, "ladder");
    const voted = variant(result, "ladder+consensus");
    // 2 of 3 agreeing: P(Binomial(3, p) >= 2) = 3p²(1-p) + p³.
    const implied = 3 * HIT ** 2 * (1 - HIT) + HIT ** 3;
    expect(voted.recall!).toBeGreaterThan(implied - margin);
    // The accept gate already refuses some noise a single model makes (junk answers), so the margin is 0.15.
    expect(voted.precision!).toBeGreaterThan(single.precision! + 0.15);
    expect(voted.noise_per_kloc!).toBeLessThan(single.noise_per_kloc!);
    expect(voted.details.consensus).toEqual({ rungs: ["a", "b", "c"], samples: 1, min_agree: 2 });
    // Three answers per shard cost about three times one.
    expect(voted.tokens).toBeGreaterThan(2 * single.tokens);
  });

  test("[verify] with a verifier of real defects: precision rises, recall holds, and the verifier's cost is in the cost per true positive", async () => {
    const result = await bench(`${rung("loud", "noisy-loud")}${rung("check", "verifier")}[verify]\nrung = "check"\nmax_per_file = 50\n`);
    const plain = variant(result, "ladder");
    const verified = variant(result, "ladder+verify");
    if (process.env.BENCH_PRINT) console.log(JSON.stringify([plain, verified].map((v) => [v.variant, v.found, v.planted, v.recall, v.precision, v.noise_per_kloc, v.tokens, v.cost_per_tp])));
    expect(verified.precision!).toBeGreaterThan(plain.precision! + 0.2);
    // The detector sees every visible plant (hit rate 1), so any recall lost would be the verifier's doing: none is.
    expect(verified.recall!).toBe(plain.recall!);
    expect(verified.noise_per_kloc!).toBeLessThan(plain.noise_per_kloc!);
    // Verification is paid for: more tokens for the same plants.
    expect(verified.tokens).toBeGreaterThan(plain.tokens);
  });

  test("--repeat: a noisy model is unstable across runs, the blind one perfectly stable", async () => {
    const noisy = variant(await bench(rung("a", "noisy-a"), { repeat: 3 }), "a");
    expect(noisy.stability!).toBeLessThan(0.8);
    expect(noisy.details.repeat).toBe(3);
    const blind = variant(await bench(rung("blind", "blind"), { repeat: 2 }), "blind");
    expect(blind.stability).toBe(1);
    // The scratch trees (planted and control copies) are gone once a bench returns.
    expect(readdirSync(scratchParent)).toEqual([]);
  });

  test("the command stores bench_runs, lists them with --history, and leaves the user's tree and the scratch parent as they were", async () => {
    const before = readFileSync(join(dir, "src/tiers.ts"), "utf8");
    const listing = readdirSync(join(dir, "src")).sort();
    writeFileSync(join(dir, "routing.toml"), rung("a", "noisy-a"));
    let out = "";
    const io = { out: (t: string) => void (out += `${t}\n`), err: () => {}, errIsTty: false };
    const kbFile = testKb(join(dir, "bench.db"));
    const ctx = { cwd: dir, env: {}, io, json: false, quiet: true, kbFlag: kbFile, configFlag: join(dir, "routing.toml") };
    expect(await benchCommand(ctx, ["src"], { seed: "5", plants: "6", operators: "stub,swallow" })).toBe(0);
    expect(out).toContain("recall by operator");
    expect(readFileSync(join(dir, "src/tiers.ts"), "utf8")).toBe(before);
    expect(readdirSync(join(dir, "src")).sort()).toEqual(listing);
    const kb = new Kb(kbFile);
    const rows = kb.benchRuns.all();
    kb.close();
    expect(rows.map((r) => r.rung)).toEqual(["a"]);
    expect(rows[0]!.planted).toBe(6);
    expect(JSON.parse(rows[0]!.details_json!).recall_by_operator.stub.planted).toBeGreaterThan(0);
    out = "";
    expect(await benchCommand(ctx, [], { history: true })).toBe(0);
    expect(out).toContain("noise/kloc");
    expect(out.split("\n").filter((l) => /^\s*1\s/.test(l))).toHaveLength(1);
  });
});
