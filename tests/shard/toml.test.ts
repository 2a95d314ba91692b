/** TOML: one piece per table, headers inside strings and arrays ignored. */
import { describe, expect, test } from "bun:test";
import { splitLines } from "../../pipeline/shard/lines";
import { shardFile } from "../../pipeline/shard/shard";
import { expectValidPlan, readFixture } from "./fixture";

describe("toml", () => {
  const text = readFixture("routing.toml");
  const lines = splitLines(text);

  test("shards start at tables (with the comment above them) and name them", async () => {
    const plan = await shardFile("routing.toml", text, { thresholdChars: 300, maxShardChars: 400 });
    expectValidPlan(plan, text, 400);
    expect(plan).toMatchObject({ language: "toml", strategy: "toml" });
    for (const shard of plan.shards.slice(1)) {
      const first = lines[shard.lineStart - 1] as string;
      const startsTable = /^\[\[?[\w.-]+\]\]?$/.test(first) || (first.startsWith("#") && /^\[/.test(lines[shard.lineStart] ?? ""));
      expect({ first, startsTable }).toMatchObject({ startsTable: true });
    }
    const symbols = plan.shards.flatMap((s) => s.symbols);
    expect(symbols).toEqual(expect.arrayContaining(["[sweep]", "[prompts]", "[[ladder]]", "[gradient]", "[[probe]]"]));
  });

  test("brackets in multi-line strings and arrays are not tables", async () => {
    const plan = await shardFile("routing.toml", text, { thresholdChars: 50, maxShardChars: 60 });
    expectValidPlan(plan, text, 60);
    const symbols = plan.shards.flatMap((s) => s.symbols);
    expect(symbols).toEqual(expect.arrayContaining(["[prompts]", "[[probe]]"]));
    expect(symbols.some((s) => s.includes("not-a-table") || s.includes("not-an-array-table") || s.startsWith("[1") || s.startsWith("[3"))).toBe(false);
  });

  test("a table too big for one shard splits between entries, never inside a multi-line string or array", async () => {
    const plan = await shardFile("routing.toml", text, { thresholdChars: 100, maxShardChars: 130 });
    expectValidPlan(plan, text, 130);
    const prompts = plan.shards.filter((s) => s.symbols.includes("[prompts]"));
    expect(prompts.length).toBeGreaterThan(1);
    expect(prompts.every((s) => s.splitInside)).toBe(true);
    const stringStart = lines.indexOf('proposal_notes = """') + 1;
    const arrayStart = lines.indexOf("matrix = [") + 1;
    for (const shard of plan.shards) {
      expect(shard.lineStart > stringStart && shard.lineStart <= stringStart + 4).toBe(false);
      expect(shard.lineStart > arrayStart && shard.lineStart <= arrayStart + 3).toBe(false);
    }
  });

  test("a table too big for one shard splits at blank lines inside it and keeps its header as context", async () => {
    const big = `[package]\nname = "x"\n\n[dependencies]\n${Array.from({ length: 12 }, (_, i) => `dep${i} = "1.${i}"`).join("\n")}\n\n${Array.from({ length: 12 }, (_, i) => `extra${i} = { version = "2.${i}", features = ["a"] }`).join("\n")}\n`;
    const plan = await shardFile("Cargo.toml", big, { thresholdChars: 200, maxShardChars: 450 });
    expectValidPlan(plan, big, 450);
    const parts = plan.shards.filter((s) => s.splitInside);
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.slice(1).every((s) => s.preamble === "# line 4: [dependencies]")).toBe(true);
    expect(parts.every((s) => s.symbols.includes("[dependencies]"))).toBe(true);
  });
});
