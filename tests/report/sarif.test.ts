import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import Ajv from "ajv-draft-04";
import addFormats from "ajv-formats";
import { Kb } from "../../kb/kb";
import { readIterationReport } from "../../pipeline/report/iteration-report";
import { artifactLocation, FINGERPRINT_KEY, sarifLog, type SarifLog, type SarifResult } from "../../pipeline/report/sarif";
import sarifSchema from "../fixtures/report/sarif-schema-2.1.0.json";
import { PLANTED } from "../e2e/demo-expected";
import { buildReportKb, type ReportKb } from "./report-kb";

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const validateSarif = ajv.compile(sarifSchema);

const LEVEL_OF_SEVERITY: Record<string, string> = { high: "error", medium: "warning", low: "note" };
const PROBLEM_CATEGORIES = ["critical_failures", "pseudocode_flags", "prd_mismatches", "broken_pipelines", "missing_components", "risk_points"];

let fx: ReportKb;
const logs = new Map<string, SarifLog>();

beforeAll(async () => {
  fx = await buildReportKb();
  const kb = new Kb(fx.kbFile);
  for (const ref of ["iter-1", "crafted", "aborted"]) logs.set(ref, sarifLog(readIterationReport(kb, ref), { toolVersion: "0.1.0" }));
  kb.close();
});
afterAll(() => fx.cleanup());

const log = (ref: string) => logs.get(ref)!;
const results = (ref: string) => log(ref).runs[0].results;
const at = (r: SarifResult) => r.locations[0]!.physicalLocation;

describe("SARIF 2.1.0", () => {
  test.each(["iter-1", "crafted", "aborted"])("the %s log validates against the official schema", (ref) => {
    const ok = validateSarif(log(ref));
    expect(ok ? [] : validateSarif.errors).toEqual([]);
  });

  test("the schema check is not vacuous: a line 0, an unknown level or an unencoded space fails it", () => {
    const broken = (edit: (r: Record<string, any>) => void) => {
      const copy = structuredClone(log("iter-1")) as unknown as { runs: { results: Record<string, any>[] }[] };
      edit(copy.runs[0]!.results[0]!);
      return validateSarif(copy);
    };
    expect(broken((r) => (r.locations[0].physicalLocation.region.startLine = 0))).toBe(false);
    expect(broken((r) => (r.level = "critical"))).toBe(false);
    expect(broken((r) => (r.locations[0].physicalLocation.artifactLocation.uri = "docs/release notes.md"))).toBe(false);
  });

  test("one run by scrumloop with one rule per problem category plus unreviewed, never verified_components", () => {
    const run = log("iter-1").runs[0];
    expect(log("iter-1").runs).toHaveLength(1);
    expect(run.tool.driver.name).toBe("scrumloop");
    const rules = run.tool.driver.rules as { id: string; shortDescription: { text: string }; fullDescription: { text: string } }[];
    expect(rules.map((r) => r.id)).toEqual([...PROBLEM_CATEGORIES, "unreviewed"]);
    for (const r of rules) {
      expect(r.shortDescription.text.length, r.id).toBeGreaterThan(0);
      expect(r.fullDescription.text.length, r.id).toBeGreaterThan(r.shortDescription.text.length);
    }
    for (const ref of ["iter-1", "crafted"]) {
      for (const r of results(ref)) expect(rules[r.ruleIndex]!.id).toBe(r.ruleId);
    }
  });

  test("every planted problem of the demo repo is a result at its file and line, with the level of its severity", () => {
    const rs = results("iter-1");
    expect(rs).toHaveLength(PLANTED.length);
    for (const p of PLANTED) {
      const r = rs.find((x) => at(x).artifactLocation.uri === p.file && at(x).region.startLine === p.line);
      expect(r, `${p.file}:${p.line} ${p.rule}`).toBeDefined();
      expect(r!.ruleId).toBe(p.category as SarifResult["ruleId"]);
      expect(r!.level).toBe(LEVEL_OF_SEVERITY[p.severity] as SarifResult["level"]);
      expect(at(r!).artifactLocation.uriBaseId).toBe("%SRCROOT%");
      expect(at(r!).region.endLine).toBeGreaterThanOrEqual(p.line);
      expect(at(r!).region.snippet?.text).toBe(p.evidence);
      expect(r!.partialFingerprints[FINGERPRINT_KEY]).toMatch(/^[0-9a-f]{16}$/);
      expect(r!.properties).toMatchObject({ evidence_verified: true, shard_index: expect.any(Number), confidence: expect.any(Number) });
    }
  });

  test("the run says which iteration it is and whether it finished", () => {
    const kb = new Kb(fx.kbFile);
    const ids = ["iter-1", "crafted", "aborted"].map((ref) => kb.resolveIteration(ref).id);
    kb.close();
    expect(log("iter-1").runs[0].automationDetails.id).toBe(`scrumloop/iter-${ids[0]}`);
    expect(log("crafted").runs[0].automationDetails.id).toBe(`scrumloop/iter-${ids[1]}`);
    expect(log("iter-1").runs[0].invocations[0]!.executionSuccessful).toBe(true);
    expect(log("aborted").runs[0].invocations[0]!.executionSuccessful).toBe(false);
  });

  test("a finding whose evidence is not in the file drops one level and says so", () => {
    const rs = results("crafted");
    const high = rs.find((r) => r.partialFingerprints[FINGERPRINT_KEY] === "a11ce0000000f001")!;
    expect(high.level).toBe("warning");
    expect(high.message.text).toBe("Revoked sessions are never persisted to the session store (evidence not found in the file)");
    expect(high.properties.evidence_verified).toBe(false);
    const low = rs.find((r) => r.partialFingerprints[FINGERPRINT_KEY] === "a11ce0000000f002")!;
    expect(low.level).toBe("note");
    expect(low.properties.evidence_verified).toBe(false);
    const verified = rs.find((r) => r.partialFingerprints[FINGERPRINT_KEY] === "a11ce0000000f003")!;
    expect(verified.level).toBe("error");
    expect(verified.message.text).toBe("revoke() is a stub | it panics on every call");
  });

  test("line 0 is clamped to 1; verified components are not results", () => {
    const rs = results("crafted");
    const lineZero = rs.find((r) => r.partialFingerprints[FINGERPRINT_KEY] === "a11ce0000000f004")!;
    expect(at(lineZero).region).toMatchObject({ startLine: 1, endLine: 1 });
    expect(rs.some((r) => r.partialFingerprints[FINGERPRINT_KEY] === "a11ce0000000f005")).toBe(false);
  });

  test("an unreviewed file and a partly reviewed one are warnings at line 1 with every reason", () => {
    const rs = results("crafted").filter((r) => r.ruleId === "unreviewed");
    expect(rs.map((r) => at(r).artifactLocation.uri).sort()).toEqual(["src/pipeline.ts", "src/report.py"]);
    for (const r of rs) {
      expect(r.level).toBe("warning");
      expect(at(r).region.startLine).toBe(1);
    }
    const whole = rs.find((r) => at(r).artifactLocation.uri === "src/report.py")!;
    expect(whole.message.text).toContain("Not reviewed (0 of 1 shard reviewed)");
    expect(whole.message.text).toContain("local: thin answer (112 chars < min_chars 200)");
    expect(whole.message.text).toContain("cloud-large: invalid JSON: Unexpected end of JSON input");
    const part = rs.find((r) => at(r).artifactLocation.uri === "src/pipeline.ts")!;
    expect(part.message.text).toContain("Only partly reviewed (2 of 3 shards reviewed)");
    expect(part.message.text).toContain("shard 3 (lines 201-232): local: timeout after 180 s; cloud-large: HTTP 500 Internal Server Error");
  });

  test("a skipped file is a tool notification with its reason, not a result", () => {
    const run = log("crafted").runs[0];
    expect(run.results.some((r) => at(r).artifactLocation.uri.startsWith("assets/"))).toBe(false);
    const notes = run.invocations[0]!.toolExecutionNotifications as { message: { text: string } }[];
    expect(notes.map((n) => n.message.text)).toEqual(["skipped assets/logo.png: binary file (NUL byte in the first 8 KiB)"]);
  });

  test("a path with a space and # is percent-encoded and still points at the file", () => {
    const r = results("crafted").find((x) => x.ruleId === "prd_mismatches")!;
    expect(at(r).artifactLocation.uri).toBe("docs/release%20notes%20%232.md");
    expect(decodeURIComponent(at(r).artifactLocation.uri)).toBe("docs/release notes #2.md");
  });
});

describe("artifactLocation", () => {
  test.each([
    ["src/auth.rs", { uri: "src/auth.rs", uriBaseId: "%SRCROOT%" }],
    ["a:b/c d.ts", { uri: "a%3Ab/c%20d.ts", uriBaseId: "%SRCROOT%" }],
    ["/abs/out side.ts", { uri: "file:///abs/out%20side.ts" }],
    ["C:/work/x.ts", { uri: "file:///C:/work/x.ts" }],
  ])("%s", (path, expected) => {
    expect(artifactLocation(path)).toEqual(expected);
  });
});
