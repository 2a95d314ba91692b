/**
 * Benchmark: the orchestrator's CPU a shard as the calls' latency grows, against the same HTTP calls with no
 * orchestrator. Answers one question of docs/PERFORMANCE.md: does CPU grow with the time spent waiting, or with the
 * shards that wait?
 *
 *   bun scripts/bench-cpu.ts [--files N] [--latencies 0,100,1000] [--warm-ups 1]
 *
 * First warm-up sweeps of the whole tree at L = 0 (start-up and the JIT's first passes are not in the rows; the JIT
 * still compiles in the next sweep, about 0.4 ms a shard after one warm-up of 1,000 files, 0.15 after three). Then for
 * each latency L: a sweep of N one-shard files at C = 16 against the simulated server (its own process); CPU of the whole process and of its main thread (/proc/self/task/PID/stat), a shard. Then the bare loop: 16
 * workers sending the same kind of request with `fetch` for 5 s, CPU a call.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Kb } from "../kb/kb";
import { defaultConfig, type RungConfig } from "../pipeline/config/config";
import { makeProvider } from "../pipeline/providers/make-provider";
import { runIteration } from "../pipeline/run/iteration";
import { startSimProcess } from "./sim/own-process";
import { asLaunched } from "./as-launched";

asLaunched();

const { values } = parseArgs({ options: { files: { type: "string", default: "1000" }, latencies: { type: "string", default: "0,100,1000" }, "warm-ups": { type: "string", default: "1" } } });
const FILES = Number(values.files);
const C = 16;

function source(i: number): string {
  return `export function f${i}(input: number[]): number {\n  let total = 0;\n  for (const value of input) {\n    if (value > ${i % 5}) total += value * ${i % 7};\n  }\n  // TODO: handle the negative case\n  return total;\n}\n`;
}

/** Milliseconds of CPU the main thread (the JavaScript thread, whose id is the process id) has used. */
function mainThreadCpuMs(): number {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // utime and stime, in clock ticks of 10 ms.
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function sweepCpu(root: string, url: string, count: number): Promise<{ wallS: number; perShard: number; mainPerShard: number }> {
  const ladder: RungConfig[] = [{ ...defaultConfig().ladder[0]!, name: "local", provider: "ollama", model: "reviewer", servers: [url], concurrency: C, timeoutMs: 60_000, retries: 0, cloud: false, costInPerMtok: 0, costOutPerMtok: 0 }];
  const kb = new Kb(join(root, `kb-${Math.random().toString(36).slice(2)}.db`));
  const mainBefore = mainThreadCpuMs();
  const cpu = process.cpuUsage();
  const started = performance.now();
  await runIteration({
    config: { ...defaultConfig(), ladder }, kb, cwd: root, inputs: ["src"], label: null, offline: false, noCache: true,
    signal: new AbortController().signal, providerFor: (r) => makeProvider(r, {}), gitCommit: () => null,
  });
  const wallS = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  kb.close();
  return { wallS, perShard: (used.user + used.system) / 1000 / count, mainPerShard: (mainThreadCpuMs() - mainBefore) / count };
}

async function bareCpu(url: string): Promise<{ calls: number; perCall: number }> {
  const body = JSON.stringify({ model: "reviewer", messages: [{ role: "user", content: `File: src/a.ts\n\`\`\`ts\n${source(1)}\`\`\`` }], stream: false, format: "json" });
  const cpu = process.cpuUsage();
  const started = performance.now();
  let calls = 0;
  await Promise.all(
    Array.from({ length: C }, async () => {
      while (performance.now() - started < 5000) {
        const res = await fetch(`${url}/api/chat`, { method: "POST", body, headers: { "content-type": "application/json" } });
        await res.text();
        calls++;
      }
    }),
  );
  const used = process.cpuUsage(cpu);
  return { calls, perCall: (used.user + used.system) / 1000 / calls };
}

const root = mkdtempSync(join(tmpdir(), "scrum-bench-cpu-"));
mkdirSync(join(root, "src"));
for (let i = 0; i < FILES; i++) writeFileSync(join(root, "src", `f${String(i).padStart(5, "0")}.ts`), source(i));
console.log(`${FILES} one-shard files, C = ${C}; CPU ms a shard (whole process / main thread) and the bare fetch loop's CPU ms a call\n`);
console.log("| L ms | wall s | CPU ms/shard | main thread ms/shard | bare fetch: calls in 5 s | bare fetch CPU ms/call |");
console.log("| ---: | ---: | ---: | ---: | ---: | ---: |");
try {
  const warm = await startSimProcess({ behaviours: { reviewer: "good" }, latencyMs: 0 });
  try {
    for (let i = 0; i < Number(values["warm-ups"]); i++) await sweepCpu(root, warm.ollamaHost, FILES);
  } finally {
    await warm.stop();
  }
  for (const latency of values.latencies.split(",").map(Number)) {
    const sim = await startSimProcess({ behaviours: { reviewer: "good" }, latencyMs: latency });
    try {
      const r = await sweepCpu(root, sim.ollamaHost, FILES);
      const bare = await bareCpu(sim.ollamaHost);
      console.log(`| ${latency} | ${r.wallS.toFixed(2)} | ${r.perShard.toFixed(2)} | ${r.mainPerShard.toFixed(2)} | ${bare.calls} | ${bare.perCall.toFixed(3)} |`);
    } finally {
      await sim.stop();
    }
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
