import { describe, expect, test } from "bun:test";
import { identifyFindings } from "../../pipeline/reduce/identity";
import { outlineFile } from "../../pipeline/shard/outline";
import type { FileFinding, FileVerdict } from "../../domain/verdict";

const TWO_TODOS = `export function load(path: string) {
  // TODO: retry on EBUSY
  return readFileSync(path);
}

export function save(path: string, data: string) {
  // TODO: retry on EBUSY
  writeFileSync(path, data);
}
`;

function verdictOf(text: string, todoLines: number[]): FileVerdict {
  const lines = text.split("\n");
  const todo = (line: number): FileFinding => ({
    title: "TODO comment [todo-comment]", evidence: lines[line - 1]!.trim(), line_start: line, line_end: line, severity: "low", confidence: 70,
    fingerprint: "merge-time", evidence_verified: true, shard: 0, rule: "todo-comment",
  });
  return {
    path: "src/io.ts", verdict: "pass", alignment_score: 9.5, summary: "", critical_failures: [], pseudocode_flags: todoLines.map(todo), prd_mismatches: [],
    broken_pipelines: [], missing_components: [], risk_points: [], verified_components: [], required_next_actions: [], shards: 1, coverage: [0],
    coverage_complete: true, shard_reviews: [], reduced_by: "merge",
  };
}

async function fingerprints(text: string, todoLines: number[]): Promise<Map<string, string>> {
  const v = identifyFindings(verdictOf(text, todoLines), await outlineFile("src/io.ts", text));
  return new Map(v.pseudocode_flags.map((f) => [f.symbol ?? "", f.fingerprint]));
}

describe("finding identity", () => {
  test("identical findings in two functions are told apart by their symbol, not by which came first", async () => {
    const both = await fingerprints(TWO_TODOS, [2, 7]);
    expect([...both.keys()]).toEqual(["function load", "function save"]);
    // Remove the first function's TODO: the second keeps its fingerprint (it is not reported resolved).
    const without = TWO_TODOS.replace("  // TODO: retry on EBUSY\n  return", "  return");
    const after = await fingerprints(without, [6]);
    expect(after.get("function save")).toBe(both.get("function save")!);
  });

  test("code moving (lines added above) or edits elsewhere keep the fingerprint", async () => {
    const before = await fingerprints(TWO_TODOS, [2, 7]);
    const moved = `import { readFileSync, writeFileSync } from "node:fs";\n\n// helpers for the cache file\n${TWO_TODOS.replace("writeFileSync(path, data);", "writeFileSync(path, data, \"utf8\");")}`;
    const after = await fingerprints(moved, [5, 10]);
    expect(after).toEqual(before);
  });

  test("two identical findings in one symbol are two, by occurrence within it", async () => {
    const twice = `function f() {\n  // TODO: a\n  // TODO: a\n}\n`;
    const v = identifyFindings(verdictOf(twice, [2, 3]), await outlineFile("src/io.ts", twice));
    const [a, b] = v.pseudocode_flags.map((f) => f.fingerprint);
    expect(a).not.toBe(b);
  });
});
