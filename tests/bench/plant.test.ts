import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { OPERATORS } from "../../pipeline/bench/operators";
import { plantDefects, type BenchFile } from "../../pipeline/bench/plant";
import { languageOf } from "../../pipeline/shard/shard";

const DEMO = resolve(import.meta.dir, "../../examples/demo-repo");
const PATHS = ["src/auth.rs", "src/billing.ts", "src/ingest.ts", "src/pipeline.ts", "src/report.py", "cmd/server/main.go", "docs/GUIDE.md"];
const files = (): BenchFile[] => PATHS.map((p) => ({ path: p, language: languageOf(p), text: readFileSync(resolve(DEMO, p), "utf8") }));
const options = { seed: 7, count: 20, operators: OPERATORS, perFile: 3, spacing: 5 };

describe("plantDefects", () => {
  test("the same seed plants the same defects; another seed plants others", async () => {
    const a = await plantDefects(files(), options);
    const b = await plantDefects(files(), options);
    const c = await plantDefects(files(), { ...options, seed: 8 });
    expect(a.plants).toEqual(b.plants);
    expect([...a.planted]).toEqual([...b.planted]);
    expect(c.plants).not.toEqual(a.plants);
  });

  test("every operator is planted somewhere in the demo repo, in the language it belongs to", async () => {
    const { plants } = await plantDefects(files(), { ...options, count: 40 });
    expect(new Set(plants.map((p) => p.operator))).toEqual(new Set(OPERATORS));
    for (const p of plants.filter((p) => p.operator === "dead-code")) expect(p.path.endsWith(".rs")).toBe(true);
    for (const p of plants.filter((p) => p.operator === "doc-placeholder")) expect(p.path.endsWith(".md")).toBe(true);
  });

  test("each plant's recorded lines hold the planted text in the planted file", async () => {
    const { plants, planted } = await plantDefects(files(), { ...options, count: 40 });
    const expected: Record<string, RegExp> = {
      stub: /not implemented|NotImplementedError|todo!\(\)/,
      "dead-code": /#\[allow\(dead_code\)\]/,
      "doc-placeholder": /TODO|Lorem ipsum|We need to update this|TBD/,
      swallow: /catch \([^)]*\) \{\}|catch \{\}|except Exception:|\.ok\(\)|unwrap_or_default|err != nil \{/,
    };
    for (const p of plants) {
      const lines = planted.get(p.path)!.split("\n").slice(p.line_start - 1, p.line_end).join("\n");
      if (expected[p.operator]) expect(lines).toMatch(expected[p.operator]!);
      expect(p.categories).not.toContain("verified_components");
    }
  });

  test("a deleted guard leaves the file without that check, and the control text is untouched", async () => {
    const input = files();
    const before = input.map((f) => f.text);
    const { plants, planted } = await plantDefects(input, { ...options, operators: ["guard"], count: 10 });
    expect(plants.length).toBeGreaterThan(0);
    for (const p of plants) {
      const original = input.find((f) => f.path === p.path)!.text;
      expect(planted.get(p.path)!.split("\n").length).toBeLessThan(original.split("\n").length);
    }
    expect(input.map((f) => f.text)).toEqual(before);
  });

  test("plants in one file stay apart, so one finding cannot find two", async () => {
    const { plants } = await plantDefects(files(), { ...options, count: 40 });
    for (const a of plants) for (const b of plants) {
      if (a.id < b.id && a.path === b.path) expect(b.line_start - a.line_end > 0 || a.line_start - b.line_end > 0).toBe(true);
    }
  });
});
