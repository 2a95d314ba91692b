/**
 * Recreate the static-rung corpus: each repository of repos.json at its pinned commit, extracted into a folder
 * outside this repository (default /work/corpus). Uses a local mirror under /work/.mirror when there is one,
 * else clones the public URL. Usage: bun scripts/corpus/recreate.ts [DIR]
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";

export interface CorpusRepo {
  name: string;
  repo: string;
  commit: string;
  languages: string[];
}

/** The corpus repositories with their pinned commits, from scripts/corpus/repos.json. */
export function corpusRepos(): CorpusRepo[] {
  return JSON.parse(readFileSync(join(import.meta.dir, "repos.json"), "utf8")) as CorpusRepo[];
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
  const dir = resolve(process.argv[2] ?? "/work/corpus");
  if (dir.startsWith(resolve(import.meta.dir, "../.."))) throw new Error(`the corpus must live outside this repository, not in ${dir}`);
  for (const r of corpusRepos()) console.log(`${r.repo}@${r.commit.slice(0, 12)} -> ${recreateRepo(r, dir)}`);
}
