/**
 * The input fuzz (docs/RELIABILITY.md): mutated routing.toml files and argument lists over every command, each run
 * through the CLI in a worker with a time bound, classified as a stack trace, a hang, a crash, an exit code outside
 * 0-3, a failure with no message, or a refused run (exit 2) that changed the KB.
 *
 *   bun scripts/fuzz.ts [--configs 2000] [--args 2000] [--seed 1] [--workers 2] [--bound-ms 20000] [--failures FILE.json]
 *   bun scripts/fuzz.ts --corpus tests/fixtures/fuzz/corpus.jsonl
 *
 * Exit 0 when no case fails, 1 otherwise; the failing cases (their TOML and argv) go to --failures for the corpus.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { argCases, configCases, type FuzzCase } from "./fuzz/generate";
import { runPool } from "./fuzz/pool";
import type { CaseResult, Failure } from "./fuzz/run-case";
import { makeSandbox } from "./fuzz/sandbox";

export interface FuzzSummary {
  seed: number;
  configs: number;
  args: number;
  wall_s: number;
  exit_codes: Record<string, number>;
  failures: Record<Failure, number>;
  slowest_ms: number;
}

/** Read a corpus of once-failing inputs: one JSON case a line. */
export function readCorpus(file: string): FuzzCase[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as FuzzCase);
}

/** Run the cases and count what happened. */
export async function fuzz(cases: FuzzCase[], options: { seed: number; workers: number; boundMs: number; onResult?: (r: CaseResult) => void }): Promise<{ summary: FuzzSummary; results: CaseResult[] }> {
  const started = performance.now();
  const sandbox = await makeSandbox();
  try {
    const results = await runPool(cases, { sandbox, workers: options.workers, boundMs: options.boundMs, ...(options.onResult ? { onResult: options.onResult } : {}) });
    const failures: Record<Failure, number> = { stack_trace: 0, hang: 0, crash: 0, bad_exit: 0, silent: 0, kb_changed: 0, kb_destroyed: 0, wrong_exit: 0 };
    const exitCodes: Record<string, number> = {};
    for (const r of results) {
      if (r.failure) failures[r.failure]++;
      exitCodes[String(r.code)] = (exitCodes[String(r.code)] ?? 0) + 1;
    }
    return {
      summary: {
        seed: options.seed,
        configs: cases.filter((c) => c.kind === "config").length,
        args: cases.filter((c) => c.kind === "args").length,
        wall_s: Math.round((performance.now() - started) / 100) / 10,
        exit_codes: exitCodes,
        failures,
        slowest_ms: Math.max(0, ...results.filter((r) => r.failure !== "hang").map((r) => r.ms)),
      },
      results,
    };
  } finally {
    rmSync(sandbox.dir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      configs: { type: "string", default: "2000" },
      args: { type: "string", default: "2000" },
      seed: { type: "string", default: "1" },
      workers: { type: "string", default: "2" },
      "bound-ms": { type: "string", default: "20000" },
      failures: { type: "string" },
      corpus: { type: "string" },
    },
  });
  const seed = Number(values.seed);
  const cases = values.corpus ? readCorpus(values.corpus) : [...configCases(seed, Number(values.configs)), ...argCases(seed, Number(values.args))];
  let done = 0;
  const { summary, results } = await fuzz(cases, {
    seed,
    workers: Number(values.workers),
    boundMs: Number(values["bound-ms"]),
    onResult: (r) => {
      done++;
      if (r.failure) process.stderr.write(`\n${r.failure}: ${r.id} (exit ${r.code})\n${r.stderr.split("\n").slice(0, 6).join("\n")}\n`);
      if (done % 200 === 0) process.stderr.write(`${done}/${cases.length}\n`);
    },
  });
  const failing = results.filter((r) => r.failure);
  if (values.failures) {
    const byId = new Map(cases.map((c) => [c.id, c]));
    writeFileSync(values.failures, failing.map((r) => JSON.stringify({ ...byId.get(r.id), failure: r.failure, stderr: r.stderr })).join("\n") + "\n");
  }
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  process.exit(failing.length === 0 ? 0 : 1);
}
