/**
 * Small promises the CLI makes, checked through bin/scrum: the README's dismiss line works as printed, `note add`
 * refuses a directory, `dismiss --undo` says when the finding counts again (and is right), and `init`'s config
 * reviews a user's own kb/ folder.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { DEMO_SOURCE } from "../e2e/demo-expected";
import { rootKbEnv } from "../kb/postgres-server";

const REPO = resolve(import.meta.dir, "../..");
let base: string;
let demo: string;

function scrum(cwd: string, ...args: string[]) {
  const r = Bun.spawnSync([join(REPO, "bin/scrum"), ...args], { cwd, stdout: "pipe", stderr: "pipe", env: { ...process.env, SCRUM_KB: rootKbEnv(cwd), SCRUM_CONFIG: "" } });
  return { code: r.exitCode, out: r.stdout.toString(), err: r.stderr.toString() };
}

/** The README's `scrum dismiss` line, as printed (comment dropped), split into its words. */
function readmeDismissLine(): string[] {
  const line = readFileSync(join(REPO, "README.md"), "utf8").split("\n").find((l) => /^scrum dismiss /.test(l));
  if (!line) throw new Error("README.md has no `scrum dismiss` line");
  const command = line.replace(/\s+#.*$/, "");
  return [...command.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!).slice(1);
}

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), "scrum-small-"));
  demo = join(base, "demo");
  cpSync(DEMO_SOURCE, demo, { recursive: true });
  Bun.spawnSync(["git", "init", "-q"], { cwd: demo });
  expect(scrum(demo, "run", ".", "--offline", "--quiet").code).toBe(0);
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

const ingestCount = () => (JSON.parse(scrum(demo, "status", "src/ingest.ts", "--json").out) as Array<{ findings_count: number }>)[0]!.findings_count;

test("the README's dismiss line works on the demo as printed, and undo says the finding counts again now (it does)", () => {
  const before = ingestCount();
  const r = scrum(demo, ...readmeDismissLine(), "--json");
  expect(r.code, r.err).toBe(0);
  const { id } = JSON.parse(r.out) as { id: number };
  expect(ingestCount()).toBe(before - 1);
  const undo = scrum(demo, "dismiss", "--undo", String(id));
  expect(undo.code, undo.err).toBe(0);
  expect(undo.out).toContain("counts again now");
  expect(ingestCount()).toBe(before);
});

test("undo after the file was reviewed while dismissed: it counts from the next review, and only then", () => {
  const before = ingestCount();
  const { id } = JSON.parse(scrum(demo, ...readmeDismissLine(), "--json").out) as { id: number };
  appendFileSync(join(demo, "src/ingest.ts"), "\n// touched\n");
  expect(scrum(demo, "run", "--changed", "--offline", "--quiet").code).toBe(0);
  expect(ingestCount()).toBe(before - 1);
  const undo = scrum(demo, "dismiss", "--undo", String(id), "--json");
  expect(JSON.parse(undo.out).counts_from).toBe("next_review");
  expect(scrum(demo, "dismiss", "--undo", String(id)).code).toBe(2);
  expect(ingestCount()).toBe(before - 1);
  appendFileSync(join(demo, "src/ingest.ts"), "// again\n");
  expect(scrum(demo, "run", "--changed", "--offline", "--quiet").code).toBe(0);
  expect(ingestCount()).toBe(before);
});

test("note add refuses a directory (exit 2) and writes no note", () => {
  for (const dir of ["src", "src/", "."]) {
    const r = scrum(demo, "note", "add", dir, "look at the parsers");
    expect(r.code, dir).toBe(2);
    expect(r.err).toContain("is a directory; a note is about one file");
  }
  expect(scrum(demo, "note", "list").out).toBe("no notes\n");
});

test("scrum init's config reviews a user's own kb/ folder", () => {
  const dir = join(base, "with-kb");
  mkdirSync(join(dir, "kb"), { recursive: true });
  writeFileSync(join(dir, "kb/store.py"), "def put(key, value):\n    raise NotImplementedError\n");
  Bun.spawnSync(["git", "init", "-q"], { cwd: dir });
  expect(scrum(dir, "init").code).toBe(0);
  const run = scrum(dir, "run", ".", "--offline", "--json");
  expect(run.code, run.err).toBe(0);
  const paths = (JSON.parse(scrum(dir, "status", "--json").out) as Array<{ path: string }>).map((r) => r.path);
  expect(paths).toContain("kb/store.py");
});

test("a run whose findings raise no verdict says where they are, and flagged --include review lists them", () => {
  const dir = join(base, "only-low");
  mkdirSync(join(dir, "src"), { recursive: true });
  writeFileSync(join(dir, "src/sum.ts"), "export function sum(xs: number[]): number {\n  // TODO: overflow\n  return xs.reduce((a, b) => a + b, 0);\n}\n");
  writeFileSync(join(dir, "src/clean.ts"), "export const one = 1;\n");
  Bun.spawnSync(["git", "init", "-q"], { cwd: dir });
  const run = scrum(dir, "run", ".", "--offline");
  expect(run.code, run.err).toBe(0);
  expect(run.out.trimEnd().split("\n").at(-1)).toStartWith("next: nothing is flagged (no file fails, needs a patch, is unreviewed or blocked); 1 passing file holds findings");
  expect(scrum(dir, "flagged").out).toContain("nothing flagged");
  expect(scrum(dir, "flagged", "--include", "review", "--format", "paths").out.split("\n")[0]).toBe("src/sum.ts");
});
