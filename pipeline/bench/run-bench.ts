/**
 * One bench: plant defects in a scratch copy of the targets (or take a labelled set), review planted and control
 * files with each variant (every rung alone, the whole ladder, the ladder with consensus), score, remove the copy.
 * Reviews go through runIteration into a throwaway KB and are read back through Kb methods only.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { Kb } from "../../kb/kb";
import { STATIC_RUNG, type Config, type ConsensusConfig, type RungConfig, type VerifyConfig } from "../config/config";
import { UsageError } from "../../domain/errors";
import type { Provider } from "../providers/provider";
import { runIteration, type RunEvent } from "../run/iteration";
import { splitLines } from "../shard/lines";
import { languageOf } from "../shard/shard";
import { collectTargets, readTarget } from "../targets/targets";
import { combinePasses, scorePass, type PassNumbers, type RunRows, type Target, type VariantResult } from "./measure";
import type { Operator } from "./operators";
import { plantDefects, type BenchFile, type Plant } from "./plant";

export interface BenchOptions {
  config: Config;
  cwd: string;
  inputs: string[];
  /** Bench the static rung only. */
  offline: boolean;
  seed: number;
  plants: number;
  operators: readonly Operator[];
  repeat: number;
  /** Lines a finding may be off from a plant and still find it. */
  tolerance: number;
  concurrency: number;
  /** External labelled set: measured on the files as they are, no plants and no controls. */
  labels?: Target[];
  providerFor: (rung: RungConfig) => Provider;
  signal: AbortSignal;
  /** Where the scratch tree goes (default: the OS temp folder). */
  scratchParent?: string;
  onProgress?: (message: string) => void;
  onEvent?: (event: RunEvent) => void;
}

export interface BenchResult {
  seed: number;
  files: number;
  lines: number;
  plants: Plant[];
  labels: number;
  variants: VariantResult[];
}

interface Variant {
  name: string;
  rungs: RungConfig[];
  consensus?: ConsensusConfig;
  verify?: VerifyConfig;
}

/**
 * The variants a bench compares: each rung alone, the whole ladder, the ladder with consensus and the ladder with
 * [verify] when configured (each compared with the plain ladder row, which is then always there).
 */
export function benchVariants(config: Config, offline: boolean): Variant[] {
  if (offline) return [{ name: STATIC_RUNG.name, rungs: [STATIC_RUNG] }];
  if (config.ladder.length === 0) throw new UsageError("no [[ladder]] rungs to bench; add rungs to routing.toml or run with --offline (static rung)");
  const variants: Variant[] = config.ladder.map((r) => ({ name: r.name, rungs: [r] }));
  if (config.ladder.length > 1 || config.consensus || config.verify) variants.push({ name: "ladder", rungs: config.ladder });
  if (config.consensus) variants.push({ name: "ladder+consensus", rungs: config.ladder, consensus: config.consensus });
  if (config.verify) variants.push({ name: "ladder+verify", rungs: config.ladder, verify: config.verify });
  return variants;
}

/** Run the bench. The user's files are only read; the scratch tree is removed whatever happens. */
export async function runBench(opts: BenchOptions): Promise<BenchResult> {
  const say = opts.onProgress ?? (() => {});
  const files = readBenchFiles(opts);
  const root = commonRoot(files.map((f) => f.abs));
  const bench: BenchFile[] = files.map((f) => ({ path: relative(root, f.abs).split("\\").join("/"), language: languageOf(f.abs), text: f.text }));
  let targets: Target[];
  let plants: Plant[] = [];
  let subjectFiles: BenchFile[];
  let planted = new Map<string, string>();
  if (opts.labels) {
    const known = new Set(bench.map((f) => f.path));
    const byCwd = new Map(files.map((f, i) => [relative(opts.cwd, f.abs).split("\\").join("/"), bench[i]!.path]));
    targets = opts.labels.map((t) => {
      const path = known.has(t.path) ? t.path : byCwd.get(t.path);
      if (!path) throw new UsageError(`label ${t.id} names ${t.path}, which is not among the bench targets; give the labelled files as PATHs`);
      return { ...t, path };
    });
    subjectFiles = bench.filter((f) => targets.some((t) => t.path === f.path));
  } else {
    const planting = await plantDefects(bench, { seed: opts.seed, count: opts.plants, operators: opts.operators, perFile: 3, spacing: opts.tolerance * 2 + 1 });
    plants = planting.plants;
    planted = planting.planted;
    if (plants.length === 0) throw new UsageError(`no defect could be planted in ${files.length} file(s): the operators (${opts.operators.join(", ")}) found no function, import or Markdown heading to work on`);
    targets = plants.map((p) => ({ id: p.id, path: p.path, operator: p.operator, line_start: p.line_start, line_end: p.line_end, categories: p.categories }));
    subjectFiles = bench.filter((f) => planted.has(f.path));
  }
  say(opts.labels ? `bench: ${targets.length} labels in ${subjectFiles.length} file(s)` : `bench: ${plants.length} defects planted in ${subjectFiles.length} of ${bench.length} file(s) (seed ${opts.seed})`);

  const scratch = mkdtempSync(join(opts.scratchParent ?? tmpdir(), "scrum-bench-"));
  const kb = new Kb(":memory:");
  try {
    const subjectDir = join(scratch, opts.labels ? "labelled" : "planted");
    const controlDir = join(scratch, "control");
    for (const f of subjectFiles) {
      write(subjectDir, f.path, planted.get(f.path) ?? f.text);
      if (!opts.labels) write(controlDir, f.path, f.text);
    }
    const paths = subjectFiles.map((f) => f.path);
    const variants: VariantResult[] = [];
    const controlLines = opts.labels ? null : subjectFiles.reduce((s, f) => s + splitLines(f.text).length, 0);
    for (const v of benchVariants(opts.config, opts.offline)) {
      const passes: PassNumbers[] = [];
      for (let k = 1; k <= opts.repeat; k++) {
        say(`bench: ${v.name}, run ${k} of ${opts.repeat}`);
        const subject = await review(kb, v, subjectDir, paths, `${v.name}/subject/${k}`, `${v.name}, ${opts.labels ? "labelled files" : "planted copy"}, run ${k}`, opts);
        const control = opts.labels ? undefined : await review(kb, v, controlDir, paths, `${v.name}/control/${k}`, `${v.name}, unplanted copy, run ${k}`, opts);
        passes.push(scorePass(targets, { subject, ...(control ? { control } : {}) }, opts.tolerance));
      }
      const consensus = v.consensus ? { rungs: v.consensus.rungs, samples: v.consensus.samples, min_agree: v.consensus.minAgree } : null;
      variants.push(combinePasses(v.name, { rungs: v.rungs.map((r) => r.name), consensus }, passes, controlLines));
    }
    return { seed: opts.seed, files: bench.length, lines: bench.reduce((s, f) => s + splitLines(f.text).length, 0), plants, labels: opts.labels?.length ?? 0, variants };
  } finally {
    kb.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** One review of the planted (or labelled) or the unplanted copy; its warnings say which (`pass`), as both passes may warn alike. */
async function review(kb: Kb, v: Variant, cwd: string, inputs: string[], label: string, pass: string, opts: BenchOptions): Promise<RunRows> {
  // The bench measures review only: no build gate, no probes, and no consensus or verification unless the variant asks for it.
  const { consensus: _drop, verify: _noVerify, ...rest } = opts.config;
  const config: Config = { ...rest, ladder: v.rungs, probes: [], gate: {}, ...(v.consensus ? { consensus: v.consensus } : {}), ...(v.verify ? { verify: v.verify } : {}) };
  const summary = await runIteration({
    config,
    kb,
    cwd,
    inputs,
    label,
    offline: false,
    // The bench measures the models: every shard is asked afresh (and --repeat asks again).
    noCache: true,
    // What the models find, not what the static floor adds beside them.
    staticFloor: false,
    concurrency: opts.concurrency,
    signal: opts.signal,
    providerFor: opts.providerFor,
    gitCommit: () => null,
    ...(opts.onEvent ? { onEvent: withPass(opts.onEvent, pass) } : {}),
  });
  const id = summary.iteration_id;
  return { reviews: kb.reviews.inIteration(id), findings: kb.findings.inIteration(id), attempts: kb.attempts.inIteration(id) };
}

function withPass(onEvent: (event: RunEvent) => void, pass: string): (event: RunEvent) => void {
  return (event) => onEvent(event.type === "warning" ? { ...event, message: `${pass}: ${event.message}` } : event);
}

function readBenchFiles(opts: BenchOptions): Array<{ abs: string; text: string }> {
  const out: Array<{ abs: string; text: string }> = [];
  for (const abs of collectTargets(opts.inputs, { cwd: opts.cwd, sweep: opts.config.sweep })) {
    const t = readTarget(abs, opts.cwd, opts.config.sweep.maxFileBytes);
    if (t.kind === "source") out.push({ abs, text: t.text });
  }
  if (out.length === 0) throw new UsageError(`no readable files to bench under ${opts.inputs.join(", ")}`);
  return out;
}

/** The deepest folder holding every file, so scratch paths stay short and inside the scratch tree. */
function commonRoot(paths: string[]): string {
  let root = dirname(resolve(paths[0]!));
  while (!paths.every((p) => !relative(root, p).startsWith(".."))) root = dirname(root);
  return root;
}

function write(dir: string, rel: string, text: string): void {
  const abs = join(dir, rel);
  if (relative(dir, abs).startsWith("..")) throw new Error(`bug: bench path ${rel} escapes the scratch tree`);
  mkdirSync(dirname(abs), { recursive: true });
  writeFileSync(abs, text);
}

