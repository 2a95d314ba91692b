/**
 * The input fuzz (scripts/fuzz.ts) inside npm test: a seeded slice of configs and argument lists, and the corpus of
 * inputs that once failed (tests/fixtures/fuzz/corpus.jsonl), each ending with the exit code its fix promises.
 * The full run (2,000 + 2,000) is `bun scripts/fuzz.ts`; docs/RELIABILITY.md has its numbers.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { resolve } from "node:path";
import { rmSync } from "node:fs";
import { fuzz, readCorpus } from "../../scripts/fuzz";
import { argCases, configCases } from "../../scripts/fuzz/generate";
import { runPool } from "../../scripts/fuzz/pool";
import { makeSandbox, type Sandbox } from "../../scripts/fuzz/sandbox";

const CORPUS = resolve(import.meta.dir, "../fixtures/fuzz/corpus.jsonl");
const failuresOf = (results: Array<{ id: string; failure: string | null; stderr: string }>) => results.filter((r) => r.failure).map((r) => `${r.id}: ${r.failure}\n${r.stderr}`);

describe("input fuzz", () => {
  test("the corpus of once-failing inputs: every case ends with its promised exit code, no trace, no hang, the KB intact", async () => {
    const cases = readCorpus(CORPUS);
    expect(cases.length).toBeGreaterThanOrEqual(30);
    const { results } = await fuzz(cases, { seed: 0, workers: 2, boundMs: 20_000 });
    expect(failuresOf(results)).toEqual([]);
  }, 120_000);

  test("a seeded slice: 150 configs and 150 argument lists, 0 failures", async () => {
    const { summary, results } = await fuzz([...configCases(7, 150), ...argCases(7, 150)], { seed: 7, workers: 2, boundMs: 20_000 });
    expect(failuresOf(results)).toEqual([]);
    // The slice reaches past validation: some runs finish, some are refused.
    expect(summary.exit_codes["0"]).toBeGreaterThan(20);
    expect(summary.exit_codes["2"]).toBeGreaterThan(20);
  }, 120_000);
});

describe("the harness sees what it must", () => {
  let sandbox: Sandbox;
  beforeAll(async () => void (sandbox = await makeSandbox()));
  afterAll(() => rmSync(sandbox.dir, { recursive: true, force: true }));

  test("a case past the bound is a hang, and the cases after it still run", async () => {
    const slow = { kind: "config" as const, id: "slow", toml: `[[ladder]]\nname = "static"\nprovider = "static"\n\n[[probe]]\nname = "slow"\npattern = "(x+x+)+y"\ninclude = ["fx/**"]\ntimeout_s = 20\n`, argv: ["run", "--offline", "src"] };
    const fine = { kind: "args" as const, id: "fine", argv: ["history"] };
    const results = await runPool([slow, fine], { sandbox, workers: 1, boundMs: 1500 });
    expect(results.map((r) => [r.id, r.failure])).toEqual([["slow", "hang"], ["fine", null]]);
  }, 60_000);
});
