import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  looksLikeMarkdownReview,
  parseInlineConfidence,
  parseMarkdownReview,
  parsePriority,
  parseScore,
  parseVerdictLine,
  verdictFromScore,
  type Suggestion,
} from "../../pipeline/answer/markdown-review";
import type { Severity, Verdict } from "../../domain/verdict";

const answer = (name: string) => readFileSync(join(import.meta.dir, "../fixtures/answers", name), "utf8");
const FENCE = "```";

describe("score: decimals and context (the seed's SCORE-PARSER MISS)", () => {
  const cases: [string, number | null][] = [
    ["Score: 4.5/10", 4.5],
    ["**Score:** 4/10 (mid)", 4],
    ["**Score: 3/10**", 3],
    ["Alignment: 7.5 / 10", 7.5],
    ["Alignment score: 4.5/10", 4.5],
    ["I'd give it a score of 6/10.", 6],
    ["Rating: 3/10", 3],
    ["Overall score — 6.5 out of 10", 6.5],
    ["The file scored 4/10 against the proposal.", 4],
    ["| Alignment score | 4.5/10 |", 4.5],
    ["Score: 7", 7],
    ["## Overall: 6/10", 6],
    ["## crates/gateway/src/auth.rs — 4/10", 4],
    ["All 10/10 tests pass.", null],
    ["Confidence score: 85%", null],
    ["Score: 45/100", null],
    ["We score 3 issues as blocking.", null],
    ["No rating given.", null],
  ];
  for (const [text, score] of cases) test(`${JSON.stringify(text)} → ${score}`, () => expect(parseScore(text).score).toBe(score));

  test("a score inside fenced code is never read", () => {
    const text = `${FENCE}text\nScore: 10/10 tests pass\n${FENCE}\n\nThe tests cover one peer only.`;
    expect(parseMarkdownReview(text).score).toBeNull();
  });

  test("the fixture's 10/10 sits in a code block; its rating is 3/10", () => {
    const r = parseMarkdownReview(answer("markdown-code-block-with-10-of-10.md"));
    expect([r.score, r.scoreText]).toEqual([3, "3/10"]);
  });
});

describe("verdict line", () => {
  const cases: [string, Verdict | null][] = [
    ["Verdict: pass", "pass"],
    ["**Verdict:** NEEDS PATCH", "needs_patch"],
    ["Final verdict — needs-patch", "needs_patch"],
    ["Verdict: `needs_patch`", "needs_patch"],
    ["## Verdict\n\n**FAIL**", "fail"],
    ["| Verdict | fail |", "fail"],
    ["Verdict: ❌ FAIL", "fail"],
    ["The verdict is unclear without the tests.", null],
    ["Everything passes.", null],
  ];
  for (const [text, verdict] of cases) test(`${JSON.stringify(text)} → ${verdict}`, () => expect(parseVerdictLine(text)).toBe(verdict));
});

describe("confidence written inline", () => {
  const cases: [string, number | null][] = [
    ["Confidence: 85%", 85],
    ["Add a guard (confidence 85%)", 85],
    ["85% confidence that this is dead code", 85],
    ["Conf. 70", 70],
    ["**Confidence:** 0.85", 0.85],
    ["Confidence (%): 90", 90],
    ["confidence level: 65 %", 65],
    ["confidence: high", null],
    ["the configuration takes 85% of startup", null],
  ];
  for (const [text, c] of cases) test(`${JSON.stringify(text)} → ${c}`, () => expect(parseInlineConfidence(text)).toBe(c));
});

describe("priority", () => {
  const cases: [string, Severity | null][] = [
    ["[HIGH] Re-enable the journal", "high"],
    ["Priority: low", "low"],
    ["**Severity:** Critical", "high"],
    ["high-priority: mount the router", "high"],
    ["Mount the router (critical)", "high"],
    ["**Minor:** rename the constant", "low"],
    ["Moderate risk of double submit", "medium"],
    ["🔴 Unverified token", "high"],
    ["This fixes a critical bug", null],
    ["Rename the helper", null],
  ];
  for (const [text, p] of cases) test(`${JSON.stringify(text)} → ${p}`, () => expect(parsePriority(text)).toBe(p));
});

describe("suggestions", () => {
  const pick = (s: Suggestion[]) => s.map((x) => [x.text, x.priority, x.confidence]);

  test("table rows, with the Confidence column (the seed's CONFIDENCE-COLUMN DROPOUT check reads every row)", () => {
    const r = parseMarkdownReview(answer("markdown-4.5-of-10-table-confidence.md"));
    expect(pick(r.suggestions)).toEqual([
      ["Implement invalidate_cache instead of returning Ok(()) unconditionally", "high", 85],
      ["Return a typed error body (code + message) instead of e.to_string()", "medium", 70],
      ["Add a test for the empty-result path in run_query", "low", 60],
    ]);
    expect(r.confidences).toEqual([85, 70, 60]);
  });

  test("a table without a Confidence column has no confidences", () => {
    const r = parseMarkdownReview(answer("markdown-no-confidences-6-suggestions.md"));
    expect(r.suggestions).toHaveLength(6);
    expect(r.confidences).toEqual([]);
    expect(r.suggestions.map((s) => s.priority)).toEqual(["high", "high", "medium", "medium", "medium", "low"]);
  });

  test("empty and N/A cells are missing confidences; 0.7 is kept as written", () => {
    const r = parseMarkdownReview(answer("markdown-partial-confidence-column.md"));
    expect(r.suggestions.map((s) => s.confidence)).toEqual([82, null, 0.7, null, 60]);
  });

  test("numbered items with inline confidences; sub-bullets belong to their item", () => {
    const r = parseMarkdownReview(answer("markdown-inline-confidence.md"));
    expect(pick(r.suggestions)).toEqual([
      ["Introduce AgentIdentity { name, role, hashed_key } and return it from the extractor.", null, 90],
      ["Remove the #[allow(dead_code)] on ApiKey once it is used", null, 75],
      ["Compare keys in constant time (subtle::ConstantTimeEq).", "high", 80],
    ]);
    expect(r.verdict).toBe("fail");
  });

  test("bullets under a bold pseudo heading, with [HIGH] tags", () => {
    const r = parseMarkdownReview(answer("markdown-score-4-of-10-mid.md"));
    expect(pick(r.suggestions)).toEqual([
      ["Re-enable journal.record_ingest in ingest_file", "high", 88],
      ["Return 409 instead of 500 when the dataset already exists", "medium", 72],
      ["Split the Postgres import path into its own module", null, 65],
    ]);
  });

  test("numbered sub-headings are items; a Verified section is not a suggestion list", () => {
    const r = parseMarkdownReview(answer("markdown-subheading-findings.md"));
    expect(pick(r.suggestions)).toEqual([
      ["Reduce output is not checked for shard coverage", "high", 90],
      ["Fingerprint ignores the finding category", "medium", 75],
    ]);
  });

  test("a priority sub-heading sets the priority of the items under it", () => {
    const text = [
      "## Recommendations",
      "### High priority",
      "- Mount the truth router (confidence 90%)",
      "### Low priority",
      "- Rename `cfg` (confidence 60%)",
      "- Drop the unused import (confidence 70%, priority: medium)",
    ].join("\n");
    expect(pick(parseMarkdownReview(text).suggestions)).toEqual([
      ["Mount the truth router", "high", 90],
      ["Rename cfg", "low", 60],
      ["Drop the unused import", "medium", 70],
    ]);
  });

  test("a lone # title around everything is not a suggestion section", () => {
    const text = ["# Review: issues in auth.rs", "## Context", "- File: src/auth.rs", "## Suggestions", "- Add a guard (confidence 80%)"].join("\n");
    expect(pick(parseMarkdownReview(text).suggestions)).toEqual([["Add a guard", null, 80]]);
  });

  test("without a suggestion heading, a table with a Confidence column still counts", () => {
    const text = ["## auth.rs", "| # | Change | Confidence |", "|---|---|---|", "| 1 | Add a guard | 80% |"].join("\n");
    expect(pick(parseMarkdownReview(text).suggestions)).toEqual([["Add a guard", null, 80]]);
  });

  test("bullets in fenced code are not suggestions", () => {
    const text = ["## Suggestions", `${FENCE}md`, "- not this", FENCE, "- Add a guard (confidence 80%)"].join("\n");
    expect(parseMarkdownReview(text).suggestions).toHaveLength(1);
  });
});

describe("summary", () => {
  const cases: [string, string | null][] = [
    ["markdown-4.5-of-10-table-confidence.md", "The query service wires the SQL endpoint to DataFusion"],
    ["markdown-subheading-findings.md", "The deterministic merge de-duplicates findings by fingerprint"],
    ["markdown-inline-confidence.md", "Auth middleware extracts the key but the AgentIdentity type"],
  ];
  for (const [file, start] of cases) test(file, () => expect(parseMarkdownReview(answer(file)).summary).toStartWith(start ?? ""));

  test("a Summary: line is the summary", () => {
    expect(parseMarkdownReview("**File:** a.rs\nSummary: the loader ignores the folder.\n").summary).toBe("the loader ignores the folder.");
  });
});

describe("verdictFromScore", () => {
  const high: Suggestion = { text: "x", confidence: 80, priority: "high" };
  const low: Suggestion = { text: "y", confidence: 80, priority: "low" };
  const cases: [number, Suggestion[], Verdict][] = [
    [8.5, [low], "pass"],
    [8, [], "pass"],
    [9, [high, low], "needs_patch"],
    [7.9, [low], "needs_patch"],
    [4, [low], "needs_patch"],
    [3.9, [low], "fail"],
    [0, [], "fail"],
  ];
  for (const [score, s, v] of cases) test(`${score}, ${s.map((x) => x.priority).join("+") || "none"} → ${v}`, () => expect(verdictFromScore(score, s)).toBe(v));
});

describe("looksLikeMarkdownReview", () => {
  const cases: [string, boolean][] = [
    ["## Issues\n- a\n- b", true],
    ["**Suggestions**\n1. a", true],
    ["Score: 5/10 — fine.", true],
    ["| a | b |\n|---|---|\n| 1 | 2 |", true],
    ["Looks fine.\n\nMaybe add tests.", false],
    ["Notes:\n- one\n- two", false],
  ];
  for (const [text, yes] of cases) test(JSON.stringify(text), () => expect(looksLikeMarkdownReview(text)).toBe(yes));
});
