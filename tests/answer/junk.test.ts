import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { acceptAnswer } from "../../pipeline/answer/accept";
import { isRefusal, junkHits } from "../../pipeline/answer/junk";
import type { ShardVerdict } from "../../domain/verdict";

const SHARD = ["def summarize(rows):", "    return sum(r.amount for r in rows)", "", "", "def export_csv(rows, path):", "    raise NotImplementedError"].join("\n");
const fixture = (name: string) => readFileSync(join(import.meta.dir, "../fixtures/answers/junk", name), "utf8");
const verdictOf = (name: string) => ({ critical_failures: [], pseudocode_flags: [], prd_mismatches: [], broken_pipelines: [], missing_components: [], risk_points: [], verified_components: [], required_next_actions: [], ...JSON.parse(fixture(name)) }) as ShardVerdict;
const rules = { minChars: 0, junk: { shard: SHARD } };

describe("junk answers are refused with every rule named", () => {
  test("a tiny model's grammar-shaped echo of the prompt template (seen from SmolLM2 on llama.cpp)", () => {
    const a = acceptAnswer(fixture("placeholder-echo.json"), rules);
    expect(a.outcome).toBe("invalid");
    if (a.outcome === "accepted") return;
    for (const rule of ["placeholder-echo", "schema-echo", "verdict-score-contradiction", "pass-unverified"]) expect(a.reason).toContain(`[${rule}]`);
  });

  test("findings quoting code that is not in the shard", () => {
    const hits = junkHits(verdictOf("invented-evidence.json"), SHARD);
    expect(hits.map((h) => h.rule)).toEqual(["evidence-not-in-shard"]);
    expect(hits[0]!.detail).toContain("2 of 2 findings");
  });

  test("an honest answer quoting the shard is accepted", () => {
    expect(acceptAnswer(fixture("honest.json"), rules).outcome).toBe("accepted");
    expect(junkHits(verdictOf("honest.json"), SHARD)).toEqual([]);
  });

  test("pass needs a verified component that quotes the shard, and a score that does not contradict it", () => {
    const pass = { ...verdictOf("honest.json"), verdict: "pass" as const, critical_failures: [], alignment_score: 8 };
    expect(junkHits(pass, SHARD)).toEqual([]);
    expect(junkHits({ ...pass, verified_components: [] }, SHARD).map((h) => h.rule)).toEqual(["pass-unverified"]);
    expect(junkHits({ ...pass, alignment_score: 2 }, SHARD).map((h) => h.rule)).toEqual(["verdict-score-contradiction"]);
    expect(junkHits({ ...pass, verdict: "fail", alignment_score: 9 }, SHARD).map((h) => h.rule)).toEqual(["verdict-score-contradiction"]);
  });

  test("without junk rules (the static rung) the same echo is judged by the schema alone", () => {
    expect(acceptAnswer(fixture("placeholder-echo.json"), { minChars: 0 }).outcome).toBe("accepted");
  });
});

describe("refusals", () => {
  test.each([
    ["I can't help with that.", true],
    ["I'm sorry, but I cannot review this code.", true],
    ["As an AI language model, I am unable to assist with auditing.", true],
    ['{"verdict": "pass"} I cannot be sure', false],
    ["The code looks fine.", false],
  ])("%s → %p", (text, refused) => {
    expect(isRefusal(text)).toBe(refused);
  });

  test("a refusal is its own outcome, not thin", () => {
    const a = acceptAnswer("I can't help with that.", rules);
    expect(a.outcome).toBe("refused");
  });
});

describe("lenient where the server could not enforce the schema", () => {
  test("an entry with an empty title (strict json_schema drops minLength) is dropped with a note, the answer judged on the rest", () => {
    const answer = JSON.parse(fixture("honest.json"));
    answer.pseudocode_flags = [{ title: "", evidence: "raise NotImplementedError", line_start: 6, line_end: 6, severity: "low", confidence: 40 }];
    const a = acceptAnswer(JSON.stringify(answer), rules);
    expect(a.outcome).toBe("accepted");
    if (a.outcome !== "accepted") return;
    expect(a.verdict.pseudocode_flags).toEqual([]);
    expect(a.notes.join(" ")).toContain("1 entry with an empty title or action dropped");
  });
});
