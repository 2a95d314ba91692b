/**
 * A static-rung engine for the benchmark: the pipeline's targets, sharder and scanner, either from this working
 * tree ("after") or from an earlier commit extracted into a scratch folder ("before"), so both run side by side.
 */
import { existsSync, mkdirSync, symlinkSync } from "node:fs";
import { join, resolve } from "node:path";

export interface EngineShard {
  lineStart: number;
  text: string;
}
export interface EngineFinding {
  category: string;
  rule?: string;
  title?: string;
  severity: string;
  evidence: string;
  line_start: number;
}
/** What the benchmark needs from a pipeline: collect, read, shard and scan, each as that version has it. */
export interface Engine {
  label: string;
  collect: (root: string) => string[];
  /** The file's text, or the reason it is skipped. */
  read: (absPath: string, root: string) => { text: string } | { skipped: string };
  shard: (path: string, text: string) => Promise<{ language: string; shards: EngineShard[] }>;
  scan: (shard: { path: string; language: string; lineStart: number; text: string }) => Promise<Record<string, EngineFinding[]>> | Record<string, EngineFinding[]>;
  /** The whole-file injection check (risk_points), when that version has one. */
  injections?: (language: string, text: string) => Promise<EngineFinding[]>;
}

const SHARDING = { thresholdChars: 6000, maxShardChars: 6000 };
const REPO_ROOT = resolve(import.meta.dir, "../..");

/** Load the engine from a pipeline folder (this tree's, or an extracted commit's). */
export async function loadEngine(label: string, root: string): Promise<Engine> {
  const config = await import(join(root, "pipeline/config/config.ts"));
  const targets = await import(join(root, "pipeline/targets/targets.ts"));
  const shard = await import(join(root, "pipeline/shard/shard.ts"));
  const scan = await import(join(root, "pipeline/static/scan.ts"));
  const injection = existsSync(join(root, "pipeline/review/injection.ts")) ? await import(join(root, "pipeline/review/injection.ts")) : undefined;
  const sweep = { ...config.DEFAULTS.sweep, skipVendored: true };
  return {
    label,
    collect: (dir) => targets.collectTargets([dir], { cwd: dir, sweep }),
    read: (abs, dir) => {
      // Older targets take (path, cwd, maxFileBytes); newer ones add the vendored check as a 4th argument.
      const t = targets.readTarget(abs, dir, sweep.maxFileBytes, { skipVendored: true });
      return t.kind === "source" ? { text: t.text } : { skipped: t.reason };
    },
    shard: async (path, text) => {
      const plan = await shard.shardFile(path, text, SHARDING);
      return { language: plan.language, shards: plan.shards };
    },
    scan: scan.scanShard,
    ...(injection ? { injections: injection.findInjections } : {}),
  };
}

/** The pipeline as committed at `commit`, extracted once into a scratch folder that shares this tree's node_modules. */
export function extractCommit(commit: string, scratch = "/tmp/scrum-bench-static"): string {
  const dir = join(scratch, commit);
  if (!existsSync(join(dir, "pipeline"))) {
    mkdirSync(dir, { recursive: true });
    // domain/ exists from the commit that gave the pipeline its ground floor on; older commits have none.
    const hasDomain = Bun.spawnSync(["git", "-C", REPO_ROOT, "ls-tree", "--name-only", commit, "domain"], { stdout: "pipe" }).stdout.toString().trim() !== "";
    const folders = ["pipeline", "kb", "config", "prompts", ...(hasDomain ? ["domain"] : [])];
    const archive = Bun.spawnSync(["git", "-C", REPO_ROOT, "archive", commit, ...folders], { stdout: "pipe", stderr: "pipe" });
    if (archive.exitCode !== 0) throw new Error(`git archive ${commit} failed: ${archive.stderr.toString().trim()}`);
    const tar = Bun.spawnSync(["tar", "-x", "-C", dir], { stdin: archive.stdout, stderr: "pipe" });
    if (tar.exitCode !== 0) throw new Error(`tar -x into ${dir} failed: ${tar.stderr.toString().trim()}`);
    symlinkSync(join(REPO_ROOT, "node_modules"), join(dir, "node_modules"));
  }
  return dir;
}

/** This working tree's pipeline. */
export function currentTree(): string {
  return REPO_ROOT;
}
