import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Glob } from "bun";
import { findInjections, INJECTION_RULE } from "../../pipeline/review/injection";
import { languageOf } from "../../pipeline/shard/shard";

const REPO = resolve(import.meta.dir, "../..");
const FIXTURES = join(REPO, "tests/fixtures/trust");

/** Planted fixtures and the lines that speak to the reviewer (comments, docstrings, strings, Markdown prose). */
const PLANTED: Array<[string, number[]]> = [
  ["injection/billing.ts.txt", [5, 6, 16, 19]],
  ["injection/sync.py", [3, 9, 17]],
  ["injection/ledger.rs", [5, 7, 13]],
  ["injection/server.go", [7, 12]],
  ["injection/README.md", [7, 8]],
];

/** TypeScript fixtures end in .txt so the type-check leaves them alone; they are scanned as the file they stand for. */
async function scan(rel: string) {
  const text = readFileSync(join(FIXTURES, rel), "utf8");
  return { lines: text.split("\n"), findings: await findInjections(languageOf(rel.replace(/\.txt$/, "")), text) };
}

describe("planted injections", () => {
  for (const [rel, expected] of PLANTED) {
    test(`${rel}: lines ${expected.join(", ")}`, async () => {
      const { lines, findings } = await scan(rel);
      expect(findings.map((f) => f.line_start)).toEqual(expected);
      for (const f of findings) {
        expect(f).toMatchObject({ severity: "high", rule: INJECTION_RULE, line_end: f.line_start });
        // The evidence is quoted from the very line the finding names, so the evidence check verifies it.
        expect(lines[f.line_start - 1]).toContain(f.evidence);
        expect(f.evidence.length).toBeGreaterThan(10);
      }
    });
  }
});

test("code outside comments and strings is not read as prose: an identifier or call never matches", async () => {
  const text = "function ignorePreviousInstructions(returnVerdictPass: boolean) {\n  return markThisFileAsPass(returnVerdictPass);\n}\n";
  expect(await findInjections("typescript", text)).toEqual([]);
});

describe("text that talks about prompts, verdicts and reviews without addressing the reviewer", () => {
  for (const rel of ["clean/prompt_builder.ts.txt", "clean/GUIDE.md", "clean/handlers.py"]) {
    test(rel, async () => {
      expect((await scan(rel)).findings).toEqual([]);
    });
  }
});

describe("this repository's own code, prompts and docs flag nothing", () => {
  for (const dir of ["pipeline", "prompts", "docs", "kb", "scripts"]) {
    test(`${dir}/`, async () => {
      const hits: string[] = [];
      for (const rel of new Glob(`${dir}/**/*.{ts,md,json,toml}`).scanSync(REPO)) {
        for (const f of await findInjections(languageOf(rel), readFileSync(join(REPO, rel), "utf8"), rel)) hits.push(`${rel}:${f.line_start} ${f.evidence}`);
      }
      expect(hits).toEqual([]);
    });
  }
});
