import type { AttemptRecord, FileRecord, StoredFinding } from "../../domain/records";
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Kb } from "../../kb/kb";
import { testKb } from "../kb/postgres-server";
import { gatherDashboard } from "../../pipeline/dashboard/gather";

let dir: string;
let kb: Kb;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "scrum-dash-gather-"));
  kb = new Kb(testKb(join(dir, "scrum.db")), { now: () => new Date("2026-04-24T10:00:00.000Z") });
});
afterEach(() => {
  kb.close();
  rmSync(dir, { recursive: true, force: true });
});

function finding(path: string, over: Partial<StoredFinding> = {}): StoredFinding {
  return { path, category: "pseudocode_flags", severity: "high", confidence: 90, title: "stub", evidence: "todo!()", line_start: 3, line_end: 3, fingerprint: `${path}-f`, evidence_verified: true, shard_index: 0, rule: null, symbol: null, agreement: null, dismissal_id: null, disposition: null, verified_by: null, verify_reason: null, rung: null, ...over };
}

function attempt(path: string, outcome: AttemptRecord["outcome"], rung = "local"): AttemptRecord {
  return { path, shard_index: 0, rung, model: "m", outcome, reason: null, latency_ms: 5, tokens_in: 10, tokens_out: 20, cost_usd: 0.001, output_format: "forensic_json", server: null, purpose: "review", redactions: 0, prompt_sha: null };
}

function record(path: string, verdict: FileRecord["review"]["verdict"], over: Partial<FileRecord["review"]> = {}, findings: StoredFinding[] = [], attempts: AttemptRecord[] = []): FileRecord {
  return {
    review: {
      path, content_sha: "abc", verdict, alignment_score: 7, output_format: "forensic_json", confidence_avg: 80, confidence_min: 70,
      gradient_tier: "auto", findings_count: findings.length, critical_failures_count: 0, missing_components_count: 0, verified_components_count: 0,
      shards: 1, tree_split_fired: false, attempts_made: attempts.length, thin_rejections: 0, escalations: 0, accepted_model: "m", tokens_in: 10,
      tokens_out: 20, cost_usd: 0.001, latency_ms: 5, review_json: JSON.stringify({ path, verdict }), error: null, skip_reason: null, coverage_complete: true,
      evidence_unverified: 0, reduced_by: "merge", shard_strategy: "whole", ...over,
    },
    findings,
    attempts,
  };
}

/** Iteration 1 finished (with a probe), iteration 2 aborted after two files; one note picked up, one open. */
function seed(): void {
  const one = kb.iterations.start({ label: "iter-1", configJson: "{}", gitCommit: null, targets: ["."] });
  kb.recordFile(one, record("a.rs", "needs_patch", {}, [finding("a.rs"), finding("a.rs", { evidence_verified: false, fingerprint: "x", severity: "low" })], [attempt("a.rs", "thin"), attempt("a.rs", "accepted", "cloud")]));
  kb.recordFile(one, record("b.ts", "pass", {}, [], [attempt("b.ts", "accepted")]));
  kb.recordFile(one, record("logo.png", "skipped", { skip_reason: "binary", gradient_tier: null }));
  kb.metrics.record(one, { ...kb.metrics.computed(one), wall_ms: 1200, grep_hits: 7 });
  kb.iterations.finish(one, "done");
  const note = kb.notes.add("a.rs", "reducer never saw the journal call", one);
  kb.notes.add("b.ts", "check the retry", one);
  const two = kb.iterations.start({ label: "iter-2", configJson: "{}", gitCommit: null, targets: ["."] });
  kb.notes.markPickedUp([note], two);
  kb.recordFile(two, record("a.rs", "unreviewed", { error: "shard 1: every rung timed out", gradient_tier: null, coverage_complete: false }, [], [attempt("a.rs", "timeout")]));
  kb.recordFile(two, record("b.ts", "fail", { gradient_tier: "block", coverage_complete: false }, [finding("b.ts", { category: "critical_failures" })], [attempt("b.ts", "accepted")]));
  kb.iterations.finish(two, "aborted", "interrupted");
}

describe("gathering the dashboard data", () => {
  test("a finished iteration uses its stored metrics; an aborted one is computed from its rows and marked so", () => {
    seed();
    const data = gatherDashboard(kb, { kbFile: "kb.db", now: new Date("2026-04-24T12:00:00.000Z") });
    expect(data.iterations.map((p) => [p.id, p.status, p.source])).toEqual([[1, "done", "stored"], [2, "aborted", "rows"]]);
    // The second finding of a.rs has unverified evidence: it counts in evidence_unverified, not findings_total.
    expect(data.iterations[0]!.metrics).toMatchObject({ findings_total: 1, evidence_unverified: 1, wall_ms: 1200, grep_hits: 7 });
    expect(data.iterations[1]!.metrics).toMatchObject({ files_total: 2, files_unreviewed: 1, verdict_fail: 1, findings_total: 1, tier_block: 1 });
    expect(data.iterations[1]!.metrics.wall_ms).toBeUndefined();
    expect(data.probeNames).toEqual(["grep_hits"]);
  });

  test("the latest iteration lists flagged files most urgent first, their findings, and unreviewed files with reasons", () => {
    seed();
    const latest = gatherDashboard(kb, { kbFile: "kb.db", now: new Date() }).latest!;
    expect(latest.point.id).toBe(2);
    expect(latest.flagged.map((f) => [f.path, f.verdict, f.gradient_tier])).toEqual([["b.ts", "fail", "block"], ["a.rs", "unreviewed", null]]);
    expect(latest.findings.map((f) => [f.path, f.category, f.evidence_verified])).toEqual([["b.ts", "critical_failures", true]]);
    expect(latest.unreviewed).toEqual([{ path: "a.rs", reason: "shard 1: every rung timed out" }]);
    expect(latest.skipped).toEqual([]);
  });

  test("KB health counts the rows the KB holds", () => {
    seed();
    const h = gatherDashboard(kb, { kbFile: "kb.db", now: new Date("2026-04-24T12:00:00.000Z") }).health;
    expect(h.iterations).toEqual({ total: 2, done: 1, aborted: 1, running: 0 });
    expect(h.rows).toMatchObject({ iterations: 2, file_reviews: 5, findings: 3, attempts: 5, notes: 2 });
    expect(h.rows.metrics).toBe(Object.keys(kb.metrics.of(1)).length);
    expect(h.notes).toEqual({ open: 1, picked_up: 1, resolved: 0 });
    expect(h.evidence).toEqual({ unverified: 1, findings: 3 });
    // Reviewed rows: a.rs and b.ts of iteration 1, b.ts of iteration 2 (partial); the unreviewed a.rs is not a reviewed row.
    expect(h.coverage).toEqual({ partial: 1, reviewed: 3 });
    expect(h.attemptsByOutcome).toEqual({ accepted: 3, thin: 1, invalid: 0, error: 0, timeout: 1, cached: 0, skipped: 0, refused: 0 });
    expect(h.attemptsByRung.map((r) => [r.rung, r.total, r.outcomes.thin])).toEqual([["local", 4, 1], ["cloud", 1, 0]]);
    expect(h.lastIteration).toEqual({ id: 2, at: "2026-04-24T10:00:00.000Z", ageMs: 2 * 3600_000 });
  });

  test("an empty KB gives empty data, not an error", () => {
    const data = gatherDashboard(kb, { kbFile: "kb.db", now: new Date() });
    expect(data.iterations).toEqual([]);
    expect(data.latest).toBeNull();
    expect(data.health.lastIteration).toBeNull();
  });
});
