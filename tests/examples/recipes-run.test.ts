/**
 * The shipped CI recipes, run as their runners would: the `scrum` steps of examples/ci/*.yml, read from the files
 * (never retyped), in order, in a fresh clone of a git repository, with the cache the recipe declares emulated
 * between jobs. Three pipelines each: the first from an empty cache, one with no change, one after a fix; the SARIF
 * state report is checked against the official schema after each. The static rung stands in for a model.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import Ajv from "ajv-draft-04";
import addFormats from "ajv-formats";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { parse } from "yaml";
import sarifSchema from "../fixtures/report/sarif-schema-2.1.0.json";
import { ON_POSTGRES, postgresKb } from "../kb/postgres-server";

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
  /** A matrix job's `matrix` and `strategy` contexts. */
  matrix?: Record<string, unknown>;
  strategy?: Record<string, unknown>;
  /** The repository's secrets and variables (unset ones read as ""). */
  secrets?: Record<string, string>;
  vars?: Record<string, string>;
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
  // Looked-up values go in by reference (a URL holds characters the expression check below refuses).
  const values: unknown[] = [];
  const js = expr
    .replace(/hashFiles\('([^']+)'\)/g, (_, p: string) => JSON.stringify(existsSync(join(ctx.workdir, p)) ? "hash" : ""))
    .replace(/\bcancelled\(\)/g, "false")
    .replace(/\balways\(\)/g, "true")
    .replace(/\bsuccess\(\)/g, String(!status.failed))
    .replace(/\bfailure\(\)/g, String(status.failed))
    .replace(/\b(github|steps|matrix|strategy|secrets|vars)((?:\.[A-Za-z_][\w-]*)+)/g, (_, root: string, path: string) => {
      const roots: Record<string, unknown> = { github: ctx.github, steps: ctx.steps, matrix: ctx.matrix, strategy: ctx.strategy, secrets: ctx.secrets ?? {}, vars: ctx.vars ?? {} };
      let v: unknown = roots[root];
      for (const part of path.slice(1).split(".")) v = v === undefined || v === null ? undefined : (v as Record<string, unknown>)[part];
      values.push(v ?? "");
      return `__v[${values.length - 1}]`;
    });
  if (!/^[\s"'\w\-.!=&|()[\]]*$/.test(js)) throw new Error(`expression the test cannot evaluate: ${expr}`);
  return new Function("__v", `return (${js});`)(values);
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

// These recipes cache (or pass as artifacts) the KB FILE between jobs: not run again under SCRUM_TEST_KB_ENGINE=postgres;
// the workers recipe below is the one on a PostgreSQL KB, and runs in both passes.
describe.skipIf(ON_POSTGRES)("the shipped recipes, run from an empty cache three times (first, no change, one file fixed)", () => {
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
    expect(fixed.log).toMatch(/iteration 2: 1 file,/);
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

// ---------------------------------------------------------------------------------------------------------------
// The partitioned recipes: a matrix of partition jobs, each uploading its KB, and a merge job.

/** A run's artifacts by name: the files uploaded, by their path inside the artifact. */
class ArtifactStore {
  readonly items = new Map<string, Map<string, string>>();
  constructor(private readonly root: string) {}

  /** Keep `paths` of `workdir` (files, or folders' files) under their names relative to the workdir (GitLab) or basename (GitHub, one file). */
  upload(name: string, workdir: string, paths: string[], keepDirs: boolean): boolean {
    const files = paths.flatMap((p) => listFiles(workdir, p));
    if (files.length === 0) return false;
    const stored = new Map<string, string>();
    for (const rel of files) {
      const to = join(this.root, name, rel);
      copyInto(join(workdir, rel), to);
      stored.set(keepDirs ? rel : rel.split("/").at(-1)!, to);
    }
    this.items.set(name, stored);
    return true;
  }

  /** Put an artifact's files into `dir` of the workdir; false when there is no such artifact. */
  download(name: string, workdir: string, dir: string): boolean {
    const item = this.items.get(name);
    if (!item) return false;
    for (const [rel, from] of item) copyInto(from, join(workdir, dir, rel));
    return true;
  }
}

function listFiles(workdir: string, rel: string): string[] {
  const abs = join(workdir, rel.replace(/\/$/, ""));
  if (!existsSync(abs)) return [];
  if (!statSync(abs).isDirectory()) return [rel.replace(/\/$/, "")];
  return readdirSync(abs).flatMap((e) => listFiles(workdir, `${rel.replace(/\/$/, "")}/${e}`));
}

interface GhJob {
  needs?: string | string[];
  if?: string;
  /** The job's environment (expressions in it evaluated per job), given to its `run` steps. */
  env?: Record<string, string>;
  strategy?: { matrix: Record<string, unknown[]> };
  steps: Array<GhStep & { "continue-on-error"?: boolean }>;
}

interface MatrixPipeline {
  mergeExit: number;
  /** The exit codes of the `scrum run` steps without an id (the workers recipe's), in job order. */
  runExits?: number[];
  log: string;
  sarif: PipelineResult["sarif"] | undefined;
}

/** One run of the partitioned GitHub workflow: its jobs in order, each matrix entry on a fresh runner. */
function runGithubMatrix(cache: CacheStore, runNumber: number, failPartition?: number, recipe: { file: string; secrets?: Record<string, string> } = { file: "github-scrum-partitioned.yml" }): MatrixPipeline {
  const workflow = parse(readFileSync(join(REPO, "examples/ci", recipe.file), "utf8")) as { jobs: Record<string, GhJob> };
  // Each recipe's runners and artifacts in folders of their own: two recipes may name their jobs alike.
  const tag = recipe.file.replace(/\.yml$/, "");
  const artifacts = new ArtifactStore(join(base, `${tag}-artifacts-${runNumber}`));
  const github = { ref_name: "main", ref: "refs/heads/main", run_id: String(2000 + runNumber), run_number: String(runNumber), run_attempt: "1", event: { repository: { default_branch: "main" } } };
  let log = "";
  let mergeExit = -1;
  let sarif: PipelineResult["sarif"] | undefined;
  const failedJobs = new Set<string>();
  const runExits: number[] = [];
  for (const [name, job] of Object.entries(workflow.jobs)) {
    const entries = job.strategy ? Object.entries(job.strategy.matrix).flatMap(([key, values]) => values.map((v) => ({ [key]: v }))) : [undefined];
    for (const [index, matrix] of entries.entries()) {
      const workdir = checkout(`${tag}-${runNumber}-${name}-${index}`);
      const ctx: GhContext = { github, steps: {}, workdir, secrets: recipe.secrets ?? {}, vars: {}, ...(matrix ? { matrix, strategy: { "job-index": index, "job-total": entries.length } } : {}) };
      const jobEnv = Object.fromEntries(Object.entries(job.env ?? {}).map(([k, v]) => [k, ghInterpolate(String(v), ctx)]));
      // A job runs when the jobs it needs succeeded, unless its `if` says otherwise (a status function in it).
      const neededFailed = [job.needs ?? []].flat().some((n) => failedJobs.has(n));
      if (job.if !== undefined ? !ghShouldRun({ if: job.if }, ctx, neededFailed) : neededFailed) continue;
      let failed = false;
      for (const step of job.steps) {
        if (!ghShouldRun(step, ctx, failed)) continue;
        const withs = Object.fromEntries(Object.entries(step.with ?? {}).map(([k, v]) => [k, ghInterpolate(String(v), ctx)]));
        if (step.uses !== undefined) {
          const action = step.uses.split("@")[0]!;
          let ok = true;
          if (action === "actions/cache/restore") {
            const prefixes = (withs["restore-keys"] ?? "").split("\n").map((k) => k.trim()).filter(Boolean);
            cache.restore(workdir, [withs.path!], { exact: [withs.key!], prefixes });
          } else if (action === "actions/cache/save") cache.save(workdir, [withs.path!], withs.key!);
          else if (action === "actions/upload-artifact") artifacts.upload(withs.name!, workdir, withs.path!.split("\n").map((p) => p.trim()).filter(Boolean), false);
          else if (action === "actions/download-artifact") {
            if (withs.pattern !== undefined) {
              const re = new RegExp(`^${withs.pattern.replace(/\*/g, ".*")}$`);
              for (const n of artifacts.items.keys()) if (re.test(n)) artifacts.download(n, workdir, withs["merge-multiple"] === "true" ? withs.path! : join(withs.path!, n));
            } else ok = artifacts.download(withs.name!, workdir, withs.path ?? ".");
          } else if (action === "github/codeql-action/upload-sarif") sarif = readSarif(join(workdir, withs.sarif_file!));
          else if (action !== "actions/checkout" && action !== "actions/setup-node") throw new Error(`the test does not emulate ${action}`);
          if (!ok && step["continue-on-error"] !== true) failed = true;
          continue;
        }
        const script = ghInterpolate(step.run ?? "", ctx);
        if (!/\bscrum (run|report|kb merge)\b/.test(script)) continue;
        const output = join(base, `${tag}-output-${runNumber}-${name}-${index}`);
        writeFileSync(output, "");
        // A partition that fails as a runtime failure would (exit 1): the test's way to lose one.
        const r = matrix && failPartition !== undefined && matrix.partition === failPartition ? { code: 1, out: "", err: "simulated runner failure\n" } : sh(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script], workdir, { ...jobEnv, GITHUB_OUTPUT: output });
        log += `[${name}${matrix ? ` ${JSON.stringify(matrix)}` : ""}] $ ${script}\n${r.out}${r.err}\n`;
        if (step.id !== undefined) {
          const outputs = Object.fromEntries(readFileSync(output, "utf8").split("\n").filter(Boolean).map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
          ctx.steps[step.id] = { outputs };
          if (outputs.exit !== undefined) mergeExit = Number(outputs.exit);
        }
        if (r.code !== 0) failed = true;
        if (step.id === undefined && /\bscrum run\b/.test(script)) runExits.push(r.code);
      }
      if (failed) failedJobs.add(name);
    }
  }
  return { mergeExit, log, sarif, runExits };
}

interface GlMatrixJob {
  needs?: string[];
  when?: string;
  variables?: Record<string, string>;
  parallel?: { matrix: Array<Record<string, string[]>> };
  cache?: { key: string; fallback_keys?: string[]; paths: string[]; policy?: string; when?: string };
  script: string[];
  artifacts?: { when?: string; paths: string[]; reports?: { codequality?: string } };
}

/** One run of the partitioned GitLab pipeline: jobs in order, every parallel:matrix entry on a fresh runner. */
function runGitlabMatrix(cache: CacheStore, pipelineIid: number, failPartition?: string): MatrixPipeline & { codequality: unknown[] | undefined } {
  const jobs = parse(readFileSync(join(REPO, "examples/ci/gitlab-scrum-partitioned.yml"), "utf8")) as Record<string, GlMatrixJob>;
  const artifacts = new ArtifactStore(join(base, `gl-matrix-artifacts-${pipelineIid}`));
  const ci = { CI_COMMIT_REF_SLUG: "main", CI_DEFAULT_BRANCH: "main", CI_PIPELINE_IID: String(pipelineIid) };
  const produced = new Map<string, string[]>();
  const failedJobs = new Set<string>();
  let log = "";
  let mergeExit = -1;
  let sarif: PipelineResult["sarif"] | undefined;
  let codequality: unknown[] | undefined;
  for (const [name, job] of Object.entries(jobs)) {
    const entries = job.parallel ? job.parallel.matrix.flatMap((m) => Object.entries(m).flatMap(([k, values]) => values.map((v) => ({ [k]: v })))) : [{}];
    const needsFailed = (job.needs ?? []).some((n) => failedJobs.has(n));
    if (needsFailed && job.when !== "always") continue;
    for (const [index, matrixVars] of entries.entries()) {
      const workdir = checkout(`gl-matrix-${pipelineIid}-${name}-${index}`);
      const vars = { ...ci, ...(job.variables ?? {}), ...matrixVars };
      for (const need of job.needs ?? []) for (const a of produced.get(need) ?? []) artifacts.download(a, workdir, ".");
      if (job.cache && job.cache.policy !== "push") {
        cache.restore(workdir, job.cache.paths, { exact: [job.cache.key, ...(job.cache.fallback_keys ?? [])].map((k) => glInterpolate(k, vars)), prefixes: [] });
      }
      const script = job.script.join("\n");
      const r = matrixVars.PARTITION !== undefined && matrixVars.PARTITION === failPartition ? { code: 1, out: "", err: "simulated runner failure\n" } : sh(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script], workdir, vars);
      log += `[${name} ${JSON.stringify(matrixVars)}] $ ${script}\n${r.out}${r.err}\n`;
      if (r.code !== 0) failedJobs.add(name);
      if (job.cache && job.cache.policy !== "pull" && (job.cache.when === "always" || r.code === 0)) cache.save(workdir, job.cache.paths, glInterpolate(job.cache.key, vars));
      if (job.artifacts && (job.artifacts.when === "always" || r.code === 0)) {
        const artifact = `${name}-${index}`;
        if (artifacts.upload(artifact, workdir, job.artifacts.paths, true)) produced.set(name, [...(produced.get(name) ?? []), artifact]);
      }
      if (/\bscrum kb merge\b/.test(script)) {
        mergeExit = r.code;
        if (existsSync(join(workdir, "scrum.sarif"))) sarif = readSarif(join(workdir, "scrum.sarif"));
        const cq = job.artifacts?.reports?.codequality;
        if (cq !== undefined && existsSync(join(workdir, cq))) codequality = JSON.parse(readFileSync(join(workdir, cq), "utf8")) as unknown[];
      }
    }
  }
  return { mergeExit, log, sarif, codequality };
}

// The partitions' KB files are artifacts merged by the last job: the SQLite file again (see above).
describe.skipIf(ON_POSTGRES)("the partitioned recipes, run from an empty cache: first sweep, no change, one file fixed, a partition lost", () => {
  test("GitHub Actions matrix: examples/ci/github-scrum-partitioned.yml", () => {
    makeOrigin("gh-matrix-origin");
    const cache = new CacheStore(join(base, "gh-matrix-cache"));
    const first = runGithubMatrix(cache, 1);
    expect(first.log).toMatch(/no earlier review, so every file of \. is new: a full sweep/);
    expect(first.log).toMatch(/merged 4 of 4 partitions into iteration 1/);
    expect(first.mergeExit, first.log).toBe(3);
    expect(resultsOf(first.sarif!)).toEqual(BEFORE_FIX);

    const same = runGithubMatrix(cache, 2);
    expect(same.log).toMatch(/nothing changed since its last review/);
    expect(same.log).toMatch(/no partition was run/);
    expect(same.mergeExit, same.log).toBe(0);
    expect(resultsOf(same.sarif!)).toEqual(BEFORE_FIX);

    pushFix();
    const fixed = runGithubMatrix(cache, 3);
    expect(fixed.log).toMatch(/merged 4 of 4 partitions into iteration 2/);
    expect(fixed.log).toMatch(/files: 1 total, 1 reviewed/);
    expect(fixed.mergeExit, fixed.log).toBe(0);
    expect(resultsOf(fixed.sarif!)).toEqual(AFTER_FIX);

    // A partition job that dies uploads nothing: the merge stores its files unreviewed and the gate trips.
    writeFileSync(join(origin, "src/ok.ts"), "export const answer = 43;\n");
    writeFileSync(join(origin, "src/parse.ts"), FILES["src/parse.ts"]!.replace("unknown", "unknown /* v2 */"));
    writeFileSync(join(origin, "src/load.py"), FIXED_LOAD.replace("load", "load_text"));
    git(origin, "commit", "-qam", "touch every file");
    const lost = runGithubMatrix(cache, 4, 1);
    expect(lost.log).toMatch(/MISSING partitions 1\/4/);
    expect(lost.mergeExit, lost.log).toBe(3);
  }, 180_000);

  test("GitLab CI parallel:matrix: examples/ci/gitlab-scrum-partitioned.yml", () => {
    makeOrigin("gl-matrix-origin");
    const cache = new CacheStore(join(base, "gl-matrix-cache"));
    const first = runGitlabMatrix(cache, 1);
    expect(first.log).toMatch(/no earlier review, so every file of \. is new: a full sweep/);
    expect(first.log).toMatch(/merged 4 of 4 partitions into iteration 1/);
    expect(first.mergeExit, first.log).toBe(3);
    expect(resultsOf(first.sarif!)).toEqual(BEFORE_FIX);
    expect(first.codequality!.length).toBe(3);

    const same = runGitlabMatrix(cache, 2);
    expect(same.log).toMatch(/no partition was run/);
    expect(same.mergeExit, same.log).toBe(0);
    expect(resultsOf(same.sarif!)).toEqual(BEFORE_FIX);

    pushFix();
    const fixed = runGitlabMatrix(cache, 3);
    expect(fixed.log).toMatch(/merged 4 of 4 partitions into iteration 2/);
    expect(fixed.mergeExit, fixed.log).toBe(0);
    expect(resultsOf(fixed.sarif!)).toEqual(AFTER_FIX);
    expect(fixed.codequality!.length).toBe(1);
  }, 180_000);
});

/**
 * The recipes on a PostgreSQL KB, each run three times (first sweep, no change, one file fixed). The emulator runs
 * the matrix one runner after another; tests/e2e/workers.test.ts and tests/e2e/partition-group.test.ts run the jobs
 * at once and kill one. Only the first sweep differs between the recipes.
 */
const SHARED_KB_RECIPES: Array<{ title: string; file: string; first: (first: MatrixPipeline) => void }> = [
  {
    title: "GitHub Actions matrix of workers",
    file: "github-scrum-workers.yml",
    // The first worker opens the iteration and reviews every file, the later ones join it done. Every worker reports
    // the whole iteration, so each trips the fail gate on the stub.
    first: (first) => {
      expect(first.log).toMatch(/already done; nothing left to review/);
      expect(first.runExits, first.log).toEqual([3, 3, 3, 3]);
    },
  },
  {
    title: "GitHub Actions matrix of partition jobs into one iteration",
    file: "github-scrum-partition-group.yml",
    // The first job opens the iteration and fixes the split, each reviews its share. The job that completes the
    // iteration gates it (the jobs before saw a part of it): exit 3 on the stub. Three files in four shares: share 4
    // has none, so the third job stores the last file and the fourth, finding the iteration done, reports (and
    // gates) the whole of it too.
    first: (first) => {
      expect(first.log).toMatch(/partition 1\/4 of group sweep-2001: its share is stored; .* still outstanding/);
      expect(first.log).toMatch(/iteration 1 \(sweep-1\): done/);
      expect(first.runExits, first.log).toEqual([0, 0, 3, 3]);
    },
  },
];

describe("the recipes on a PostgreSQL KB: first sweep, no change, one file fixed", () => {
  for (const [i, r] of SHARED_KB_RECIPES.entries()) {
    const kb = postgresKb(`recipe_${i}`);
    test.skipIf(kb === null)(`${r.title}: examples/ci/${r.file}`, () => {
      makeOrigin(`gh-shared-kb-origin-${i}`);
      const cache = new CacheStore(join(base, `gh-shared-kb-cache-${i}`));
      const recipe = { file: r.file, secrets: { SCRUM_KB_URL: kb! } };
      const first = runGithubMatrix(cache, 1, undefined, recipe);
      expect(first.log).toMatch(/no earlier review, so every file of \. is new: a full sweep/);
      r.first(first);
      expect(resultsOf(first.sarif!)).toEqual(BEFORE_FIX);

      const same = runGithubMatrix(cache, 2, undefined, recipe);
      expect(same.log).toMatch(/nothing changed since its last review/);
      expect(same.runExits, same.log).toEqual([0, 0, 0, 0]);
      expect(resultsOf(same.sarif!)).toEqual(BEFORE_FIX);

      pushFix();
      const fixed = runGithubMatrix(cache, 3, undefined, recipe);
      expect(fixed.log).toMatch(/iteration 2 \(sweep-3\): done/);
      expect(fixed.runExits, fixed.log).toEqual([0, 0, 0, 0]);
      expect(resultsOf(fixed.sarif!)).toEqual(AFTER_FIX);
    }, 180_000);
  }
});
