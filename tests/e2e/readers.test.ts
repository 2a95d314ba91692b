/**
 * Readers during a run: every read command reads one consistent snapshot of the KB, so a `scrum run` writing in
 * another process is seen as it was at one moment — a live iteration shows as running, never as a "bug:" error.
 */
import type { FileRecord } from "../../domain/records";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Kb } from "../../kb/kb";
import { readIterationReport } from "../../pipeline/report/iteration-report";
import { startSimServer, type SimServer } from "../../scripts/sim-server";
import { makeProject, rung } from "./harness";

const REPO = resolve(import.meta.dir, "../..");

/** One file's rows as scrum writes them: a needs_patch review whose one finding is in the same transaction. */
function needsPatch(path: string): FileRecord {
  return {
    review: {
      path, content_sha: "abc", verdict: "needs_patch", alignment_score: 5, output_format: "forensic_json", confidence_avg: 80, confidence_min: 80,
      gradient_tier: "review", findings_count: 1, critical_failures_count: 0, missing_components_count: 0, verified_components_count: 0,
      shards: 1, tree_split_fired: false, attempts_made: 0, thin_rejections: 0, escalations: 0, accepted_model: "m", tokens_in: 0, tokens_out: 0,
      cost_usd: 0, latency_ms: 0, review_json: JSON.stringify({ path, verdict: "needs_patch", coverage: [0] }), error: null, skip_reason: null,
      coverage_complete: true, evidence_unverified: 0, reduced_by: "merge", shard_strategy: "whole",
    },
    findings: [
      { path, category: "pseudocode_flags", severity: "medium", confidence: 80, title: "stub", evidence: "todo!()", line_start: 2, line_end: 2, fingerprint: `fp-${path}`, evidence_verified: true, shard_index: 0, rule: null, symbol: null, agreement: null, dismissal_id: null },
    ],
    attempts: [],
  };
}

describe("one snapshot per read", () => {
  test("a file recorded by another connection between the report's reads of reviews and findings", () => {
    const dir = mkdtempSync(join(tmpdir(), "scrum-readers-"));
    try {
      const file = join(dir, "kb.db");
      const writer = new Kb(file);
      const id = writer.iterations.start({ label: null, configJson: "{}", gitCommit: null, targets: [] });
      writer.recordFile(id, needsPatch("src/a.rs"));
      let n = 0;
      /** A reader whose every read of file_reviews is followed by the run committing one more file. */
      const raced = (kb: Kb): Kb => {
        const read = kb.reviews.inIteration.bind(kb.reviews);
        kb.reviews.inIteration = (iterationId: number) => {
          const rows = read(iterationId);
          writer.recordFile(id, needsPatch(`src/late${n++}.rs`));
          return rows;
        };
        return kb;
      };
      // Without one snapshot the findings read sees a file the reviews read did not: the race the issue measured.
      const bare = raced(new Kb(file));
      expect(() => readIterationReport(bare, undefined)).toThrow(/findings for files with no file_reviews row|belong to no file_reviews row/);
      bare.close();
      // In one snapshot both reads see the same moment.
      const snap = raced(new Kb(file));
      snap.beginSnapshot();
      const report = readIterationReport(snap, undefined);
      snap.close();
      expect(report.iteration.status).toBe("running");
      expect(report.files.map((f) => f.path)).toEqual(["src/a.rs", "src/late0.rs"]);
      writer.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

let sim: SimServer;
beforeAll(async () => {
  // Slow enough that the run is mid-way while the readers read.
  sim = await startSimServer({ behaviours: { reviewer: "good" }, latencyMs: 40 });
});
afterAll(() => sim.stop());

describe("read commands while `scrum run` writes in another process", () => {
  test("report, status, flagged, show, diff, history and dashboard never crash; the live iteration reads as running", async () => {
    const p = makeProject({}, rung("local", "ollama", sim.ollamaHost, "reviewer", "concurrency = 2"));
    try {
      mkdirSync(join(p.dir, "src"));
      for (let i = 0; i < 30; i++) writeFileSync(join(p.dir, "src", `mod${String(i).padStart(2, "0")}.rs`), `pub fn f${i}() -> u32 {\n    todo!()\n}\n`);
      const env = { ...process.env, SCRUM_KB: "", SCRUM_CONFIG: "" };
      // A finished first iteration, so diff has something to compare the live one with.
      const first = Bun.spawn([join(REPO, "bin/scrum"), "run", "src", "--quiet", "--kb", p.kb], { cwd: p.dir, stdout: "ignore", stderr: "pipe", env });
      expect(await first.exited).toBe(0);
      writeFileSync(join(p.dir, "src", "mod00.rs"), "pub fn changed() {}\n");
      const run = Bun.spawn([join(REPO, "bin/scrum"), "run", "src", "--quiet", "--no-cache", "--kb", p.kb], { cwd: p.dir, stdout: "ignore", stderr: "pipe", env });
      const READERS: string[][] = [
        ["report", "latest"],
        ["report", "latest", "--format", "json"],
        ["report", "latest", "--format", "sarif"],
        ["status"],
        ["flagged", "latest"],
        ["show", "latest", "src/mod01.rs"],
        ["diff", "--scope", "iteration"],
        ["diff"],
        ["history"],
        ["dashboard", "--out", join(p.dir, "dash.html")],
      ];
      const failures: string[] = [];
      let calls = 0;
      let sawRunning = false;
      let exited = false;
      void run.exited.then(() => void (exited = true));
      while (!exited && calls < 400) {
        for (const argv of READERS) {
          const r = await p.scrum(...argv, "--kb", p.kb, "--quiet");
          calls++;
          // Exit 2 is an answer (the live iteration has no row for that file yet, or has not started), never a crash.
          const ok = r.code === 0 || (r.code === 2 && /has no row for|is the first; there is nothing to diff/.test(r.err));
          if (!ok || /bug:|\n\s+at /.test(r.err)) failures.push(`${argv.join(" ")} → ${r.code}: ${r.err.slice(0, 300)}`);
          if (argv[0] === "report" && argv.length === 2 && /status: \*\*running\*\*/.test(r.out)) sawRunning = true;
          await Bun.sleep(5);
        }
      }
      expect(await run.exited).toBe(0);
      expect(failures).toEqual([]);
      expect(calls).toBeGreaterThanOrEqual(READERS.length);
      expect(sawRunning).toBe(true);
    } finally {
      p.cleanup();
    }
  }, 120_000);
});
