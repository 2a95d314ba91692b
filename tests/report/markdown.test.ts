import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Kb } from "../../kb/kb";
import { readIterationReport } from "../../pipeline/report/iteration-report";
import { renderMarkdown } from "../../pipeline/report/markdown";
import { code, table, text } from "../../pipeline/report/markdown-text";
import { flaggedFiles } from "../../pipeline/score/flagged";
import { PLANTED } from "../e2e/demo-expected";
import { buildReportKb, CRAFTED, type ReportKb } from "./report-kb";

let fx: ReportKb;
const docs = new Map<string, string>();

beforeAll(async () => {
  fx = await buildReportKb();
  const kb = new Kb(fx.kbFile);
  for (const ref of ["iter-1", "crafted", "aborted"]) docs.set(ref, renderMarkdown(readIterationReport(kb, ref)));
  kb.close();
});
afterAll(() => fx.cleanup());

/** The cells of a GFM table row: split on pipes that are not backslash-escaped. */
function cells(row: string): string[] {
  return row.trim().replace(/^\|/, "").replace(/(?<!\\)\|$/, "").split(/(?<!\\)\|/).map((c) => c.trim());
}

/** Every table of a document: runs of lines that start with "|". */
function tables(md: string): string[][] {
  const out: string[][] = [];
  let current: string[] = [];
  for (const line of md.split("\n")) {
    if (line.startsWith("|")) current.push(line);
    else if (current.length > 0) {
      out.push(current);
      current = [];
    }
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** The text under a "## heading", up to the next "## ". */
function section(md: string, heading: string): string {
  const start = md.indexOf(`\n## ${heading}\n`);
  expect(start, heading).toBeGreaterThanOrEqual(0);
  const end = md.indexOf("\n## ", start + 1);
  return md.slice(start, end === -1 ? undefined : end);
}

/** The text of a code span as a reader sees it: fence and padding removed, GFM's \| restored. */
function spanText(cell: string): string {
  const m = /^(`+)(.*)\1$/.exec(cell);
  expect(m, cell).not.toBeNull();
  let inner = m![2]!;
  if (inner.startsWith(" ") && inner.endsWith(" ") && inner.trim() !== "") inner = inner.slice(1, -1);
  return inner.replace(/\\\|/g, "|");
}

const md = (ref: string) => docs.get(ref)!;

describe("markdown report", () => {
  test.each(["iter-1", "crafted", "aborted"])("every table row of %s has as many cells as its header, and a --- row", (ref) => {
    const found = tables(md(ref));
    expect(found.length).toBeGreaterThanOrEqual(2);
    for (const t of found) {
      const width = cells(t[0]!).length;
      expect(cells(t[1]!).every((c) => c === "---")).toBe(true);
      for (const row of t) expect(cells(row), row).toHaveLength(width);
    }
  });

  test("the iteration, its headline metrics and every planted problem are in the report", () => {
    const doc = md("iter-1");
    expect(doc).toStartWith("# scrum report: iteration 1 (iter-1)\n");
    expect(doc).toContain("- status: **done**");
    const bySeverity = (sev: string) => PLANTED.filter((p) => p.severity === sev).length;
    expect(section(doc, "Headline metrics")).toContain(`| findings | ${PLANTED.length} (high ${bySeverity("high")}, medium ${bySeverity("medium")}, low ${bySeverity("low")}) |`);
    const files = section(doc, "Files with findings");
    for (const p of PLANTED) {
      const sectionStart = files.indexOf(`### \`${p.file}\``);
      expect(sectionStart, p.file).toBeGreaterThanOrEqual(0);
      const row = files.slice(sectionStart).split("\n").find((l) => l.startsWith(`| ${p.line} | ${p.category} | ${p.severity} |`));
      expect(row, `${p.file}:${p.line}`).toBeDefined();
      expect(spanText(cells(row!)[5]!)).toBe(p.evidence);
      expect(cells(row!)[6]).toBe("verified");
    }
  });

  test("flagged files are the list of scrum flagged, in its order (most urgent first)", () => {
    const rows = tables(section(md("iter-1"), "Flagged files, most urgent first"))[0]!.slice(2).map(cells);
    const kb = new Kb(fx.kbFile);
    const expected = flaggedFiles(kb.reviews.inIteration(kb.iterations.resolve("iter-1").id));
    kb.close();
    expect(expected.length).toBeGreaterThan(0);
    expect(rows.map((r) => [r[1], r[2]])).toEqual(expected.map((f) => [code(f.path, { inTable: true }), f.verdict]));
  });

  test("a finding whose evidence is not in the file is marked UNVERIFIED; a verified one is not", () => {
    const rows = md("crafted").split("\n").filter((l) => l.startsWith("| "));
    const unverified = rows.find((l) => l.includes("Revoked sessions are never persisted"))!;
    expect(cells(unverified)[6]).toBe("**UNVERIFIED**");
    const verified = rows.find((l) => l.includes("revoke() is a stub"))!;
    expect(cells(verified)[6]).toBe("verified");
  });

  test("pipes in titles and backticks and pipes in evidence survive the table", () => {
    const rows = md("crafted").split("\n").filter((l) => l.startsWith("| "));
    const stub = cells(rows.find((l) => l.includes("revoke() is a stub"))!);
    expect(stub[4]).toBe("revoke() is a stub \\| it panics on every call");
    const evidence = CRAFTED[0]!.findings!.find((f) => f.fingerprint === "a11ce0000000f004")!.evidence;
    const row = cells(rows.find((l) => l.includes("No expiry sweep"))!);
    expect(spanText(row[5]!)).toBe(evidence);
  });

  test("partial coverage is stated with the shards and the reasons", () => {
    const files = section(md("crafted"), "Files with findings");
    const pipeline = files.slice(files.indexOf("### `src/pipeline.ts`"));
    expect(pipeline).toContain("- coverage: **partial**: 2 of 3 shards reviewed; not reviewed:\n  - shard 3 (lines 201-232): local: timeout after 180 s; cloud-large: HTTP 500 Internal Server Error");
    expect(files).toContain("- coverage: complete (1 of 1 shard reviewed)");
  });

  test("unreviewed files are listed with every reason; skipped files with theirs", () => {
    const unreviewed = section(md("crafted"), "Unreviewed files");
    expect(unreviewed).toContain("- `src/report.py` (0 of 1 shard reviewed):");
    expect(unreviewed).toContain("  - shard 1 (lines 1-51): local: thin answer (112 chars \\< min\\_chars 200); cloud-large: invalid JSON: Unexpected end of JSON input");
    const skipped = tables(section(md("crafted"), "Skipped files"))[0]!.map(cells);
    expect(skipped[2]).toEqual(["`assets/logo.png`", "binary file (NUL byte in the first 8 KiB)"]);
    expect(section(md("iter-1"), "Unreviewed files")).toContain("None");
  });

  test("an aborted iteration says its metrics were recomputed from the rows", () => {
    const doc = md("aborted");
    expect(doc).toContain("- status: **aborted**");
    expect(doc).toContain("- error: interrupted");
    expect(doc).toContain("recomputed from its file rows");
  });
});

describe("markdown text", () => {
  test.each([
    ["plain", "`plain`"],
    ["a `tick`", "`` a `tick` ``"],
    ["`lead", "`` `lead ``"],
    ["x ``` y", "````x ``` y````"],
    ["two\nlines", "`two lines`"],
    ["", "_(empty)_"],
  ])("code(%j)", (value, expected) => {
    expect(code(value)).toBe(expected);
  });

  test("code in a table escapes pipes; text escapes what would become markup", () => {
    expect(code("a | b", { inTable: true })).toBe("`a \\| b`");
    expect(text("*x* _y_ [z] <b> a|b")).toBe("\\*x\\* \\_y\\_ \\[z\\] \\<b\\> a\\|b");
  });

  test("a table refuses a row of the wrong width or with a line break", () => {
    expect(() => table(["a", "b"], [["1"]])).toThrow(/1 cells, the header 2/);
    expect(() => table(["a"], [["x\ny"]])).toThrow(/line break/);
  });
});
