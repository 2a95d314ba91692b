import { describe, expect, test } from "bun:test";
import { RULES } from "../../pipeline/static/rules";
import type { RuleId } from "../../domain/rules";
import { decide, INFORMATIONAL_CONFIDENCE, quote, scanShard, score } from "../../pipeline/static/scan";
import type { Severity, Verdict } from "../../domain/verdict";
import { FIXTURES, fileLines, listFiles, problems, shardOf } from "./read-fixtures";

/** [line, rule, severity, evidence line when it is not `line` (a multi-line import quotes its `from` line)]. */
type Expected = [number, RuleId, Severity, number?];

/** Every fixture under tests/fixtures/static, by the path a run would report, with exactly what the static rung must find. */
const FIXTURE_TABLE: Record<string, { verdict: Verdict; expect: Expected[] }> = {
  "README.txt": {
    verdict: "pass",
    expect: [
      [3, "doc-placeholder", "low"],
    ],
  },
  "config/clean.toml": { verdict: "pass", expect: [] },
  "config/placeholders.toml": {
    verdict: "pass",
    expect: [
      [4, "todo-comment", "low"],
    ],
  },
  "docs/clean.md": { verdict: "pass", expect: [] },
  "docs/placeholders.md": {
    verdict: "pass",
    expect: [
      [3, "doc-placeholder", "low"],
      [7, "doc-placeholder", "low"],
      [8, "doc-placeholder", "low"],
      [9, "doc-placeholder", "low"],
      [11, "doc-placeholder", "low"],
      [13, "doc-placeholder", "low"],
      [14, "doc-placeholder", "low"],
      [27, "doc-placeholder", "low"],
    ],
  },
  "src/go/clean.go": { verdict: "pass", expect: [] },
  "src/go/handlers.go": {
    verdict: "pass",
    expect: [
      [7, "duplicate-import-redeclared", "low"],
      [14, "discarded-error", "low"],
      [15, "empty-catch", "low"],
      [17, "empty-catch", "low"],
      [26, "todo-comment", "low"],
      [27, "stub-throw", "low"],
      [31, "stub-throw", "low"],
    ],
  },
  "src/go/server_test.go": { verdict: "pass", expect: [] },
  "src/py/clean.py": { verdict: "pass", expect: [] },
  "src/py/handlers.py": {
    verdict: "pass",
    expect: [
      [5, "duplicate-import", "low"],
      [6, "duplicate-import", "low"],
      [17, "swallowed-except", "low"],
    ],
  },
  "src/py/stubs.py": {
    verdict: "pass",
    expect: [
      [24, "fixme-marker", "low"],
      [26, "debug-leftover", "low"],
      [30, "placeholder-return", "low"],
      [34, "todo-comment", "low"],
      [39, "stub-throw", "low"],
    ],
  },
  "src/rust/clean.rs": { verdict: "pass", expect: [] },
  "src/rust/handlers.rs": {
    verdict: "pass",
    expect: [
      [4, "duplicate-import-redeclared", "low"],
      [5, "duplicate-import-redeclared", "low"],
      [18, "empty-catch", "low"],
      [20, "debug-leftover", "low"],
      [23, "empty-catch", "low"],
    ],
  },
  "src/rust/stubs.rs": {
    verdict: "pass",
    expect: [
      [5, "dead-code-allowed", "low"],
      [18, "stub-macro", "low"],
      [22, "stub-macro", "low"],
      [26, "placeholder-return", "low"],
      [31, "stub-throw", "low"],
      [34, "todo-comment", "low"],
      [36, "fixme-marker", "low"],
      [45, "stub-macro", "low"],
    ],
  },
  "src/ts/clean.ts": { verdict: "pass", expect: [] },
  "src/ts/handlers.ts": {
    verdict: "pass",
    expect: [
      [5, "duplicate-import", "low", 8],
      [10, "duplicate-import", "low"],
      [14, "empty-catch", "low"],
      [17, "empty-catch", "low"],
      [20, "empty-catch", "low"],
    ],
  },
  "src/ts/stubs.ts": {
    verdict: "pass",
    expect: [
      [14, "stub-throw", "low"],
      [18, "placeholder-return", "low"],
      [23, "placeholder-return", "low"],
      [27, "todo-comment", "low"],
      [32, "fixme-marker", "low"],
      [33, "debug-leftover", "low"],
      [34, "stub-throw", "low"],
      [37, "dead-code-allowed", "low"],
    ],
  },
  "src/ui/form.tsx": { verdict: "pass", expect: [] },
  "tests/helpers/mock_client.ts": { verdict: "pass", expect: [] },
  "tests/test_fakes.py": { verdict: "pass", expect: [] },
};

describe("fixtures: each planted problem is found at its line, and nothing else", () => {
  test("every fixture file has a row in the table (and every row a file)", async () => {
    // corpus/ holds quotes from real repositories, with their own table in corpus-cases.test.ts.
    expect(listFiles(FIXTURES).filter((p) => !p.startsWith("corpus/"))).toEqual(Object.keys(FIXTURE_TABLE).sort());
  });

  for (const [path, want] of Object.entries(FIXTURE_TABLE)) {
    test(path, async () => {
      const lines = fileLines(FIXTURES, path);
      const verdict = await scanShard(shardOf(FIXTURES, path));
      const found = problems(verdict);
      expect(found.map((f) => `${f.line} ${f.rule} ${f.severity}`).sort()).toEqual(
        want.expect.map(([line, rule, severity]) => `${line} ${rule} ${severity}`).sort(),
      );
      for (const [line, rule, , evidenceLine = line] of want.expect) {
        const f = found.find((x) => x.line === line && x.rule === rule)!;
        expect(f.category).toBe(RULES[rule].category);
        expect(f.confidence).toBe(f.severity === "low" ? Math.min(RULES[rule].confidence, INFORMATIONAL_CONFIDENCE) : RULES[rule].confidence);
        expect(f.evidence).toBe(lines[evidenceLine - 1]!.trim());
        expect(f.lineEnd).toBeGreaterThanOrEqual(evidenceLine);
      }
      expect(verdict.verdict).toBe(want.verdict);
      if (want.expect.length === 0) {
        expect(verdict.verified_components).toHaveLength(1);
        const proof = verdict.verified_components[0]!;
        expect(lines.map((l) => l.trim())).toContain(proof.evidence);
        expect([proof.line_start, proof.line_end]).toEqual([1, lines.length]);
        expect(proof.confidence).toBeLessThanOrEqual(60);
      } else {
        expect(verdict.verified_components).toEqual([]);
      }
    });
  }
});

describe("line numbers are file lines: a shard's lineStart offsets every finding", () => {
  const cases: Array<[string, number]> = [
    ["src/ts/stubs.ts", 21],
    ["src/py/stubs.py", 22],
    ["src/go/handlers.go", 12],
    ["docs/placeholders.md", 10],
  ];
  for (const [path, from] of cases) {
    test(`${path} from line ${from}`, async () => {
      const whole = problems(await scanShard(shardOf(FIXTURES, path)));
      const tail = problems(await scanShard(shardOf(FIXTURES, path, from)));
      expect(tail.length).toBeGreaterThan(0);
      expect(tail).toEqual(whole.filter((f) => f.line >= from));
    });
  }

  test("a shard that starts at line 41 reports line 41 + offset, quoting that file line", async () => {
    const text = ["export function late(): number {", "  // TODO: cache this", "  return compute();", "}"].join("\n");
    const v = await scanShard({ path: "src/late.ts", language: "typescript", lineStart: 41, text });
    expect(problems(v).map((f) => [f.line, f.lineEnd, f.rule, f.evidence])).toEqual([[42, 42, "todo-comment", "// TODO: cache this"]]);
    expect(v.required_next_actions.map((a) => a.action)).toEqual(["Resolve the TODO or track it outside the code at line 42."]);
  });
});

describe("verdict, score, summary and next actions", () => {
  const verdicts: Array<[number, number, number, Verdict, number]> = [
    [0, 0, 0, "pass", 10],
    [0, 0, 3, "pass", 8.5],
    [0, 1, 0, "needs_patch", 8.5],
    [1, 0, 0, "needs_patch", 7],
    [1, 2, 1, "needs_patch", 3.5],
    [2, 0, 0, "fail", 4],
    [3, 4, 0, "fail", 0],
  ];
  for (const [high, medium, low, verdict, alignment] of verdicts) {
    test(`${high} high, ${medium} medium, ${low} low → ${verdict}, ${alignment}`, async () => {
      expect(decide(high, medium)).toBe(verdict);
      expect(score(high, medium, low)).toBe(alignment);
    });
  }

  test("the summary names the counts; one next action per rule that fired, naming its lines, worst first", async () => {
    const v = await scanShard(shardOf(FIXTURES, "src/ts/stubs.ts"));
    expect(v.summary).toBe(
      "Static heuristics found 8 findings in lines 1–40 (0 high, 0 medium, 8 low; critical_failures 2, pseudocode_flags 5, risk_points 1).",
    );
    // Every rule is informational until its evaluation-set precision earns more (docs/STATIC.md): 8 low findings pass.
    expect(v.verdict).toBe("pass");
    expect(v.alignment_score).toBe(6);
    const actions = v.required_next_actions;
    expect(actions).toHaveLength(6);
    expect(actions[0]).toEqual({ action: 'Implement the function that throws "not implemented" at lines 14, 34.', priority: "low", confidence: 70 });
    expect(actions.map((a) => a.priority)).toEqual(["low", "low", "low", "low", "low", "low"]);
  });

  test("an informational finding passes, and its confidence stays below review_below so it never lifts a file to auto", async () => {
    const text = ["pub fn later() -> u32 {", "    todo!()", "}"].join("\n");
    const v = await scanShard({ path: "src/lib.rs", language: "rust", lineStart: 1, text });
    expect(v.verdict).toBe("pass");
    expect(v.critical_failures.map((f) => [f.rule, f.severity, f.confidence])).toEqual([["stub-macro", "low", 70]]);
    expect(v.required_next_actions).toEqual([
      { action: "Implement the stubbed code (todo!/unimplemented!) at line 2.", priority: "low", confidence: 70 },
    ]);
  });

  test("[static] raise reports a rule at the severity it claims; a stub in test code is still lowered to medium", async () => {
    const text = ["pub fn later() -> u32 {", "    todo!()", "}", "#[cfg(test)]", "mod tests {", "    fn helper() { todo!() }", "}"].join("\n");
    const v = await scanShard({ path: "src/lib.rs", language: "rust", lineStart: 1, text }, { raise: ["stub-macro"] });
    expect(v.critical_failures.map((f) => [f.line_start, f.severity, f.confidence])).toEqual([[2, "high", 95], [6, "medium", 95]]);
    expect(v.verdict).toBe("needs_patch");
    const other = await scanShard({ path: "src/lib.rs", language: "rust", lineStart: 1, text }, { raise: ["todo-comment"] });
    expect(other.verdict).toBe("pass");
  });

  test("a clean shard records an honest proof of life quoting its first function signature", async () => {
    const text = ["// Totals.", "", "const RATE = 2;", "export function double(n: number): number {", "  return n * RATE;", "}"].join("\n");
    const v = await scanShard({ path: "src/double.ts", language: "typescript", lineStart: 10, text });
    expect(v.verdict).toBe("pass");
    expect(v.alignment_score).toBe(10);
    expect(v.verified_components).toEqual([
      {
        title: "Static heuristics: no stub markers, placeholder logic, swallowed errors or duplicate imports in lines 10–15",
        evidence: "export function double(n: number): number {",
        line_start: 10,
        line_end: 15,
        severity: "low",
        confidence: 60,
      },
    ]);
    expect(v.summary).toBe("Static heuristics found no stub markers, swallowed errors or duplicate imports in lines 10–15 (0 findings).");
  });

  test("a clean shard opening with a comment quotes a line the evidence check can find, not the comment's `/*`", async () => {
    const proof = async (lines: string[]) => (await scanShard({ path: "src/count.c", language: "c", lineStart: 1, text: lines.join("\n") })).verified_components.map((c) => c.evidence);
    // No detector's trigger matches: the lines are not lexed, and the first line long enough to be found is quoted.
    expect(await proof(["/*", "  Copyright (c) 2009 Someone", "*/", "", "static int counter = 1;"])).toEqual(["Copyright (c) 2009 Someone"]);
    expect(await proof(["/*", " * Counts.", " */", "{", "}"])).toEqual(["* Counts."]);
    // A Markdown shard opening inside a code fence: "```c++" is what the evidence check strips from a quote.
    const md = await scanShard({ path: "ChangeLog.md", language: "markdown", lineStart: 1, text: ["  ```c++", "  #include <fmt/chrono.h>", "  ```"].join("\n") });
    expect(md.verified_components.map((c) => c.evidence)).toEqual(["#include <fmt/chrono.h>"]);
    // A detector read the shard ("temporary" lets placeholder-return look): its first code line.
    expect(await proof(["/*", " * Frees the temporary buffer.", " */", "static void release(char *buffer) {", "    free(buffer);", "}"])).toEqual(["static void release(char *buffer) {"]);
  });

  test("a shard ending in blank lines names its whole range: its text has no final terminator, so a trailing \"\\n\" ends a blank line", async () => {
    // What makeShard gives for lines 1-5 of a file whose lines 4 and 5 are blank.
    const text = ["pub fn a() -> u32 {", "    1", "}", "", ""].join("\n");
    const v = await scanShard({ path: "src/a.rs", language: "rust", lineStart: 1, text });
    expect(v.summary).toBe("Static heuristics found no stub markers, swallowed errors or duplicate imports in lines 1–5 (0 findings).");
    expect(v.verified_components[0]?.line_end).toBe(5);
  });
});

describe("the rule table", () => {
  const table: Array<[RuleId, string, Severity, number]> = [
    ["stub-macro", "critical_failures", "low", 95],
    ["stub-raise", "critical_failures", "low", 90],
    ["todo-comment", "pseudocode_flags", "low", 70],
    ["fixme-marker", "pseudocode_flags", "low", 70],
    ["dead-code-allowed", "pseudocode_flags", "low", 80],
    ["empty-catch", "risk_points", "low", 85],
    ["duplicate-import", "risk_points", "low", 90],
    ["duplicate-import-redeclared", "critical_failures", "low", 90],
    ["doc-placeholder", "pseudocode_flags", "low", 85],
  ];
  for (const [id, category, severity, confidence] of table) {
    test(`${id}: ${category}, ${severity}, ${confidence}`, async () => {
      expect(RULES[id]).toMatchObject({ category, severity, confidence });
    });
  }
});

describe("duplicate imports", () => {
  test("each repeat names the line of the first import, in file lines", async () => {
    const text = ['import { a } from "./x";', 'import { b } from "./x";', 'import { c } from "./x";'].join("\n");
    const v = await scanShard({ path: "src/x.ts", language: "typescript", lineStart: 5, text });
    expect(v.risk_points.map((f) => [f.line_start, f.title])).toEqual([
      [6, 'Duplicate import: "./x", already imported at line 5 [duplicate-import]'],
      [7, 'Duplicate import: "./x", already imported at line 5 [duplicate-import]'],
    ]);
  });

  test("not in test code: a formatter's test case repeats its input's imports in its expected output (psf/black)", async () => {
    const text = ["import os", "import sys", "", "# output", "", "import os", "import sys"].join("\n");
    for (const path of ["tests/data/cases/import_spacing.py", "pkg/testdata/case.py", "src/test_imports.py"]) {
      const v = await scanShard({ path, language: "python", lineStart: 1, text });
      expect(v.risk_points.map((f) => f.title)).toEqual([]);
    }
    const outside = await scanShard({ path: "src/black/cases.py", language: "python", lineStart: 1, text });
    expect(outside.risk_points.map((f) => f.line_start)).toEqual([6, 7]);
  });

  test("a redeclared import in test code is not reported either; in a Rust test module only that module is skipped", async () => {
    const ts = ['import { a } from "./x";', 'import { a } from "./y";'].join("\n");
    const inTest = await scanShard({ path: "src/x.test.ts", language: "typescript", lineStart: 1, text: ts });
    expect(inTest.critical_failures).toEqual([]);
    const rust = ["use std::fmt;", "use std::fmt;", "#[cfg(test)]", "mod tests {", "use std::io;", "use std::io;", "}"].join("\n");
    const v = await scanShard({ path: "src/lib.rs", language: "rust", lineStart: 1, text: rust });
    expect(v.critical_failures.map((f) => f.line_start)).toEqual([2]);
  });
});

describe("marker comments", () => {
  test("not in test input: a formatter's case keeps `# FIXME` as input, a note to no one; in test code it is still one", async () => {
    const text = ["def f(a):", "    # FIXME: this comment is input the formatter must keep", "    return a", ""].join("\n");
    const rules = async (path: string) => problems(await scanShard({ path, language: "python", lineStart: 1, text })).map((f) => f.rule);
    expect(await rules("tests/data/cases/comments.py")).toEqual([]);
    expect(await rules("pkg/testdata/case.py")).toEqual([]);
    expect(await rules("tests/test_comments.py")).toEqual(["fixme-marker"]);
    expect(await rules("src/comments.py")).toEqual(["fixme-marker"]);
  });

  test("a comment block that repeats its marker on every line is one note, one finding spanning it (python-attrs)", async () => {
    const text = [
      "def setattr_reset(self):",
      "    # XXX: This can be confused by subclassing a slotted attrs class with",
      "    # XXX: a non-attrs class and subclass the resulting class with an attrs",
      "    # XXX: class.  For now that's OK with us.",
      "    # TODO: test the confused case",
      "    a = 1  # XXX: unused",
      "    b = 2  # XXX: unused too",
      "    return a + b",
      "",
    ].join("\n");
    const v = await scanShard({ path: "src/attr/_make.py", language: "python", lineStart: 10, text });
    expect(problems(v).map((f) => [f.rule, f.line, f.lineEnd])).toEqual([
      ["fixme-marker", 11, 13],
      ["todo-comment", 14, 14],
      ["fixme-marker", 15, 15],
      ["fixme-marker", 16, 16],
    ]);
  });
});

describe("evidence quotes", () => {
  test("a long line is cut to a window around the marker that is still an exact substring of the line", async () => {
    const line = `    const table = [${"1, ".repeat(120)}0]; // TODO: derive ${"2, ".repeat(40)}`;
    const column = line.indexOf("TODO");
    const q = quote(line, column);
    expect(q.length).toBeLessThanOrEqual(200);
    expect(line).toContain(q);
    expect(q).toContain("TODO");
    const v = await scanShard({ path: "src/table.ts", language: "typescript", lineStart: 1, text: line });
    expect(problems(v).map((f) => [f.rule, f.evidence])).toEqual([["todo-comment", q]]);
  });
});

describe("placeholder returns", () => {
  test("a typing stub (a stub class, a stub file, a type stub) is no placeholder; a stubbed value still is", async () => {
    const body = (comment: string) => ["def blank_lines(self):", "    if self.previous_line.is_decorator:", `        # ${comment}`, "        return 0, 1", ""].join("\n");
    const lines = async (comment: string) => (await scanShard({ path: "src/lines.py", language: "python", lineStart: 1, text: body(comment) })).pseudocode_flags.map((f) => f.line_start);
    expect(await lines("Insert an empty line after a decorated stub class")).toEqual([]);
    expect(await lines("no blank line in stub files")).toEqual([]);
    expect(await lines("a type stub has no body")).toEqual([]);
    expect(await lines("stub: the real count comes later")).toEqual([4]);
    expect(await lines("stubbed until the parser reports blank lines")).toEqual([4]);
  });

  test("a temporary thing the code makes (a buffer, a file) is no placeholder; code marked temporary still is", async () => {
    const body = (comment: string) => ["static int parse(char *buffer) {", "    if (buffer == NULL) {", `        /* ${comment} */`, "        return false;", "    }", "    return 1;", "}"].join("\n");
    const lines = async (comment: string) => (await scanShard({ path: "src/parse.c", language: "c", lineStart: 1, text: body(comment) })).pseudocode_flags.map((f) => f.line_start);
    expect(await lines("free the temporary buffer")).toEqual([]);
    expect(await lines("remove the temporary files first")).toEqual([]);
    expect(await lines("temporary: always fail until the parser lands")).toEqual([4]);
    expect(await lines("temporarily refuse everything")).toEqual([4]);
    expect(await lines("a temporary fix")).toEqual([4]);
  });
});
