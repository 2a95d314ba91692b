import { describe, expect, test } from "bun:test";
import { sweepScope } from "../../pipeline/report/scope";

describe("sweepScope", () => {
  test.each([
    [["."], "."],
    [["./"], "."],
    [[], "."],
    [["src/"], "src"],
    [["./src", "docs"], "docs,src"],
    [["docs", "src", "docs/"], "docs,src"],
    [["crates\\core"], "crates/core"],
    [["src/auth.rs"], "src/auth.rs"],
  ])("%j is %s", (targets, scope) => {
    expect(sweepScope(targets)).toBe(scope);
  });

  test("the same targets in another order are the same scope", () => {
    expect(sweepScope(["src", "lib", "docs"])).toBe(sweepScope(["docs", "src", "lib"]));
  });

  test("a long list of files (a --from-flagged sweep) is named by a stable hash, different for another list", () => {
    const flagged = ["src/auth.rs", "src/ingest.ts", "src/pipeline.ts", "src/report.py", "README.md"];
    const scope = sweepScope(flagged);
    expect(scope).toMatch(/^files-[0-9a-f]{12}$/);
    expect(sweepScope([...flagged].reverse())).toBe(scope);
    expect(sweepScope(flagged.slice(1))).not.toBe(scope);
    expect(sweepScope(["a".repeat(81)])).toMatch(/^files-/);
  });
});
