/**
 * Recreate the static-rung corpus: each repository at its pinned commit, extracted into a folder outside this
 * repository (default /work/corpus). Two sets: the tuning set (repos.json, the repositories the rules were developed
 * against) and the evaluation set (eval-repos.json, chosen before any finding was looked at; precision is reported on
 * it). Uses a local mirror under /work/.mirror when there is one, else clones the public URL.
 * Usage: bun scripts/corpus/recreate.ts [--set tuning|eval|all] [DIR]   (default: all)
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";

export interface CorpusRepo {
  name: string;
  repo: string;
  commit: string;
  languages: string[];
  /** Evaluation set only: rules developed against this repository; its findings of them count as tuning data. */
  tuningFor?: string[];
}

export type CorpusSet = "tuning" | "eval";
export const CORPUS_SETS: readonly CorpusSet[] = ["tuning", "eval"];
const SET_FILES: Record<CorpusSet, string> = { tuning: "repos.json", eval: "eval-repos.json" };

/** The repositories of one set with their pinned commits (tuning: scripts/corpus/repos.json, eval: eval-repos.json). */
export function corpusRepos(set: CorpusSet = "tuning"): CorpusRepo[] {
  return JSON.parse(readFileSync(join(import.meta.dir, SET_FILES[set]), "utf8")) as CorpusRepo[];
}

function run(cmd: string[], cwd?: string): void {
  const r = Bun.spawnSync(cmd, { cwd, stdout: "inherit", stderr: "inherit" });
  if (r.exitCode !== 0) throw new Error(`\`${cmd.join(" ")}\` failed with exit code ${r.exitCode}`);
}

/** Extract one repository at its commit into dir/name (replacing what was there). */
export function recreateRepo(r: CorpusRepo, dir: string, mirrorRoot = "/work/.mirror"): string {
  const out = join(dir, r.name);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  let gitDir = join(mirrorRoot, r.repo.replace("/", "+"), "repo");
  if (!existsSync(gitDir)) {
    gitDir = join(dir, ".clones", r.name);
    if (!existsSync(gitDir)) run(["git", "clone", "--bare", "--filter=blob:none", `https://github.com/${r.repo}.git`, gitDir]);
  }
  const archive = Bun.spawnSync(["git", `--git-dir=${gitDir}`, "archive", r.commit], { stdout: "pipe", stderr: "pipe" });
  if (archive.exitCode !== 0) throw new Error(`git archive ${r.repo}@${r.commit} failed: ${archive.stderr.toString().trim()}`);
  const tar = Bun.spawnSync(["tar", "-x", "-C", out], { stdin: archive.stdout, stderr: "pipe" });
  if (tar.exitCode !== 0) throw new Error(`tar -x into ${out} failed: ${tar.stderr.toString().trim()}`);
  return out;
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  const at = args.indexOf("--set");
  const set = at >= 0 ? args.splice(at, 2)[1] : "all";
  if (set !== "all" && !(CORPUS_SETS as readonly string[]).includes(set ?? "")) {
    console.error(`--set takes tuning, eval or all; got "${set ?? ""}"`);
    process.exit(2);
  }
  const dir = resolve(args[0] ?? "/work/corpus");
  if (dir.startsWith(resolve(import.meta.dir, "../.."))) throw new Error(`the corpus must live outside this repository, not in ${dir}`);
  const sets = set === "all" ? CORPUS_SETS : [set as CorpusSet];
  for (const s of sets) for (const r of corpusRepos(s)) console.log(`${s} ${r.repo}@${r.commit.slice(0, 12)} -> ${recreateRepo(r, dir)}`);
}
