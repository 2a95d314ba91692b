/**
 * Benchmark: whole iterations against the simulated model server with the CLI's default flags (no --concurrency,
 * default [sweep] max_inflight_chars), measuring how busy the scheduler keeps the servers. All ratios come from one run.
 *
 *   bun scripts/bench-run.ts [--latency MS] [--shards N]      # utilisation, two-rung, fleet, CPU
 *   bun scripts/bench-run.ts --scale [--files N]              # peak RSS of an N-file sweep; plan + shard of a 1M-line tree
 *
 * Utilisation = (⌈shards / C⌉ · L) ÷ wall: 1.0 means the servers never waited for the orchestrator. "vs bare HTTP" puts
 * the measured round trip of the same request with no orchestrator (same run, same server, same C) in place of L.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Kb } from "../kb/kb";
import { defaultConfig, type Config, type RungConfig } from "../pipeline/config/config";
import { makeProvider } from "../pipeline/providers/make-provider";
import type { FetchLike } from "../pipeline/providers/fleet";
import { runIteration } from "../pipeline/run/iteration";
import { planIteration } from "../pipeline/run/plan";
import { shardFile } from "../pipeline/shard/shard";
import { readTarget } from "../pipeline/targets/targets";
import type { Behaviour } from "./sim-server";
import { startSimProcess } from "./sim/own-process";
import { asLaunched } from "./as-launched";

asLaunched();

const { values } = parseArgs({
  options: { latency: { type: "string", default: "50" }, shards: { type: "string", default: "2000" }, scale: { type: "boolean", default: false }, files: { type: "string", default: "20000" } },
});
const L = Number(values.latency);
const SHARDS = Number(values.shards);

/** A small TypeScript file of `fns` functions: one shard below the threshold, `fns` × ~300 chars above it. */
function source(i: number, fns: number): string {
  return Array.from({ length: fns }, (_, f) => `export function f${i}_${f}(input: number[]): number {\n  let total = 0;\n  for (const value of input) {\n    if (value > ${f}) total += value * ${i % 7};\n  }\n  // TODO: handle the negative case\n  return total;\n}\n`).join("\n");
}

/** A tree of `count` files; `big` of them hold 20 shards each (max_shard_chars is lowered to make that so). */
function makeTree(count: number, big = 0): string {
  const dir = mkdtempSync(join(tmpdir(), "scrum-bench-tree-"));
  mkdirSync(join(dir, "src"));
  for (let i = 0; i < count; i++) writeFileSync(join(dir, "src", `f${String(i).padStart(5, "0")}.ts`), source(i, i < big ? 60 : 2));
  return dir;
}

/**
 * A fetch that tracks calls in flight per server: peak per server, peak in total, and when each server's last call ended.
 * A call ends when its response arrives: the simulated server sends a small body with its headers, so the answer is
 * there then. The response is handed on as it is: copying its body here (as an earlier version did) was the bench's
 * own CPU, counted as the orchestrator's.
 */
function tracker() {
  const inFlight = new Map<string, number>();
  const peak = new Map<string, number>();
  const lastEnd = new Map<string, number>();
  const origins = new Map<string, string>();
  let total = 0;
  let peakTotal = 0;
  let first: { url: string; body: string } | null = null;
  const fetch: FetchLike = async (input, init) => {
    const href = String(input instanceof Request ? input.url : input);
    let server = origins.get(href);
    if (server === undefined) origins.set(href, (server = new URL(href).origin));
    if (!first && href.endsWith("/api/chat") && typeof init?.body === "string") first = { url: href, body: init.body };
    inFlight.set(server, (inFlight.get(server) ?? 0) + 1);
    peak.set(server, Math.max(peak.get(server) ?? 0, inFlight.get(server)!));
    peakTotal = Math.max(peakTotal, ++total);
    try {
      return await globalThis.fetch(input, init);
    } finally {
      inFlight.set(server, inFlight.get(server)! - 1);
      total--;
      lastEnd.set(server, performance.now());
    }
  };
  return { fetch, peak, lastEnd, peakTotal: () => peakTotal, first: () => first };
}

/**
 * The bare HTTP round trip at concurrency C: the sweep's first chat request, replayed byte for byte by C workers
 * (raw fetch, body read as JSON), `rounds` calls each. What a call costs with no orchestrator at all: L plus HTTP and
 * the server's own work, which no scheduler can remove. Milliseconds per round.
 */
async function bareRoundMs(request: { url: string; body: string }, C: number, rounds = 20): Promise<number> {
  const started = performance.now();
  await Promise.all(
    Array.from({ length: C }, async () => {
      for (let i = 0; i < rounds; i++) {
        const res = await globalThis.fetch(request.url, { method: "POST", headers: { "content-type": "application/json" }, body: request.body });
        // A refused replay would be fast and make the baseline a lie.
        if (!res.ok) throw new Error(`bare replay got HTTP ${res.status}: ${await res.text()}`);
        await res.json();
      }
    }),
  );
  return (performance.now() - started) / rounds;
}

function rung(name: string, model: string, servers: string[], concurrency: number): RungConfig {
  return { name, provider: "ollama", model, servers, concurrency, timeoutMs: 60_000, retries: 0, structured: true, cloud: false, costInPerMtok: 0, costOutPerMtok: 0 };
}

async function sweep(root: string, ladder: RungConfig[], fetch: FetchLike, config: Partial<Config> = {}) {
  const kb = new Kb(join(root, `kb-${Math.random().toString(36).slice(2)}.db`));
  const cpu = process.cpuUsage();
  const started = performance.now();
  const s = await runIteration({
    config: { ...defaultConfig(), ...config, ladder }, kb, cwd: root, inputs: ["src"], label: null, offline: false, noCache: true,
    signal: new AbortController().signal, providerFor: (r) => makeProvider(r, { fetch }), gitCommit: () => null,
  });
  const wall = performance.now() - started;
  const used = process.cpuUsage(cpu);
  kb.close();
  return { started, wall, cpuMs: (used.user + used.system) / 1000, shards: Number(s.metrics.shards_total), files: s.files.total };
}

/** Milliseconds of CPU to shard every file of the tree once (excluded from the orchestrator's per-shard CPU). */
async function shardingCpuMs(root: string, config: Config): Promise<number> {
  const plan = planIteration({ kb: new Kb(":memory:"), config, cwd: root, root, inputs: ["src"] });
  const cpu = process.cpuUsage();
  for (const abs of plan.files) {
    const t = readTarget(abs, root, config.sweep.maxFileBytes);
    if (t.kind === "source") await shardFile(t.path, t.text, { thresholdChars: config.sweep.shardThresholdChars, maxShardChars: config.sweep.maxShardChars });
  }
  const used = process.cpuUsage(cpu);
  return (used.user + used.system) / 1000;
}

async function throughput(): Promise<void> {
  const sim = await startSimProcess({ behaviours: { reviewer: "good" }, latencyMs: L });
  const rows: string[] = [];
  let startup = "";
  const tree = makeTree(SHARDS);
  const mixTree = makeTree(Math.round(SHARDS / 2) , Math.round(SHARDS / 2 / 21));
  const mixConfig: Partial<Config> = { sweep: { ...defaultConfig().sweep, shardThresholdChars: 600, maxShardChars: 600 } };
  try {
    // The process's one-time start (Ajv compilation, grammar loading, first SQL statements) is paid by a sweep of a few
    // files first and reported on its own line, so the rows' CPU per shard is what every further shard costs.
    const warmTree = makeTree(20);
    const warm = await sweep(warmTree, [rung("local", "reviewer", [sim.ollamaHost], 16)], tracker().fetch);
    startup = `one-time start-up (the first sweep, ${warm.shards} shards): ${warm.cpuMs.toFixed(0)} ms CPU`;
    rmSync(warmTree, { recursive: true, force: true });
    for (const [label, root, C, cfg] of [["1-shard files", tree, 4, {}], ["1-shard files", tree, 16, {}], ["1-shard files", tree, 64, {}], ["mix of 1- and 20-shard files", mixTree, 16, mixConfig]] as const) {
      const t = tracker();
      const r = await sweep(root, [rung("local", "reviewer", [sim.ollamaHost], C)], t.fetch, cfg);
      const ideal = Math.ceil(r.shards / C) * L;
      const bare = Math.ceil(r.shards / C) * (await bareRoundMs(t.first()!, C));
      const shardCpu = await shardingCpuMs(root, { ...defaultConfig(), ...cfg });
      // The sim runs in its own process: cpuMs is the orchestrator's alone (HTTP client included).
      const perShard = (r.cpuMs - shardCpu) / r.shards;
      rows.push(`| ${label} | ${r.files} | ${r.shards} | ${C} | ${t.peakTotal()} | ${(r.wall / 1000).toFixed(2)} | ${(ideal / 1000).toFixed(2)} | **${(ideal / r.wall).toFixed(3)}** | ${(bare / 1000).toFixed(2)} | ${(bare / r.wall).toFixed(3)} | ${perShard.toFixed(2)} |`);
    }
  } finally {
    await sim.stop();
  }
  console.log(`simulated latency L = ${L} ms per call; default flags; orchestrator CPU per shard excludes sharding and the server (a separate process), includes the HTTP client; ${startup}, not in the rows\n`);
  console.log("| files | count | shards | C | peak in flight | wall s | ideal s | utilisation | bare HTTP s | vs bare HTTP | CPU ms/shard |");
  console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const r of rows) console.log(r);

  // Two rungs: one shard in four is answered thin by the fast rung and climbs to a rung 10× slower.
  const fastShards = SHARDS;
  const script: Behaviour[] = Array.from({ length: fastShards + 1 }, (_, i) => (i % 4 === 3 ? "thin" : "good"));
  const fast = await startSimProcess({ behaviours: { fast: script }, latencyMs: L });
  const slow = await startSimProcess({ behaviours: { slow: "good" }, latencyMs: 10 * L });
  try {
    const t = tracker();
    const C = 16;
    const r = await sweep(tree, [rung("fast", "fast", [fast.ollamaHost], C), rung("slow", "slow", [slow.ollamaHost], C)], t.fetch);
    const fastEnd = t.lastEnd.get(new URL(fast.ollamaHost).origin)! - r.started;
    const ideal = Math.ceil(r.shards / C) * L;
    console.log(`\ntwo rungs, C = ${C} each, slow rung ${10 * L} ms, one shard in four climbs: ${r.shards} shards, wall ${(r.wall / 1000).toFixed(2)} s; fast rung done at ${(fastEnd / 1000).toFixed(2)} s vs ideal ${(ideal / 1000).toFixed(2)} s: fast-rung utilisation **${(ideal / fastEnd).toFixed(3)}**`);
  } finally {
    await Promise.all([fast.stop(), slow.stop()]);
  }

  // A fleet of 4 servers, concurrency 2 each.
  const fleet = await Promise.all(Array.from({ length: 4 }, () => startSimProcess({ behaviours: { reviewer: "good" }, latencyMs: L })));
  try {
    const t = tracker();
    const small = makeTree(400);
    const r = await sweep(small, [rung("fleet", "reviewer", fleet.map((s) => s.ollamaHost), 2)], t.fetch);
    const peaks = fleet.map((s) => t.peak.get(new URL(s.ollamaHost).origin) ?? 0);
    const ideal = Math.ceil(r.shards / 8) * L;
    console.log(`\nfleet of 4 servers × concurrency 2: peak in flight per server ${peaks.join(", ")}; total peak ${t.peakTotal()}; utilisation ${(ideal / r.wall).toFixed(3)} over ${r.shards} shards`);
    rmSync(small, { recursive: true, force: true });
  } finally {
    await Promise.all(fleet.map((s) => s.stop()));
  }
  rmSync(tree, { recursive: true, force: true });
  rmSync(mixTree, { recursive: true, force: true });
}

async function scale(): Promise<void> {
  const files = Number(values.files);
  const sim = await startSimProcess({ behaviours: { reviewer: "good" }, latencyMs: 0 });
  const tree = makeTree(files);
  try {
    const r = await sweep(tree, [rung("local", "reviewer", [sim.ollamaHost], 16)], tracker().fetch);
    console.log(`${r.files} files, ${r.shards} shards in ${(r.wall / 1000).toFixed(1)} s; peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
  } finally {
    await sim.stop();
    rmSync(tree, { recursive: true, force: true });
  }
  // A 1-million-line tree: 15,000 files of ~67 lines, planned and sharded (no model).
  const big = mkdtempSync(join(tmpdir(), "scrum-bench-lines-"));
  mkdirSync(join(big, "src"));
  let lines = 0;
  for (let i = 0; i < 15_000; i++) {
    const text = source(i, 8).split("\n").slice(0, 67).join("\n") + "\n";
    lines += 67;
    writeFileSync(join(big, "src", `f${String(i).padStart(5, "0")}.ts`), text);
  }
  const started = performance.now();
  const config = defaultConfig();
  const plan = planIteration({ kb: new Kb(":memory:"), config, cwd: big, root: big, inputs: ["src"] });
  let shards = 0;
  for (const abs of plan.files) {
    const t = readTarget(abs, big, config.sweep.maxFileBytes);
    if (t.kind === "source") shards += (await shardFile(t.path, t.text, { thresholdChars: config.sweep.shardThresholdChars, maxShardChars: config.sweep.maxShardChars })).shards.length;
  }
  console.log(`${plan.files.length} files, ${lines} lines planned and sharded (${shards} shards) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  rmSync(big, { recursive: true, force: true });
}

await (values.scale ? scale() : throughput());
