/**
 * Benchmark: cold start of the CLI. Runs `bin/scrum --help`, `bin/scrum --version` and a Bun "hello world" as fresh
 * processes, interleaved, and reports medians and the ratio to hello world measured in the same run.
 *
 *   bun scripts/bench-cli.ts [--runs N]
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { runs: { type: "string", default: "21" } } });
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 3) throw new TypeError(`Expected --runs to be a whole number from 3 up, got ${values.runs}`);
const root = resolve(import.meta.dir, "..");
const bun = join(root, "node_modules/.bin/bun");
const dir = mkdtempSync(join(tmpdir(), "scrum-bench-cli-"));
const hello = join(dir, "hello.ts");
writeFileSync(hello, 'console.log("hello world");\n');

const cases: Record<string, string[]> = {
  "bun hello world": [bun, hello],
  "scrum --help": [join(root, "bin/scrum"), "--help"],
  "scrum --version": [join(root, "bin/scrum"), "--version"],
};
const times: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
try {
  // One warm-up each (file cache), then interleaved runs so machine noise hits every case alike.
  for (const argv of Object.values(cases)) Bun.spawnSync(argv, { stdout: "ignore", stderr: "ignore" });
  for (let i = 0; i < runs; i++) {
    for (const [name, argv] of Object.entries(cases)) {
      const started = performance.now();
      const r = Bun.spawnSync(argv, { stdout: "ignore", stderr: "pipe" });
      if (r.exitCode !== 0) throw new Error(`${name} exited ${r.exitCode}: ${r.stderr.toString()}`);
      times[name]!.push(performance.now() - started);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const base = median(times["bun hello world"]!);
console.log(`${runs} runs each, interleaved; median wall time of a fresh process\n`);
console.log("| command | median ms | × bun hello world |");
console.log("| --- | ---: | ---: |");
for (const [name, xs] of Object.entries(times)) console.log(`| ${name} | ${median(xs).toFixed(1)} | ${(median(xs) / base).toFixed(2)}× |`);
