import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { earned, precisionOf, readPrecisionLabels, wilson } from "../../scripts/corpus/precision";

describe("Wilson interval", () => {
  test("matches the textbook values at 95%", () => {
    const round = (x: number | null) => (x === null ? null : Math.round(x * 1000) / 1000);
    expect([0, 10].map((k) => round(wilson(k, 10).low))).toEqual([0, 0.722]);
    expect(round(wilson(0, 10).high)).toBe(0.278);
    expect([round(wilson(8, 10).low), round(wilson(8, 10).high)]).toEqual([0.49, 0.943]);
    expect(wilson(0, 0)).toEqual({ successes: 0, n: 0, p: null, low: null, high: null });
  });

  test("earned needs precision >= 0.8 and a lower bound >= 0.6: 6/6 earns, 5/5 and 16/20 do not, no data does not", () => {
    expect(earned(wilson(6, 6))).toBe(true);
    expect(earned(wilson(5, 5))).toBe(false);
    expect(earned(wilson(16, 20))).toBe(false);
    expect(earned(wilson(17, 20))).toBe(true);
    expect(earned(wilson(0, 0))).toBe(false);
  });

  test("maintainer precision counts TP only; weak counts in 'TP or weak'; claim is its own standard", () => {
    const p = precisionOf([{ maintainer: "TP", claim: true }, { maintainer: "weak", claim: true }, { maintainer: "FP", claim: false }, { claim: true }]);
    expect([p.maintainer.successes, p.maintainer.n, p.maintainerOrWeak.successes, p.claim.successes, p.claim.n]).toEqual([1, 3, 2, 3, 4]);
  });
});

describe("precision-labels.jsonl", () => {
  const good = { set: "eval", repo: "fd", commit: "ee20f426ddf338ac7ead5c5f00ea49258005caaf", path: "src/main.rs", line: 3, rule: "todo-comment", severity: "low", evidence: "// TODO", label: "weak", claim: true, reason: "a wish" };
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const file = (lines: string[]) => {
    const dir = mkdtempSync(join(tmpdir(), "precision-"));
    dirs.push(dir);
    const f = join(dir, "labels.jsonl");
    writeFileSync(f, lines.join("\n"));
    return f;
  };

  test("a valid line reads back", () => {
    expect(readPrecisionLabels(file([JSON.stringify(good)]))).toEqual([good as never]);
  });

  test("a bad label names the file, the line and the key", () => {
    const f = file([JSON.stringify(good), JSON.stringify({ ...good, label: "true" })]);
    expect(() => readPrecisionLabels(f)).toThrow(`${f}:2: "label" must be one of TP, weak, FP`);
    const g = file(["{not json"]);
    expect(() => readPrecisionLabels(g)).toThrow(`${g}:1: not JSON`);
    const h = file([JSON.stringify({ ...good, reason: " " })]);
    expect(() => readPrecisionLabels(h)).toThrow(`${h}:1: "reason" must be a non-empty string`);
  });
});
