import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../pipeline/config/config";
import { ConfigError } from "../../domain/errors";
import { categoryFamily, voteFindings, type Vote } from "../../pipeline/review/consensus";
import { emptyShardVerdict, type Finding, type FindingCategory } from "../../domain/verdict";

function answer(rung: string, findings: Array<[FindingCategory, number, number]>): Vote {
  const v = emptyShardVerdict(findings.length > 0 ? "needs_patch" : "pass", 6, `Review by ${rung} of src/billing.ts lines 1-80.`);
  for (const [category, line, confidence] of findings) {
    const f: Finding = { title: `${category} at ${line}`, evidence: `const total = lines.reduce((s, l) => s + l.amount, 0); // ${line}`, line_start: line, line_end: line, severity: "medium", confidence };
    v[category].push(f);
  }
  v.verified_components.push({ title: "computeTotals is wired", evidence: "export function computeTotals(", line_start: 40, line_end: 40, severity: "low", confidence: 90 });
  return { rung, verdict: v };
}

const rule = { minAgree: 2, lineTolerance: 2, voters: 3 };

describe("voteFindings", () => {
  test("a finding two of three answers report (lines within the tolerance, same family) is kept with its agreement", () => {
    const v = voteFindings([answer("a", [["pseudocode_flags", 52, 90]]), answer("b", [["missing_components", 53, 70]]), answer("c", [])], rule);
    expect(v.pseudocode_flags).toHaveLength(1);
    const kept = v.pseudocode_flags[0]!;
    expect(kept.agreement).toBe(2);
    expect(kept.agreed_by).toEqual(["a", "b"]);
    // Mean 80, scaled by (0.5 + 0.5 × 2/3).
    expect(kept.confidence).toBe(67);
    expect(v.verdict).toBe("needs_patch");
  });

  test("a finding only one answer reports is dropped; with nothing left the shard passes, proof of life kept", () => {
    const v = voteFindings([answer("a", [["risk_points", 10, 90]]), answer("b", [["risk_points", 30, 90]]), answer("c", [["pseudocode_flags", 10, 90]])], rule);
    expect(v.risk_points).toEqual([]);
    expect(v.pseudocode_flags).toEqual([]);
    expect(v.verdict).toBe("pass");
    expect(v.required_next_actions).toEqual([]);
    expect(v.verified_components).toHaveLength(1);
    expect(v.summary).toContain("3 dropped");
  });

  test("lines further apart than the tolerance are two findings, and one answer never agrees with itself", () => {
    const far = voteFindings([answer("a", [["risk_points", 10, 90]]), answer("b", [["risk_points", 14, 90]])], { ...rule, voters: 2 });
    expect(far.risk_points).toEqual([]);
    const self = voteFindings([answer("a", [["risk_points", 10, 90], ["risk_points", 11, 90]]), answer("b", [])], { ...rule, voters: 2 });
    expect(self.risk_points).toEqual([]);
  });

  test("all three agreeing keeps the confidence whole", () => {
    const v = voteFindings([answer("a", [["critical_failures", 5, 80]]), answer("b", [["risk_points", 5, 80]]), answer("c", [["broken_pipelines", 6, 80]])], rule);
    expect(v.critical_failures[0]!.agreement).toBe(3);
    expect(v.critical_failures[0]!.confidence).toBe(80);
    expect(categoryFamily("risk_points")).toBe(categoryFamily("critical_failures"));
    expect(categoryFamily("pseudocode_flags")).not.toBe(categoryFamily("risk_points"));
  });
});

describe("[consensus] in routing.toml", () => {
  const dir = mkdtempSync(join(tmpdir(), "scrum-consensus-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const ladder = `[[ladder]]\nname = "a"\nprovider = "ollama"\nmodel = "m1"\n\n[[ladder]]\nname = "b"\nprovider = "ollama"\nmodel = "m2"\n`;
  const load = (text: string) => {
    const file = join(dir, `r${Math.random().toString(36).slice(2)}.toml`);
    writeFileSync(file, text);
    return () => loadConfig(file);
  };

  test("defaults: two answers agreeing, three lines of tolerance", () => {
    expect(load(`${ladder}\n[consensus]\nrungs = ["a", "b"]\n`)().consensus).toEqual({ rungs: ["a", "b"], samples: 1, minAgree: 2, lineTolerance: 3 });
    expect(load(ladder)().consensus).toBeUndefined();
  });

  test("bad sections are config errors that name the key and line", () => {
    expect(load(`${ladder}\n[consensus]\nrungs = ["a", "z"]\n`)).toThrow(/names "z", which is no rung/);
    expect(load(`${ladder}\n[consensus]\nrungs = ["a"]\n`)).toThrow(/at least two answers/);
    expect(load(`${ladder}\n[consensus]\nrungs = ["a"]\nsamples = 3\n`)).toThrow(/temperature/);
    expect(load(`${ladder}\n[consensus]\nrungs = ["a", "b"]\nmin_agree = 3\n`)).toThrow(/exceeds the 2 answers/);
    expect(load(`${ladder}\n[consensus]\nquorum = 2\n`)).toThrow(ConfigError);
    try {
      load(`${ladder}\n[consensus]\nrungs = ["a", "b"]\nmin_agree = 3\n`)();
    } catch (e) {
      expect((e as Error).message).toMatch(/:13/);
    }
  });
});
