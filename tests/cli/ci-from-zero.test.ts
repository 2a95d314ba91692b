/**
 * `scrum run --changed` from an empty knowledge base: a full sweep of the repository (or of the paths given), said
 * on stderr and in --json; an unchanged tree then ends with exit 0 and "nothing changed", and the state report still
 * works. Spawns bin/scrum in a fresh git repository.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { spawnedKb } from "../kb/postgres-server";

const REPO = resolve(import.meta.dir, "../..");
let repo: string;
/** "" (scrum finds .scrum/scrum.db), or the PostgreSQL KB under SCRUM_TEST_KB_ENGINE=postgres. */
let kb = "";

function scrum(...args: string[]) {
  const r = Bun.spawnSync([join(REPO, "bin/scrum"), ...args], { cwd: repo, stdout: "pipe", stderr: "pipe", env: { ...process.env, SCRUM_KB: kb, SCRUM_CONFIG: "" } });
  return { code: r.exitCode, out: r.stdout.toString(), err: r.stderr.toString() };
}

beforeAll(() => {
  kb = spawnedKb();
  repo = mkdtempSync(join(tmpdir(), "scrum-zero-"));
  mkdirSync(join(repo, "src"));
  mkdirSync(join(repo, "docs"));
  writeFileSync(join(repo, "src/a.ts"), "export const a = 1;\n");
  writeFileSync(join(repo, "src/b.ts"), "export const b = 2;\n");
  writeFileSync(join(repo, "docs/notes.md"), "# Notes\n\nNothing yet.\n");
  Bun.spawnSync(["git", "init", "-q"], { cwd: repo });
});
afterAll(() => rmSync(repo, { recursive: true, force: true }));

test("--changed --estimate with no KB says the run would be a full sweep and writes no KB", () => {
  const r = scrum("run", "--changed", "--estimate", "--offline");
  expect(r.code, r.err).toBe(0);
  expect(r.err).toContain("every file of . is new: a full sweep");
  expect(r.out).toMatch(/estimate: 3 files to review/);
  expect(existsSync(join(repo, ".scrum"))).toBe(false);
});

test("--changed with paths and no KB sweeps those paths in full, says so, and --json names it", () => {
  const r = scrum("run", "--changed", "src", "--offline", "--json");
  expect(r.code, r.err).toBe(0);
  expect(r.err).toContain("no earlier review, so every file of src is new: a full sweep");
  const summary = JSON.parse(r.out);
  expect(summary.files.total).toBe(2);
  expect(summary.changed_since).toEqual({ iteration: null, full_sweep: true });
  rmSync(join(repo, ".scrum"), { recursive: true, force: true });
  kb = spawnedKb();
});

test("--changed with no paths and no KB sweeps the whole repository", () => {
  const r = scrum("run", "--changed", "--offline", "--json");
  expect(r.code, r.err).toBe(0);
  expect(r.err).toContain("every file of . is new: a full sweep");
  expect(JSON.parse(r.out).files.total).toBe(3);
});

test("an unchanged tree: exit 0, nothing changed (in --json too), no iteration; the state report still works", () => {
  const r = scrum("run", "--changed", "--offline", "--json");
  expect(r.code, r.err).toBe(0);
  expect(JSON.parse(r.out)).toMatchObject({ iteration_id: null, status: "nothing_to_review" });
  const text = scrum("run", "--changed", "--offline");
  expect(text.code).toBe(0);
  expect(text.err).toMatch(/nothing changed since its last review in \.; no iteration started/);
  const out = join(repo, "scrum.sarif");
  expect(scrum("report", "--scope", "state", "--format", "sarif", "--out", out).code).toBe(0);
  expect(existsSync(out)).toBe(true);
});

test("a new file after the first run: --changed reviews it alone, measured against the earlier state", () => {
  writeFileSync(join(repo, "src/c.ts"), "export const c = 3;\n");
  const r = scrum("run", "--changed", "--offline", "--json");
  expect(r.code, r.err).toBe(0);
  const summary = JSON.parse(r.out);
  expect(summary.files.total).toBe(1);
  expect(summary.changed_since).toEqual({ iteration: 1, full_sweep: false });
});
