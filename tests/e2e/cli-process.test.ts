import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const REPO = resolve(import.meta.dir, "../..");
const dir = mkdtempSync(join(tmpdir(), "scrum-proc-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function scrum(...args: string[]) {
  const r = Bun.spawnSync([join(REPO, "bin/scrum"), ...args, "--kb", join(dir, "scrum.db")], { cwd: REPO, stdout: "pipe", stderr: "pipe", env: { ...process.env, SCRUM_KB: "", SCRUM_CONFIG: "" } });
  return { code: r.exitCode, out: r.stdout.toString(), err: r.stderr.toString() };
}

test("bin/scrum: results on stdout (JSON with --json), progress on stderr, exit 0", () => {
  const r = scrum("run", "examples/demo-repo", "--offline", "--json");
  expect(r.code).toBe(0);
  const summary = JSON.parse(r.out);
  expect(summary.status).toBe("done");
  expect(r.err).toMatch(/\[ *\d+\/\d+\] needs_patch examples\/demo-repo\/src\/auth\.rs/);
});

test("bin/scrum: usage errors exit 2 with the message on stderr and nothing on stdout", () => {
  const r = scrum("run", "examples/demo-repo", "--offline", "--fail-on", "sometimes");
  expect(r.code).toBe(2);
  expect(r.out).toBe("");
  expect(r.err).toMatch(/--fail-on <verdict>' argument 'sometimes' is invalid\. Allowed choices are needs_patch, fail/);
});

test("bin/scrum shard --json gives the contract's plan shape", () => {
  const r = scrum("shard", "examples/demo-repo/src/pipeline.ts", "--json");
  expect(r.code).toBe(0);
  const plan = JSON.parse(r.out);
  expect(plan).toMatchObject({ path: "examples/demo-repo/src/pipeline.ts", language: "typescript" });
  expect(plan.shards.length).toBeGreaterThan(1);
  let next = 1;
  for (const s of plan.shards) {
    expect(Object.keys(s)).toEqual(expect.arrayContaining(["index", "line_start", "line_end", "chars", "symbols", "split_inside"]));
    expect(s.line_start).toBe(next);
    next = s.line_end + 1;
  }
  expect(next - 1).toBe(plan.lines);
});
