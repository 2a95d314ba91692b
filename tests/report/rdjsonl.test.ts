import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import Ajv from "ajv-draft-04";
import { Kb } from "../../kb/kb";
import { readIterationReport } from "../../pipeline/report/iteration-report";
import { renderRdjsonl, type RdDiagnostic } from "../../pipeline/report/rdjsonl";
import { RULES } from "../../pipeline/static/rules";
import diagnosticSchema from "../fixtures/report/rdjson-diagnostic.schema.json";
import { PLANTED } from "../e2e/demo-expected";
import { buildReportKb, type ReportKb } from "./report-kb";

// reviewdog's schema is draft-04 (its "$schema" says so), hence ajv-draft-04 as for SARIF.
const ajv = new Ajv({ allErrors: true, strict: false });
const validateDiagnostic = ajv.compile(diagnosticSchema);
const SEVERITY_OF: Record<string, string> = { high: "ERROR", medium: "WARNING", low: "INFO" };
const REFS = ["iter-1", "dismissals", "crafted", "aborted"];

let fx: ReportKb;
const texts = new Map<string, string>();

beforeAll(async () => {
  fx = await buildReportKb();
  const kb = new Kb(fx.kbFile);
  for (const ref of REFS) texts.set(ref, renderRdjsonl(readIterationReport(kb, ref)));
  kb.close();
});
afterAll(() => fx.cleanup());

const lines = (ref: string) => texts.get(ref)!.split("\n").slice(0, -1);
const diagnostics = (ref: string) => lines(ref).map((l) => JSON.parse(l) as RdDiagnostic);

describe("rdjsonl (reviewdog)", () => {
  test.each(REFS)("%s: one JSON object a line, each valid against reviewdog's Diagnostic schema", (ref) => {
    const text = texts.get(ref)!;
    expect(text.endsWith("\n")).toBe(true);
    expect(lines(ref).length).toBeGreaterThan(0);
    for (const line of lines(ref)) {
      expect(line).not.toContain("\n");
      const ok = validateDiagnostic(JSON.parse(line));
      expect(ok ? [] : validateDiagnostic.errors).toEqual([]);
    }
  });

  test("the schema check is not vacuous: an unknown severity or a line given as text fails it", () => {
    const first = diagnostics("iter-1")[0]!;
    expect(validateDiagnostic({ ...first, severity: "CRITICAL" })).toBe(false);
    expect(validateDiagnostic({ ...first, location: { path: first.location.path, range: { start: { line: "4" } } } })).toBe(false);
  });

  test("every line carries what reviewdog needs to place a comment: a message, a path and a start line", () => {
    for (const ref of REFS) {
      for (const d of diagnostics(ref)) {
        expect(d.message.length).toBeGreaterThan(0);
        expect(d.location.path.length).toBeGreaterThan(0);
        expect(d.location.range.start.line).toBeGreaterThanOrEqual(1);
        expect(d.location.range.end.line).toBeGreaterThanOrEqual(d.location.range.start.line);
        expect(d.source.name).toBe("scrumloop");
      }
    }
  });

  test("every planted problem of the demo repo is a diagnostic at its line, with its rule as the code and the severity of its severity", () => {
    const ds = diagnostics("iter-1");
    expect(ds).toHaveLength(PLANTED.length);
    for (const p of PLANTED) {
      const d = ds.find((x) => x.location.path.endsWith(p.file) && x.location.range.start.line === p.line);
      expect(d, `${p.file}:${p.line}`).toBeDefined();
      expect(d!.code.value).toBe(p.rule);
      expect(d!.severity).toBe(SEVERITY_OF[p.severity] as "ERROR");
      expect(d!.message).toContain(p.evidence);
      // The comment says how to fix it: the rule table's action.
      expect(d!.message).toContain(RULES[p.rule as keyof typeof RULES].action);
    }
  });

  test("an unverified finding is one level lower and says so; unreviewed files are warnings at line 1", () => {
    const ds = diagnostics("crafted");
    const unverified = ds.find((d) => d.message.startsWith("Revoked sessions are never persisted"))!;
    expect(unverified.severity).toBe("WARNING");
    expect(unverified.message).toContain("(evidence not found in the file)");
    const unreviewed = ds.filter((d) => d.code.value === "unreviewed");
    expect(unreviewed.map((d) => d.location.path).sort()).toEqual(["src/pipeline.ts", "src/report.py"]);
    for (const d of unreviewed) expect(d).toMatchObject({ severity: "WARNING", location: { range: { start: { line: 1 } } } });
  });

  test("a dismissed finding is not posted; one whose dismissal was undone is", () => {
    const codes = diagnostics("dismissals").map((d) => `${d.code.value}@${d.location.range.start.line}`);
    expect(codes).not.toContain("empty-catch@46");
    expect(codes).toContain("risk_points@30");
    expect(codes).toContain("todo-marker-legacy@12");
  });
});
