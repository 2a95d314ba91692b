/**
 * The test files the PostgreSQL pass of `.ci/run` runs: those whose imports (followed through the tests' own helper
 * modules) reach a module that reads SCRUM_TEST_KB_ENGINE, i.e. whose KBs move to PostgreSQL under it. The others
 * make no KB or an SQLite one either way, so running them again would test nothing new.
 *
 *   bun scripts/postgres/kb-tests.ts        prints one test file a line (./tests/…), sorted
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { Glob } from "bun";

const REPO = resolve(import.meta.dir, "../..");
const transpiler = new Bun.Transpiler({ loader: "ts" });

/** The local module an import names, or null (a package, or a file that is not there). */
function localModule(from: string, spec: string): string | null {
  if (!spec.startsWith(".")) return null;
  const base = resolve(dirname(from), spec);
  for (const candidate of [base, `${base}.ts`, join(base, "index.ts")]) {
    if (candidate.endsWith(".ts") && existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return null;
}

const parsed = new Map<string, { reads: boolean; imports: string[] }>();
function parse(file: string): { reads: boolean; imports: string[] } {
  let p = parsed.get(file);
  if (p === undefined) {
    const text = readFileSync(file, "utf8");
    const imports = transpiler.scanImports(text).map(({ path }) => localModule(file, path));
    // Only the tests' own modules decide: product code never reads the test variable.
    p = { reads: text.includes("SCRUM_TEST_KB_ENGINE"), imports: imports.filter((m): m is string => m !== null && relative(REPO, m).startsWith("tests/")) };
    parsed.set(file, p);
  }
  return p;
}

/** Whether `file`, or a test helper it imports (directly or not), reads SCRUM_TEST_KB_ENGINE. */
function followsEngine(file: string): boolean {
  const seen = new Set([file]);
  const todo = [file];
  for (let next = todo.pop(); next !== undefined; next = todo.pop()) {
    const { reads, imports } = parse(next);
    if (reads) return true;
    for (const m of imports) if (!seen.has(m)) (seen.add(m), todo.push(m));
  }
  return false;
}

const files = [...new Glob("tests/**/*.test.ts").scanSync(REPO)].sort();
// "./": a path to that file, not a filter that would also match other paths holding it.
for (const f of files) if (followsEngine(join(REPO, f))) console.log(`./${f}`);
