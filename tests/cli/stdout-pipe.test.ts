/**
 * Output longer than a pipe holds reaches a slow reader whole: `scrum report --format json | jq` once read 65,536
 * bytes of a 97,828-byte report when jq was slower than scrum (process.exit dropped what process.stdout still held).
 * Spawns bin/scrum behind a reader that waits before it reads, as a busy `jq` or `less` does.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { testKb } from "../kb/postgres-server";

const SCRUM = resolve(import.meta.dir, "../../bin/scrum");
let dir: string;
/** kb.db in `dir`, or its PostgreSQL KB under SCRUM_TEST_KB_ENGINE=postgres. */
let kb: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "scrum-pipe-"));
  kb = testKb("kb.db");
  mkdirSync(join(dir, "src"));
  for (let i = 0; i < 150; i++) writeFileSync(join(dir, "src", `job${i}.py`), `def run_${i}(task):\n    # TODO: retry task ${i} when the queue is full\n    return task\n`);
  const r = Bun.spawnSync([SCRUM, "run", "src", "--offline", "--quiet", "--kb", kb], { cwd: dir, stdout: "pipe", stderr: "pipe", env: { ...process.env, SCRUM_KB: "", SCRUM_CONFIG: "" } });
  expect(r.exitCode, r.stderr.toString()).toBe(0);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("a report of more than 64 KiB reaches a reader that waits before it reads, whole", () => {
  const r = Bun.spawnSync(["sh", "-c", `"${SCRUM}" report --format json --kb '${kb}' --quiet | (sleep 0.5; cat)`], { cwd: dir, stdout: "pipe", stderr: "pipe", env: { ...process.env, SCRUM_KB: "", SCRUM_CONFIG: "" } });
  const out = r.stdout.toString();
  expect(out.length).toBeGreaterThan(65_536);
  const report = JSON.parse(out) as { files: unknown[] };
  expect(report.files.length).toBe(150);
});

test("a reader that stops early (`| head`) ends the output, not with a stack trace", () => {
  const r = Bun.spawnSync(["sh", "-c", `"${SCRUM}" report --format json --kb '${kb}' --quiet | head -c 10`], { cwd: dir, stdout: "pipe", stderr: "pipe", env: { ...process.env, SCRUM_KB: "", SCRUM_CONFIG: "" } });
  expect(r.stdout.toString()).toBe('{\n  "repor');
  expect(r.stderr.toString()).toBe("");
});
