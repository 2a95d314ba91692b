/**
 * Recreate the static-rung corpus: each repository at its pinned commit, extracted into a folder outside this
 * repository (default /work/corpus). Two sets: the tuning set (repos.json, the repositories the rules were developed
 * against) and the evaluation set (eval-repos.json, chosen before any finding was looked at; precision is reported on
 * it). Uses a local mirror under /work/.mirror when there is one, else clones the public URL.
 * Usage: bun scripts/corpus/recreate.ts [--set tuning|eval|injection|all] [DIR]   (default: all)
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

export interface CorpusRepo {
  name: string;
  repo: string;
  commit: string;
  languages: string[];
  /** Evaluation set only: rules developed against this repository; its findings of them count as tuning data. */
  tuningFor?: string[];
  /** Injection set only: the round it was chosen in; a later round is chosen after the rule changed on an earlier one. */
  round?: number;
}

/**
 * `injection`: the evaluation set of the `prompt-injection` check alone (injection-eval-repos.json: repositories of LLM
 * tooling, chosen before any of their findings was read), measured by scripts/bench-injection.ts.
 */
export type CorpusSet = "tuning" | "eval" | "injection";
/** The sets the static rung's precision is measured on (scripts/bench-precision.ts). */
export const CORPUS_SETS: readonly CorpusSet[] = ["tuning", "eval"];
const ALL_SETS: readonly CorpusSet[] = [...CORPUS_SETS, "injection"];
const SET_FILES: Record<CorpusSet, string> = { tuning: "repos.json", eval: "eval-repos.json", injection: "injection-eval-repos.json" };

/** The repositories of one set with their pinned commits (tuning: scripts/corpus/repos.json, eval: eval-repos.json). */
export function corpusRepos(set: CorpusSet = "tuning"): CorpusRepo[] {
  return JSON.parse(readFileSync(join(import.meta.dir, SET_FILES[set]), "utf8")) as CorpusRepo[];
}

function run(cmd: string[], cwd?: string): void {
  const r = Bun.spawnSync(cmd, { cwd, stdout: "inherit", stderr: "inherit" });
  if (r.exitCode !== 0) throw new Error(`\`${cmd.join(" ")}\` failed with exit code ${r.exitCode}`);
}

/** Write every regular file of `commit` whose blob the repository holds into `out`; the paths it lacks are returned. */
function extractPresent(gitDir: string, commit: string, out: string): string[] {
  const listing = Bun.spawnSync(["git", `--git-dir=${gitDir}`, "ls-tree", "-r", "-z", commit], { stdout: "pipe", stderr: "pipe" });
  if (listing.exitCode !== 0) throw new Error(`git ls-tree ${commit} failed: ${listing.stderr.toString().trim()}`);
  const missing: string[] = [];
  for (const entry of listing.stdout.toString().split("\0")) {
    const m = /^(\d+) blob ([0-9a-f]+)\t(.+)$/s.exec(entry);
    if (!m || m[1] === "120000") continue;
    const blob = Bun.spawnSync(["git", `--git-dir=${gitDir}`, "cat-file", "blob", m[2]!], { stdout: "pipe", stderr: "pipe" });
    if (blob.exitCode !== 0) {
      missing.push(m[3]!);
      continue;
    }
    mkdirSync(dirname(join(out, m[3]!)), { recursive: true });
    writeFileSync(join(out, m[3]!), blob.stdout);
  }
  return missing;
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
  if (archive.exitCode !== 0) {
    // A snapshot may lack its largest files (a video, a dataset): extract file by file, leave those out and say so.
    if (!/invalid object|cannot read/.test(archive.stderr.toString())) throw new Error(`git archive ${r.repo}@${r.commit} failed: ${archive.stderr.toString().trim()}`);
    for (const m of extractPresent(gitDir, r.commit, out)) console.warn(`${r.repo}@${r.commit.slice(0, 12)}: ${m} is not in the local snapshot; left out`);
    return out;
  }
  const tar = Bun.spawnSync(["tar", "-x", "-C", out], { stdin: archive.stdout, stderr: "pipe" });
  if (tar.exitCode !== 0) throw new Error(`tar -x into ${out} failed: ${tar.stderr.toString().trim()}`);
  return out;
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  const at = args.indexOf("--set");
  const set = at >= 0 ? args.splice(at, 2)[1] : "all";
  if (set !== "all" && !(ALL_SETS as readonly string[]).includes(set ?? "")) {
    console.error(`--set takes tuning, eval, injection or all; got "${set ?? ""}"`);
    process.exit(2);
  }
  const dir = resolve(args[0] ?? "/work/corpus");
  if (dir.startsWith(resolve(import.meta.dir, "../.."))) throw new Error(`the corpus must live outside this repository, not in ${dir}`);
  const sets = set === "all" ? ALL_SETS : [set as CorpusSet];
  for (const s of sets) for (const r of corpusRepos(s)) console.log(`${s} ${r.repo}@${r.commit.slice(0, 12)} -> ${recreateRepo(r, dir)}`);
}
