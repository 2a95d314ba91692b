/**
 * Benchmark: a whole iteration against the simulated model server, at several rung concurrencies.
 * Reports wall time, shards per second and the speed-up over concurrency 1 measured in the same run.
 *
 *   bun scripts/bench-run.ts [--latency MS] [--target DIR ...]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { Kb } from "../kb/kb";
import { defaultConfig, type RungConfig } from "../pipeline/config/config";
import { runIteration } from "../pipeline/run/iteration";
import { makeProvider } from "../pipeline/providers/make-provider";
import { startSimServer } from "./sim-server";

const { values } = parseArgs({ options: { latency: { type: "string", default: "200" }, target: { type: "string", multiple: true } } });
const latencyMs = Number(values.latency);
const root = resolve(import.meta.dir, "..");
const targets = values.target ?? ["pipeline", "examples/demo-repo"];
const sim = await startSimServer({ behaviours: { reviewer: "good" }, latencyMs });
const dir = mkdtempSync(join(tmpdir(), "scrum-bench-"));

const rows: Array<{ concurrency: number; files: number; shards: number; wallMs: number }> = [];
try {
  for (const concurrency of [1, 4, 8, 16]) {
    const rung: RungConfig = {
      name: "local", provider: "ollama", model: "reviewer", servers: [sim.ollamaHost], concurrency, timeoutMs: 30_000, retries: 0,
      structured: true, cloud: false, costInPerMtok: 0, costOutPerMtok: 0,
    };
    const kb = new Kb(join(dir, `c${concurrency}.db`));
    const started = performance.now();
    const s = await runIteration({
      config: { ...defaultConfig(), ladder: [rung] }, kb, cwd: root, inputs: targets, label: `c${concurrency}`, offline: false,
      concurrency: 64, signal: new AbortController().signal, providerFor: (r) => makeProvider(r), gitCommit: () => null,
    });
    rows.push({ concurrency, files: s.files.total, shards: Number(s.metrics.shards_total), wallMs: performance.now() - started });
    kb.close();
  }
} finally {
  await sim.stop();
  rmSync(dir, { recursive: true, force: true });
}

const base = rows[0]!;
console.log(`targets: ${targets.join(", ")}; simulated latency ${latencyMs} ms per call; ${base.files} files, ${base.shards} shards\n`);
console.log("| rung concurrency | wall s | shards/s | speed-up vs 1 | ideal |");
console.log("| ---: | ---: | ---: | ---: | ---: |");
for (const r of rows) {
  const ideal = Math.min(r.concurrency, r.shards);
  console.log(`| ${r.concurrency} | ${(r.wallMs / 1000).toFixed(2)} | ${(r.shards / (r.wallMs / 1000)).toFixed(1)} | ${(base.wallMs / r.wallMs).toFixed(2)}× | ${ideal}× |`);
}
