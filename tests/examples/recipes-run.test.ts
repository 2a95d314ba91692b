/**
 * The shipped CI recipes, run as their runners would: the `scrum` steps of examples/ci/*.yml, read from the files
 * (never retyped), in order, in a fresh clone of a git repository, with the cache the recipe declares emulated
 * between jobs. Three pipelines each: the first from an empty cache, one with no change, one after a fix; the SARIF
 * state report is checked against the official schema after each. The static rung stands in for a model.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import Ajv from "ajv-draft-04";
import addFormats from "ajv-formats";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { parse } from "yaml";
import sarifSchema from "../fixtures/report/sarif-schema-2.1.0.json";

const REPO = resolve(import.meta.dir, "../..");
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const validateSarif = ajv.compile(sarifSchema);

let base: string;
let origin: string;
let binDir: string;

function sh(cmd: string[], cwd: string, env: Record<string, string> = {}): { code: number; out: string; err: string } {
  const r = Bun.spawnSync(cmd, { cwd, stdout: "pipe", stderr: "pipe", env: { ...scrubbedEnv(), ...env } });
  return { code: r.exitCode, out: r.stdout.toString(), err: r.stderr.toString() };
}

/** The test's environment without anything that would point scrum at another KB or config. */
function scrubbedEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("SCRUM_") && !k.startsWith("GIT_")) env[k] = v;
  return { ...env, PATH: `${binDir}:${process.env.PATH ?? ""}`, GIT_AUTHOR_NAME: "ci", GIT_AUTHOR_EMAIL: "ci@example.com", GIT_COMMITTER_NAME: "ci", GIT_COMMITTER_EMAIL: "ci@example.com" };
}

function git(cwd: string, ...args: string[]): void {
  const r = sh(["git", ...args], cwd);
  if (r.code !== 0) throw new Error(`git ${args.join(" ")}: ${r.err}`);
}

/** What the static rung finds in the project: a stub that fails, an empty catch that needs a patch, a clean file. */
const FILES: Record<string, string> = {
  "src/load.py": 'def load(path):\n    raise NotImplementedError("load")\n\n\ndef save(path, text):\n    raise NotImplementedError("save")\n',
  "src/parse.ts": "export function parse(text: string): unknown {\n  try {\n    return JSON.parse(text);\n  } catch (err) {\n  }\n  return null;\n}\n",
  "src/ok.ts": "export const answer = 42;\n",
  // The config a team commits: a ladder of the static rung alone (no model server in this test).
  // Static rules are informational until a repository raises them (docs/STATIC.md): this one raises its stub rules.
  ".scrum/routing.toml": '[[ladder]]\nname = "static"\nprovider = "static"\n\n[static]\nraise = ["stub-macro", "stub-raise", "stub-throw"]\n',
  ".scrum/.gitignore": "scrum.db\nscrum.db-wal\nscrum.db-shm\n",
};
const FIXED_LOAD = "def load(path):\n    with open(path) as f:\n        return f.read()\n\n\ndef save(path, text):\n    with open(path, 'w') as f:\n        f.write(text)\n";

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), "scrum-recipes-"));
  binDir = join(base, "bin");
  mkdirSync(binDir);
  // The recipes' install step puts scrumloop's bin/ on PATH; here it is this checkout's.
  symlinkSync(join(REPO, "bin/scrum"), join(binDir, "scrum"));
});

/** A new origin repository holding FILES, one commit on main. */
function makeOrigin(name: string): void {
  origin = join(base, name);
  for (const [rel, text] of Object.entries(FILES)) {
    mkdirSync(dirname(join(origin, rel)), { recursive: true });
    writeFileSync(join(origin, rel), text);
  }
  git(origin, "init", "-q", "-b", "main");
  git(origin, "add", ".");
  git(origin, "commit", "-qm", "initial");
}
afterAll(() => rmSync(base, { recursive: true, force: true }));

/** A fresh checkout of the origin's main, as a runner makes for every job. */
function checkout(name: string): string {
  const dir = join(base, name);
  git(base, "clone", "-q", origin, dir);
  return dir;
}

/** A runner's cache: entries by key, restored by exact key, else the newest entry whose key starts with a prefix. */
class CacheStore {
  private entries: Array<{ key: string; dir: string }> = [];
  constructor(private readonly root: string) {}

  /** GitHub matches its `key` exactly and `restore-keys` as prefixes; GitLab matches `key` and `fallback_keys` exactly. */
  restore(workdir: string, paths: string[], keys: { exact: string[]; prefixes: string[] }): string | null {
    const candidates = [
      ...keys.exact.map((k) => this.entries.find((e) => e.key === k)),
      ...keys.prefixes.map((k) => [...this.entries].reverse().find((e) => e.key.startsWith(k))),
    ];
    for (const hit of candidates) {
      if (!hit) continue;
      for (const p of paths) if (existsSync(join(hit.dir, p))) copyInto(join(hit.dir, p), join(workdir, p));
      return hit.key;
    }
    return null;
  }

  save(workdir: string, paths: string[], key: string): boolean {
    const present = paths.filter((p) => existsSync(join(workdir, p)));
    if (present.length === 0) return false;
    const dir = join(this.root, `entry-${this.entries.length}`);
    for (const p of present) copyInto(join(workdir, p), join(dir, p));
    this.entries = [...this.entries.filter((e) => e.key !== key), { key, dir }];
    return true;
  }
}

function copyInto(from: string, to: string): void {
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(from, to);
}

/** What the test checks after a pipeline: the exit of `scrum run`, and the SARIF state report's results. */
interface PipelineResult {
  runExit: number;
  log: string;
  sarif: { runs: Array<{ results: Array<{ ruleId: string; locations: Array<{ physicalLocation: { artifactLocation: { uri: string } } }> }> }> };
  jobFailed: boolean;
}

function readSarif(file: string): PipelineResult["sarif"] {
  expect(existsSync(file), `${file} was written`).toBe(true);
  const sarif = JSON.parse(readFileSync(file, "utf8"));
  expect(validateSarif(sarif), JSON.stringify(validateSarif.errors?.slice(0, 3))).toBe(true);
  return sarif;
}

function resultsOf(sarif: PipelineResult["sarif"]): string[] {
  return sarif.runs.flatMap((r) => r.results.map((x) => `${x.locations[0]!.physicalLocation.artifactLocation.uri} ${x.ruleId}`)).sort();
}

// ---------------------------------------------------------------------------------------------------------------
// GitHub Actions

interface GhStep {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, string>;
}

/** The job's context: what `${{ … }}` expressions read. */
interface GhContext {
  github: Record<string, unknown>;
  steps: Record<string, { outputs: Record<string, string> }>;
  workdir: string;
}

/** Substitute `${{ expr }}` in a string. */
function ghInterpolate(text: string, ctx: GhContext): string {
  return text.replace(/\$\{\{\s*(.+?)\s*\}\}/g, (_, expr: string) => String(ghEval(expr, ctx)));
}

/**
 * Evaluate a GitHub expression of the forms the recipe uses: context lookups, string literals, ==, !=, &&, ||, !,
 * parentheses, and the functions cancelled(), success(), always(), failure() and hashFiles(path).
 */
function ghEval(expr: string, ctx: GhContext, status: { failed: boolean } = { failed: false }): unknown {
  const js = expr
    .replace(/hashFiles\('([^']+)'\)/g, (_, p: string) => JSON.stringify(existsSync(join(ctx.workdir, p)) ? "hash" : ""))
    .replace(/\bcancelled\(\)/g, "false")
    .replace(/\balways\(\)/g, "true")
    .replace(/\bsuccess\(\)/g, String(!status.failed))
    .replace(/\bfailure\(\)/g, String(status.failed))
    .replace(/\b(github|steps)((?:\.[A-Za-z_][\w-]*)+)/g, (_, root: string, path: string) => {
      let v: unknown = root === "github" ? ctx.github : ctx.steps;
      for (const part of path.slice(1).split(".")) v = v === undefined || v === null ? undefined : (v as Record<string, unknown>)[part];
      return JSON.stringify(v ?? "");
    });
  if (!/^[\s"'\w\-.!=&|()]*$/.test(js)) throw new Error(`expression the test cannot evaluate: ${expr}`);
  return new Function(`return (${js});`)();
}

/** Does the step run? The default condition is success(); a status function in `if` replaces it. */
function ghShouldRun(step: GhStep, ctx: GhContext, failed: boolean): boolean {
  if (step.if === undefined) return !failed;
  const expr = step.if.replace(/^\$\{\{\s*|\s*\}\}$/g, "");
  const hasStatus = /\b(cancelled|always|success|failure)\(\)/.test(expr);
  return Boolean(ghEval(expr, ctx, { failed })) && (hasStatus || !failed);
}

/** Run the workflow's job once as a runner would; `scrum` steps run for real, the actions around them are emulated. */
function runGithubJob(cache: CacheStore, runNumber: number): PipelineResult {
  const workflow = parse(readFileSync(join(REPO, "examples/ci/github-scrum.yml"), "utf8")) as { jobs: Record<string, { steps: GhStep[] }> };
  const steps = Object.values(workflow.jobs)[0]!.steps;
  const workdir = checkout(`gh-${runNumber}`);
  const ctx: GhContext = {
    github: { ref_name: "main", ref: "refs/heads/main", run_id: String(1000 + runNumber), run_number: String(runNumber), event: { repository: { default_branch: "main" } } },
    steps: {},
    workdir,
  };
  let failed = false;
  let runExit = -1;
  let log = "";
  let sarif: PipelineResult["sarif"] | undefined;
  const uses = new Set<string>();
  for (const step of steps) {
    if (!ghShouldRun(step, ctx, failed)) continue;
    const withs = Object.fromEntries(Object.entries(step.with ?? {}).map(([k, v]) => [k, ghInterpolate(String(v), ctx)]));
    if (step.uses !== undefined) {
      const action = step.uses.split("@")[0]!;
      uses.add(action);
      if (action === "actions/cache/restore") {
        const prefixes = (withs["restore-keys"] ?? "").split("\n").map((k) => k.trim()).filter(Boolean);
        cache.restore(workdir, [withs.path!], { exact: [withs.key!], prefixes });
      } else if (action === "actions/cache/save") {
        cache.save(workdir, [withs.path!], withs.key!);
      } else if (action === "github/codeql-action/upload-sarif") {
        sarif = readSarif(join(workdir, withs.sarif_file!));
      }
      // checkout (done above), setup-node and upload-artifact change nothing the next steps read.
      continue;
    }
    const script = ghInterpolate(step.run ?? "", ctx);
    // The install step clones scrumloop; this checkout is already on PATH.
    if (!/\bscrum (run|report)\b/.test(script)) continue;
    const output = join(base, `gh-output-${runNumber}-${step.id ?? "step"}`);
    writeFileSync(output, "");
    const r = sh(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script], workdir, { GITHUB_OUTPUT: output });
    log += `$ ${script}\n${r.out}${r.err}\n`;
    if (step.id !== undefined) {
      const outputs = Object.fromEntries(readFileSync(output, "utf8").split("\n").filter(Boolean).map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
      ctx.steps[step.id] = { outputs };
      if (outputs.exit !== undefined) runExit = Number(outputs.exit);
    }
    if (r.code !== 0) failed = true;
  }
  // The emulation covered every action the recipe uses (a new action needs a decision here, not a silent skip).
  expect([...uses].sort()).toEqual(["actions/cache/restore", "actions/cache/save", "actions/checkout", "actions/setup-node", "actions/upload-artifact", "github/codeql-action/upload-sarif"]);
  if (!sarif) throw new Error(`the SARIF upload step did not run (scrum run exit ${runExit}):\n${log}`);
  return { runExit, log, sarif, jobFailed: failed };
}

// ---------------------------------------------------------------------------------------------------------------
// GitLab CI

interface GlJob {
  cache: { key: string; fallback_keys?: string[]; paths: string[]; when?: string };
  script: string[];
  artifacts: { paths: string[]; reports?: { codequality?: string } };
}

function glInterpolate(text: string, vars: Record<string, string>): string {
  return text.replace(/\$([A-Z_][A-Z0-9_]*)/g, (m, name: string) => vars[name] ?? m);
}

/** Run the job once: cache restored (key, else fallback keys), the script's lines as one bash script, cache saved. */
function runGitlabJob(cache: CacheStore, pipelineIid: number): PipelineResult & { codequality: unknown[] } {
  const job = Object.values(parse(readFileSync(join(REPO, "examples/ci/gitlab-scrum.yml"), "utf8")) as Record<string, GlJob>)[0]!;
  const workdir = checkout(`gl-${pipelineIid}`);
  const vars = { CI_COMMIT_REF_SLUG: "main", CI_DEFAULT_BRANCH: "main", CI_PIPELINE_IID: String(pipelineIid) };
  cache.restore(workdir, job.cache.paths, { exact: [job.cache.key, ...(job.cache.fallback_keys ?? [])].map((k) => glInterpolate(k, vars)), prefixes: [] });
  // GitLab joins a job's script lines into one shell script that stops at the first failing line.
  const script = job.script.join("\n");
  const r = sh(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script], workdir, vars);
  if (job.cache.when === "always" || r.code === 0) cache.save(workdir, job.cache.paths, glInterpolate(job.cache.key, vars));
  const log = `$ ${script}\n${r.out}${r.err}`;
  const sarif = readSarif(join(workdir, "scrum.sarif"));
  const cq = JSON.parse(readFileSync(join(workdir, job.artifacts.reports!.codequality!), "utf8")) as unknown[];
  return { runExit: r.code, log, sarif, jobFailed: r.code !== 0, codequality: cq };
}

/** Commit a fix of src/load.py to the origin: the next pipeline's checkout has it. */
function pushFix(): void {
  writeFileSync(join(origin, "src/load.py"), FIXED_LOAD);
  git(origin, "commit", "-qam", "implement load");
}

const BEFORE_FIX = ["src/load.py stub-raise", "src/load.py stub-raise", "src/parse.ts empty-catch"];
const AFTER_FIX = ["src/parse.ts empty-catch"];

describe("the shipped recipes, run from an empty cache three times (first, no change, one file fixed)", () => {
  test("GitHub Actions: examples/ci/github-scrum.yml", () => {
    makeOrigin("gh-origin");
    const cache = new CacheStore(join(base, "gh-cache"));
    const first = runGithubJob(cache, 1);
    // The first run has no KB: --changed sweeps the whole repository and says so; the fail gate trips on the stub.
    expect(first.log).toMatch(/no earlier review, so every file of \. is new: a full sweep/);
    expect(first.runExit, first.log).toBe(3);
    expect(resultsOf(first.sarif)).toEqual(BEFORE_FIX);

    const same = runGithubJob(cache, 2);
    // The KB came back from the cache: nothing changed, no iteration, exit 0, and the state report still stands.
    expect(same.log).toMatch(/nothing changed since its last review/);
    expect(same.runExit, same.log).toBe(0);
    expect(resultsOf(same.sarif)).toEqual(BEFORE_FIX);

    pushFix();
    const fixed = runGithubJob(cache, 3);
    expect(fixed.log).toMatch(/iteration 2: 1 files/);
    expect(fixed.runExit, fixed.log).toBe(0);
    expect(fixed.jobFailed).toBe(false);
    expect(resultsOf(fixed.sarif)).toEqual(AFTER_FIX);
  });

  test("GitLab CI: examples/ci/gitlab-scrum.yml", () => {
    makeOrigin("gl-origin");
    const cache = new CacheStore(join(base, "gl-cache"));
    const first = runGitlabJob(cache, 1);
    expect(first.log).toMatch(/no earlier review, so every file of \. is new: a full sweep/);
    expect(first.runExit, first.log).toBe(3);
    expect(resultsOf(first.sarif)).toEqual(BEFORE_FIX);
    expect(first.codequality.length).toBe(3);

    const same = runGitlabJob(cache, 2);
    expect(same.log).toMatch(/nothing changed since its last review/);
    expect(same.runExit, same.log).toBe(0);
    expect(resultsOf(same.sarif)).toEqual(BEFORE_FIX);

    pushFix();
    const fixed = runGitlabJob(cache, 3);
    expect(fixed.runExit, fixed.log).toBe(0);
    expect(resultsOf(fixed.sarif)).toEqual(AFTER_FIX);
    expect(fixed.codequality.length).toBe(1);
  });
});
