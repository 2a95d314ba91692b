/**
 * The KB knows its root: a KB given with --kb answers for the repository it swept whatever the working directory,
 * every PATH argument resolves against that root, --resume sweeps the iteration's own tree from anywhere, and a path
 * outside the root is exit 2. Spawns bin/scrum, as a user's shell would.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Kb } from "../../kb/kb";
import { testKb } from "../kb/postgres-server";

const REPO = resolve(import.meta.dir, "../..");
let base: string;
let repo: string;
let other: string;
let kbFile: string;

function scrum(cwd: string, ...args: string[]) {
  const r = Bun.spawnSync([join(REPO, "bin/scrum"), ...args], { cwd, stdout: "pipe", stderr: "pipe", env: { ...process.env, SCRUM_KB: "", SCRUM_CONFIG: "" } });
  return { code: r.exitCode, out: r.stdout.toString(), err: r.stderr.toString() };
}

function gitRepo(dir: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(dir, rel, ".."), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  Bun.spawnSync(["git", "init", "-q"], { cwd: dir });
}

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), "scrum-root-"));
  repo = join(base, "repo");
  other = join(base, "other");
  kbFile = testKb(join(base, "kbs", "audit.db"));
  gitRepo(repo, {
    "src/lib.ts": "export function parse(text: string): unknown {\n  try {\n    return JSON.parse(text);\n  } catch (err) {\n  }\n  return null;\n}\n",
    "src/ok.ts": "export const answer = 42;\n",
    "src/deep/more.ts": "export const more = 1;\n",
  });
  // Another repository with a src/ of other files: a resume run from here must not sweep them.
  gitRepo(other, { "src/a.ts": "export const a = 1;\n", "src/b.ts": "export const b = 2;\n", "src/c.ts": "export const c = 3;\n", "src/d.ts": "export const d = 4;\n" });
  const first = scrum(repo, "run", "src", "--offline", "--kb", kbFile);
  expect(first.code, first.err).toBe(0);
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

test("the KB stores the root it swept", () => {
  const kb = new Kb(kbFile);
  expect(kb.meta.root()).toBe(repo);
  kb.close();
});

test("show finds the row from outside the repository: absolute path, root-relative path, and from a subdirectory", () => {
  for (const [cwd, path] of [[base, join(repo, "src/lib.ts")], [base, "src/lib.ts"], [join(repo, "src/deep"), "../lib.ts"], [other, join(repo, "src/lib.ts")]] as const) {
    const r = scrum(cwd, "show", path, "--kb", kbFile, "--json");
    expect(r.code, `${cwd} ${path}: ${r.err}`).toBe(0);
    expect(JSON.parse(r.out).review.path).toBe("src/lib.ts");
  }
});

test("status with a path typed from another directory lists that file's row", () => {
  const r = scrum(base, "status", join(repo, "src/deep"), "--kb", kbFile, "--json");
  expect(r.code, r.err).toBe(0);
  expect(JSON.stringify(JSON.parse(r.out))).toContain("src/deep/more.ts");
});

test("a path outside the root is exit 2 naming the root, for show, note add and run", () => {
  const outside = join(other, "src/a.ts");
  for (const args of [["show", outside], ["note", "add", outside, "look", "here"], ["run", outside, "--offline"]]) {
    const r = scrum(base, ...args, "--kb", kbFile);
    expect(r.code, `${args.join(" ")}: ${r.err}`).toBe(2);
    expect(r.err).toContain(`is outside the repository root ${repo}`);
  }
});

test("--resume from another repository sweeps the iteration's own tree", () => {
  // An iteration that stopped before reviewing anything: its targets are the repository's src/.
  const kb = new Kb(kbFile);
  const done = kb.iterations.all()[0]!;
  const id = kb.iterations.start({ label: "stopped", configJson: done.config_json, gitCommit: null, targets: ["src"] });
  kb.iterations.abort(id, "killed");
  kb.close();
  const r = scrum(other, "run", "--resume", "--offline", "--kb", kbFile, "--json");
  expect(r.code, r.err).toBe(0);
  const after = new Kb(kbFile);
  const paths = after.reviews.inIteration(id).map((f) => f.path);
  after.close();
  expect(paths).toEqual(["src/deep/more.ts", "src/lib.ts", "src/ok.ts"]);
});

test("another checkout of the same repository (a second runner, a teammate) sweeps its own tree, though the first checkout's path exists here", () => {
  // Two clones of one origin at different paths on this machine, as two self-hosted runners' workspaces are.
  const origin = join(base, "origin");
  gitRepo(origin, { "src/app.ts": "export const version = 1;\n" });
  Bun.spawnSync(["git", "add", "-A"], { cwd: origin });
  Bun.spawnSync(["git", "-c", "user.email=a@b", "-c", "user.name=a", "commit", "-qm", "one"], { cwd: origin });
  const first = join(base, "runner1");
  const second = join(base, "runner2");
  for (const dir of [first, second]) Bun.spawnSync(["git", "clone", "-q", origin, dir]);
  const shared = testKb(join(base, "kbs", "team.db"));
  expect(scrum(first, "run", "src", "--offline", "--kb", shared).code).toBe(0);
  // The second runner has a newer commit's file: it must review that, not runner1's copy.
  writeFileSync(join(second, "src/app.ts"), "export const version = 2;\nexport function todo(): never {\n  throw new Error(\"not implemented\");\n}\n");
  const r = scrum(second, "run", "src", "--offline", "--kb", shared, "--json");
  expect(r.code, r.err).toBe(0);
  const kb = new Kb(shared);
  try {
    expect(kb.meta.root()).toBe(second);
    const latest = kb.iterations.resolve("latest").id;
    expect(kb.findings.inIteration(latest, "src/app.ts").some((f) => f.rule === "stub-throw")).toBe(true);
  } finally {
    kb.close();
  }
});
