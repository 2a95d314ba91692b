import { describe, expect, test } from "bun:test";
import { addFileFindings, fingerprint, mergeShardResults, type ShardResult } from "../../pipeline/reduce/merge";
import { makeShard, splitLines } from "../../pipeline/shard/lines";
import { validateFileVerdict } from "../../pipeline/verdict/verdict";
import type { Finding, ShardVerdict } from "../../domain/verdict";

const lines = splitLines(
  ["fn clean() -> u32 {", "    42", "}", "", "fn stub() {", "    todo!()", "}", "", "fn other() {", "    todo!()", "}"].join("\n"),
);
const shards = [makeShard(lines, 0, 1, 4), makeShard(lines, 1, 5, 8), makeShard(lines, 2, 9, 11)];

function verdict(v: ShardVerdict["verdict"], flags: Finding[] = [], extra: Partial<ShardVerdict> = {}): ShardVerdict {
  return {
    verdict: v, alignment_score: v === "pass" ? 9 : 5, summary: `shard ${v}`,
    critical_failures: [], pseudocode_flags: flags, prd_mismatches: [], broken_pipelines: [], missing_components: [], risk_points: [],
    verified_components: [{ title: "returns a value", evidence: "42", line_start: 2, line_end: 2, severity: "low", confidence: 70 }],
    required_next_actions: [], ...extra,
  };
}
const todo = (line: number, conf = 90): Finding => ({ title: "stub", evidence: "todo!()", line_start: line, line_end: line, severity: "high", confidence: conf });
const reviewed = (i: number, v: ShardVerdict): ShardResult => ({ status: "reviewed", shard: shards[i]!, verdict: v, rung: "local", model: "m" });

describe("mergeShardResults", () => {
  test("a defect only in the last shard reaches the file verdict with its lines, and coverage lists every shard", () => {
    const merged = mergeShardResults("a.rs", lines, [reviewed(0, verdict("pass")), reviewed(1, verdict("pass")), reviewed(2, verdict("needs_patch", [todo(10)]))]);
    expect(merged.verdict).toBe("needs_patch");
    expect(merged.coverage).toEqual([0, 1, 2]);
    expect(merged.coverage_complete).toBe(true);
    expect(merged.pseudocode_flags).toHaveLength(1);
    expect(merged.pseudocode_flags[0]).toMatchObject({ line_start: 10, shard: 2, evidence_verified: true });
    expect(merged.shard_reviews.map((s) => (s.status === "reviewed" ? s.rung : s.status))).toEqual(["local", "local", "local"]);
    expect(validateFileVerdict(merged).ok).toBe(true);
  });

  test("the same quote at two places is two findings", () => {
    const merged = mergeShardResults("a.rs", lines, [reviewed(0, verdict("pass")), reviewed(1, verdict("needs_patch", [todo(6, 80)])), reviewed(2, verdict("needs_patch", [todo(10, 95)]))]);
    expect(merged.pseudocode_flags.map((f) => f.line_start)).toEqual([6, 10]);
    expect(new Set(merged.pseudocode_flags.map((f) => f.fingerprint)).size).toBe(2);
  });

  test("one finding reported by two shards (preamble overlap) counts once, with the stronger claim", () => {
    const merged = mergeShardResults("a.rs", lines, [reviewed(0, verdict("pass")), reviewed(1, verdict("needs_patch", [todo(6, 80)])), reviewed(2, verdict("needs_patch", [todo(6, 95)]))]);
    expect(merged.pseudocode_flags).toHaveLength(1);
    expect(merged.pseudocode_flags[0]).toMatchObject({ line_start: 6, confidence: 95 });
    // every shard quoted "42" as proof of life: one verified component
    expect(merged.verified_components).toHaveLength(1);
  });

  test("a shard no rung could review makes an otherwise passing file unreviewed, never pass", () => {
    const merged = mergeShardResults("a.rs", lines, [reviewed(0, verdict("pass")), { status: "unreviewed", shard: shards[1]!, reasons: ["rung local thin: too short"] }, reviewed(2, verdict("pass"))]);
    expect(merged.verdict).toBe("unreviewed");
    expect(merged.coverage).toEqual([0, 2]);
    expect(merged.coverage_complete).toBe(false);
    expect(merged.summary).toMatch(/Partial coverage: 2 of 3/);
    expect(merged.shard_reviews[1]).toMatchObject({ status: "unreviewed", reasons: ["rung local thin: too short"] });
  });

  test("partial coverage keeps a worse reviewed verdict, stated as partial", () => {
    const merged = mergeShardResults("a.rs", lines, [reviewed(0, verdict("pass")), { status: "unreviewed", shard: shards[1]!, reasons: ["x"] }, reviewed(2, verdict("needs_patch", [todo(10)]))]);
    expect(merged.verdict).toBe("needs_patch");
    expect(merged.coverage_complete).toBe(false);
  });

  test("no shard reviewed: unreviewed with no score", () => {
    const merged = mergeShardResults("a.rs", lines, shards.map((s) => ({ status: "unreviewed" as const, shard: s, reasons: ["all rungs failed"] })));
    expect(merged.verdict).toBe("unreviewed");
    expect(merged.alignment_score).toBeNull();
    expect(validateFileVerdict(merged).ok).toBe(true);
  });

  test("a fail that rests only on invented evidence does not stand: the finding is unverified and raises nothing", () => {
    const invented: Finding = { title: "secret leak", evidence: "let secret = compute_magic();", line_start: 6, line_end: 6, severity: "high", confidence: 90 };
    const merged = mergeShardResults("a.rs", lines, [reviewed(0, verdict("pass")), reviewed(1, verdict("fail", [], { critical_failures: [invented] })), reviewed(2, verdict("pass"))]);
    expect(merged.critical_failures[0]!.evidence_verified).toBe(false);
    // Evidence not in the file raises no verdict (the file's tier is capped at review for it instead).
    expect(merged.verdict).toBe("pass");
  });

  test("a fail with verified evidence stays fail", () => {
    const merged = mergeShardResults("a.rs", lines, [reviewed(0, verdict("pass")), reviewed(1, verdict("fail", [todo(6)])), reviewed(2, verdict("pass"))]);
    expect(merged.verdict).toBe("fail");
  });

  test("shard-relative line numbers from a model are mapped back to file lines", () => {
    const relative: Finding = { ...todo(2), evidence: "todo!();  // paraphrase not in file" };
    const merged = mergeShardResults("a.rs", lines, [reviewed(0, verdict("pass")), reviewed(1, verdict("needs_patch", [relative])), reviewed(2, verdict("pass"))]);
    expect(merged.pseudocode_flags[0]).toMatchObject({ line_start: 6, evidence_verified: false });
  });
});

test("fingerprints ignore line numbers, titles and whitespace but not the file, category or occurrence", () => {
  const a = fingerprint("a.rs", "pseudocode_flags", { title: "x", evidence: "  todo!()" }, 0);
  expect(fingerprint("a.rs", "pseudocode_flags", { title: "y", evidence: "todo!()" }, 0)).toBe(a);
  expect(fingerprint("b.rs", "pseudocode_flags", { title: "x", evidence: "todo!()" }, 0)).not.toBe(a);
  expect(fingerprint("a.rs", "risk_points", { title: "x", evidence: "todo!()" }, 0)).not.toBe(a);
  expect(fingerprint("a.rs", "pseudocode_flags", { title: "x", evidence: "todo!()" }, 1)).not.toBe(a);
});

test("a whole-file finding turns the models' pass into needs_patch only when it is medium or high: a low one is informational", () => {
  const passed = mergeShardResults("a.rs", lines, shards.map((_, i) => reviewed(i, verdict("pass"))));
  expect(passed.verdict).toBe("pass");
  const injection = (severity: Finding["severity"]): Finding => ({ title: `Prompt injection (${severity})`, evidence: "42", line_start: 2, line_end: 2, severity, confidence: 90, rule: "prompt-injection" });
  const low = addFileFindings(passed, "risk_points", [injection("low")], lines, shards);
  expect([low.verdict, low.risk_points.length]).toEqual(["pass", 1]);
  expect(addFileFindings(passed, "risk_points", [injection("high")], lines, shards).verdict).toBe("needs_patch");
  expect(addFileFindings(passed, "risk_points", [injection("low"), injection("medium")], lines, shards).verdict).toBe("needs_patch");
});

test("a whole-file finding lowers the score as the static rung scores its own: no needs_patch left at 10/10", () => {
  const passed = mergeShardResults("a.rs", lines, shards.map((_, i) => reviewed(i, verdict("pass"))));
  const injection = (severity: Finding["severity"], line: number): Finding => ({ title: `Prompt injection (${severity})`, evidence: lines[line - 1]!, line_start: line, line_end: line, severity, confidence: 90, rule: "prompt-injection" });
  const high = addFileFindings(passed, "risk_points", [injection("high", 2)], lines, shards);
  expect([high.verdict, high.alignment_score]).toEqual(["needs_patch", (passed.alignment_score ?? 0) - 3]);
  const two = addFileFindings(passed, "risk_points", [injection("low", 2), injection("medium", 3)], lines, shards);
  expect(two.alignment_score).toBe((passed.alignment_score ?? 0) - 2);
  // Nothing new (a finding already there): the score stands.
  expect(addFileFindings(high, "risk_points", [injection("high", 2)], lines, shards).alignment_score).toBe(high.alignment_score);
});
