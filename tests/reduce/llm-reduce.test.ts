import { describe, expect, test } from "bun:test";
import { buildReducePrompt, judgeReduceAnswer } from "../../pipeline/reduce/llm-reduce";
import { mergeShardResults, type ShardResult } from "../../pipeline/reduce/merge";
import { makeShard, splitLines } from "../../pipeline/shard/lines";
import { emptyShardVerdict, type FileVerdict } from "../../domain/verdict";

const lines = splitLines(["fn a() {", "    1", "}", "", "fn b() {", "    todo!()", "}"].join("\n"));
const shards = [makeShard(lines, 0, 1, 4), makeShard(lines, 1, 5, 7)];
const stub = { title: "stub", evidence: "todo!()", line_start: 6, line_end: 6, severity: "medium" as const, confidence: 90 };

function merged(second: "reviewed" | "unreviewed"): FileVerdict {
  const results: ShardResult[] = [
    { status: "reviewed", shard: shards[0]!, verdict: emptyShardVerdict("pass", 9, "a returns 1"), rung: "local", model: "m" },
    second === "reviewed"
      ? { status: "reviewed", shard: shards[1]!, verdict: { ...emptyShardVerdict("needs_patch", 4, "b is a stub"), pseudocode_flags: [stub] }, rung: "local", model: "m" }
      : { status: "unreviewed", shard: shards[1]!, reasons: ["rung local timeout"] },
  ];
  return mergeShardResults("src/lib.rs", lines, results);
}

describe("buildReducePrompt", () => {
  test("names the file and the shard count, and carries every shard's verdict or reasons with finding fingerprints", () => {
    const file = merged("reviewed");
    const prompt = buildReducePrompt(file);
    expect(prompt.split("\n").slice(0, 2)).toEqual(["File: src/lib.rs", "Shards: 2 (every one must be cited)"]);
    expect(prompt.endsWith("Return only the reduce JSON object.")).toBe(true);
    expect(prompt).not.toContain("<!--");
    const json = JSON.parse(prompt.slice(prompt.indexOf("```json") + 7, prompt.lastIndexOf("```"))) as { shards: Array<{ index: number; verdict?: { summary: string; pseudocode_flags: Array<{ fingerprint: string }> } }> };
    expect(json.shards.map((s) => s.index)).toEqual([0, 1]);
    expect(json.shards[1]!.verdict!.summary).toBe("b is a stub");
    expect(json.shards[1]!.verdict!.pseudocode_flags[0]!.fingerprint).toBe(file.pseudocode_flags[0]!.fingerprint);
  });

  test("an unreviewed shard goes in with its reasons", () => {
    expect(buildReducePrompt(merged("unreviewed"))).toContain('"reasons": [\n        "rung local timeout"\n      ]');
  });
});

describe("judgeReduceAnswer", () => {
  const file = merged("reviewed");
  const fp = file.pseudocode_flags[0]!.fingerprint;
  const answer = (extra: Record<string, unknown>) => `Here it is:\n${JSON.stringify({ verdict: "needs_patch", alignment_score: 5, summary: "b is a stub", shards_cited: [0, 1], findings_cited: [fp], ...extra })}`;
  const cases: Array<[string, string, "accepted" | "thin" | "invalid", RegExp | null]> = [
    ["a complete answer with chatter around it", answer({}), "accepted", null],
    ["prose with no JSON", "The file looks fine overall.", "thin", /no JSON/],
    ["a score out of range", answer({ alignment_score: 11 }), "invalid", /fails its schema: \/alignment_score must be <= 10/],
    ["an answer that omits a shard", answer({ shards_cited: [0] }), "invalid", /omits shard 1 of 2/],
    ["an answer citing a finding no shard produced", answer({ findings_cited: ["deadbeef"] }), "invalid", /no shard produced: deadbeef/],
  ];
  for (const [what, text, outcome, reason] of cases) {
    test(`${what}: ${outcome}`, () => {
      const j = judgeReduceAnswer(text, file);
      expect(j.outcome).toBe(outcome);
      if (j.outcome !== "accepted" && reason) expect(j.reason).toMatch(reason);
      if (j.outcome === "accepted") expect(j.value.shards_cited).toEqual([0, 1]);
    });
  }
});
