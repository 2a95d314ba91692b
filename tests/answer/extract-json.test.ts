import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { extractJson, scanJson, stripReasoning } from "../../pipeline/answer/extract-json";

const answer = (name: string) => readFileSync(join(import.meta.dir, "../fixtures/answers", name), "utf8");
const FENCE = "```";

describe("extractJson finds the answer's object", () => {
  const found: { name: string; text: string; json: unknown }[] = [
    { name: "bare object", text: '{"verdict":"pass"}', json: { verdict: "pass" } },
    { name: "BOM before the object", text: '\uFEFF{"verdict":"pass"}', json: { verdict: "pass" } },
    { name: "```json fence with chatter", text: `Here you go:\n${FENCE}json\n{"verdict":"fail"}\n${FENCE}\nThanks!`, json: { verdict: "fail" } },
    { name: "fence without a language", text: `${FENCE}\n{"verdict":"fail"}\n${FENCE}`, json: { verdict: "fail" } },
    { name: "indented ~~~ fence", text: `  ~~~JSON\n  {"verdict":"fail"}\n  ~~~`, json: { verdict: "fail" } },
    {
      name: "chatter with prose braces before and after",
      text: 'In `fn main() { run() }` I found: {"verdict":"needs_patch","n":{"a":[1,{"b":2}]}} and {that} is all.',
      json: { verdict: "needs_patch", n: { a: [1, { b: 2 }] } },
    },
    {
      name: "braces and escaped quotes inside JSON strings",
      text: 'Verdict: {"verdict":"pass","summary":"a \\"}\\" and { and \\\\"}',
      json: { verdict: "pass", summary: 'a "}" and { and \\' },
    },
    {
      name: "the draft inside <think> is not the answer",
      text: '<think>maybe {"verdict":"pass"} ... no, a stub { here</think>\n{"verdict":"fail"}',
      json: { verdict: "fail" },
    },
    { name: "<thinking> tags too", text: '<thinking>{"verdict":"pass"}</thinking>{"verdict":"fail"}', json: { verdict: "fail" } },
    { name: "orphan </think> (opening tag was in the prompt)", text: 'drafting {"verdict":"pass"}</think>\n{"verdict":"fail"}', json: { verdict: "fail" } },
    {
      name: "of two fences, the one with a verdict",
      text: `${FENCE}json\n{"title":"example"}\n${FENCE}\n\n${FENCE}json\n{"verdict":"pass"}\n${FENCE}`,
      json: { verdict: "pass" },
    },
    {
      name: "of two verdicts, the last (a self-correction)",
      text: `${FENCE}json\n{"verdict":"pass"}\n${FENCE}\nCorrected:\n${FENCE}json\n{"verdict":"fail"}\n${FENCE}`,
      json: { verdict: "fail" },
    },
    {
      name: "a Rust code fence's braces are not candidates",
      text: `${FENCE}rust\nfn f() { if x { "{" } }\n${FENCE}\n{"verdict":"pass"}`,
      json: { verdict: "pass" },
    },
    { name: "an object of another shape is still returned", text: 'Result: {"score": 6}', json: { score: 6 } },
  ];
  for (const c of found) {
    test(c.name, () => {
      const r = extractJson(c.text);
      expect(r !== null && "json" in r ? r.json : r).toEqual(c.json);
    });
  }

  test("raw is the exact object text", () => {
    expect(extractJson('ok {"verdict":"pass"} bye')).toEqual({ json: { verdict: "pass" }, raw: '{"verdict":"pass"}' });
  });
});

describe("extractJson reports broken JSON and never repairs it", () => {
  test("truncated: the char where the answer ended, how many are open, where the object began", () => {
    const text = 'Here: {"verdict":"pass","critical_failures":[{"title":"x"';
    const r = extractJson(text);
    expect(r !== null && "error" in r && r.error).toBe(
      `truncated JSON (unbalanced braces at char ${text.length}): 3 brace(s)/bracket(s) still open, the outermost opened at char 6`,
    );
  });

  test("truncated inside a string", () => {
    const r = extractJson('{"verdict":"needs_patch","summary":"the handler {');
    expect(r !== null && "error" in r && r.error).toMatch(/^truncated JSON \(unbalanced braces at char 49\)/);
  });

  test("offsets point into the text the model sent, even after a <think> block", () => {
    const text = '<think>a { b</think>\n{"verdict":"pass",';
    const r = extractJson(text);
    expect(r !== null && "error" in r && r.error).toMatch(new RegExp(`at char ${text.length}\\).*opened at char 21$`));
  });

  test("the truncated fixture (an unclosed fence)", () => {
    const text = answer("truncated-json.txt");
    const r = extractJson(text);
    expect(r !== null && "error" in r && r.error).toStartWith(`truncated JSON (unbalanced braces at char ${text.length})`);
  });

  test("trailing commas are a parse error, not silently fixed", () => {
    const r = extractJson(answer("invalid-json-syntax.txt"));
    expect(r !== null && "error" in r && r.error).toMatch(/^invalid JSON in the object at char 8: JSON Parse error/);
  });

  test("a broken forensic object wins over a valid object of another shape", () => {
    const r = extractJson('{"example": 1}\n{"verdict": "pass", "summary": ');
    expect(r !== null && "error" in r).toBe(true);
  });

  test("a valid verdict wins over a broken example", () => {
    expect(extractJson('Schema: {"verdict": pass|fail}\n{"verdict":"pass"}')).toEqual({ json: { verdict: "pass" }, raw: '{"verdict":"pass"}' });
  });
});

describe("extractJson returns null when nothing looks like JSON", () => {
  const none = [
    ["prose", "The code looks fine to me."],
    ["prose braces", "Use `if x { y }` and a set {a, b}."],
    ["a JSON array of numbers", "[1, 2, 3]"],
    ["braces only inside a code fence", `${FENCE}ts\nconst o = { a: 1 };\n${FENCE}`],
    ["JSON only inside a <think> block", '<think>{"verdict":"pass"}</think>I cannot review this file.'],
  ] as const;
  for (const [name, text] of none) test(name, () => expect(extractJson(text)).toBeNull());
});

describe("stripReasoning", () => {
  test("the answer without BOM and reasoning, trimmed", () => {
    expect(stripReasoning('\uFEFF<think>\nhm\n</think>\n\n{"a":1}\n')).toEqual({
      blanked: " " + " ".repeat("<think>\nhm\n</think>".length) + '\n\n{"a":1}\n',
      answer: '{"a":1}',
      unclosedReasoning: false,
    });
  });

  test("an unclosed <think> hides the rest and is flagged", () => {
    const r = stripReasoning(answer("unclosed-think.txt"));
    expect(r.answer).toBe("");
    expect(r.unclosedReasoning).toBe(true);
  });

  test("blanking keeps every offset", () => {
    const text = 'x<think>{"verdict":"pass"}</think>y';
    expect(stripReasoning(text).blanked).toHaveLength(text.length);
    expect(scanJson(text)).toEqual([]);
  });
});
