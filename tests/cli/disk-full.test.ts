/**
 * A real full disk under the KB: a 400 KB tmpfs (mounting one needs root; elsewhere tests/run/disk-full.test.ts
 * covers the same path with SQLite's max_page_count). The run ends with exit 1 and one line naming the KB, no stack
 * trace; the iteration is aborted, and after space is freed `run --resume` finishes it with every file.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ON_POSTGRES } from "../kb/postgres-server";

const MAIN = resolve(import.meta.dir, "../../pipeline/cli/main.ts");
const work = mkdtempSync(join(tmpdir(), "scrum-disk-full-"));
const mnt = join(work, "mnt");
const repo = join(work, "repo");
mkdirSync(mnt);
// A KB FILE on a full disk: not run under SCRUM_TEST_KB_ENGINE=postgres (a PostgreSQL server that stops mid-command is
// tests/kb/engines.test.ts's "a server that stops mid-command").
const mounted = !ON_POSTGRES && Bun.spawnSync(["mount", "-t", "tmpfs", "-o", "size=400k", "tmpfs", mnt], { stderr: "pipe" }).exitCode === 0;
afterAll(() => {
  if (mounted) Bun.spawnSync(["umount", mnt]);
  rmSync(work, { recursive: true, force: true });
});

function scrum(args: string[]) {
  const r = Bun.spawnSync([process.execPath, MAIN, "--kb", join(mnt, "kb.db"), ...args], { cwd: repo, stdout: "pipe", stderr: "pipe", env: { PATH: process.env.PATH ?? "", HOME: work }, timeout: 60_000 });
  return { code: r.exitCode, out: r.stdout.toString(), err: r.stderr.toString() };
}

test.skipIf(!mounted)("disk full on a tmpfs: exit 1 naming the KB, no stack trace; --resume finishes after space is freed", () => {
  mkdirSync(join(repo, "src"), { recursive: true });
  mkdirSync(join(repo, ".git"));
  const body = (i: number) => `export function f${i}(x: number): number {\n  // TODO check\n  return x * ${i};\n}\n`.repeat(30);
  for (let i = 0; i < 60; i++) writeFileSync(join(repo, "src", `f${i}.ts`), body(i));
  const full = scrum(["run", "--offline", "src"]);
  expect(full.err).toContain(`the disk holding the knowledge base ${join(mnt, "kb.db")} is full (SQLITE_FULL)`);
  expect(full.err).not.toMatch(/^\s+at /m);
  expect(full.code).toBe(1);
  expect(scrum(["--json", "history"]).out).toMatch(/"status": "aborted"/);
  expect(Bun.spawnSync(["mount", "-o", "remount,size=20m", mnt]).exitCode).toBe(0);
  const resumed = scrum(["--json", "run", "--offline", "--resume"]);
  expect(resumed.code).toBe(0);
  const summary = JSON.parse(resumed.out) as { status: string; files: { total: number } };
  expect(summary).toMatchObject({ status: "done", files: { total: 60 } });
}, 120_000);
