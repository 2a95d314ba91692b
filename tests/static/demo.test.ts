import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { shardFile } from "../../pipeline/shard/shard";
import { scanShard } from "../../pipeline/static/scan";
import { loadConfig } from "../../pipeline/config/config";
import { DEMO_REPO, DEMO_SOURCE, EXPECTED_VERDICTS, PLANTED } from "../e2e/demo-expected";
import { fileLines, listFiles, problems, shardOf } from "./read-fixtures";

/** The files a default sweep reviews (the demo's .gitignore and its .scrum/ config are not among them). */
const REVIEWED = listFiles(DEMO_REPO).filter((p) => p !== ".gitignore" && !p.startsWith(".scrum/"));
/** The demo's `[static] raise`: it promotes the stub rules, as an offline run of the demo reads them. */
const OPTIONS = { raise: loadConfig(join(DEMO_SOURCE, ".scrum/routing.toml")).static.raise };
const SHARDING = { thresholdChars: 6000, maxShardChars: 6000 };

describe("demo repo: the static rung finds exactly what EXPECTED.md lists", () => {
  test("EXPECTED.md lists a verdict for every reviewed file, and its planted problems sit in those files", async () => {
    expect([...EXPECTED_VERDICTS.keys()].sort()).toEqual(REVIEWED);
    for (const p of PLANTED) expect(REVIEWED).toContain(p.file);
  });

  for (const path of REVIEWED) {
    test(path, async () => {
      const lines = fileLines(DEMO_REPO, path);
      const verdict = await scanShard(shardOf(DEMO_REPO, path), OPTIONS);
      const found = problems(verdict).map((f) => ({ line: f.line, rule: f.rule, category: f.category, severity: f.severity, evidence: f.evidence }));
      const planted = PLANTED.filter((p) => p.file === path).map(({ line, rule, category, severity, evidence }) => ({ line, rule, category, severity, evidence }));
      expect(found).toEqual(expect.arrayContaining(planted));
      expect(found).toHaveLength(planted.length);
      for (const p of planted) expect(lines[p.line - 1]!.trim()).toBe(p.evidence);
      expect(verdict.verdict).toBe(EXPECTED_VERDICTS.get(path) as typeof verdict.verdict);
    });
  }

  test("sharded as a run shards them, the demo files give the same findings, shard by shard", async () => {
    for (const path of REVIEWED) {
      const plan = await shardFile(path, readFileSync(join(DEMO_REPO, path), "utf8"), SHARDING);
      const byShard = (await Promise.all(plan.shards.map(async (s) => problems(await scanShard({ path, language: plan.language, lineStart: s.lineStart, text: s.text }, OPTIONS))))).flat();
      expect(byShard, path).toEqual(problems(await scanShard(shardOf(DEMO_REPO, path), OPTIONS)));
    }
  });

  test("src/pipeline.ts is big enough to be sharded: its first shard passes, its last holds the stub", async () => {
    const path = "src/pipeline.ts";
    const text = readFileSync(join(DEMO_REPO, path), "utf8");
    expect(text.length).toBeGreaterThan(SHARDING.thresholdChars);
    const plan = await shardFile(path, text, SHARDING);
    expect(plan.shards.length).toBeGreaterThan(1);
    const verdicts = await Promise.all(plan.shards.map((s) => scanShard({ path, language: plan.language, lineStart: s.lineStart, text: s.text }, OPTIONS)));
    expect(verdicts[0]!.verdict).toBe("pass");
    expect(verdicts[0]!.verified_components).toHaveLength(1);
    const last = verdicts[verdicts.length - 1]!;
    expect(problems(last).map((f) => [f.line, f.rule])).toEqual([[231, "stub-throw"]]);
    expect(verdicts.slice(0, -1).every((v) => v.verdict === "pass")).toBe(true);
  });

  test("without the demo's [static] raise, the same findings are all informational and every file passes", async () => {
    expect(OPTIONS.raise).toEqual(["stub-macro", "stub-raise", "stub-throw", "duplicate-import-redeclared"]);
    for (const path of REVIEWED) {
      const verdict = await scanShard(shardOf(DEMO_REPO, path));
      const found = problems(verdict);
      expect(found.map((f) => `${f.line} ${f.rule}`).sort(), path).toEqual(PLANTED.filter((p) => p.file === path).map((p) => `${p.line} ${p.rule}`).sort());
      expect(found.every((f) => f.severity === "low"), path).toBe(true);
      expect(verdict.verdict, path).toBe("pass");
    }
  });
});
