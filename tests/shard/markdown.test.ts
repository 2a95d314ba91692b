/** Markdown: sections at headings, sub-headings when a section is too big, paragraphs last. */
import { describe, expect, test } from "bun:test";
import { splitLines } from "../../pipeline/shard/lines";
import { shardFile } from "../../pipeline/shard/shard";
import { expectValidPlan, readFixture } from "./fixture";

describe("markdown", () => {
  const text = readFixture("guide.md");
  const lines = splitLines(text);

  test("shards start at headings and list them as symbols", async () => {
    const plan = await shardFile("guide.md", text, { thresholdChars: 300, maxShardChars: 500 });
    expectValidPlan(plan, text, 500);
    expect(plan).toMatchObject({ language: "markdown", strategy: "markdown" });
    expect(plan.shards.length).toBeGreaterThan(2);
    for (const shard of plan.shards.slice(1)) {
      const first = lines[shard.lineStart - 1] as string;
      const setext = /^-+$/.test(lines[shard.lineStart] ?? "");
      expect({ first, heading: /^#{1,6} /.test(first) || setext }).toMatchObject({ heading: true });
    }
    const symbols = plan.shards.flatMap((s) => s.symbols);
    expect(symbols).toEqual(expect.arrayContaining(["# scrum guide", "## Install", "## Configure", "## First iteration", "## Setext headings work too", "## Troubleshooting"]));
  });

  test("lines in code fences and front matter are not headings", async () => {
    const plan = await shardFile("guide.md", text, { thresholdChars: 100, maxShardChars: 120 });
    expectValidPlan(plan, text, 120);
    const symbols = plan.shards.flatMap((s) => s.symbols);
    expect(symbols.some((s) => s.includes("not a heading"))).toBe(false);
    expect(symbols.some((s) => s.includes("title"))).toBe(false);
    // The fenced block is never cut at its blank-free lines' comment.
    const fenceComment = lines.findIndex((l) => l.startsWith("# not a heading")) + 1;
    expect(plan.shards.some((s) => s.lineStart === fenceComment)).toBe(false);
  });

  test("a section too big for one shard splits at its sub-headings, with the parent heading as context", async () => {
    const plan = await shardFile("guide.md", text, { thresholdChars: 300, maxShardChars: 400 });
    expectValidPlan(plan, text, 400);
    const cloud = plan.shards.find((s) => s.symbols.includes("### Cloud models"));
    const configure = lines.indexOf("## Configure") + 1;
    expect(cloud?.lineStart).toBeGreaterThan(configure);
    expect(cloud?.preamble).toContain(`<!-- line ${configure}: ## Configure -->`);
    expect(cloud?.splitInside).toBe(false);
  });

  test("a section with no sub-headings splits at paragraphs, never inside a code fence, and says so", async () => {
    const changelog = readFixture("CHANGELOG.md");
    const clLines = splitLines(changelog);
    const plan = await shardFile("CHANGELOG.md", changelog, { thresholdChars: 300, maxShardChars: 420 });
    expectValidPlan(plan, changelog, 420);
    const section = clLines.indexOf("## 2.4.0") + 1;
    const sectionEnd = clLines.indexOf("## 2.3.1");
    const holder = plan.shards.find((s) => s.symbols.includes("## 2.4.0"));
    expect(holder?.splitInside).toBe(true);
    const parts = plan.shards.filter((s) => s.lineStart > section && s.lineStart <= sectionEnd);
    expect(parts.length).toBeGreaterThanOrEqual(2);
    const fenceOpen = clLines.indexOf("```json") + 1;
    const fenceClose = clLines.lastIndexOf("```") + 1;
    for (const shard of parts) {
      expect(shard.splitInside).toBe(true);
      expect(clLines[shard.lineStart - 2]).toBe("");
      expect(shard.lineStart <= fenceOpen || shard.lineStart > fenceClose).toBe(true);
      expect(shard.preamble).toContain(`<!-- line ${section}: ## 2.4.0 -->`);
    }

  });
});
