import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { Kb } from "../../kb/kb";
import { readIterationReport } from "../../pipeline/report/iteration-report";
import { JSON_REPORT_VERSION, renderJson } from "../../pipeline/report/json";
import { buildReportKb, CRAFTED, type ReportKb } from "./report-kb";

const FILE_KEYS = ["path", "verdict", "gradient_tier", "alignment_score", "shards", "shards_reviewed", "coverage_complete", "reduced_by", "accepted_model", "skip_reason", "error", "reviewer", "degraded", "findings"];
const FINDING_KEYS = ["category", "severity", "confidence", "title", "evidence", "line_start", "line_end", "fingerprint", "evidence_verified", "shard_index", "rule", "disposition", "verified_by", "verify_reason", "rung", "dismissal"];
const ITERATION_KEYS = ["id", "label", "status", "started_at", "finished_at", "git_commit", "targets", "error"];

interface JsonReport {
  report_version: number;
  iteration: Record<string, unknown> & { id: number };
  metrics_source: string;
  metrics: Record<string, number | null>;
  files: (Record<string, unknown> & { path: string; findings: Record<string, unknown>[] })[];
}

let fx: ReportKb;
let kb: Kb;
const reports = new Map<string, JsonReport>();

beforeAll(async () => {
  fx = await buildReportKb();
  kb = new Kb(fx.kbFile);
  for (const ref of ["iter-1", "dismissals", "crafted", "aborted"]) reports.set(ref, JSON.parse(renderJson(readIterationReport(kb, ref))) as JsonReport);
});
afterAll(() => {
  kb.close();
  fx.cleanup();
});

const report = (ref: string) => reports.get(ref)!;

describe("json report", () => {
  test("top level, iteration, file and finding objects have exactly the documented keys", () => {
    const r = report("crafted");
    expect(Object.keys(r)).toEqual(["report_version", "scope", "iteration", "metrics_source", "metrics", "files"]);
    expect(r.report_version).toBe(JSON_REPORT_VERSION);
    expect(Object.keys(r.iteration)).toEqual(ITERATION_KEYS);
    for (const f of r.files) {
      expect(Object.keys(f)).toEqual(FILE_KEYS);
      for (const x of f.findings) expect(Object.keys(x)).toEqual(FINDING_KEYS);
    }
  });

  test("docs/REPORTS.md documents every key", () => {
    const doc = readFileSync(resolve(import.meta.dir, "../../docs/REPORTS.md"), "utf8");
    for (const key of ["report_version", "metrics_source", ...ITERATION_KEYS, ...FILE_KEYS, ...FINDING_KEYS]) expect(doc, key).toContain(`\`${key}\``);
  });

  test.each(["iter-1", "crafted", "aborted"])("%s: one file per file_reviews row, with its findings rows", (ref) => {
    const it = kb.iterations.resolve(ref);
    const r = report(ref);
    const rows = kb.reviews.inIteration(it.id);
    expect(r.iteration.id).toBe(it.id);
    expect(r.files.map((f) => f.path)).toEqual(rows.map((row) => row.path).sort((a, b) => a.localeCompare(b)));
    for (const f of r.files) {
      const row = rows.find((x) => x.path === f.path)!;
      expect(f.verdict).toBe(row.verdict);
      expect(f.gradient_tier).toBe(row.gradient_tier);
      expect(f.findings).toHaveLength(kb.findings.inIteration(it.id, f.path).length);
      expect(f.findings.filter((x) => x.category !== "verified_components")).toHaveLength(row.findings_count);
    }
    expect(r.files.flatMap((f) => f.findings)).toHaveLength(kb.findings.inIteration(it.id).length);
  });

  test("finished iterations carry their stored metrics, and those agree with the files", () => {
    for (const ref of ["iter-1", "crafted"]) {
      const r = report(ref);
      expect(r.metrics_source).toBe("stored");
      expect(r.metrics).toEqual(kb.metrics.of(r.iteration.id));
      // A finding counts when it is a problem whose evidence is in the file and that nobody dismissed.
      const problems = r.files.flatMap((f) => f.findings).filter((x) => x.category !== "verified_components");
      expect(r.metrics.findings_total).toBe(problems.filter((x) => x.evidence_verified && x.dismissal === null).length);
      expect(r.metrics.files_total).toBe(r.files.length);
      expect(r.metrics.evidence_unverified).toBe(problems.filter((x) => x.evidence_verified === false).length);
    }
  });

  test("an aborted iteration has no stored metrics: they are computed from its rows and say so", () => {
    const r = report("aborted");
    expect(kb.metrics.of(r.iteration.id)).toEqual({});
    expect(r.metrics_source).toBe("computed");
    expect(r.metrics.files_total).toBe(1);
    expect(r.metrics.findings_total).toBe(CRAFTED[0]!.findings!.filter((f) => f.category !== "verified_components" && f.evidence_verified).length);
    expect(r.iteration).toMatchObject({ status: "aborted", error: "interrupted" });
  });

  test("a finding names its static rule (null for a model's) and its dismissal with the reason", () => {
    const ingest = report("dismissals").files.find((f) => f.path === "src/ingest.ts")!;
    const by = (fp: string) => ingest.findings.find((x) => x.fingerprint === fp)!;
    expect(by("d44ce0000000f001")).toMatchObject({ rule: "empty-catch", dismissal: { reason: "intended: best-effort cache warm-up, a miss is not an error", undone_at: null } });
    expect(by("d44ce0000000f003")).toMatchObject({ rule: null, dismissal: { undone_at: "2026-11-21T14:30:00.000Z" } });
    expect(by("d44ce0000000f002")).toMatchObject({ rule: "todo-marker-legacy", dismissal: null });
    const problems = report("iter-1").files.flatMap((f) => f.findings).filter((x) => x.category !== "verified_components");
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.filter((x) => typeof x.rule !== "string")).toEqual([]);
  });

  test("the crafted cases come through as typed values", () => {
    const byPath = new Map(report("crafted").files.map((f) => [f.path, f]));
    expect(byPath.get("assets/logo.png")).toMatchObject({ verdict: "skipped", skip_reason: "binary file (NUL byte in the first 8 KiB)", coverage_complete: null, shards_reviewed: null, findings: [] });
    expect(byPath.get("src/pipeline.ts")).toMatchObject({ coverage_complete: false, shards: 3, shards_reviewed: 2, error: "shard 3 (lines 201-232): local: timeout after 180 s; cloud-large: HTTP 500 Internal Server Error" });
    expect(byPath.get("src/report.py")).toMatchObject({ verdict: "unreviewed", gradient_tier: null, shards_reviewed: 0 });
    const unverified = byPath.get("src/auth.rs")!.findings.find((x) => x.fingerprint === "a11ce0000000f001");
    expect(unverified).toMatchObject({ evidence_verified: false, category: "critical_failures", line_start: 40, line_end: 41, shard_index: 0 });
  });
});
