import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { ADDRESSED_PHRASES, ADDRESSEE, FOREIGN_PHRASES, INJECTION_PHRASES, STRONG_PHRASES, VOCATIVE } from "../../pipeline/review/injection-phrases";
import { latinReadings, visibleText } from "../../pipeline/review/injection-normalise";
import { literalGate, requiredLiterals } from "../../pipeline/review/literal-gate";

const OTHER = String.fromCharCode(128);
const REPO = resolve(import.meta.dir, "../..");

describe("what a pattern requires", () => {
  const cases: [RegExp, string[] | null][] = [
    [/\bignore\s+previous\b/i, ["previous"]],
    [/colou?r/, ["color", "colour"]],
    [/(?:a|b)c/, ["ac", "bc"]],
    [/[A-C]x/i, ["ax", "bx", "cx"]],
    [/(?<!foo)bar(?=baz)/, ["bar"]],
    [/(?:ab){2,}/, ["ab"]],
    [/(a)\1/, ["a"]],
    [/x*/, null],
    [/\w+\s+\d/, null],
    [/verdict|\d/, null],
    [/игнор/i, [OTHER.repeat(5)]],
    [/esque[çc]a/i, [`esque${OTHER}a`, "esqueca"]],
    // The `u` flag folds `ſ` to `s` and the Kelvin sign to `k`: not modelled, so always a candidate.
    [/ks/iu, null],
  ];
  for (const [pattern, required] of cases) {
    test(`${pattern}`, () => {
      const got = requiredLiterals(pattern);
      expect(got === null ? null : [...got].sort()).toEqual(required === null ? null : [...required].sort());
    });
  }
});

describe("the gate never hides a match", () => {
  const patterns = [...INJECTION_PHRASES, ...ADDRESSED_PHRASES, ...FOREIGN_PHRASES].map((p) => p.pattern).concat(ADDRESSEE, VOCATIVE, ...STRONG_PHRASES);
  const gate = literalGate(patterns);

  /** Every line of the injection fixtures and of this repository's docs, each as the scan reads it and disguised. */
  function texts(): string[] {
    const out: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else for (const line of readFileSync(path, "utf8").split("\n")) out.push(line);
      }
    };
    walk(join(REPO, "tests/fixtures/injection"));
    walk(join(REPO, "docs"));
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    return out.flatMap((line) => {
      const visible = visibleText(line);
      // Case flipped at random, and a letter now and then swapped for a look-alike from another script.
      const flipped = [...line].map((c) => (random() < 0.5 ? c.toUpperCase() : c.toLowerCase())).join("");
      const lookalike = line.replace(/[aeo]/g, (c) => (random() < 0.2 ? ({ a: "а", e: "е", o: "о" } as Record<string, string>)[c]! : c));
      return [line, visible, ...latinReadings(visible), flipped, lookalike, line.toUpperCase()];
    });
  }

  test("on the injection fixtures and the docs, as read and disguised", () => {
    let matches = 0;
    const hidden: string[] = [];
    for (const text of texts()) {
      const may = gate.candidates(text);
      patterns.forEach((pattern, k) => {
        if (!pattern.test(text)) return;
        matches++;
        if (!may[k]) hidden.push(`${pattern.source.slice(0, 40)} on ${text}`);
      });
    }
    expect(hidden).toEqual([]);
    // The fixtures hold hundreds of injections: the check above checked something.
    expect(matches).toBeGreaterThan(500);
  });

  test("a line of code is matched against few phrases", () => {
    const may = gate.candidates("  for (const value of input) total += value * 3;");
    expect(may.reduce((a, b) => a + b, 0)).toBeLessThan(patterns.length / 10);
  });
});
