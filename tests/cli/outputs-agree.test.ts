/**
 * Outputs agree: one definition of each count in the run summary, --json, reports and the dashboard; the state
 * report shows the state's numbers; diff does not call a run's own work better or worse across different scopes.
 * Spawns bin/scrum on a temp git repository.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Kb } from "../../kb/kb";
import { rootKbEnv, testKb } from "../kb/postgres-server";

const REPO = resolve(import.meta.dir, "../..");
let repo: string;

function scrum(...args: string[]) {
  const r = Bun.spawnSync([join(REPO, "bin/scrum"), ...args], { cwd: repo, stdout: "pipe", stderr: "pipe", env: { ...process.env, SCRUM_KB: rootKbEnv(repo), SCRUM_CONFIG: "" } });
  return { code: r.exitCode, out: r.stdout.toString(), err: r.stderr.toString() };
}
const json = (...args: string[]) => {
  const r = scrum(...args, "--json");
  if (r.code !== 0) throw new Error(`scrum ${args.join(" ")}: exit ${r.code}: ${r.err}`);
  return JSON.parse(r.out);
};

beforeAll(() => {
  repo = mkdtempSync(join(tmpdir(), "scrum-agree-"));
  mkdirSync(join(repo, "src"));
  writeFileSync(join(repo, "src/parse.ts"), "export function parse(text: string): unknown {\n  try {\n    return JSON.parse(text);\n  } catch (err) {\n  }\n  return null;\n}\n");
  writeFileSync(join(repo, "src/ok.ts"), "export const answer = 42;\n");
  writeFileSync(join(repo, "src/more.ts"), "export function twice(n: number): number {\n  return n * 2;\n}\n");
  Bun.spawnSync(["git", "init", "-q"], { cwd: repo });
});
afterAll(() => rmSync(repo, { recursive: true, force: true }));

test("a full sweep, then a --changed run of one file: the state report counts the state, the iteration report the run", () => {
  expect(json("run", "src", "--offline").files.total).toBe(3);
  appendFileSync(join(repo, "src/more.ts"), "export const three = twice(1) + 1;\n");
  expect(json("run", "--changed", "--offline").files.total).toBe(1);
  const iteration = json("report", "--format", "json");
  expect(iteration.metrics.files_total).toBe(1);
  const state = json("report", "--scope", "state", "--format", "json");
  expect(state.metrics_source).toBe("state");
  expect(state.files).toHaveLength(3);
  expect(state.metrics).toMatchObject({ files_total: 3, verdict_pass: 3, verdict_needs_patch: 0, findings_total: 1, state_files: 3 });
  // A run's own work is no property of the state.
  expect(state.metrics.wall_ms).toBeUndefined();
  expect(state.metrics.attempts_total).toBeUndefined();
  const md = scrum("report", "--scope", "state").out;
  expect(md).toMatch(/\| files \| 3 \(reviewed 3/);
  expect(md).not.toMatch(/\| wall time \|/);
});

test("diff between a 3-file sweep and a 1-file run: the runs' work is not comparable, the state still is", () => {
  const d = json("diff");
  const m = Object.fromEntries((d.metrics as Array<{ name: string; direction: string | null }>).map((x) => [x.name, x.direction]));
  for (const name of ["wall_ms", "attempts_total", "files_reviewed"]) expect(m[name], name).toBe("not_comparable");
  expect(m.state_files).toBe("same");
  expect(d.run_scopes).toEqual({ from_files: 3, to_files: 1, same: false });
  expect(scrum("diff").out).toMatch(/not comparable: the runs' own work .* iteration 1 reviewed 3 files, iteration 2 1/);
});

test("unverified evidence counts problem findings only: summary, report and dashboard agree", () => {
  // A model's proof-of-life quote that is not in the file (the static rung's `---` and `/**` quotes were such):
  // a verified_components row with evidence_verified 0, stored as a review of the latest iteration's kind.
  const kb = new Kb(testKb(join(repo, ".scrum", "scrum.db")));
  const id = kb.iterations.start({ label: "model", configJson: kb.iterations.all()[0]!.config_json, gitCommit: null, targets: ["src/ok.ts"] });
  const sha = new Bun.CryptoHasher("sha256").update(readFileSync(join(repo, "src/ok.ts"))).digest("hex");
  kb.recordFile(id, {
    review: {
      path: "src/ok.ts", content_sha: sha, verdict: "pass", alignment_score: 9, output_format: "forensic_json", confidence_avg: 90, confidence_min: 90,
      gradient_tier: "auto", findings_count: 0, critical_failures_count: 0, missing_components_count: 0, verified_components_count: 1,
      shards: 1, tree_split_fired: false, attempts_made: 1, thin_rejections: 0, escalations: 0, accepted_model: "m", tokens_in: 10,
      tokens_out: 20, cost_usd: 0, latency_ms: 5, review_json: JSON.stringify({ path: "src/ok.ts", verdict: "pass", coverage: [0] }), error: null, skip_reason: null, coverage_complete: true,
      evidence_unverified: 0, reduced_by: "merge", shard_strategy: "whole",
    },
    findings: [
      { path: "src/ok.ts", category: "verified_components", severity: "low", confidence: 90, title: "module header present", evidence: "---", line_start: 1, line_end: 1, fingerprint: "aaaaaaaaaaaaaaaa", evidence_verified: false, shard_index: 0 },
    ],
    attempts: [],
  });
  kb.completeIteration(id, [], kb.metrics.computed(id));
  kb.close();
  expect(json("report", "--format", "json").metrics.evidence_unverified).toBe(0);
  const out = join(repo, "dash.html");
  expect(scrum("dashboard", "--out", out).code).toBe(0);
  const html = readFileSync(out, "utf8");
  expect(html).not.toMatch(/quote evidence that is not in the file/);
  expect(html).toMatch(/0 of \d+ problem finding rows/);
});
