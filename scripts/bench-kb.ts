/**
 * Benchmark: the read commands on a large KB. Builds (once, cached in a temp file) a KB of 50 iterations over 2,000
 * files — every file reviewed in every iteration, three findings and two attempts a file, the state after each —
 * then times `history`, `status`, `flagged` and `diff` as fresh `bin/scrum` processes (startup included).
 *
 *   bun scripts/bench-kb.ts [--iterations 50] [--files 2000] [--runs 3] [--kb postgres://…]
 *
 * `--kb URL`: the same KB in a PostgreSQL database (built there once, kept: a database that already holds the
 * iterations is reused), so the read commands are timed on the PostgreSQL engine.
 */
import type { FileRecord } from "../domain/records";
import { existsSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { Kb } from "../kb/kb";
import { isPostgresLocation, showLocation } from "../kb/engine";
import { stateMetrics } from "../kb/aggregates";
import { buildState } from "../pipeline/score/state";

const { values } = parseArgs({
  options: { iterations: { type: "string", default: "50" }, files: { type: "string", default: "2000" }, runs: { type: "string", default: "3" }, kb: { type: "string" } },
});
const ITERATIONS = Number(values.iterations);
const FILES = Number(values.files);
const RUNS = Number(values.runs);
const root = resolve(import.meta.dir, "..");
const dir = join(tmpdir(), "scrum-bench-kb");
mkdirSync(dir, { recursive: true });
const file = values.kb ?? join(dir, `kb-${ITERATIONS}x${FILES}.db`);

function record(i: number, f: number): FileRecord {
  const path = `src/pkg${f % 40}/mod${f}.ts`;
  // A third of the files improve over the iterations: findings come and go, so diff has work to do.
  const open = (f + i) % 3 === 0 ? 1 : 3;
  const verdict = open === 3 ? "needs_patch" : "pass";
  const findings = Array.from({ length: open }, (_, k) => ({
    path, category: k === 0 ? ("pseudocode_flags" as const) : ("risk_points" as const), severity: (["high", "medium", "low"] as const)[k % 3]!, confidence: 80,
    title: `finding ${k}`, evidence: `line ${k} of ${path}`, line_start: 10 + k, line_end: 10 + k, fingerprint: `${f}-${k}`, evidence_verified: true, shard_index: 0,
    rule: null, symbol: null, agreement: null, dismissal_id: null, disposition: null, verified_by: null, verify_reason: null, rung: "cloud",
  }));
  const attempt = (outcome: "thin" | "accepted") => ({
    path, shard_index: 0, rung: outcome === "thin" ? "local" : "cloud", model: "m", outcome, reason: null, latency_ms: 900, tokens_in: 1500, tokens_out: 400,
    cost_usd: 0.0004, output_format: "forensic_json", server: "http://127.0.0.1:11434", purpose: "review" as const,
    redactions: 0, prompt_sha: null,
  });
  return {
    review: {
      path, content_sha: `sha-${f}`, verdict, alignment_score: 7, output_format: "forensic_json", confidence_avg: 80, confidence_min: 80, gradient_tier: "auto",
      findings_count: open, critical_failures_count: 0, missing_components_count: 0, verified_components_count: 1, shards: 1, tree_split_fired: false,
      attempts_made: 2, thin_rejections: 1, escalations: 1, accepted_model: "m", tokens_in: 3000, tokens_out: 800, cost_usd: 0.0008, latency_ms: 1800,
      review_json: JSON.stringify({ path, verdict }), error: null, skip_reason: null, coverage_complete: true, evidence_unverified: 0, reduced_by: "merge", shard_strategy: "whole",
      instructions: null, reviewer: "model", degraded_reason: null,
    },
    findings,
    attempts: [attempt("thin"), attempt("accepted")],
  };
}

/** Whether the KB is built already: the file exists, or the database holds the iterations. */
function built(): boolean {
  if (!isPostgresLocation(file)) return existsSync(file);
  const kb = new Kb(file);
  try {
    return kb.iterations.all().filter((i) => i.status === "done").length >= ITERATIONS;
  } finally {
    kb.close();
  }
}

if (!built()) {
  const started = performance.now();
  const kb = new Kb(file);
  if (kb.iterations.all().length > 0) throw new Error(`${showLocation(file)} holds a partly built KB; give an empty database`);
  for (let i = 1; i <= ITERATIONS; i++) {
    const id = kb.iterations.start({ label: `iter-${i}`, configJson: "{}", gitCommit: null, targets: ["src"] });
    kb.db.transaction(() => {
      for (let f = 0; f < FILES; f++) kb.recordFile(id, record(i, f));
    })();
    const previous = kb.state.latestIteration(id - 1);
    const state = buildState({ iterationId: id, previous: previous === null ? [] : kb.state.of(previous), reviewed: kb.reviews.inIteration(id), counts: kb.findings.counting(id), onDisk: (p) => `sha-${p.replace(/^.*mod(\d+)\.ts$/, "$1")}` });
    kb.completeIteration(id, state, { ...kb.metrics.computed(id), wall_ms: 1, ...stateMetrics(state) });
  }
  kb.close();
  console.log(`built ${showLocation(file)} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

const cases: Record<string, string[]> = {
  history: ["history"],
  "history --json": ["history", "--json"],
  status: ["status"],
  flagged: ["flagged"],
  diff: ["diff"],
  "diff --scope iteration": ["diff", "--scope", "iteration"],
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`${showLocation(file)}: ${ITERATIONS} iterations × ${FILES} files (${ITERATIONS * FILES} file reviews, ~${ITERATIONS * FILES * 2} findings); median of ${RUNS} fresh processes\n`);
console.log("| command | median s | max s |");
console.log("| --- | ---: | ---: |");
for (const [name, args] of Object.entries(cases)) {
  const times: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t = performance.now();
    const p = Bun.spawnSync([join(root, "bin/scrum"), ...args, "--kb", file, "--quiet"], { stdout: "ignore", stderr: "pipe" });
    if (p.exitCode !== 0) throw new Error(`${name} exited ${p.exitCode}: ${p.stderr.toString()}`);
    times.push((performance.now() - t) / 1000);
  }
  console.log(`| scrum ${name} | ${median(times).toFixed(2)} | ${Math.max(...times).toFixed(2)} |`);
}
