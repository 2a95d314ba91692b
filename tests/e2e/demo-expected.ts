/** Reads examples/demo-repo/EXPECTED.md: the planted problems and the verdicts an offline run must produce. */
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { atEnd } from "../at-end";

/** The demo repository as shipped. */
export const DEMO_SOURCE = resolve(import.meta.dir, "../../examples/demo-repo");

/**
 * A copy of the demo repository outside any git repository, made once per test process: inside this checkout the KB
 * paths would be relative to the checkout's root (examples/demo-repo/...), as they are for `npm run demo`.
 */
export const DEMO_REPO = copyDemo();

function copyDemo(): string {
  const dir = join(mkdtempSync(join(tmpdir(), "scrum-demo-")), "demo-repo");
  cpSync(DEMO_SOURCE, dir, { recursive: true });
  atEnd(() => rmSync(resolve(dir, ".."), { recursive: true, force: true }));
  return dir;
}

export interface PlantedProblem {
  file: string;
  line: number;
  rule: string;
  category: string;
  severity: string;
  evidence: string;
}

function tableRows(markdown: string, header: string): string[][] {
  const lines = markdown.split("\n");
  const start = lines.findIndex((l) => l.startsWith(header));
  if (start === -1) throw new Error(`EXPECTED.md has no table starting "${header}"`);
  const rows: string[][] = [];
  for (const l of lines.slice(start + 2)) {
    if (!l.startsWith("|")) break;
    rows.push(l.split("|").slice(1, -1).map((c) => c.trim()));
  }
  return rows;
}

const text = readFileSync(resolve(DEMO_REPO, "EXPECTED.md"), "utf8");

export const PLANTED: PlantedProblem[] = tableRows(text, "| file | line | rule").map(([file, line, rule, category, severity, evidence]) => ({
  file: file!,
  line: Number(line),
  rule: rule!,
  category: category!,
  severity: severity!,
  evidence: evidence!.replace(/^`|`$/g, ""),
}));

export const EXPECTED_VERDICTS: Map<string, string> = new Map(tableRows(text, "| file | verdict |").map(([file, verdict]) => [file!, verdict!]));
