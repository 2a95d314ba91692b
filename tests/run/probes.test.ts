import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runProbes } from "../../pipeline/run/probes";

const root = mkdtempSync(join(tmpdir(), "scrum-probes-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
mkdirSync(join(root, "src"));
writeFileSync(join(root, "src", "a.ts"), "// TODO one\n// TODO two\nconst x = 1;\n");
// About a second per file before JavaScriptCore's backtrack limit gives up on it: 40 s for the tree.
mkdirSync(join(root, "src", "slow"));
for (let i = 0; i < 40; i++) writeFileSync(join(root, "src", "slow", `${i}.txt`), `${"x".repeat(28)}!\n`);
Bun.spawnSync(["mkfifo", join(root, "src", "pipe")]);

describe("probes are time-bounded: a slow one costs a null metric and a warning, never the run", () => {
  test("a pattern probe counts matches in regular files (a FIFO among them is skipped, not read)", () => {
    const [p] = runProbes([{ name: "todos", pattern: "TODO", include: ["src/**"] }], { cwd: root, exclude: [] });
    expect(p).toEqual({ name: "todos", value: 2 });
  });
  test("a backtracking regex is stopped at timeout_s", () => {
    const started = performance.now();
    const [p] = runProbes([{ name: "slow", pattern: "(x+x+)+y", include: ["src/**"], timeoutMs: 500 }], { cwd: root, exclude: [] });
    expect(p!.value).toBeNull();
    expect(p!.problem).toMatch(/probe "slow": the pattern did not finish within 0\.5 s/);
    expect(performance.now() - started).toBeLessThan(5000);
  });
  test("a command that never ends is stopped at timeout_s", () => {
    const started = performance.now();
    const [p] = runProbes([{ name: "sleepy", command: "sleep 30; echo 1", include: [], timeoutMs: 300 }], { cwd: root, exclude: [] });
    expect(p!.value).toBeNull();
    expect(p!.problem).toMatch(/did not finish within 0\.3 s and was stopped/);
    expect(performance.now() - started).toBeLessThan(5000);
  });
  test("a command's last number is its value", () => {
    expect(runProbes([{ name: "n", command: "echo 3 of 7", include: [] }], { cwd: root, exclude: [] })[0]).toEqual({ name: "n", value: 7 });
  });
});
