import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { acceptAnswer, classifyFormat, coerceForensic } from "../../pipeline/answer/accept";
import type { OutputFormat } from "../../domain/attempt";
import { validateShardVerdict } from "../../pipeline/verdict/verdict";
import { FINDING_CATEGORIES, type ShardVerdict, type Verdict } from "../../domain/verdict";

const answer = (name: string) => readFileSync(join(import.meta.dir, "../fixtures/answers", name), "utf8");
const rules = { minChars: 200 };

/** Every confidence in the verdict, findings first (in list order), then actions. */
function confidences(v: ShardVerdict): number[] {
  return [...FINDING_CATEGORIES.flatMap((c) => v[c].map((f) => f.confidence)), ...v.required_next_actions.map((a) => a.confidence)];
}

interface AcceptedCase {
  file: string;
  format: OutputFormat;
  verdict: Verdict;
  score: number;
  confidences: number[];
  /** Each must match one note; [] means the answer needed no comment. */
  notes: RegExp[];
}

const accepted: AcceptedCase[] = [
  { file: "bare-json.txt", format: "forensic_json", verdict: "needs_patch", score: 4.5, confidences: [92, 85, 88, 90], notes: [] },
  { file: "fenced-json-with-chatter.txt", format: "forensic_json", verdict: "fail", score: 2.5, confidences: [95, 80, 93, 78], notes: [] },
  // The draft {"verdict": "pass"} inside <think> is not the answer.
  { file: "think-block-then-json.txt", format: "forensic_json", verdict: "needs_patch", score: 5, confidences: [87, 91, 86], notes: [] },
  { file: "chatter-braces-no-fence.txt", format: "forensic_json", verdict: "needs_patch", score: 6.5, confidences: [84, 80], notes: [] },
  { file: "bom-json.txt", format: "forensic_json", verdict: "pass", score: 9, confidences: [90], notes: [] },
  // The first fence is a finding-shape example; the second holds the verdict.
  { file: "two-fences.txt", format: "forensic_json", verdict: "pass", score: 8.5, confidences: [75, 93], notes: [] },
  {
    file: "self-corrected-verdict.txt",
    format: "forensic_json",
    verdict: "needs_patch",
    score: 5,
    confidences: [88],
    notes: [/2 JSON objects with a verdict in the answer; used the last one/],
  },
  {
    file: "string-confidences.txt",
    format: "forensic_json",
    verdict: "needs_patch",
    score: 4.5,
    confidences: [85, 70, 90],
    notes: [/verdict "Needs Patch" read as "needs_patch"/, /alignment_score "4\.5\/10" read as 4\.5/, /3 confidences given as strings \("85%", "70", "90%"\)/, /1 severity\/priority value lower-cased/],
  },
  {
    // 0.8 and 0.85 are kept: valid 0–100 numbers; the note is the signal.
    file: "fraction-confidences.txt",
    format: "forensic_json",
    verdict: "needs_patch",
    score: 6,
    confidences: [0.8, 0.85],
    notes: [/all 2 confidences are ≤ 1 .*0–1 scale; kept as written/],
  },
  {
    file: "markdown-4.5-of-10-table-confidence.md",
    format: "markdown",
    verdict: "needs_patch",
    score: 4.5,
    confidences: [85, 70, 60],
    notes: [/markdown review: verdict derived from score 4\.5\/10 \(needs_patch\)/],
  },
  {
    // The explicit "Verdict: FAIL" wins over the score (5 would derive needs_patch), and the note says so.
    file: "markdown-inline-confidence.md",
    format: "markdown",
    verdict: "fail",
    score: 5,
    confidences: [90, 75, 80],
    notes: [/2 of 3 suggestions had no priority; set to "medium"/, /the verdict line \(fail\) wins; score 5\/10 alone would give needs_patch/],
  },
  {
    file: "markdown-score-4-of-10-mid.md",
    format: "markdown",
    verdict: "needs_patch",
    score: 4,
    confidences: [88, 72, 65],
    notes: [/verdict derived from score 4\/10/, /1 of 3 suggestions had no priority/],
  },
  {
    // "Score: 10/10 tests pass" sits in a fenced block; the review's own rating is 3/10.
    file: "markdown-code-block-with-10-of-10.md",
    format: "markdown",
    verdict: "fail",
    score: 3,
    confidences: [40, 35, 50],
    notes: [/verdict derived from score 3\/10 \(fail\)/, /1 of 3 suggestions had no priority/],
  },
  {
    file: "markdown-subheading-findings.md",
    format: "markdown",
    verdict: "needs_patch",
    score: 6.5,
    confidences: [90, 75],
    notes: [/verdict derived from score 6\.5\/10/],
  },
  { file: "markdown-pass-8.5.md", format: "markdown", verdict: "pass", score: 8.5, confidences: [80, 85], notes: [/verdict derived from score 8\.5\/10 \(pass\)/] },
];

interface RejectedCase {
  file: string;
  outcome: "thin" | "invalid";
  format: OutputFormat;
  reason: RegExp;
}

const rejected: RejectedCase[] = [
  { file: "truncated-json.txt", outcome: "invalid", format: "forensic_json", reason: /^truncated JSON \(unbalanced braces at char 579\): 3 .* still open, the outermost opened at char 8$/ },
  { file: "invalid-json-syntax.txt", outcome: "invalid", format: "forensic_json", reason: /^invalid JSON in the object at char 8: / },
  { file: "json-no-verdict.txt", outcome: "thin", format: "forensic_json", reason: /^no verdict: the JSON object has alignment_score, summary, critical_failures, required_next_actions but no "verdict" key$/ },
  { file: "json-empty-lists.txt", outcome: "thin", format: "forensic_json", reason: /^forensic JSON with no findings, actions or verified components/ },
  {
    file: "finding-without-confidence.txt",
    outcome: "invalid",
    format: "forensic_json",
    reason: /^finding without confidence: \/critical_failures\/0 must have required property 'confidence'$/,
  },
  { file: "short-json.txt", outcome: "thin", format: "forensic_json", reason: /^172 chars < min_chars 200$/ },
  { file: "markdown-no-confidences-6-suggestions.md", outcome: "thin", format: "markdown", reason: /^6 of 6 suggestions have no confidence$/ },
  // "", "N/A" in the Conf. column are missing; "0.7" is a confidence.
  { file: "markdown-partial-confidence-column.md", outcome: "thin", format: "markdown", reason: /^2 of 5 suggestions have no confidence$/ },
  { file: "markdown-verdict-no-score.md", outcome: "thin", format: "markdown", reason: /^markdown review with verdict "needs_patch" but no score/ },
  { file: "markdown-score-no-suggestions.md", outcome: "thin", format: "markdown", reason: /^markdown review with no suggestions/ },
  { file: "unstructured-prose.txt", outcome: "thin", format: "unstructured", reason: /^unstructured answer: no verdict$/ },
  {
    file: "json-other-shape.txt",
    outcome: "thin",
    format: "unstructured",
    reason: /^unstructured answer: no verdict \(a JSON object with keys file, review, score, suggestions but no "verdict"\)$/,
  },
  { file: "unclosed-think.txt", outcome: "thin", format: "unstructured", reason: /^the <think> block never closed/ },
];

describe("acceptAnswer: accepted answers", () => {
  for (const c of accepted) {
    test(c.file, () => {
      const a = acceptAnswer(answer(c.file), rules);
      if (a.outcome !== "accepted") throw new Error(`expected accepted, got ${a.outcome}: ${a.reason}`);
      expect(a.format).toBe(c.format);
      expect(a.verdict.verdict).toBe(c.verdict);
      expect(a.verdict.alignment_score).toBe(c.score);
      expect(confidences(a.verdict)).toEqual(c.confidences);
      const markdownNote = c.format === "markdown" ? 1 : 0; // "N suggestions stored as required_next_actions; no line-level findings"
      expect(a.notes).toHaveLength(c.notes.length + markdownNote);
      for (const n of c.notes) expect(a.notes.some((note) => n.test(note))).toBe(true);
      // What is stored is a verdict the schema accepts.
      expect(validateShardVerdict(a.verdict).ok).toBe(true);
    });
  }
});

describe("acceptAnswer: rejected answers say what was wrong", () => {
  for (const c of rejected) {
    test(`${c.file} → ${c.outcome}`, () => {
      const a = acceptAnswer(answer(c.file), rules);
      if (a.outcome === "accepted") throw new Error(`expected ${c.outcome}, got accepted`);
      expect(a.outcome).toBe(c.outcome);
      expect(a.format).toBe(c.format);
      expect(a.reason).toMatch(c.reason);
    });
  }
});

describe("acceptAnswer: details a user would notice", () => {
  test("a markdown review becomes next actions with the priorities and confidences it wrote", () => {
    const a = acceptAnswer(answer("markdown-4.5-of-10-table-confidence.md"), rules);
    if (a.outcome !== "accepted") throw new Error(a.reason);
    expect(a.verdict.required_next_actions).toEqual([
      { action: "Implement invalidate_cache instead of returning Ok(()) unconditionally", priority: "high", confidence: 85 },
      { action: "Return a typed error body (code + message) instead of e.to_string()", priority: "medium", confidence: 70 },
      { action: "Add a test for the empty-result path in run_query", priority: "low", confidence: 60 },
    ]);
    expect(a.verdict.summary).toStartWith("The query service wires the SQL endpoint to DataFusion");
    // Markdown carries no line-level findings; none are invented, and the notes say so.
    for (const c of FINDING_CATEGORIES) expect(a.verdict[c]).toEqual([]);
    expect(a.notes).toContain("markdown review: 3 suggestions stored as required_next_actions; no line-level findings");
  });

  test("the length rule measures the whole answer, chatter included, not the extracted JSON", () => {
    const text = answer("fenced-json-with-chatter.txt");
    const whole = text.trim().length;
    expect(acceptAnswer(text, { minChars: whole }).outcome).toBe("accepted");
    const a = acceptAnswer(text, { minChars: whole + 1 });
    expect(a).toEqual({ outcome: "thin", reason: `${whole} chars < min_chars ${whole + 1}`, format: "forensic_json" });
  });

  test("a <think> block does not count towards min_chars", () => {
    const text = answer("think-block-then-json.txt");
    const withoutThink = text.slice(text.indexOf("</think>") + "</think>".length).trim().length;
    const a = acceptAnswer(text, { minChars: withoutThink + 1 });
    expect(a.outcome === "thin" && a.reason).toBe(`${withoutThink} chars < min_chars ${withoutThink + 1}`);
  });

  test("invalid and thin-by-content reasons come before the length rule", () => {
    const a = acceptAnswer(answer("finding-without-confidence.txt"), { minChars: 100_000 });
    expect(a.outcome).toBe("invalid");
  });

  test("several schema errors: the first three, the count of the rest, and the missing confidences named", () => {
    const text = JSON.stringify({
      verdict: "pass",
      alignment_score: 12,
      summary: "x".repeat(250),
      critical_failures: [
        { title: "a", evidence: "", line_start: 1, line_end: 1, severity: "high" },
        { title: "b", evidence: "", line_start: 1, line_end: 1, severity: "severe", confidence: 80 },
      ],
      required_next_actions: [{ action: "c", priority: "high" }],
    });
    const a = acceptAnswer(text, rules);
    expect(a.outcome).toBe("invalid");
    expect(a.outcome !== "accepted" && a.reason).toMatch(
      /^finding without confidence, next action without confidence: \/alignment_score must be <= 10; .*; .* \(\+\d+ more\)$/,
    );
  });

  test("an answer cut off inside <think> says so", () => {
    const a = acceptAnswer("I will review the shard now.\n<think>First, the loader reads {", rules);
    expect(a).toEqual({ outcome: "thin", reason: "unstructured answer: no verdict; a <think> block never closed", format: "unstructured" });
  });

  test("an empty answer is thin", () => {
    expect(acceptAnswer("  \n", rules)).toEqual({ outcome: "thin", reason: "empty answer", format: "unstructured" });
  });

  test("a min_chars that is not a number from 0 up is a bug, not a verdict", () => {
    expect(() => acceptAnswer("{}", { minChars: Number.NaN })).toThrow(/Expected `minChars` to be a number from 0 and up/);
  });
});

describe("coerceForensic", () => {
  const cases: { name: string; input: Record<string, unknown>; expected: Record<string, unknown>; notes: number }[] = [
    { name: "verdict spellings", input: { verdict: "NEEDS_PATCH" }, expected: { verdict: "needs_patch" }, notes: 1 },
    { name: "hyphenated verdict", input: { verdict: "Needs-Patch" }, expected: { verdict: "needs_patch" }, notes: 1 },
    { name: "an unknown verdict is left for the schema to reject", input: { verdict: "approved" }, expected: { verdict: "approved" }, notes: 0 },
    { name: "score without denominator", input: { alignment_score: "4.5" }, expected: { alignment_score: 4.5 }, notes: 1 },
    { name: "score out of 100 is not guessed", input: { alignment_score: "45/100" }, expected: { alignment_score: "45/100" }, notes: 0 },
    {
      name: "a word confidence is left for the schema to reject",
      input: { risk_points: [{ confidence: "high" }] },
      expected: { risk_points: [{ confidence: "high" }] },
      notes: 0,
    },
    {
      name: "numeric-string confidences in findings and actions",
      input: { risk_points: [{ confidence: " 85 %" }], required_next_actions: [{ confidence: "60", priority: "Low" }] },
      expected: { risk_points: [{ confidence: 85 }], required_next_actions: [{ confidence: 60, priority: "low" }] },
      notes: 2,
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const input = structuredClone(c.input);
      const { value, notes } = coerceForensic(input);
      expect(value).toEqual(c.expected);
      expect(notes).toHaveLength(c.notes);
      expect(input).toEqual(c.input); // the caller's object is not touched
    });
  }
});

describe("classifyFormat", () => {
  const cases: [string, OutputFormat][] = [
    ["bare-json.txt", "forensic_json"],
    ["json-no-verdict.txt", "forensic_json"],
    ["truncated-json.txt", "forensic_json"],
    ["think-block-then-json.txt", "forensic_json"],
    ["markdown-4.5-of-10-table-confidence.md", "markdown"],
    ["markdown-no-confidences-6-suggestions.md", "markdown"],
    ["markdown-verdict-no-score.md", "markdown"],
    ["unstructured-prose.txt", "unstructured"],
    ["json-other-shape.txt", "unstructured"],
  ];
  for (const [file, format] of cases) test(`${file} → ${format}`, () => expect(classifyFormat(answer(file))).toBe(format));

  test("prose with a plain bullet list and no heading, table or score is unstructured", () => {
    expect(classifyFormat("Some thoughts on the code:\n- it reads fine\n- maybe add logging\n")).toBe("unstructured");
  });
});
