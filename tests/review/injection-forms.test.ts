import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { scanInjections } from "../../pipeline/review/injection";
import { languageOf } from "../../pipeline/shard/shard";

const REPO = resolve(import.meta.dir, "../..");
const DIR = join(REPO, "tests/fixtures/injection");

/** One injection form: the fixture, the path it is audited under, and the line the finding names (0: the path). */
export interface InjectionForm {
  form: string;
  fixture: string;
  path: string;
  line: number;
}
export const FORMS = JSON.parse(readFileSync(join(DIR, "forms.json"), "utf8")) as InjectionForm[];

describe("every injection form is a finding at its line", () => {
  test("the set holds at least 40 forms", () => expect(FORMS.length).toBeGreaterThanOrEqual(40));
  for (const f of FORMS) {
    test(`${f.fixture}: ${f.form}`, async () => {
      const text = readFileSync(join(DIR, "forms", f.fixture), "utf8");
      const scan = await scanInjections(f.path, languageOf(f.path), text);
      expect(scan.handled).toEqual([]);
      expect(scan.findings.map((x) => x.line_start)).toContain(Math.max(1, f.line));
      const lines = text.split("\n");
      // Every form is of the strong class: high by default, so the file is needs_patch whatever the model answers.
      expect(scan.findings.find((x) => x.line_start === Math.max(1, f.line))?.severity).toBe("high");
      for (const x of scan.findings) {
        expect(x.rule).toBe("prompt-injection");
        // Quoted from the line it names, so the evidence check verifies it (the path's finding quotes the path).
        if (f.line === 0) expect(x.evidence).toBe(f.path);
        else expect(lines[x.line_start - 1]).toContain(x.evidence);
      }
    });
  }
});

describe("text the code handles: no finding, but held", () => {
  const handled = JSON.parse(readFileSync(join(DIR, "handled.json"), "utf8")) as Array<{ fixture: string; path: string; why: string }>;
  for (const h of handled) {
    test(`${h.fixture}: ${h.why}`, async () => {
      const scan = await scanInjections(h.path, languageOf(h.path), readFileSync(join(DIR, "handled", h.fixture), "utf8"));
      expect(scan.findings).toEqual([]);
      expect(scan.handled.length).toBeGreaterThan(0);
    });
  }
});

describe("ordinary files with the words (ignore, model, reviewers approve, rm -rf build/) get nothing", () => {
  for (const f of readdirSync(join(DIR, "ordinary"))) {
    test(f, async () => {
      expect(await scanInjections(`src/${f}`, languageOf(f), readFileSync(join(DIR, "ordinary", f), "utf8"))).toEqual({ findings: [], handled: [] });
    });
  }
});
