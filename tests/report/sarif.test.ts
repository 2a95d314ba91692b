import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Ajv from "ajv-draft-04";
import addFormats from "ajv-formats";
import { Kb } from "../../kb/kb";
import { main } from "../../pipeline/cli/main";
import { readIterationReport } from "../../pipeline/report/iteration-report";
import { artifactLocation, FINGERPRINT_KEY, sarifLog, type SarifLog, type SarifReportingDescriptor, type SarifResult } from "../../pipeline/report/sarif";
import { RULES } from "../../pipeline/static/rules";
import sarifSchema from "../fixtures/report/sarif-schema-2.1.0.json";
import { DEMO_REPO, PLANTED } from "../e2e/demo-expected";
import { buildReportKb, type ReportKb } from "./report-kb";

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const validateSarif = ajv.compile(sarifSchema);

const LEVEL_OF_SEVERITY: Record<string, string> = { high: "error", medium: "warning", low: "note" };
const PROBLEM_CATEGORIES = ["critical_failures", "pseudocode_flags", "prd_mismatches", "broken_pipelines", "missing_components", "risk_points"];
const REFS = ["iter-1", "dismissals", "crafted", "aborted", "iter-again"];

let fx: ReportKb;
const logs = new Map<string, SarifLog>();

beforeAll(async () => {
  fx = await buildReportKb();
  // A second offline sweep of the unchanged demo repo: its fingerprints must be the first one's.
  const quiet = { out: () => {}, err: () => {}, errIsTty: false };
  const code = await main(["run", ".", "--offline", "--label", "iter-again", "--quiet", "--kb", fx.kbFile], {}, quiet, DEMO_REPO, new AbortController().signal);
  if (code !== 0) throw new Error(`the second offline run exited ${code}`);
  const kb = new Kb(fx.kbFile);
  for (const ref of REFS) logs.set(ref, sarifLog(readIterationReport(kb, ref), { toolVersion: "0.1.0" }));
  kb.close();
});
afterAll(() => fx.cleanup());

const log = (ref: string) => logs.get(ref)!;
const results = (ref: string) => log(ref).runs[0].results;
const rules = (ref: string) => log(ref).runs[0].tool.driver.rules;
const at = (r: SarifResult) => r.locations[0]!.physicalLocation;
const byFingerprint = (ref: string, fp: string) => results(ref).find((r) => r.partialFingerprints[FINGERPRINT_KEY] === fp)!;

describe("SARIF 2.1.0", () => {
  test.each(REFS)("the %s log validates against the official schema", (ref) => {
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

  test("one run by scrumloop: a rule per problem category, unreviewed, and every static rule of the table; never verified_components", () => {
    const run = log("iter-1").runs[0];
    expect(log("iter-1").runs).toHaveLength(1);
    expect(run.tool.driver.name).toBe("scrumloop");
    const ids = rules("iter-1").map((r) => r.id);
    expect(ids).toEqual([...PROBLEM_CATEGORIES, "unreviewed", ...Object.keys(RULES)]);
    expect(ids).not.toContain("verified_components");
    for (const ref of REFS) {
      for (const r of results(ref)) expect(rules(ref)[r.ruleIndex]!.id).toBe(r.ruleId);
    }
  });

  test.each(REFS)("every rule of %s has a distinct name, a short and a longer full description, and markdown help saying what it claims and how to fix it", (ref) => {
    for (const r of rules(ref)) {
      expect(r.name, r.id).not.toBe(r.id);
      expect(r.name.toLowerCase(), r.id).not.toBe(r.id.toLowerCase());
      expect(r.shortDescription.text.length, r.id).toBeGreaterThan(0);
      expect(r.fullDescription.text.length, r.id).toBeGreaterThan(r.shortDescription.text.length);
      expect(r.help.markdown, r.id).toContain("**What it claims.**");
      expect(r.help.markdown, r.id).toContain("**How to fix it.**");
      expect(r.help.text.length, r.id).toBeGreaterThan(0);
    }
  });

  test("a static rule is described from the rule table: its title, its action, its severity as the default level", () => {
    const byId = new Map(rules("iter-1").map((r): [string, SarifReportingDescriptor] => [r.id, r]));
    for (const [id, rule] of Object.entries(RULES)) {
      const d = byId.get(id)!;
      expect(d.shortDescription.text).toBe(rule.title);
      expect(d.help.markdown).toContain(rule.action);
      expect(d.defaultConfiguration?.level).toBe(LEVEL_OF_SEVERITY[rule.severity] as "error");
      expect(d.properties.tags).toContain("static-rule");
    }
  });

  test("a rule id in the KB that the table no longer has still gets a rule, described by its category", () => {
    const retired = rules("dismissals").find((r) => r.id === "todo-marker-legacy")!;
    expect(retired).toBeDefined();
    expect(retired.fullDescription.text).toContain("no longer describes");
    expect(retired.properties.tags).toContain("pseudocode_flags");
    expect(rules("iter-1").some((r) => r.id === "todo-marker-legacy")).toBe(false);
    const r = byFingerprint("dismissals", "d44ce0000000f002");
    expect(r.ruleId).toBe("todo-marker-legacy");
  });

  test("a model's finding (no rule) is reported under its category", () => {
    expect(byFingerprint("dismissals", "d44ce0000000f003").ruleId).toBe("risk_points");
    expect(byFingerprint("crafted", "a11ce0000000f001").ruleId).toBe("critical_failures");
  });

  test("every planted problem of the demo repo is a result at its file and line, with the level of its severity", () => {
    const rs = results("iter-1");
    expect(rs).toHaveLength(PLANTED.length);
    for (const p of PLANTED) {
      const r = rs.find((x) => at(x).artifactLocation.uri === p.file && at(x).region.startLine === p.line);
      expect(r, `${p.file}:${p.line} ${p.rule}`).toBeDefined();
      expect(r!.ruleId).toBe(p.rule);
      expect(r!.level).toBe(LEVEL_OF_SEVERITY[p.severity] as SarifResult["level"]);
      expect(at(r!).artifactLocation.uriBaseId).toBe("%SRCROOT%");
      expect(at(r!).region.endLine).toBeGreaterThanOrEqual(p.line);
      expect(at(r!).region.snippet?.text).toBe(p.evidence);
      expect(r!.partialFingerprints[FINGERPRINT_KEY]).toMatch(/^[0-9a-f]{16}$/);
      expect(r!.properties).toMatchObject({ evidence_verified: true, shard_index: expect.any(Number), confidence: expect.any(Number) });
    }
  });

  test("automationDetails.id names the scope of the sweep, so a partial sweep is an analysis category of its own", () => {
    const kb = new Kb(fx.kbFile);
    const id = (ref: string) => kb.iterations.resolve(ref).id;
    expect(log("iter-1").runs[0].automationDetails.id).toBe(`scrumloop/./iter-${id("iter-1")}`);
    expect(log("iter-again").runs[0].automationDetails.id).toBe(`scrumloop/./iter-${id("iter-again")}`);
    expect(log("crafted").runs[0].automationDetails.id).toBe(`scrumloop/assets,docs,src/iter-${id("crafted")}`);
    expect(log("dismissals").runs[0].automationDetails.id).toBe(`scrumloop/src/ingest.ts/iter-${id("dismissals")}`);
    kb.close();
    // GitHub's category is what precedes the last "/": the same for two sweeps of the same targets, another for other targets.
    const category = (ref: string) => log(ref).runs[0].automationDetails.id.replace(/[^/]*$/, "");
    expect(category("iter-1")).toBe(category("iter-again"));
    expect(category("dismissals")).not.toBe(category("iter-1"));
    expect(log("iter-1").runs[0].properties).toMatchObject({ scope: ".", targets: ["."] });
  });

  test("the run says whether the iteration finished", () => {
    expect(log("iter-1").runs[0].invocations[0]!.executionSuccessful).toBe(true);
    expect(log("aborted").runs[0].invocations[0]!.executionSuccessful).toBe(false);
  });

  test("partialFingerprints are the finding fingerprints, the same in a second sweep of the unchanged tree", () => {
    const fps = (ref: string) => results(ref).map((r) => `${at(r).artifactLocation.uri} ${r.ruleId} ${r.partialFingerprints[FINGERPRINT_KEY]}`).sort();
    expect(fps("iter-1")).toHaveLength(PLANTED.length);
    expect(fps("iter-again")).toEqual(fps("iter-1"));
    expect(new Set(fps("iter-1")).size).toBe(PLANTED.length);
  });

  test("a dismissed finding is a result with an external suppression and its justification; an undone dismissal is not", () => {
    const dismissed = byFingerprint("dismissals", "d44ce0000000f001");
    expect(dismissed.ruleId).toBe("empty-catch");
    expect(dismissed.suppressions).toEqual([{ kind: "external", status: "accepted", justification: "intended: best-effort cache warm-up, a miss is not an error" }]);
    const undone = byFingerprint("dismissals", "d44ce0000000f003");
    expect(undone.suppressions).toBeUndefined();
    expect(undone.properties).toMatchObject({ dismissal_undone_at: "2026-11-21T14:30:00.000Z" });
    expect(byFingerprint("dismissals", "d44ce0000000f002").suppressions).toBeUndefined();
    expect(results("iter-1").some((r) => r.suppressions !== undefined)).toBe(false);
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

// Microsoft's SARIF multitool is a 100 MB .NET binary, so it is not a dependency: point SARIF_MULTITOOL at its
// Sarif.Multitool executable (docs/REPORTS.md says how to install it) to run this check.
const MULTITOOL = process.env.SARIF_MULTITOOL;
describe("SARIF multitool validate", () => {
  test.skipIf(!MULTITOOL || !existsSync(MULTITOOL))("reports no error on any log (set SARIF_MULTITOOL to run it)", () => {
    for (const ref of REFS) {
      const file = join(fx.dir, `${ref}.sarif`);
      const out = join(fx.dir, `${ref}.validation.sarif`);
      writeFileSync(file, JSON.stringify(log(ref), null, 2));
      const run = spawnSync(MULTITOOL!, ["validate", file, "--level", "Error;Warning;Note", "--output", out], { encoding: "utf8" });
      expect(run.status, run.stdout + run.stderr).toBe(0);
      const findings = (JSON.parse(readFileSync(out, "utf8")) as { runs: { results: { level?: string; ruleId: string; message: { text?: string } }[] }[] }).runs[0]!.results;
      // SARIF's default level is "warning"; only errors fail the check (notes and the informationUri warning are advice).
      expect(findings.filter((r) => r.level === "error").map((r) => `${r.ruleId}: ${r.message.text ?? ""}`), ref).toEqual([]);
      expect(findings.filter((r) => (r.level ?? "warning") === "warning").map((r) => r.ruleId), ref).toEqual(["SARIF2005"]);
    }
  }, 60_000);
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
