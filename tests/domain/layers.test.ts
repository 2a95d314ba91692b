/**
 * The floors of the tree: domain/ (the verdict, finding, attempt, tier and counting rules) imports nothing of ours but
 * itself; kb/ imports the domain and nothing of pipeline/. Every import is read, static, dynamic and re-export alike.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { Glob } from "bun";

const REPO = resolve(import.meta.dir, "../..");

/** The repository folders (domain, kb, pipeline, …) the relative imports of `file` (its text read unless given) reach. */
function foldersImported(file: string, text = readFileSync(join(REPO, file), "utf8")): string[] {
  const specifiers = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)["']([^"']+)["']/gm)].map((m) => m[1]!);
  return specifiers.filter((s) => s.startsWith(".")).map((s) => relative(REPO, resolve(REPO, dirname(file), s)).split("/")[0]!);
}

function filesOf(folder: string): string[] {
  return [...new Glob(`${folder}/**/*.ts`).scanSync({ cwd: REPO })].sort();
}

describe("layers", () => {
  test("domain/ imports only domain/", () => {
    const files = filesOf("domain");
    expect(files.length).toBeGreaterThan(0);
    const outside = files.flatMap((f) => foldersImported(f).filter((d) => d !== "domain").map((d) => `${f} → ${d}/`));
    expect(outside).toEqual([]);
  });

  test("kb/ imports only kb/ and domain/", () => {
    const outside = filesOf("kb").flatMap((f) => foldersImported(f).filter((d) => d !== "kb" && d !== "domain").map((d) => `${f} → ${d}/`));
    expect(outside).toEqual([]);
  });

  test("the walk of one file (reviewFile) stays on its floors: no module it reaches imports kb/", () => {
    // Every module pipeline/run/review-file.ts reaches through relative imports, followed to the end.
    const seen = new Set<string>();
    const queue = ["pipeline/run/review-file.ts"];
    while (queue.length > 0) {
      const file = queue.pop()!;
      if (seen.has(file)) continue;
      seen.add(file);
      const text = readFileSync(join(REPO, file), "utf8");
      for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)["'](\.[^"']+)["']/gm)) {
        const target = relative(REPO, resolve(REPO, dirname(file), m[1]!));
        if (/\.(json|md|sql|wasm)$/.test(target)) continue; // data, not code
        queue.push(target.endsWith(".ts") ? target : `${target}.ts`);
      }
    }
    expect(seen.size).toBeGreaterThan(20);
    expect([...seen].filter((f) => f.startsWith("kb/")).sort()).toEqual([]);
  });

  test("the check reads every form of import (a file that breaks the rule is caught)", () => {
    // kb/aggregates.ts imported the static rule table from pipeline/ before the rule ids moved to domain/rules.ts.
    const before = 'import { RULES } from "../pipeline/static/rules";\nconst x = await import("../score/y");\nexport { z } from "../report/z";\nimport "../dashboard/side-effect";\nimport { Database } from "bun:sqlite";\n';
    expect(foldersImported("kb/aggregates.ts", before)).toEqual(["pipeline", "score", "report", "dashboard"]);
  });
});
