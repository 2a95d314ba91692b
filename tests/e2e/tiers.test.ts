/**
 * Tiers read the right way round: a file with findings to act on is never `auto` (a human reviews the patch, or it
 * is `block` when the reviewer doubts a finding); a clean file a model vouched for confidently is `auto`. Through
 * bin/scrum against the simulated server, and offline on the demo (where the static rung's passes are `review`: its
 * proof of life is a pattern match at confidence 60, below review_below).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startSimServer, type SimServer } from "../../scripts/sim-server";
import { DEMO_SOURCE } from "./demo-expected";
import { REPO, rung } from "./harness";

let sim: SimServer;
let base: string;
beforeAll(async () => {
  sim = await startSimServer({ behaviours: { good: "good" } });
  base = mkdtempSync(join(tmpdir(), "scrum-tiers-"));
});
afterAll(() => {
  sim.stop();
  rmSync(base, { recursive: true, force: true });
});

/** Asynchronous: the simulated server answers from this process, so the test must not block while the CLI runs. */
async function scrum(cwd: string, ...args: string[]) {
  const p = Bun.spawn([join(REPO, "bin/scrum"), ...args], { cwd, stdout: "pipe", stderr: "pipe", env: { ...process.env, SCRUM_KB: "", SCRUM_CONFIG: "" } });
  const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  return { code, out, err };
}

type StatusRow = { path: string; verdict: string; gradient_tier: string; findings_count: number };

test("with a model: the clean file is auto, the files with findings are review", async () => {
  const dir = join(base, "model");
  mkdirSync(join(dir, ".scrum"), { recursive: true });
  cpSync(join(REPO, "tests/fixtures/sim"), join(dir, "src"), { recursive: true, filter: (f) => !f.endsWith(".json") });
  writeFileSync(join(dir, ".scrum/routing.toml"), rung("good", "ollama", sim.ollamaHost, "good"));
  Bun.spawnSync(["git", "init", "-q"], { cwd: dir });
  const run = await scrum(dir, "run", "src", "--json");
  expect(run.code, run.err).toBe(0);
  const rows = JSON.parse((await scrum(dir, "status", "--json")).out) as StatusRow[];
  const withFindings = rows.filter((r) => r.findings_count > 0);
  const clean = rows.filter((r) => r.verdict === "pass" && r.findings_count === 0);
  expect(withFindings.length).toBeGreaterThan(0);
  expect(clean.map((r) => r.path)).toContain("src/clean.go");
  for (const r of withFindings) expect(["review", "block"], r.path).toContain(r.gradient_tier);
  for (const r of clean) expect(r.gradient_tier, r.path).toBe("auto");
  const summary = JSON.parse(run.out) as { metrics: Record<string, number> };
  expect(summary.metrics.tier_auto).toBe(clean.length);
}, 30_000);

test("offline on the demo: no file with findings is auto, and no clean pass sits in a worse tier than one", async () => {
  const dir = join(base, "demo");
  cpSync(DEMO_SOURCE, dir, { recursive: true });
  Bun.spawnSync(["git", "init", "-q"], { cwd: dir });
  expect((await scrum(dir, "run", ".", "--offline", "--quiet")).code).toBe(0);
  const rows = JSON.parse((await scrum(dir, "status", "--json")).out) as StatusRow[];
  const rank = { auto: 0, review: 1, block: 2 } as Record<string, number>;
  const needsWork = rows.filter((r) => r.verdict === "needs_patch" || r.verdict === "fail");
  const clean = rows.filter((r) => r.verdict === "pass");
  expect(needsWork.length).toBeGreaterThan(0);
  for (const r of needsWork) expect(r.gradient_tier, r.path).not.toBe("auto");
  const worstClean = Math.max(...clean.map((r) => rank[r.gradient_tier]!));
  const bestNeedsWork = Math.min(...needsWork.map((r) => rank[r.gradient_tier]!));
  expect(worstClean).toBeLessThanOrEqual(bestNeedsWork);
}, 30_000);
