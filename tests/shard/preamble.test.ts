/** The context preamble: capped imports, enclosing headers, nothing a shard already holds. */
import { describe, expect, test } from "bun:test";
import { splitLines } from "../../pipeline/shard/lines";
import { shardFile } from "../../pipeline/shard/shard";
import { linesMatching, readFixture } from "./fixture";

describe("imports in the preamble", () => {
  test("are capped at 20 lines and say how many more there are", async () => {
    const file = "dashboard.ts";
    const text = readFixture(file);
    const plan = await shardFile(file, text, { thresholdChars: 400, maxShardChars: 600 });
    const importLines = splitLines(text).filter((line) => line.startsWith("import "));
    expect(importLines).toHaveLength(28);
    const last = plan.shards[plan.shards.length - 1];
    expect(last?.preamble.split("\n")).toEqual([...importLines.slice(0, 20), "// … 8 more imports"]);
    expect(last?.preamble.length).toBeLessThanOrEqual(1500 + "// … 8 more imports".length);
  });

  test("a shard leaves out the imports it holds itself", async () => {
    const file = "dashboard.ts";
    const text = readFixture(file);
    const plan = await shardFile(file, text, { thresholdChars: 400, maxShardChars: 600 });
    const first = plan.shards[0];
    expect(first?.lineStart).toBe(1);
    // The import block is bigger than one shard here: the second shard holds the rest of it.
    const second = plan.shards[1];
    expect(second?.preamble).toContain('import { client } from "../api/client";');
    expect(second?.preamble).not.toContain(second?.text.split("\n").find((l) => l.startsWith("import ")));
    for (const line of first?.text.split("\n").filter((l) => l.startsWith("import ")) ?? []) {
      expect(first?.preamble).not.toContain(line);
    }
    const whole = await shardFile(file, text, { thresholdChars: 400, maxShardChars: 2000 });
    expect(whole.shards[0]?.preamble).toBe("");
  });
});

describe("enclosing headers in the preamble", () => {
  test("name the line the container starts on, in the file's comment syntax", async () => {
    const text = readFixture("billing.py");
    const plan = await shardFile("billing.py", text, { thresholdChars: 400, maxShardChars: 700 });
    const [classLine] = linesMatching(text, /^class BillingRun:/);
    const inside = plan.shards.filter((s) => s.preamble.includes(`# line ${classLine}: class BillingRun:`));
    expect(inside.length).toBeGreaterThan(0);
    for (const shard of inside) expect(shard.lineStart).toBeGreaterThan(classLine as number);
    // The header is the class line only, not the docstring below it.
    expect(inside[0]?.preamble).not.toContain("One month of billing");
  });

  test("are not repeated in the shard that holds the header line", async () => {
    const text = readFixture("auth.rs");
    const plan = await shardFile("auth.rs", text, { thresholdChars: 400, maxShardChars: 700 });
    const [implLine] = linesMatching(text, /^impl AuthService \{/);
    const holder = plan.shards.find((s) => s.lineStart <= (implLine as number) && (implLine as number) <= s.lineEnd);
    expect(holder?.symbols).toContain("impl AuthService");
    expect(holder?.preamble).not.toContain("impl AuthService");
  });
});
