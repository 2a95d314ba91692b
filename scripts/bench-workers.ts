/**
 * Benchmark: workers sharing one iteration (`scrum run --workers --iteration-group`). The same tree of one-shard files
 * is swept by 1, 2 and 4 worker processes (fresh `bin/scrum` processes, startup included) on one KB, against the
 * simulated server in a process of its own with more capacity than the workers use (latency L per call, no limit
 * on calls in flight). Throughput is files a second from the first worker's start to the last one's exit; the
 * scaling ratio is against one worker in the same run.
 *
 *   bun scripts/bench-workers.ts [--kb postgres://…] [--files 400] [--latency 50] [--concurrency 4] [--workers 1,2,4]
 *
 * Without --kb each case gets a new SQLite file; with a PostgreSQL URL each case gets a schema of its own in it.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { Kb } from "../kb/kb";
import { isPostgresLocation, showLocation } from "../kb/engine";
import { startSimProcess } from "./sim/own-process";

const { values } = parseArgs({
  options: {
    kb: { type: "string" }, files: { type: "string", default: "400" }, latency: { type: "string", default: "50" },
    concurrency: { type: "string", default: "4" }, workers: { type: "string", default: "1,2,4" },
  },
});
const FILES = Number(values.files);
const LATENCY = Number(values.latency);
const C = Number(values.concurrency);
const COUNTS = values.workers!.split(",").map(Number);
const repo = resolve(import.meta.dir, "..");

const dir = mkdtempSync(join(tmpdir(), "scrum-bench-workers-"));
mkdirSync(join(dir, "src"));
for (let i = 0; i < FILES; i++) writeFileSync(join(dir, "src", `mod${i}.py`), `def handler_${i}(event):\n    return {"ok": True, "id": ${i}}\n`);
const sim = await startSimProcess({ behaviours: { reviewer: "good" }, latencyMs: LATENCY });
mkdirSync(join(dir, ".scrum"));
writeFileSync(
  join(dir, ".scrum/routing.toml"),
  `[[ladder]]\nname = "local"\nprovider = "ollama"\nmodel = "reviewer"\nhost = "${sim.ollamaHost}"\nconcurrency = ${C}\nretries = 0\ntimeout_s = 60\n`,
);

function location(name: string): string {
  if (!values.kb) return join(dir, `${name}.db`);
  if (!isPostgresLocation(values.kb)) throw new Error("--kb must be a postgres:// URL (without it, SQLite files are used)");
  return `${values.kb}${values.kb.includes("?") ? "&" : "?"}schema=bench_workers_${name}_${process.pid}`;
}

async function sweep(workers: number): Promise<{ wallS: number; reviewed: number; byWorker: number[] }> {
  const kb = location(`w${workers}`);
  const started = performance.now();
  const children = Array.from({ length: workers }, () =>
    Bun.spawn([join(repo, "bin/scrum"), "run", "src", "--no-cache", "--workers", "--iteration-group", "bench", "--quiet", "--json"], {
      cwd: dir, stdout: "pipe", stderr: "pipe", env: { ...process.env, SCRUM_KB: kb, SCRUM_CONFIG: "" },
    }),
  );
  const codes = await Promise.all(children.map(async (c) => ({ code: await c.exited, err: await new Response(c.stderr).text() })));
  const wallS = (performance.now() - started) / 1000;
  for (const c of codes) if (c.code !== 0) throw new Error(`a worker exited ${c.code}: ${c.err}`);
  const k = new Kb(kb);
  try {
    const queue = k.queue.rows(1);
    const per = new Map<string, number>();
    for (const q of queue) per.set(q.worker ?? "-", (per.get(q.worker ?? "-") ?? 0) + 1);
    return { wallS, reviewed: k.reviews.inIteration(1).length, byWorker: [...per.values()].sort((a, b) => b - a) };
  } finally {
    k.close();
  }
}

console.log(`${showLocation(values.kb ?? "SQLite files")}: ${FILES} one-shard files, simulated server L = ${LATENCY} ms, ${C} calls in flight per worker`);
console.log("| workers | wall s | files/s | vs 1 worker | files per worker |");
console.log("| ---: | ---: | ---: | ---: | --- |");
let base: number | undefined;
try {
  for (const n of COUNTS) {
    const r = await sweep(n);
    if (r.reviewed !== FILES) throw new Error(`${n} workers stored ${r.reviewed} of ${FILES} files`);
    const rate = FILES / r.wallS;
    base ??= rate;
    console.log(`| ${n} | ${r.wallS.toFixed(2)} | ${rate.toFixed(1)} | ${(rate / base).toFixed(2)} | ${r.byWorker.join(", ")} |`);
  }
} finally {
  await sim.stop();
  rmSync(dir, { recursive: true, force: true });
}
