import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import Ajv from "ajv";
import { Kb } from "../../kb/kb";
import { codeQualityIssues, renderCodeClimate, type CodeQualityIssue } from "../../pipeline/report/codeclimate";
import { readIterationReport } from "../../pipeline/report/iteration-report";
import codeQualitySchema from "../fixtures/report/gitlab-code-quality.schema.json";
import { PLANTED } from "../e2e/demo-expected";
import { buildReportKb, type ReportKb } from "./report-kb";

const ajv = new Ajv({ allErrors: true, strict: false });
const validateReport = ajv.compile(codeQualitySchema);
const SEVERITY_OF: Record<string, string> = { high: "critical", medium: "major", low: "minor" };
const REFS = ["iter-1", "dismissals", "crafted", "aborted"];

let fx: ReportKb;
const reports = new Map<string, CodeQualityIssue[]>();

beforeAll(async () => {
  fx = await buildReportKb();
  const kb = new Kb(fx.kbFile);
  for (const ref of REFS) reports.set(ref, JSON.parse(renderCodeClimate(readIterationReport(kb, ref))) as CodeQualityIssue[]);
  kb.close();
});
afterAll(() => fx.cleanup());

const issues = (ref: string) => reports.get(ref)!;

describe("codeclimate (GitLab Code Quality)", () => {
  test.each(REFS)("%s: a JSON array whose issues have every field GitLab documents as required", (ref) => {
    expect(Array.isArray(issues(ref))).toBe(true);
    expect(issues(ref).length).toBeGreaterThan(0);
    const ok = validateReport(issues(ref));
    expect(ok ? [] : validateReport.errors).toEqual([]);
  });

  test("the required-field check is not vacuous: a missing fingerprint, an unknown severity or no line fails it", () => {
    const first = issues("iter-1")[0]!;
    const { fingerprint: _dropped, ...noFingerprint } = first;
    expect(validateReport([noFingerprint])).toBe(false);
    expect(validateReport([{ ...first, severity: "high" }])).toBe(false);
    expect(validateReport([{ ...first, location: { path: first.location.path } }])).toBe(false);
  });

  test.each(REFS)("%s: fingerprints are unique (GitLab matches issues between the base and the merge request by them)", (ref) => {
    const fps = issues(ref).map((i) => i.fingerprint);
    expect(new Set(fps).size).toBe(fps.length);
  });

  test("every planted problem of the demo repo is an issue at its line, checked by its rule, with the severity of its severity", () => {
    const is = issues("iter-1");
    expect(is).toHaveLength(PLANTED.length);
    for (const p of PLANTED) {
      const i = is.find((x) => x.location.path.endsWith(p.file) && x.location.lines.begin === p.line);
      expect(i, `${p.file}:${p.line}`).toBeDefined();
      expect(i!.check_name).toBe(p.rule);
      expect(i!.severity).toBe(SEVERITY_OF[p.severity] as "major");
      expect(i!.type).toBe("issue");
      expect(i!.content.body).toContain("**How to fix it.**");
    }
  });

  test("unverified evidence is one step lower; unreviewed files are major issues at line 1", () => {
    const is = issues("crafted");
    const unverifiedHigh = is.find((i) => i.fingerprint === "a11ce0000000f001")!;
    expect(unverifiedHigh.severity).toBe("major");
    const unverifiedLow = is.find((i) => i.fingerprint === "a11ce0000000f002")!;
    expect(unverifiedLow.severity).toBe("info");
    const unreviewed = is.filter((i) => i.check_name === "unreviewed");
    expect(unreviewed.map((i) => i.location.path).sort()).toEqual(["src/pipeline.ts", "src/report.py"]);
    for (const i of unreviewed) expect(i).toMatchObject({ severity: "major", location: { lines: { begin: 1 } } });
  });

  test("a dismissed finding is left out; one whose dismissal was undone is in", () => {
    const kb = new Kb(fx.kbFile);
    const report = readIterationReport(kb, "dismissals");
    kb.close();
    const fps = codeQualityIssues(report).map((i) => i.fingerprint);
    expect(fps).not.toContain("d44ce0000000f001");
    expect(fps).toContain("d44ce0000000f003");
    expect(fps).toHaveLength(3);
  });
});
