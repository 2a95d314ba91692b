import { describe, expect, test } from "bun:test";
import shardSchema from "../../pipeline/verdict/verdict.schema.json";
import fileSchema from "../../pipeline/verdict/file-verdict.schema.json";
import { shardRequestSchema, strictShardSchema, validateFileVerdict, validateShardVerdict } from "../../pipeline/verdict/verdict";
import { FINDING_CATEGORIES, type FileVerdict, type Finding, type ShardReview, type ShardVerdict } from "../../domain/verdict";

const finding: Finding = { title: "stub", evidence: "todo!()", line_start: 3, line_end: 3, severity: "high", confidence: 90, rule: "stub-macro" };
const shard: ShardVerdict = {
  verdict: "needs_patch", alignment_score: 4.5, summary: "one stub",
  critical_failures: [], pseudocode_flags: [finding], prd_mismatches: [], broken_pipelines: [], missing_components: [], risk_points: [], verified_components: [],
  required_next_actions: [{ action: "implement it", priority: "high", confidence: 80 }],
};

describe("the TypeScript types agree with the JSON schemas", () => {
  test("shard verdict: the type's keys are the schema's properties", () => {
    expect(Object.keys(shard).sort()).toEqual(Object.keys(shardSchema.properties).sort());
    // The finding's keys: what a model reports, plus OWN_FINDING_KEYS (rule here; consensus sets agreement, agreed_by).
    expect([...Object.keys(finding), "agreement", "agreed_by"].sort()).toEqual(Object.keys(shardSchema.$defs.finding.properties).sort());
    for (const c of FINDING_CATEGORIES) expect(shardSchema.properties).toHaveProperty(c);
  });

  test("file verdict: the type's keys are the schema's required properties", () => {
    const file: FileVerdict = {
      ...shard, path: "a.rs", verdict: "needs_patch", alignment_score: 4.5,
      critical_failures: [], pseudocode_flags: [{ ...finding, fingerprint: "abc", evidence_verified: true, shard: 0 }], prd_mismatches: [], broken_pipelines: [], missing_components: [], risk_points: [], verified_components: [],
      shards: 1, coverage: [0], coverage_complete: true, shard_reviews: [{ index: 0, line_start: 1, line_end: 5, status: "reviewed", rung: "local", model: "m", verdict: "needs_patch", summary: "one stub" }], reduced_by: "merge",
    };
    expect(Object.keys(file).sort()).toEqual([...fileSchema.required].sort());
    expect(validateFileVerdict(file).ok).toBe(true);
  });
});

describe("a shard review is keyed on its status", () => {
  const file = (review: unknown): unknown => ({
    ...shard, path: "a.rs", pseudocode_flags: [], shards: 1, coverage: [], coverage_complete: false, shard_reviews: [review], reduced_by: "merge", verdict: "unreviewed", alignment_score: null,
  });
  const reviewed: ShardReview = { index: 0, line_start: 1, line_end: 5, status: "reviewed", rung: "local", model: "m", verdict: "pass", summary: "fine" };
  const unreviewed: ShardReview = { index: 0, line_start: 1, line_end: 5, status: "unreviewed", reasons: ["rung local timeout"] };
  const cases: Array<[string, unknown, boolean]> = [
    ["a reviewed shard with rung, model, verdict and summary", reviewed, true],
    ["an unreviewed shard with its reasons", unreviewed, true],
    ["a reviewed shard without its summary", { ...reviewed, summary: undefined }, false],
    ["a reviewed shard carrying reasons", { ...reviewed, reasons: ["x"] }, false],
    ["an unreviewed shard without reasons", { ...unreviewed, reasons: undefined }, false],
    ["an unreviewed shard naming a rung", { ...unreviewed, rung: "local" }, false],
  ];
  for (const [what, review, ok] of cases) {
    test(`${ok ? "accepts" : "rejects"} ${what}`, () => {
      expect(validateFileVerdict(JSON.parse(JSON.stringify(file(review)))).ok).toBe(ok);
    });
  }
});

describe("validateShardVerdict", () => {
  test("absent lists become explicit empty lists", () => {
    const r = validateShardVerdict({ verdict: "pass", alignment_score: 9, summary: "fine", verified_components: [finding] });
    expect(r.ok && r.value.critical_failures).toEqual([]);
    expect(r.ok && r.value.required_next_actions).toEqual([]);
  });

  const bad: Array<[string, unknown, RegExp]> = [
    ["a finding without confidence", { ...shard, pseudocode_flags: [{ ...finding, confidence: undefined }] }, /pseudocode_flags\/0 must have required property 'confidence'/],
    ["a score over 10", { ...shard, alignment_score: 45 }, /alignment_score must be <= 10/],
    ["an unknown verdict", { ...shard, verdict: "ok" }, /verdict must be equal to one of the allowed values/],
    ["a severity outside high/medium/low", { ...shard, pseudocode_flags: [{ ...finding, severity: "critical" }] }, /severity/],
  ];
  for (const [what, value, message] of bad) {
    test(`rejects ${what}`, () => {
      const r = validateShardVerdict(JSON.parse(JSON.stringify(value)));
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.errors.join("\n")).toMatch(message);
    });
  }
});

test("the strict structured-output schema requires every property and forbids extras, at every level", () => {
  const visit = (node: Record<string, unknown>): void => {
    if (node.properties) {
      expect(node.additionalProperties).toBe(false);
      expect((node.required as string[]).sort()).toEqual(Object.keys(node.properties as object).sort());
      for (const p of Object.values(node.properties as Record<string, Record<string, unknown>>)) visit(p);
    }
    if (node.items) visit(node.items as Record<string, unknown>);
    for (const d of Object.values((node.$defs ?? {}) as Record<string, Record<string, unknown>>)) visit(d);
  };
  const strict = strictShardSchema();
  visit(strict);
  expect(strict.$schema).toBeUndefined();
});

test("the request schema leaves out the keys only our own code sets, and a model's answer still validates", () => {
  const request = shardRequestSchema() as { $schema?: unknown; $defs: { finding: { properties: Record<string, unknown> } } };
  expect(request.$schema).toBeUndefined();
  expect(Object.keys(request.$defs.finding.properties)).not.toContain("rule");
  expect(Object.keys(request.$defs.finding.properties)).not.toContain("agreement");
  expect(Object.keys(request.$defs.finding.properties)).toContain("evidence");
  const { rule: _rule, ...modelFinding } = finding;
  expect(validateShardVerdict({ ...shard, pseudocode_flags: [modelFinding] }).ok).toBe(true);
});
